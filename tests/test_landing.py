"""GET / (content/landing.py): a small JSON document pointing at the API, its docs and the
admin, instead of Django's 404."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import resolve

from content import landing

pytestmark = pytest.mark.django_db

LANDING = {
    "name": "HipKnee API",
    "api": "http://testserver/api/v1/",
    "docs": "http://testserver/api/docs/",
    "redoc": "http://testserver/api/redoc/",
    "schema": "http://testserver/api/schema/",
    "admin": "http://testserver/admin/",
}


def test_the_root_points_at_the_api_its_docs_and_the_admin(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert response.json() == LANDING


def test_every_link_answers(admin_client):
    for name, url in LANDING.items():
        if name == "name":
            continue
        path = url.removeprefix("http://testserver")
        assert admin_client.get(path).status_code == 200, path


def test_the_urls_follow_the_host_the_client_used(client):
    response = client.get("/", HTTP_HOST="localhost")

    assert response.json()["api"] == "http://localhost/api/v1/"


def test_a_browser_gets_the_same_json(client):
    response = client.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response["Content-Type"] == "application/json"
    assert response.json() == LANDING


def test_under_debug_it_is_the_landing_not_the_debug_404(settings):
    settings.DEBUG = True

    response = Client().get("/")

    assert response.status_code == 200
    assert response.json() == LANDING


def test_the_admin_view_site_link_lands_here():
    assert resolve(admin.site.site_url).func is landing.index


def test_head_answers_without_a_body(client):
    response = client.head("/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_are_405_problems(client, method):
    response = client.generic(method, "/")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {
        "type": "urn:hipknee:problem:method-not-allowed",
        "title": "Method not allowed.",
        "status": 405,
        "detail": f'Method "{method}" not allowed.',
        "code": "method_not_allowed",
    }
