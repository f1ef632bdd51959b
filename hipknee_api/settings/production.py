"""Production: only hardens base. SECRET_KEY must come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_rate

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

DEBUG = env_bool("DEBUG", False)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Probes of /healthz and /readyz may use plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Database connections are kept for the requests of a client connection (closed when it ends,
# hipknee_api/gunicorn_worker.py) for up to CONN_MAX_AGE seconds (60; 0 opens one per
# request), and checked when a request first uses one (CONN_HEALTH_CHECKS, on: `SELECT 1` on
# PostgreSQL), so a connection the database dropped (a restart) is replaced, not an error.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)  # noqa: F405
_postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"  # noqa: F405
if _postgres and env_bool("HIPKNEE_DB_POOL", True):
    # On PostgreSQL, instead: a pool per worker process (psycopg_pool, Django's "pool" option)
    # of at most HIPKNEE_DB_POOL_SIZE connections (10), a request taking one when it first
    # queries and giving it back when it ends. A gevent worker serves up to a thousand client
    # connections, each a greenlet with a Django connection of its own: without a pool, 150
    # clients at once asking for uncached pages took PostgreSQL past max_connections (100 by
    # default), and the API answered 121 of them 503 (editors and migrations locked out too).
    # A request that finds the pool busy waits up to HIPKNEE_DB_POOL_TIMEOUT seconds (5), then
    # is 503 `database_unavailable`. With CONN_HEALTH_CHECKS a connection is checked as it is
    # handed out (one round trip, as before), so one the database dropped is replaced.
    # HIPKNEE_DB_POOL=0: the connection per client connection above (docs/operations.md).
    _pool_size = int(os.environ.get("HIPKNEE_DB_POOL_SIZE", "10"))
    if _pool_size < 1:
        raise ImproperlyConfigured("HIPKNEE_DB_POOL_SIZE must be 1 or more (HIPKNEE_DB_POOL=0 "
                                   "turns the pool off).")
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405  (a pool's connections never persist)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
        "min_size": min(2, _pool_size),
        "max_size": _pool_size,
        "timeout": float(os.environ.get("HIPKNEE_DB_POOL_TIMEOUT", "5")),
    }

# Rate limits apply by default in production; "off" disables one.
HIPKNEE_THROTTLE_ANON = env_rate("HIPKNEE_THROTTLE_ANON", "60/min")
HIPKNEE_THROTTLE_KEY = env_rate("HIPKNEE_THROTTLE_KEY", "1000/min")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
