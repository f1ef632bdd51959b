"""Test settings: fast hashing, local-memory cache unless REDIS_URL is set."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-hipknee"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests deliver webhooks to a receiver on 127.0.0.1.
HIPKNEE_WEBHOOK_ALLOW_PRIVATE = True
