"""Security: check --deploy, security headers, CSP on the docs, no traces in any response."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from content.api import views
from content.api.security import DATA_POLICY, HTML_POLICY, REDOC_POLICY

ROOT = Path(__file__).resolve().parents[1]

SERVER_ERROR_BODY = {
    "type": "urn:hipknee:problem:server-error",
    "title": "Internal server error.",
    "status": 500,
    "detail": "Something went wrong on our side.",
    "code": "server_error",
}


def test_production_settings_pass_check_deploy_without_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
        "SECRET_KEY": "check-only-7Qm2xV9pLr4Tz8Wc1Nb6Hk3Jd5Fy0Gs2Ua7Eo9Xi4Rv6Pw1Ln8Kt3Zq5Mc",
        "ALLOWED_HOSTS": "api.example.org",
    }
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("path", "policy"),
    [
        ("/api/v1/", DATA_POLICY),
        ("/api/v1/nothing-here/", DATA_POLICY),
        ("/api/schema/", DATA_POLICY),
        ("/healthz", DATA_POLICY),
        ("/api/docs/", HTML_POLICY),
        ("/api/redoc/", REDOC_POLICY),
        ("/admin/login/", HTML_POLICY),
    ],
)
def test_every_response_has_a_content_security_policy_and_nosniff(db, path, policy):
    response = Client().get(path)

    assert response["Content-Security-Policy"] == policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_html_policy_allows_only_this_site():
    assert HTML_POLICY == (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_no_inline_script_and_nothing_from_elsewhere(db, path):
    html = Client().get(path).content.decode()

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    assert all('src="/' in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_swagger_ui_start_up_script_is_served_separately(db):
    response = Client().get("/api/docs/?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_an_unexpected_error_is_a_bare_problem_500(db, monkeypatch, settings):
    settings.DEBUG = False

    def broken(self, request):
        raise RuntimeError(f"database password is {settings.SECRET_KEY}")

    monkeypatch.setattr(views.ApiIndexView, "get", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == SERVER_ERROR_BODY
    body = response.content.decode()
    for leak in ("Traceback", "RuntimeError", settings.SECRET_KEY, "password", "File \""):
        assert leak not in body
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_an_unknown_path_is_a_problem_404_not_a_debug_page(db, settings):
    settings.DEBUG = False

    response = Client().get("/no/such/page")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": "No resource at /no/such/page.",
        "code": "not_found",
    }


def test_a_disallowed_host_is_a_problem_400_naming_nothing(db, settings):
    settings.ALLOWED_HOSTS = ["api.example.org"]

    response = Client().get("/api/v1/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:bad-request",
        "title": "The request is not valid.",
        "status": 400,
        "detail": "The request could not be understood.",
        "code": "bad_request",
    }


# --- editorial responses are private --------------------------------------------------------


@pytest.fixture
def editorial(db):
    """A draft article and a token per kind of caller."""
    from rest_framework.authtoken.models import Token

    from content.choices import Role
    from content.services.versioning import document_create
    from tests.factories import UserFactory

    editor = UserFactory(username="eddie", roles=[Role.EDITORS])
    document_create(type_="article", author=editor, data={
        "slug": "hip-and-knee", "title": "Hip and knee", "summary": "A draft.",
    })
    nobody = UserFactory(username="nobody")
    return {
        "editor": f"Token {Token.objects.create(user=editor).key}",
        "nobody": f"Token {Token.objects.create(user=nobody).key}",
    }


EDITORIAL = "/api/v1/editorial/articles/"


@pytest.mark.parametrize(
    ("method", "path", "caller", "extra", "status"),
    [
        ("get", EDITORIAL, "editor", {}, 200),  # a list
        ("get", f"{EDITORIAL}hip-and-knee/", "editor", {}, 200),  # a detail
        ("get", f"{EDITORIAL}hip-and-knee/revisions/", "editor", {}, 200),
        ("get", f"{EDITORIAL}missing/", "editor", {}, 404),  # the view's error
        ("get", EDITORIAL, None, {}, 401),
        ("get", EDITORIAL, "nobody", {}, 403),
        ("patch", f"{EDITORIAL}hip-and-knee/", "editor", {}, 428),
        ("get", f"{EDITORIAL}?page=0", "editor", {}, 400),
        ("get", "/api/v1/editorial/nothing-here/", "editor", {}, 404),  # Django's 404
        ("get", f"{EDITORIAL}?q=%00", "editor", {}, 400),  # RequestGuardMiddleware
        ("post", EDITORIAL, "editor", {"CONTENT_LENGTH": str(10**8)}, 413),  # size limit
        ("get", "/api/v1/editorial/articles", "editor", {}, 301),  # CommonMiddleware
    ],
)
def test_every_editorial_response_is_private_and_never_stored(
    editorial, method, path, caller, extra, status
):
    headers = {"HTTP_AUTHORIZATION": editorial[caller]} if caller else {}

    response = getattr(Client(), method)(path, content_type="application/json", **headers,
                                         **extra)

    assert response.status_code == status
    assert response["Cache-Control"] == "private, no-store"


def test_public_responses_stay_publicly_cacheable(db):
    response = Client().get("/api/v1/articles/")

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public, max-age=")
