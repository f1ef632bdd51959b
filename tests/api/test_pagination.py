"""content/api/pagination.py: the one reading of `page` and `page_size`, shared by the lists,
search and the change feed."""

import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from content.api.pagination import PageNumberPagination, whole_number_parse
from content.changes import MAX_PAGE_SIZE


def test_whole_number_parse_defaults_caps_and_refuses():
    assert whole_number_parse(None, name="page_size", default=20, maximum=100) == 20
    assert whole_number_parse("7", name="page_size", default=20, maximum=100) == 7
    assert whole_number_parse("1000", name="page_size", default=20, maximum=100) == 100
    assert whole_number_parse("1000", name="page", default=1) == 1000
    for raw in ["", "0", "-1", "1.5", "ten", " 3", "²", "٣"]:
        with pytest.raises(ValidationError) as caught:
            whole_number_parse(raw, name="page_size", default=20, maximum=100)
        assert caught.value.detail == {"page_size": ["Enter a whole number of at least 1."]}


def test_the_paginator_reads_page_and_page_size_with_it():
    paginator = PageNumberPagination()
    request = APIRequestFactory().get("/", {"page": "", "page_size": "500"})
    request.query_params = request.GET
    assert paginator.get_page_number(request, None) == 1  # an empty page= is the first
    assert paginator.get_page_size(request) == 100
    request = APIRequestFactory().get("/", {"page_size": ""})
    request.query_params = request.GET
    with pytest.raises(ValidationError) as caught:
        paginator.get_page_size(request)
    assert caught.value.detail == {"page_size": ["Enter a whole number of at least 1."]}


@pytest.mark.django_db
def test_the_change_feed_reads_page_size_the_same_way(api_client):
    for raw in ["", "²"]:  # "²" was a 500: isdigit() but not int()
        response = api_client.get("/api/v1/changes/", {"page_size": raw})
        assert response.status_code == 400
        assert response.json()["errors"] == [{
            "field": "page_size", "message": "Enter a whole number of at least 1.",
            "code": "invalid",
        }]
    response = api_client.get("/api/v1/changes/", {"page_size": str(MAX_PAGE_SIZE + 1)})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["page", "page_size"])
def test_a_superscript_digit_is_a_400_not_a_500(api_client, name):
    response = api_client.get("/api/v1/symptoms/", {name: "²"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": name, "message": "Enter a whole number of at least 1.", "code": "invalid",
    }]
