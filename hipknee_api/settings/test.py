"""Test settings: fast hashing, local-memory cache unless REDIS_URL is set."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-hipknee"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# No rate limits, whatever the environment says; the throttling tests set their own.
HIPKNEE_THROTTLE_ANON = None
HIPKNEE_THROTTLE_KEY = None

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: in memory SQLite reports "table is locked" at once
    # instead of waiting, so concurrent-writer tests need a real file. One per process, in
    # RAM where the machine has a tmpfs, and without fsync: a test database need not survive.
    _TMP = "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp"
    DATABASES["default"]["OPTIONS"]["init_command"] = (  # noqa: F405
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"
    )
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": f"{_TMP}/hipknee-test-{os.getpid()}.sqlite3",
    }
# Responses are rendered on every request (validators and Cache-Control still apply): tests
# write live rows directly, which moves no content version. tests/api/test_caching.py turns the
# representation cache on where it is the subject.
HIPKNEE_RESPONSE_CACHE = False
# Tests deliver webhooks to a receiver on 127.0.0.1.
HIPKNEE_WEBHOOK_ALLOW_PRIVATE = True
# Tests never run collectstatic: let WhiteNoise look up files lazily instead of warning that
# staticfiles/ is missing.
WHITENOISE_AUTOREFRESH = True
