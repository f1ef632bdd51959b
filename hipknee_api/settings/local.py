"""Local development: SQLite by default, debug on, an insecure key is acceptable."""

from .base import *  # noqa: F403
from .base import env_bool, env_ports

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-local-only-hipknee"  # noqa: F405
# A local subscriber (http://127.0.0.1:…) may receive webhooks during development.
HIPKNEE_WEBHOOK_ALLOW_PRIVATE = env_bool("HIPKNEE_WEBHOOK_ALLOW_PRIVATE", True)
HIPKNEE_WEBHOOK_ALLOWED_PORTS = env_ports("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "*")
