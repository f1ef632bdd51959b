"""Strict query parameters (content/api/parameters.py): every public endpoint refuses a query
parameter it does not take, naming it and listing those it takes, and takes each it lists."""

import pytest

from content.choices import SectionKind
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "articles": ["search", "condition", "updated_since", "max_reading_grade", "ordering"],
    "conditions": ["search", "body_region", "code", "system", "article", "ordering"],
    "causes": ["search", "condition", "article", "ordering"],
    "symptoms": ["search", "frequency", "condition", "code", "system", "article", "ordering"],
    "warning-signs": ["urgency", "condition", "article", "ordering"],
    "treatments": ["search", "category", "condition", "code", "system", "article",
                   "ordering"],
}
#: path -> what it takes besides `format`
ENDPOINTS = {
    "/api/v1/": [],
    **{f"/api/v1/{path}/": [*filters, "page", "page_size"] for path, filters in LISTS.items()},
    "/api/v1/articles/a/": ["body_format"],
    "/api/v1/articles/a/sections/introduction/": ["body_format"],
    "/api/v1/conditions/c/": [],
    "/api/v1/causes/c/": [],
    "/api/v1/symptoms/s/": [],
    "/api/v1/warning-signs/w/": [],
    "/api/v1/treatments/t/": [],
    "/api/v1/search/?q=knee": ["q", "type", "page", "page_size"],
    "/api/v1/changes/": ["since", "page_size", "compact"],
}


@pytest.fixture
def content():
    SectionFactory(article=ArticleFactory(slug="a"), kind=SectionKind.INTRODUCTION)
    ConditionFactory(slug="c")
    CauseFactory(slug="c")
    SymptomFactory(slug="s")
    WarningSignFactory(slug="w")
    TreatmentFactory(slug="t")


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_unknown_parameter_is_400_naming_it_and_what_the_endpoint_takes(
    api_client, content, path
):
    response = api_client.get(f"{path}{'&' if '?' in path else '?'}urgncy=immediate")

    takes = ", ".join(f"`{name}`" for name in [*ENDPOINTS[path], "format"])
    message = f"Unknown query parameter; this endpoint takes: {takes}."
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": f"urgncy: {message}",
        "code": "invalid",
        "errors": [{"field": "urgncy", "message": message, "code": "unknown_parameter"}],
    }


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_parameter_an_endpoint_lists_is_taken(api_client, content, path):
    """Each is understood: a valid value answers 200 (or, for a bad value, a 400 about the
    value, never `unknown_parameter`, or for a format it does not render a 406 saying so)."""
    for name in [*ENDPOINTS[path], "format"]:
        response = api_client.get(f"{path}{'&' if '?' in path else '?'}{name}=x")
        if response.status_code == 400:
            assert {e["code"] for e in response.json()["errors"]} != {"unknown_parameter"}
        elif name == "format":
            assert response.status_code == 406
            assert response.json()["detail"].startswith("Unknown format 'x';")
        else:
            assert response.status_code in (200, 404), (name, response.status_code)
