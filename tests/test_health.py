"""GET /healthz (process up) and GET /readyz (database and cache reachable, else 503)."""

import time

import pytest
from django.db import OperationalError
from django.test import Client

from content import health
from tests.redis_outage import redis_cache_settings


@pytest.fixture
def client():
    return Client()


def test_healthz_says_ok_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "ok"}


def test_readyz_checks_the_database_and_the_cache(db, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_readyz_is_503_when_the_cache_is_unreachable(db, client, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 10.0.0.5:6379. Connection refused.")

    monkeypatch.setattr(health.cache, "set", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "type": "urn:hipknee:problem:not-ready",
        "title": "Service unavailable.",
        "status": 503,
        "detail": "Not ready to serve: cache unreachable.",
        "code": "not_ready",
        "checks": {"database": "ok", "cache": "failed"},
    }
    assert "10.0.0.5" not in response.content.decode()  # the reason is logged, never sent
    assert "Readiness: the cache is unreachable." in caplog.messages


def test_readyz_is_503_when_the_cache_forgets(db, client, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "failed"}


def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch, caplog):
    class DeadConnection:
        def cursor(self):
            raise OperationalError('connection to server at "db.internal" failed')

    monkeypatch.setattr(health, "connection", DeadConnection())

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "type": "urn:hipknee:problem:not-ready",
        "title": "Service unavailable.",
        "status": 503,
        "detail": "Not ready to serve: database unreachable.",
        "code": "not_ready",
        "checks": {"database": "failed", "cache": "ok"},
    }
    assert "db.internal" not in response.content.decode()
    assert "Readiness: the database is unreachable." in caplog.messages


def test_both_failing_are_both_named(client, monkeypatch):
    class DeadConnection:
        def cursor(self):
            raise OperationalError("down")

    monkeypatch.setattr(health, "connection", DeadConnection())
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)

    response = client.get("/readyz")

    assert response.json()["detail"] == "Not ready to serve: database, cache unreachable."


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_head(db, client, path):
    response = client.head(path)

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_refuse_other_methods_with_405(db, client, path):
    response = client.post(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "type": "urn:hipknee:problem:method-not-allowed",
        "title": "Method not allowed.",
        "status": 405,
        "detail": 'Method "POST" not allowed.',
        "code": "method_not_allowed",
    }


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_directly_without_a_slash_redirect(db, client, path):
    assert client.get(path).status_code == 200
    assert client.get(f"{path}/").status_code == 404


def test_under_production_the_health_checks_are_exempt_from_the_https_redirect(
    db, client, settings, monkeypatch, production_settings
):
    monkeypatch.delenv("SECURE_SSL_REDIRECT", raising=False)
    production = production_settings()
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/").status_code == 301
    assert client.get("/healthz-not/").status_code == 301


@pytest.mark.solo  # its timing bounds hold on an idle machine, not beside the parallel suite
def test_readyz_is_503_at_once_while_redis_hangs_and_healthz_stays_200(
    db, client, settings, hung_redis, caplog
):
    settings.CACHES = redis_cache_settings(hung_redis.url)

    first, first_took = _timed(lambda: client.get("/readyz"))
    again, again_took = _timed(lambda: client.get("/readyz"))
    alive = client.get("/healthz")

    not_ready = {
        "type": "urn:hipknee:problem:not-ready",
        "title": "Service unavailable.",
        "status": 503,
        "detail": "Not ready to serve: cache unreachable.",
        "code": "not_ready",
        "checks": {"database": "ok", "cache": "failed"},
    }
    assert (first.status_code, first["Content-Type"], first.json()) == (
        503, "application/problem+json", not_ready)
    assert (again.status_code, again.json()) == (503, not_ready)
    assert first_took < 0.5  # one socket timeout (0.1 s), not one per call
    assert again_took < 0.05  # the breaker is open: Redis is not asked at all
    assert hung_redis.accepted == 1
    assert "Readiness: the cache is unreachable (Redis does not answer)." in caplog.messages
    assert any(m.startswith("Readiness: the cache is unreachable (Redis failed lately")
               for m in caplog.messages)
    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started
