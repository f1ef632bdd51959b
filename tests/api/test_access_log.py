"""Request ids (X-Request-ID) and one JSON access record per request."""

import json
import logging
import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework_api_key.models import APIKey

from content.api import views
from content.api.log_format import JSONFormatter
from content.choices import Role
from tests.factories import UserFactory

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def access_records(caplog):
    caplog.set_level(logging.INFO, logger="hipknee.access")

    def records() -> list[dict]:
        formatter = JSONFormatter()
        return [
            json.loads(formatter.format(record))
            for record in caplog.records
            if record.name == "hipknee.access"
        ]

    return records


def without_timing(entry: dict) -> dict:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry.pop("time"))
    assert isinstance(entry.pop("duration_ms"), float)
    return entry


@pytest.mark.parametrize(
    "incoming",
    ["abc-123", "req_2026.01.15-0001", "A" * 128, "0f8fad5b-d9cb-469f-a165-70867728950e"],
)
def test_a_valid_incoming_request_id_is_echoed(db, incoming):
    response = Client().get("/api/v1/", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "A" * 129, "has space", "semi;colon", "new\nline", "ünïcode", "<script>"]
)
def test_an_invalid_request_id_is_replaced_by_a_new_one(db, incoming):
    response = Client().get("/api/v1/", HTTP_X_REQUEST_ID=incoming)

    assert GENERATED.fullmatch(response["X-Request-ID"])


def test_every_response_carries_a_fresh_request_id(db):
    client = Client()
    paths = ["/api/v1/", "/api/v1/missing/", "/healthz", "/admin/login/", "/api/docs/"]

    ids = [client.get(path)["X-Request-ID"] for path in paths]

    assert all(GENERATED.fullmatch(request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


def test_an_anonymous_request_is_one_json_record_without_its_query_string(db, access_records):
    response = Client().get(
        "/api/v1/articles/?search=my+knee+hurts", HTTP_X_REQUEST_ID="req-1"
    )

    assert response.status_code == 200
    [entry] = access_records()
    assert without_timing(entry) == {
        "level": "INFO",
        "logger": "hipknee.access",
        "message": "GET /api/v1/articles/ 200",
        "request_id": "req-1",
        "method": "GET",
        "path": "/api/v1/articles/",
        "status": 200,
        "user": None,
        "api_key": None,
    }


def test_the_record_names_the_api_key(db, access_records):
    _, key = APIKey.objects.create_key(name="Acme Health app")

    Client().get("/api/v1/", HTTP_X_API_KEY=key, HTTP_X_REQUEST_ID="req-2")

    [entry] = access_records()
    assert (entry["api_key"], entry["user"], entry["status"]) == ("Acme Health app", None, 200)


def test_the_record_names_the_signed_in_user(db, access_records):
    user = UserFactory(username="eddie", roles=[Role.EDITORS])
    token = Token.objects.create(user=user)

    Client().get(
        "/api/v1/editorial/articles/", HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    [entry] = access_records()
    assert (entry["user"], entry["api_key"], entry["status"]) == ("eddie", None, 200)


def test_logging_a_request_loads_no_session(db, access_records, django_assert_num_queries):
    client = Client()
    client.cookies["sessionid"] = "not-a-session"

    with django_assert_num_queries(0):
        client.get("/healthz")

    assert access_records()[0]["user"] is None


def test_a_server_error_is_logged_with_its_request_id_and_traceback(
    db, monkeypatch, caplog
):
    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.ApiIndexView, "get", broken)

    response = Client(raise_request_exception=False).get(
        "/api/v1/", HTTP_X_REQUEST_ID="req-500"
    )

    formatter = JSONFormatter()
    entries = [json.loads(formatter.format(record)) for record in caplog.records]
    error = next(entry for entry in entries if entry["logger"] == "django.request")
    access = next(entry for entry in entries if entry["logger"] == "hipknee.access")
    assert response.status_code == 500
    assert (error["level"], error["request_id"]) == ("ERROR", "req-500")
    assert "RuntimeError: boom" in error["exception"]
    assert (access["level"], access["status"], access["request_id"]) == ("ERROR", 500, "req-500")


def test_the_formatter_writes_one_line_per_record_even_for_multi_line_messages():
    record = logging.LogRecord(
        "content", logging.WARNING, __file__, 1, "two\nlines: %s", ("é",), None
    )

    line = JSONFormatter().format(record)

    assert "\n" not in line
    assert json.loads(line)["message"] == "two\nlines: é"
    assert json.loads(line)["request_id"] is None
