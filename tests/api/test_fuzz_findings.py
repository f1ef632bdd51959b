"""Reproducers of what fuzzing (tests/fuzz/run_fuzz.py) found, kept as regular tests."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.choices import Role
from tests.factories import UserFactory


@pytest.fixture
def staff_client(db) -> APIClient:
    user = UserFactory(username="fuzz-staff", roles=[Role.EDITORS, Role.PUBLISHERS])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/v1/editorial/articles/", "GET, POST, HEAD, OPTIONS"),
        ("/api/v1/editorial/causes/0/", "GET, PATCH, HEAD, OPTIONS"),
        ("/api/v1/editorial/conditions/0/publish/", "POST, OPTIONS"),
        ("/api/v1/editorial/symptoms/0/unpublish/", "POST, OPTIONS"),
        ("/api/v1/editorial/treatments/0/reviews/", "GET, POST, HEAD, OPTIONS"),
        ("/api/v1/editorial/warning-signs/0/revisions/0/revert/", "POST, OPTIONS"),
    ],
)
def test_options_on_editorial_endpoints_is_not_a_500(staff_client, path, allow):
    # Found by fuzzing: DRF's metadata built the view's serializer, which an editorial view
    # picks per action, so OPTIONS raised AssertionError (500).
    response = staff_client.options(path)

    assert response.status_code == 200
    assert response["Allow"] == allow
    body = response.json()
    assert body["renders"] == ["application/json"]
    assert body["parses"] == ["application/json"]
    assert "actions" not in body


def test_options_never_lists_serializer_fields(db):
    response = APIClient().options("/api/v1/articles/")

    assert response.status_code == 200
    assert set(response.json()) == {"name", "description", "renders", "parses"}


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("not json", "The request body could not be parsed: JSON parse error - "
                     "Expecting value: line 1 column 1 (char 0)"),
        ('{"a\\u0000": 1}', "The request body could not be parsed: "
                            "A key in the top level contains a NUL character (U+0000)."),
    ],
)
def test_a_malformed_body_is_a_validation_problem_with_errors(staff_client, raw, detail):
    # Found by fuzzing: the schema documents every 400 as a ValidationProblem, whose `errors`
    # is required; a body that could not be parsed had none.
    response = staff_client.generic(
        "POST", "/api/v1/editorial/articles/", raw, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "urn:hipknee:problem:malformed-request",
        "title": "The request is not valid.",
        "status": 400,
        "detail": detail,
        "code": "malformed_request",
        "errors": [{"field": "non_field_errors", "message": detail, "code": "malformed_request"}],
    }


@pytest.mark.parametrize(
    ("path", "offered"),
    [
        ("/api/v1/lookup/?code=M16.11&format=AAA", "`json`, `atom`"),
        ("/api/v1/articles/?format=AAA", "`json`"),
        ("/api/v1/articles/hip-problems-and-knee-pain/?format=AAA", "`json`, `jsonld`"),
    ],
)
def test_an_unknown_format_is_406_naming_the_formats(db, path, offered):
    # Found by fuzzing: DRF answered an unknown ?format= with 404, which /lookup/ does not
    # document (and which says nothing is at the path).
    response = APIClient().get(path)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:not-acceptable",
        "title": "Not acceptable.",
        "status": 406,
        "detail": f"Unknown format 'AAA'; this endpoint renders: {offered}.",
        "code": "not_acceptable",
    }


def test_options_on_lookup_asking_for_atom_is_not_a_500(db):
    # Found by fuzzing: OPTIONS /lookup/?format=atom rendered the endpoint's description
    # through the Atom renderer, which expects a lookup's results (KeyError, 500).
    described = APIClient().options("/api/v1/lookup/")
    atom = APIClient().options("/api/v1/lookup/?format=atom")

    assert described.status_code == 200
    assert described.json() == {
        "name": "Lookup",
        "description": "GET /api/v1/lookup/: published content for clinical codes.",
        "renders": ["application/json", "application/atom+xml"],
        "parses": ["application/json"],
    }
    assert atom.status_code == 406
    assert atom.json()["detail"] == "Unknown format 'atom'; this endpoint renders: `json`."
