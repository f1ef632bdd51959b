"""CORS: the public read API is readable cross-origin; the editorial API never is."""

import runpy
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

ORIGIN = "https://app.example.org"
BASE_SETTINGS = str(Path(__file__).resolve().parents[2] / "hipknee_api" / "settings" / "base.py")
EXPOSED = (
    "ETag, Last-Modified, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
    "RateLimit-Policy, X-Request-ID"
)


def preflight(path: str, origin: str = ORIGIN, headers: str = "x-api-key"):
    return APIClient().options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


@pytest.mark.parametrize(
    "path", ["/api/v1/", "/api/v1/articles/", "/api/v1/changes/", "/api/schema/"]
)
def test_public_reads_are_open_to_any_origin_by_default(db, path):
    response = APIClient().get(path, HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Expose-Headers"] == EXPOSED
    assert "Access-Control-Allow-Credentials" not in response
    assert "origin" in response["Vary"].lower()


def test_a_preflight_for_the_public_api_allows_reads_with_an_api_key(db):
    response = preflight("/api/v1/articles/")

    assert response.status_code == 200
    assert response.content == b""
    assert {
        name: response[name]
        for name in (
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Access-Control-Max-Age",
        )
    } == {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": (
            "accept, if-modified-since, if-none-match, x-api-key, x-request-id"
        ),
        "Access-Control-Max-Age": "86400",
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/editorial/", "/api/v1/editorial/articles/",
             "/api/v1/editorial/webhooks/"]
)
def test_the_editorial_api_is_never_open_cross_origin(db, path):
    read = APIClient().get(path, HTTP_ORIGIN=ORIGIN)
    ask = preflight(path, headers="authorization, content-type")

    for response in (read, ask):
        assert not any(name.startswith("Access-Control-") for name in response.headers)


def test_health_checks_and_the_admin_are_not_cors_enabled(db):
    for path in ("/healthz", "/admin/login/"):
        response = APIClient().get(path, HTTP_ORIGIN=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response


def test_configured_origins_alone_are_allowed(db, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = [ORIGIN, "http://localhost:3000"]

    allowed = APIClient().get("/api/v1/", HTTP_ORIGIN=ORIGIN)
    other = APIClient().get("/api/v1/", HTTP_ORIGIN="https://evil.example.com")
    other_preflight = preflight("/api/v1/", origin="https://evil.example.com")

    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in other_preflight


def test_errors_and_throttling_are_readable_cross_origin(db, settings):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"
    client = APIClient(REMOTE_ADDR="192.0.2.77")
    cache.delete("throttle_anon_192.0.2.77")
    client.get("/api/v1/", HTTP_ORIGIN=ORIGIN)

    refused = client.get("/api/v1/", HTTP_ORIGIN=ORIGIN)
    missing = client.get("/api/v1/nothing-here/", HTTP_ORIGIN=ORIGIN)

    assert refused.status_code == 429
    assert refused["Access-Control-Allow-Origin"] == "*"
    assert missing.status_code == 404
    assert missing["Access-Control-Allow-Origin"] == "*"


def test_settings_read_origins_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "HIPKNEE_CORS_ALLOWED_ORIGINS", "https://app.example.org, http://localhost:3000"
    )
    configured = runpy.run_path(BASE_SETTINGS)
    monkeypatch.delenv("HIPKNEE_CORS_ALLOWED_ORIGINS")
    default = runpy.run_path(BASE_SETTINGS)

    assert (configured["CORS_ALLOW_ALL_ORIGINS"], configured["CORS_ALLOWED_ORIGINS"]) == (
        False,
        ["https://app.example.org", "http://localhost:3000"],
    )
    assert (default["CORS_ALLOW_ALL_ORIGINS"], default["CORS_ALLOWED_ORIGINS"]) == (True, [])
