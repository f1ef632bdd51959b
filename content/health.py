"""Health checks for load balancers and orchestrators: GET /healthz and GET /readyz.

`/healthz` says the process is up and serving (no database or cache touched). `/readyz` says
it can do its work: the database answers a query and the cache stores and returns a value;
200 with each check's status, or 503 problem+json naming what failed (the reason is logged,
never sent). With an edge cache configured it also reports the edge purge outbox
(`edge_purges`: `ok`, or `behind` when a purge waits past HIPKNEE_EDGE_PURGE_ALERT_SECONDS),
which does not make the process unready.

While the cache's circuit breaker is open (Redis failed a call within the last few seconds,
content/caching/backend.py) the cache check fails at once, without waiting on Redis: the
process serves reads from the database meanwhile, but is not fully ready.

Both answer GET and HEAD only, are never cached, never throttled, and are exempt from the HTTPS
redirect so a probe may use plain HTTP.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from content.api.errors import PROBLEM_CONTENT_TYPE, method_not_allowed, problem
from content.caching.backend import cache_reachable, cache_worth_asking
from content.caching.edge import edge_enabled
from content.services.edge import edge_purges_status

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"
ALLOWED_METHODS = ("GET", "HEAD")


def _json(body: dict, status: int = 200, content_type: str = "application/json") -> JsonResponse:
    response = JsonResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def _method_not_allowed(request) -> JsonResponse:
    response = method_not_allowed(request, ALLOWED_METHODS)
    response["Cache-Control"] = "no-store"
    return response


def check_database() -> str:
    """Whether the default database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Readiness: the database is unreachable.")
        return FAILED
    return OK


def check_cache() -> str:
    """Whether the default cache stores a value and gives it back."""
    key, value = "hipknee:readyz", uuid.uuid4().hex
    if not cache_worth_asking(cache):
        logger.error("Readiness: the cache is unreachable (Redis failed lately; next try in "
                     "%.1f s).", cache.breaker.retry_in())
        return FAILED
    try:
        cache.set(key, value, timeout=10)
        found = cache.get(key)
        if not cache_reachable(cache):
            logger.error("Readiness: the cache is unreachable (Redis does not answer).")
            return FAILED
        if found != value:
            logger.error("Readiness: the cache did not return what was stored.")
            return FAILED
    except Exception:
        logger.exception("Readiness: the cache is unreachable.")
        return FAILED
    return OK


def _edge_purges() -> dict:
    """With an edge configured, the purge outbox's state (content/services/edge.py): reported,
    not a readiness condition (the process serves; the edge may be stale)."""
    if not edge_enabled():
        return {}
    try:
        status = edge_purges_status()
    except Exception:
        logger.exception("Readiness: could not read the edge purge outbox.")
        return {}
    if status["status"] != OK:
        logger.error("Readiness: edge purges are behind: %s", status)
    return {"edge_purges": status}


def healthz(request):
    """The process is up."""
    if request.method not in ALLOWED_METHODS:
        return _method_not_allowed(request)
    return _json({"status": OK})


def readyz(request):
    """The database and the cache are reachable."""
    if request.method not in ALLOWED_METHODS:
        return _method_not_allowed(request)
    checks = {"database": check_database(), "cache": check_cache()}
    details = _edge_purges() if checks["database"] == OK else {}
    if all(result == OK for result in checks.values()):
        return _json({"status": OK, "checks": checks, **details})
    failed = ", ".join(name for name, result in checks.items() if result != OK)
    body = problem(503, "not_ready", f"Not ready to serve: {failed} unreachable.")
    body["checks"] = checks
    response = _json(body, status=503, content_type=PROBLEM_CONTENT_TYPE)
    response["Retry-After"] = "5"
    return response
