"""Errors of the public read API: always problem+json, never HTML, never a 500."""

import pytest

from tests.factories import ArticleFactory, SymptomFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ONE_MB = 1024 * 1024


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/articles/a/b/c/",
        "/api/nothing/",
        "/api/v1/articles/missing/sections/causes/",
        "/api/v1/symptoms/missing/",
        "/api/v1/symptoms/has.dot/",
    ],
)
def test_unknown_paths_are_404_problems(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["type"], body["title"], body["status"], body["code"]) == (
        "urn:hipknee:problem:not-found", "Not found.", 404, "not_found"
    )


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/nothing/", "/api/"])
def test_unknown_paths_are_404_problems_under_debug_too(settings, path):
    """`make run` serves with DEBUG on: Django would answer its HTML debug page."""
    from rest_framework.test import APIClient

    settings.DEBUG = True
    response = APIClient().get(path)  # a new client loads the middleware under DEBUG

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": f"No resource at {path}.",
        "code": "not_found",
    }


def test_under_debug_a_path_missing_its_slash_is_still_redirected(settings):
    from rest_framework.test import APIClient

    settings.DEBUG = True
    client = APIClient()

    assert client.get("/api/v1/symptoms")["Location"] == "/api/v1/symptoms/"
    assert client.get("/api/v1/symptoms").status_code == 301
    unknown = client.get("/api/v1/nothing-here")
    assert (unknown.status_code, unknown["Content-Type"]) == (404, PROBLEM)
    assert client.get("/api/v1/symptoms/").status_code == 200


def test_unknown_path_names_the_path(api_client):
    response = api_client.get("/api/v1/nothing-here/")

    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": "No resource at /api/v1/nothing-here/.",
        "code": "not_found",
    }


def test_unknown_slug_names_the_type_and_slug(api_client):
    response = api_client.get("/api/v1/warning-signs/missing/")

    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": "There is no published warning sign 'missing'.",
        "code": "not_found",
    }


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/articles/", "/api/v1/articles/a/", "/api/v1/articles/a/sections/causes/"]
)
def test_writes_to_the_public_api_are_405_problems(api_client, method, path):
    ArticleFactory(slug="a")

    response = getattr(api_client, method)(path, {"title": "x"}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {
        "type": "urn:hipknee:problem:method-not-allowed",
        "title": "Method not allowed.",
        "status": 405,
        "detail": f'Method "{method.upper()}" not allowed.',
        "code": "method_not_allowed",
    }


def test_a_malformed_body_on_a_read_only_endpoint_is_still_405(api_client):
    response = api_client.generic(
        "POST", "/api/v1/symptoms/", b"{not json", content_type="application/json"
    )

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_body_over_1_mb_is_413_before_anything_reads_it(api_client, method):
    response = api_client.generic(
        method, "/api/v1/symptoms/", b"x" * (ONE_MB + 1), content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "urn:hipknee:problem:payload-too-large",
        "title": "The request body is too large.",
        "status": 413,
        "detail": "The request body is larger than 1 MB.",
        "code": "payload_too_large",
    }


def test_a_body_of_exactly_1_mb_is_not_refused_for_its_size(api_client):
    response = api_client.generic(
        "POST", "/api/v1/symptoms/", b"x" * ONE_MB, content_type="application/json"
    )

    assert response.status_code == 405


def test_the_size_limit_applies_under_api_only(client):
    response = client.generic("POST", "/not-api/", b"x" * (ONE_MB + 1))

    assert response.status_code == 404


def test_an_unparsable_content_length_is_treated_as_no_body(api_client):
    response = api_client.get("/api/v1/symptoms/", CONTENT_LENGTH="lots")

    assert response.status_code == 200


def test_asking_for_anything_but_json_is_406(api_client):
    SymptomFactory(slug="stiffness")

    response = api_client.get("/api/v1/symptoms/stiffness/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "urn:hipknee:problem:not-acceptable",
        "title": "Not acceptable.",
        "status": 406,
        "detail": "Could not satisfy the request Accept header.",
        "code": "not_acceptable",
    }


def test_a_browser_accept_header_still_gets_json(api_client):
    SymptomFactory(slug="stiffness")

    response = api_client.get(
        "/api/v1/symptoms/stiffness/",
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_an_invalid_token_is_401_not_a_silent_anonymous_read(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get("/api/v1/symptoms/")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "urn:hipknee:problem:authentication-failed",
        "title": "Authentication is required.",
        "status": 401,
        "detail": "Invalid token.",
        "code": "authentication_failed",
    }
