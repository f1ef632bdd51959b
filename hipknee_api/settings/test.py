"""Test settings: fast hashing, local-memory cache unless REDIS_URL is set."""

import os
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

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
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … under pytest -n
if REDIS_URL and _xdist_worker:  # noqa: F405
    # Each xdist worker gets its own Redis database (the URL's + 1 + worker number): tests
    # clear the cache (FLUSHDB) and key responses by content version, so workers sharing one
    # database would read and wipe each other's entries. Database 15 is left to
    # tests/api/test_caching_processes.py.
    _redis = urlsplit(REDIS_URL)  # noqa: F405
    _redis_db = int(_redis.path.strip("/") or 0) + 1 + int(_xdist_worker.removeprefix("gw"))
    if _redis_db > 14:
        raise ImproperlyConfigured(
            f"Too many xdist workers for Redis databases: {_xdist_worker} would use {_redis_db}."
        )
    CACHES["default"]["LOCATION"] = urlunsplit(_redis._replace(path=f"/{_redis_db}"))  # noqa: F405

# The caches run as in production (HIPKNEE_RESPONSE_CACHE, HIPKNEE_STORED_RENDERINGS and
# HIPKNEE_CONTENT_VERSION_CHECK keep their defaults from base.py). Each test starts with an
# empty cache, as a fresh deploy would (tests/conftest.py), and the live-row factories tell the
# caches what they wrote, as publishing does (tests/factories.py). Tests about turning a cache
# off turn it off themselves.
# Tests deliver webhooks to a receiver on 127.0.0.1, on whatever port it was given.
HIPKNEE_WEBHOOK_ALLOW_PRIVATE = True
HIPKNEE_WEBHOOK_ALLOWED_PORTS = None
# Tests never run collectstatic: let WhiteNoise look up files lazily instead of warning that
# staticfiles/ is missing.
WHITENOISE_AUTOREFRESH = True
