"""A path missing its trailing slash (content/api/middleware.py, `CommonMiddleware`): GET and
HEAD are redirected to the slashed URL; any other method is a problem+json 404 naming it,
never Django's HTML 500 (DEBUG) nor a 301 that would lose the method or the body."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from content.choices import Role
from content.models import Document
from tests.api.editorial.conftest import PAYLOADS, token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
SLASHLESS = [
    "/api/v1/editorial/articles",
    "/api/v1/editorial/articles/hip-and-knee",
    "/api/v1/editorial/articles/hip-and-knee/publish",
    "/api/v1/editorial/conditions/hip-bursitis/revisions/1/revert",
    "/api/v1/editorial/webhooks/1",
    "/api/v1/articles",
]
ROOT = Path(__file__).resolve().parent.parent.parent


def slash_missing(method: str, path: str, url: str) -> dict:
    return {
        "type": "urn:hipknee:problem:slash-missing",
        "title": "Not found.",
        "status": 404,
        "detail": f"No resource at {path}: the URL ends with a slash. Send the {method} to "
        f"{url}.",
        "code": "slash_missing",
    }


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    """Both as `make serve` (DEBUG off) and as `make run` (DEBUG on) answer."""
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize("method", WRITE_METHODS)
@pytest.mark.parametrize("path", SLASHLESS)
def test_a_write_without_the_slash_is_a_404_naming_the_url(debug, method, path):
    client = APIClient()  # a new client loads the middleware under the DEBUG in force

    response = client.generic(method, path, json.dumps({"title": "x"}),
                              content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert "Location" not in response
    assert response.json() == slash_missing(method, path, f"{path}/")


def test_the_query_string_is_kept_in_the_url_named(debug):
    response = APIClient().post("/api/v1/editorial/articles?lang=en", {}, format="json")

    assert response.json()["detail"] == (
        "No resource at /api/v1/editorial/articles: the URL ends with a slash. Send the POST "
        "to /api/v1/editorial/articles/?lang=en."
    )


def test_an_editor_s_create_without_the_slash_creates_nothing(debug):
    client = token_client(UserFactory(username="eddie", roles=[Role.EDITORS]))

    response = client.post("/api/v1/editorial/conditions", PAYLOADS["conditions"][0],
                           format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "slash_missing"
    assert not Document.objects.exists()
    assert client.post("/api/v1/editorial/conditions/", PAYLOADS["conditions"][0],
                       format="json").status_code == 201


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("path", ["/api/v1/editorial/articles", "/api/v1/articles"])
def test_get_and_head_are_still_redirected(debug, method, path):
    response = APIClient().generic(method, f"{path}?page=2")

    assert response.status_code == 301
    assert response["Location"] == f"{path}/?page=2"


def test_a_write_to_an_unknown_path_is_the_plain_404(debug):
    response = APIClient().post("/api/v1/nothing-here", {}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_without_append_slash_nothing_is_redirected_or_named(settings):
    settings.APPEND_SLASH = False

    for method in ("GET", "POST"):
        response = APIClient().generic(method, "/api/v1/articles")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


#: The settings `make run` (local) and `make serve` (production) use, in a fresh process: no
#: database is needed to route a request that resolves to nothing.
PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = []
for method in ("POST", "PUT", "PATCH", "DELETE", "GET"):
    response = client.generic(method, "/api/v1/editorial/articles/hip-and-knee", "{}",
                              content_type="application/json")
    answers.append([method, response.status_code, response["Content-Type"],
                    response.get("Location"), response.content.decode()])
print(json.dumps(answers))
"""


@pytest.mark.parametrize("settings_module", ["hipknee_api.settings.local",
                                             "hipknee_api.settings.production"])
def test_under_the_real_settings_writes_are_named_and_reads_redirected(settings_module):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": "postgres://hipknee@127.0.0.1:1/hipknee",  # never connected to
        "REDIS_URL": "",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "CRITICAL",
    }
    env.pop("DEBUG", None)
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)

    path = "/api/v1/editorial/articles/hip-and-knee"
    *writes, read = json.loads(result.stdout)
    for method, status, content_type, location, body in writes:
        assert (status, content_type, location) == (404, PROBLEM, None), (method, body)
        assert json.loads(body) == slash_missing(method, path, f"{path}/")
    assert read[:2] == ["GET", 301]
    assert read[3] == f"{path}/"
