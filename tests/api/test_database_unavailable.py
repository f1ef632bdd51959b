"""A database that cannot answer: 503 problem+json with Retry-After, never a 500, never HTML
(content/api/errors.py), with DEBUG on (`make run`) and off, with and without the response
cache in front; and end to end, in a process whose database is a closed port."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
UNAVAILABLE = {
    "type": "urn:hipknee:problem:database-unavailable",
    "title": "Service unavailable.",
    "status": 503,
    "detail": "The database could not answer; try again in a few seconds.",
    "code": "database_unavailable",
}
PUBLIC_READS = [
    "/api/v1/articles/",
    "/api/v1/articles/hip-and-knee/",
    "/api/v1/articles/hip-and-knee/sections/introduction/",
    "/api/v1/conditions/",
    "/api/v1/changes/",
    "/api/v1/search/?q=knee",
]
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails as it would against a stopped server (the rows the test made
    before stay; only what the request reads fails)."""

    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: '
                               "Connection refused")

    def start():
        monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)

    return start


def assert_unavailable(response, cache_control: str = "no-store") -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == cache_control
    assert response.json() == UNAVAILABLE


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_are_503_with_retry_after(api_client, database_down, path):
    ArticleFactory(slug="hip-and-knee")
    database_down()

    assert_unavailable(api_client.get(path))


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_with_the_response_cache_on_a_read_it_cannot_answer_is_503(
    settings, database_down, path
):
    """The representation cache is in front (as in `make run` and production): it cannot
    read the content version from the database, so the view runs and meets the outage."""
    settings.HIPKNEE_RESPONSE_CACHE = True
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "database"
    ArticleFactory(slug="hip-and-knee")
    database_down()

    assert_unavailable(APIClient().get(path))


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_under_debug_it_is_the_same_503_not_the_html_debug_page(settings, database_down, path):
    settings.DEBUG = True
    ArticleFactory(slug="hip-and-knee")
    database_down()

    assert_unavailable(APIClient().get(path))  # a new client loads the middleware under DEBUG


def test_a_lost_connection_is_503_too(api_client, monkeypatch):
    def lost(self):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", lost)

    assert_unavailable(api_client.get("/api/v1/articles/"))


def test_authenticated_editorial_reads_and_writes_are_503(database_down):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    database_down()

    private = "private, no-store"  # every editorial response (content/api/security.py)
    assert_unavailable(client.get("/api/v1/editorial/articles/"), private)
    assert_unavailable(client.patch("/api/v1/editorial/articles/hip-and-knee/", {"title": "x"},
                                    format="json", HTTP_IF_MATCH='"rev-1"'), private)


def test_outside_the_api_views_handler500_answers_503(database_down):
    """The admin (not a DRF view) reads the session from the database: Django's 500 handler
    answers, and says 503 when the failure was the database's."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    database_down()

    assert_unavailable(client.get("/admin/"))


def test_other_server_errors_stay_500(monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", broken)
    response = Client(raise_request_exception=False).get("/api/v1/articles/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert response.json() == {
        "type": "urn:hipknee:problem:server-error",
        "title": "Internal server error.",
        "status": 500,
        "detail": "Something went wrong on our side.",
        "code": "server_error",
    }


#: Run in a fresh process against a database nobody listens on: settings as `make run`
#: (local, DEBUG on) and as `make serve` (production), response cache on as they have it.
PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for path in %r:
    response = client.get(path)
    answers[path] = [response.status_code, response["Content-Type"],
                     response.get("Retry-After"), response.content.decode()]
print(json.dumps(answers))
"""


@pytest.mark.parametrize("settings_module", ["hipknee_api.settings.local",
                                             "hipknee_api.settings.production"])
def test_end_to_end_a_closed_database_port_is_503(settings_module):
    paths = ["/api/v1/articles/", "/api/v1/articles/hip-and-knee/", "/api/v1/search/?q=knee"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": "postgres://hipknee@127.0.0.1:1/hipknee",  # nothing listens on port 1
        "REDIS_URL": "",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "CRITICAL",
    }
    env.pop("DEBUG", None)
    result = subprocess.run([sys.executable, "-c", PROBE % (paths,)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)

    answers = json.loads(result.stdout)
    for path in paths:
        status, content_type, retry_after, body = answers[path]
        assert (status, content_type, retry_after) == (503, PROBLEM, "5"), (path, body)
        assert json.loads(body) == UNAVAILABLE
