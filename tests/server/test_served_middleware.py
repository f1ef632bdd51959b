"""The app's middleware behaves under gevent workers as it did under threads: the access record
with its request id, rate-limit headers, and the representation cache (a published edit is
served at once: tests/server/test_chunked_bodies.py)."""

import json
import time


def _access_records(served, request_id: str) -> list[dict]:
    records = []
    for line in served.log.read_text().splitlines():
        if line.startswith("{") and f'"request_id": "{request_id}"' in line:
            record = json.loads(line)
            if record["logger"] == "hipknee.access":
                records.append(record)
    return records


def test_a_request_is_logged_once_with_its_request_id_and_rate_limit_headers(served):
    status, headers, body = served.json(
        "GET", "/api/v1/articles/", headers={"X-Request-ID": "served-check-1"}
    )

    assert status == 200, body
    assert headers["X-Request-ID"] == "served-check-1"
    assert (headers["RateLimit-Limit"], headers["RateLimit-Policy"]) == ("100000", "100000;w=60")
    deadline = time.monotonic() + 5
    while not (records := _access_records(served, "served-check-1")):
        assert time.monotonic() < deadline, "no access record"
        time.sleep(0.05)
    assert [
        {key: record[key] for key in ("level", "method", "path", "status", "user", "api_key")}
        for record in records
    ] == [{"level": "INFO", "method": "GET", "path": "/api/v1/articles/", "status": 200,
           "user": None, "api_key": None}]


def test_the_servers_log_never_holds_a_query_string(served):
    """One access record per request, the app's: gunicorn's own access line (the whole request
    line, query and all) would put a reader's health searches in the log."""
    status, _, body = served.json(
        "GET", "/api/v1/search/?q=privacy-check-haemorrhoids",
        headers={"X-Request-ID": "served-check-2", "Referer": "https://app.example/?q=secret"},
    )

    assert status == 200, body
    deadline = time.monotonic() + 5
    while not (records := _access_records(served, "served-check-2")):
        assert time.monotonic() < deadline, "no access record"
        time.sleep(0.05)
    assert [(record["path"], record["status"]) for record in records] == [
        ("/api/v1/search/", 200)]
    # gunicorn wrote its line after the app's record: watched for a second more.
    watch_until = time.monotonic() + 1
    while time.monotonic() < watch_until:
        log = served.log.read_text()
        assert "privacy-check-haemorrhoids" not in log
        assert "q=secret" not in log
        time.sleep(0.05)
