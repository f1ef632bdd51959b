"""GET /api/v1/: the index of the public API."""

import pytest

from tests.query_costs import CACHE_MISS

pytestmark = pytest.mark.django_db

INDEX = {
    "articles": "http://testserver/api/v1/articles/",
    "conditions": "http://testserver/api/v1/conditions/",
    "causes": "http://testserver/api/v1/causes/",
    "symptoms": "http://testserver/api/v1/symptoms/",
    "warning-signs": "http://testserver/api/v1/warning-signs/",
    "treatments": "http://testserver/api/v1/treatments/",
    "search": "http://testserver/api/v1/search/",
    "changes": "http://testserver/api/v1/changes/",
    "lookup": "http://testserver/api/v1/lookup/",
    "schema": "http://testserver/api/schema/",
    "docs": "http://testserver/api/docs/",
    "redoc": "http://testserver/api/redoc/",
}


def test_index_lists_every_public_endpoint_by_absolute_url(api_client, django_assert_num_queries):
    with django_assert_num_queries(CACHE_MISS):
        response = api_client.get("/api/v1/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == INDEX


def test_index_urls_follow_the_host_the_client_used(api_client):
    response = api_client.get("/api/v1/", HTTP_HOST="localhost")

    assert response.json()["articles"] == "http://localhost/api/v1/articles/"


def test_index_answers_head(api_client):
    response = api_client.head("/api/v1/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


def test_index_refuses_writes_with_405(api_client):
    response = api_client.post("/api/v1/", {}, format="json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {
        "type": "urn:hipknee:problem:method-not-allowed",
        "title": "Method not allowed.",
        "status": 405,
        "detail": 'Method "POST" not allowed.',
        "code": "method_not_allowed",
    }
