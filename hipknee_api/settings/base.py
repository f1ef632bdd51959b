"""Settings shared by every environment, read from environment variables.

Environment variables: ``DATABASE_URL`` (default: a SQLite file in the project),
``CONN_MAX_AGE`` (seconds a database connection is kept; default 0),
``POSTGRES_RANDOM_PAGE_COST`` (the planner's random_page_cost; default 1.1), ``REDIS_URL``
(default: local-memory cache), ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``CSRF_TRUSTED_ORIGINS`` (comma-separated), ``DEBUG`` (``1``/``0``), ``LOG_LEVEL``,
``HIPKNEE_CACHE_MAX_AGE`` and ``HIPKNEE_CACHE_SWR`` (seconds), ``HIPKNEE_RESPONSE_CACHE`` and
``HIPKNEE_STORED_RENDERINGS`` (``1``/``0``), ``HIPKNEE_RESPONSE_CACHE_TTL`` (seconds),
``HIPKNEE_CONTENT_VERSION_SOURCE``, ``HIPKNEE_LOCAL_CACHE_ENTRIES``,
``HIPKNEE_CACHE_KEY_PREFIX``, ``HIPKNEE_VERSION_WATCH``, ``HIPKNEE_CONTENT_VERSION_CHECK``,
``HIPKNEE_API_KEY_CHECK``, ``HIPKNEE_REDIS_TIMEOUT`` and
``HIPKNEE_REDIS_CIRCUIT_OPEN_SECONDS``; the edge's ``HIPKNEE_EDGE_*`` (below).
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/0, true/false, yes/no, on/off)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_rate(name: str, default: str | None) -> str | None:
    """Read a DRF throttle rate such as ``60/min``; ``off`` means no limit, unset the default."""
    value = os.environ.get(name, "").strip() or default
    if value is None or value.lower() == "off":
        return None
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 60/min (per s, min, hour or day) or off, not {value!r}."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def env_ports(name: str, default: str) -> tuple[int, ...] | None:
    """Read a comma-separated list of TCP ports; ``*`` means any port (None)."""
    value = (os.environ.get(name) or default).strip()
    if value == "*":
        return None
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 65535 for p in parts):
        raise ImproperlyConfigured(
            f"{name} must list TCP ports (1-65535) separated by commas, or be *; got {value!r}."
        )
    return tuple(int(p) for p in parts)


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
#: Origins (scheme://host) trusted for unsafe session requests, e.g. the admin behind a proxy.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "rest_framework_api_key",
    "simple_history",
    # The admin's rich-text editor (its static files only; content/static/content/prose_editor.js).
    "django_prose_editor",
    "content",
]

MIDDLEWARE = [
    "content.api.access_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "content.api.security.ContentSecurityPolicyMiddleware",
    # Cache-Control: private, no-store on every /api/v1/editorial/ response, errors included.
    "content.api.security.PrivateResponseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "content.api.throttling.RateLimitHeadersMiddleware",
    "content.api.security.RequestGuardMiddleware",
    # A chunked body is read whole where the server ends it (gunicorn), else 411.
    "content.api.middleware.RequestBodyLengthMiddleware",
    "content.api.middleware.RequestSizeLimitMiddleware",
    # Answers anonymous public reads from the representation cache, before the session, auth
    # and CSRF machinery, URL resolution and DRF (content/api/caching.py).
    "content.api.caching.CachedResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, but a path missing its slash is redirected for GET and HEAD only; other
    # methods get a problem+json 404 naming the slashed URL (no 500 under DEBUG, no 301).
    "content.api.middleware.CommonMiddleware",
    # DEBUG only: problem+json, not Django's HTML debug page, for an unknown /api/ path.
    "content.api.middleware.DebugNotFoundMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hipknee_api.urls"
WSGI_APPLICATION = "hipknee_api.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# An unset or empty DATABASE_URL means the SQLite file db.sqlite3 in the project root.
_conn_max_age = int(os.environ.get("CONN_MAX_AGE", "0"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=_conn_max_age,
        conn_health_checks=_conn_max_age > 0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins and wait for each other (up to
    # 20 s) instead of failing with "database is locked"; WAL lets reads run meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's cost of a random page read. PostgreSQL's default, 4, models spinning
    # disks; a content database is small and cached (or on SSD), and at 4 the planner reads
    # the whole search table instead of its GIN index (bench/search_bench.py). 1.1 is the
    # usual value for SSDs; set POSTGRES_RANDOM_PAGE_COST empty to keep the server's own.
    _random_page_cost = os.environ.get("POSTGRES_RANDOM_PAGE_COST", "1.1")
    if _random_page_cost:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _setting = f"-c random_page_cost={float(_random_page_cost)}"
        _options["options"] = " ".join(filter(None, [_options.get("options"), _setting]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
#: Seconds to connect to Redis and to wait for each answer (HIPKNEE_REDIS_TIMEOUT, 0.1): a
#: healthy Redis answers in well under a millisecond, so anything slower is treated as down.
_redis_timeout = float(os.environ.get("HIPKNEE_REDIS_TIMEOUT", "0.1"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's backend, reusing one redis client per pool (content/caching/backend.py).
            "BACKEND": "content.caching.backend.RedisCache",
            "LOCATION": REDIS_URL,
            # Deployments (or test runs) sharing one Redis database need distinct prefixes.
            "KEY_PREFIX": os.environ.get("HIPKNEE_CACHE_KEY_PREFIX", "hipknee"),
            # A dead or hung Redis costs one short timeout, then the circuit breaker answers
            # every call at once (a miss, a no-op) for a few seconds and /readyz says 503
            # (content/caching/backend.py): reads are served from the database meanwhile.
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
                "circuit_open_seconds": float(
                    os.environ.get("HIPKNEE_REDIS_CIRCUIT_OPEN_SECONDS", "5")
                ),
            },
        }
    }
else:
    # Room for every public representation of a few hundred articles (~6 KB each).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# A request body over 1 MB is refused with 413 (docs/api.md#error-codes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["content.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "content.api.formats.ContentNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "content.api.authentication.APIKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "content.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "content.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_METADATA_CLASS": "content.api.metadata.EndpointMetadata",
    # Rates come from HIPKNEE_THROTTLE_ANON / HIPKNEE_THROTTLE_KEY below (None: no limit).
    "DEFAULT_THROTTLE_CLASSES": [
        "content.api.throttling.AnonRateThrottle",
        "content.api.throttling.APIKeyRateThrottle",
        "content.api.throttling.StaffRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {},
    # Trusted proxies in front of the app: the client address is taken that many hops from
    # the end of X-Forwarded-For (0: REMOTE_ADDR, so clients cannot forge their address).
    "NUM_PROXIES": int(os.environ.get("HIPKNEE_NUM_PROXIES", "0")),
}

#: Rate limits (content/api/throttling.py): anonymous clients per IP address, API keys (and
#: signed-in staff) per key or user. Off unless set here; production sets defaults.
HIPKNEE_THROTTLE_ANON = env_rate("HIPKNEE_THROTTLE_ANON", None)
HIPKNEE_THROTTLE_KEY = env_rate("HIPKNEE_THROTTLE_KEY", None)

#: CORS (django-cors-headers): the public read API may be read from any origin, or only from
#: the comma-separated HIPKNEE_CORS_ALLOWED_ORIGINS (scheme://host[:port]); no credentials.
#: The editorial API (/api/v1/editorial/) is never open cross-origin.
_cors_origins = env_list("HIPKNEE_CORS_ALLOWED_ORIGINS", ["*"])
CORS_ALLOW_ALL_ORIGINS = "*" in _cors_origins
CORS_ALLOWED_ORIGINS = [] if CORS_ALLOW_ALL_ORIGINS else _cors_origins
CORS_URLS_REGEX = r"^/api/(?!v1/editorial(/|$)).*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = [
    "accept", "if-modified-since", "if-none-match", "x-api-key", "x-request-id",
]
CORS_EXPOSE_HEADERS = [
    "ETag", "Last-Modified", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining",
    "RateLimit-Reset", "RateLimit-Policy", "X-Request-ID",
]
CORS_ALLOW_CREDENTIALS = False
CORS_PREFLIGHT_MAX_AGE = 86400

SPECTACULAR_SETTINGS = {
    "TITLE": "HipKnee API",
    "DESCRIPTION": (
        "Structured, medically reviewed consumer health content: articles made of typed "
        "sections, and the conditions, causes, symptoms, warning signs and treatments they "
        "talk about. The public read API serves only live, unexpired revisions; the editorial "
        "API under /api/v1/editorial/ manages drafts, revisions, clinical review and publishing. "
        "Every error is application/problem+json (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every API operation may answer 429 (content/api/throttling.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "content.api.throttling.document_rate_limits",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ContentTypeEnum": "content.types.TYPE_CHOICES",
        "BodyRegionEnum": "content.choices.BodyRegion",
        "SymptomFrequencyEnum": "content.choices.SymptomFrequency",
        "UrgencyEnum": "content.choices.Urgency",
        "TreatmentCategoryEnum": "content.choices.TreatmentCategory",
        "SectionKindEnum": "content.choices.SectionKind",
        "HealthAspectEnum": "content.choices.HealthAspect",
        "ItemGroupEnum": "content.choices.ItemGroup",
        "TimelinePhaseEnum": "content.choices.TimelinePhase",
        "TimeUnitEnum": "content.choices.TimeUnit",
        "ReviewStatusEnum": "content.choices.ReviewStatus",
        "EditorialStatusEnum": "content.choices.EditorialStatus",
        "ReviewDecisionEnum": "content.choices.ReviewDecision",
        "EditorialActionEnum": "content.choices.EditorialAction",
        "LanguageEnum": "content.choices.Language",
        "ChangeActionEnum": "content.choices.ChangeAction",
        "DeliveryStatusEnum": "content.choices.DeliveryStatus",
        "BodyFormatEnum": "content.choices.BodyFormat",
        "CodeSystemEnum": "content.choices.CodeSystem",
        "BlockTypeEnum": "content.choices.BlockType",
    },
}

#: One JSON object per line on stderr, each with the request id (content/api/log_format.py);
#: `hipknee.access` logs every request, so django.request keeps only server errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "content.api.log_format.JSONFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

#: Seconds a client or shared cache may reuse a public response (Cache-Control max-age).
HIPKNEE_CACHE_MAX_AGE = int(os.environ.get("HIPKNEE_CACHE_MAX_AGE", "60"))
#: Seconds a cache may serve a stale response while it revalidates.
HIPKNEE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("HIPKNEE_CACHE_SWR", "300"))
#: The response cache (content/caching/responses.py): each public response is rendered once
#: per content version and kept for at most HIPKNEE_RESPONSE_CACHE_TTL seconds.
HIPKNEE_RESPONSE_CACHE = env_bool("HIPKNEE_RESPONSE_CACHE", True)
HIPKNEE_RESPONSE_CACHE_TTL = int(os.environ.get("HIPKNEE_RESPONSE_CACHE_TTL", "300"))
#: Details and sections rendered at publish time and stored (content/caching/renderings.py).
HIPKNEE_STORED_RENDERINGS = env_bool("HIPKNEE_STORED_RENDERINGS", True)
#: Where the content version lives (content/caching/versions.py): "cache" or "database"; empty picks
#: the cache when it is shared (Redis), the database when it is private to each process.
HIPKNEE_CONTENT_VERSION_SOURCE = os.environ.get("HIPKNEE_CONTENT_VERSION_SOURCE", "")
#: With a shared cache, how many cached responses each process also keeps in its own memory
#: (used only under the current content version; 0 turns the local copies off).
HIPKNEE_LOCAL_CACHE_ENTRIES = int(os.environ.get("HIPKNEE_LOCAL_CACHE_ENTRIES", "256"))
#: With Redis, whether each process keeps the content version it read until Redis reports a
#: change of it (content/caching/versions.py, `_VersionWatch`), rather than reading it per request.
HIPKNEE_VERSION_WATCH = env_bool("HIPKNEE_VERSION_WATCH", True)
#: With the version in the cache, each process also reads the database's content version at
#: least every HIPKNEE_CONTENT_VERSION_CHECK seconds (and whenever the cache's changes) and
#: keys responses on both, so a publish whose cache bump was lost (Redis unreachable from the
#: publishing process) is still seen everywhere within that time; 0 turns the check off.
HIPKNEE_CONTENT_VERSION_CHECK = float(os.environ.get("HIPKNEE_CONTENT_VERSION_CHECK", "1"))
#: Seconds each process trusts an API key it has found usable before looking it up again
#: (content/api/authentication.py): a revoked key is refused everywhere within this time;
#: 0 looks the key up on every request.
HIPKNEE_API_KEY_CHECK = float(os.environ.get("HIPKNEE_API_KEY_CHECK", "1"))

#: Webhooks (content/services/webhooks.py). Whether subscribers may be loopback, private,
#: link-local or otherwise non-public addresses; off by default (no SSRF), on in local and test.
HIPKNEE_WEBHOOK_ALLOW_PRIVATE = env_bool("HIPKNEE_WEBHOOK_ALLOW_PRIVATE", False)
#: The ports a webhook URL may name, comma-separated ("*": any port); 80 and 443 by default,
#: any under local and test settings.
HIPKNEE_WEBHOOK_ALLOWED_PORTS = env_ports("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "80,443")
#: Attempts before a delivery is given up, the first retry delay (doubled after each failure,
#: capped at an hour) and the deadline of one whole attempt (resolving, connecting, sending and
#: reading the answer), in seconds.
HIPKNEE_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("HIPKNEE_WEBHOOK_MAX_ATTEMPTS", "8"))
HIPKNEE_WEBHOOK_BACKOFF_SECONDS = int(os.environ.get("HIPKNEE_WEBHOOK_BACKOFF_SECONDS", "30"))
HIPKNEE_WEBHOOK_TIMEOUT_SECONDS = int(os.environ.get("HIPKNEE_WEBHOOK_TIMEOUT_SECONDS", "10"))

#: The edge cache in front of the API (content/caching/edge.py, content/services/edge.py,
#: docs/caching.md#the-edge). HIPKNEE_EDGE_PURGE_URL: where purges go, comma-separated for
#: several edges (e.g. http://127.0.0.1:8080/ for `make edge`'s Varnish); empty (the default)
#: means no edge: no purge is queued and responses get no edge lifetime.
HIPKNEE_EDGE_PURGE_URL = os.environ.get("HIPKNEE_EDGE_PURGE_URL", "").strip()
#: How a purge is sent: `surrogate-key` (a request whose Surrogate-Key header lists the keys:
#: our Varnish VCL, Fastly's batch purge) or `cloudflare` (a JSON POST {"tags": [...]}).
HIPKNEE_EDGE_PURGE_FORMAT = os.environ.get("HIPKNEE_EDGE_PURGE_FORMAT", "surrogate-key")
#: The method of a `surrogate-key` purge: PURGE for Varnish, POST for Fastly.
HIPKNEE_EDGE_PURGE_METHOD = os.environ.get("HIPKNEE_EDGE_PURGE_METHOD", "PURGE")
#: Extra headers of every purge request, as a JSON object (e.g. {"Fastly-Key": "…"} or
#: {"Authorization": "Bearer …"}).
HIPKNEE_EDGE_PURGE_HEADERS = os.environ.get("HIPKNEE_EDGE_PURGE_HEADERS", "")
#: Seconds the edge may keep a public response (purges keep it true; never past the next
#: expiry or overdue review), and may serve it stale while the origin fails.
HIPKNEE_EDGE_MAX_AGE = int(os.environ.get("HIPKNEE_EDGE_MAX_AGE", "86400"))
HIPKNEE_EDGE_STALE_IF_ERROR = int(os.environ.get("HIPKNEE_EDGE_STALE_IF_ERROR", "86400"))
#: The deadline of one purge request, the first retry delay (doubled after each failure, at
#: most a minute apart; a purge is never given up) and how late a pending purge may be before
#: /readyz reports the edge purges as `behind`, in seconds.
HIPKNEE_EDGE_PURGE_TIMEOUT_SECONDS = float(os.environ.get("HIPKNEE_EDGE_PURGE_TIMEOUT_SECONDS",
                                                          "2"))
HIPKNEE_EDGE_PURGE_BACKOFF_SECONDS = float(os.environ.get("HIPKNEE_EDGE_PURGE_BACKOFF_SECONDS",
                                                          "1"))
HIPKNEE_EDGE_PURGE_ALERT_SECONDS = int(os.environ.get("HIPKNEE_EDGE_PURGE_ALERT_SECONDS", "30"))

#: The reading grade (Flesch–Kincaid) texts should not exceed: the admin marks a field or
#: section above it, the editorial API says `above_target` (content/readability.py).
HIPKNEE_READING_GRADE_TARGET = float(os.environ.get("HIPKNEE_READING_GRADE_TARGET", "8"))

#: schema.org JSON-LD (content/jsonld.py). The publisher's own page for each type, as
#: `type=URL template` pairs, comma-separated, each template an absolute http(s) URL with one
#: `{slug}` (HIPKNEE_PAGE_URLS, e.g.
#: `article=https://example.org/health/{slug},condition=https://example.org/conditions/{slug}`):
#: a document's `@id`/`url` point there and its API URL becomes `sameAs`. Types left out keep
#: the API URL. Checked when Django starts (an unknown type or a bad template stops it).
HIPKNEE_PAGE_URLS = dict(
    pair.split("=", 1) if "=" in pair else (pair, "")
    for pair in env_list("HIPKNEE_PAGE_URLS", [])
)
#: The organisation credited as `publisher` (HIPKNEE_PUBLISHER_NAME; empty: no publisher
#: property) and its home page (HIPKNEE_PUBLISHER_URL, optional).
HIPKNEE_PUBLISHER_NAME = os.environ.get("HIPKNEE_PUBLISHER_NAME", "")
HIPKNEE_PUBLISHER_URL = os.environ.get("HIPKNEE_PUBLISHER_URL", "")
