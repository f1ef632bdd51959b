"""What gunicorn refuses before Django runs is problem+json too (hipknee_api/gunicorn_worker.py):
a request line over 4094 bytes is 414, a header field over 8190 bytes or more than 100 of them
is 431, each naming its limit and closing the connection."""

import json

PROBLEM = "application/problem+json"


def _answer(served, path: str, headers: dict | None = None):
    status, headers, raw = served.request("GET", path, headers=headers)
    return status, headers, json.loads(raw)


def test_an_overlong_request_line_is_a_414_problem_naming_the_limit(served):
    status, headers, body = _answer(served, "/api/v1/articles/?q=" + "a" * 5000)

    assert (status, headers["Content-Type"], headers["Connection"]) == (414, PROBLEM, "close")
    assert body == {
        "type": "urn:hipknee:problem:uri-too-long",
        "title": "The request URI is too long.",
        "status": 414,
        "detail": "The request line (method, path and query) is longer than 4094 bytes.",
        "code": "uri_too_long",
    }


def test_a_request_line_within_the_limit_reaches_the_app(served):
    status, headers, body = _answer(served, "/healthz?q=" + "a" * 4000)

    assert (status, headers["Content-Type"]) == (200, "application/json")
    assert body == {"status": "ok"}


def test_an_overlong_header_field_is_a_431_problem_naming_the_limit(served):
    status, headers, body = _answer(served, "/healthz", {"X-Big": "b" * 9000})

    assert (status, headers["Content-Type"], headers["Connection"]) == (431, PROBLEM, "close")
    assert body == {
        "type": "urn:hipknee:problem:request-header-fields-too-large",
        "title": "The request header fields are too large.",
        "status": 431,
        "detail": "A header field is longer than 8190 bytes.",
        "code": "request_header_fields_too_large",
    }


def test_too_many_header_fields_are_a_431_problem_naming_the_limit(served):
    status, headers, body = _answer(
        served, "/healthz", {f"X-Field-{number}": "1" for number in range(120)}
    )

    assert (status, headers["Content-Type"]) == (431, PROBLEM)
    assert body == {
        "type": "urn:hipknee:problem:request-header-fields-too-large",
        "title": "The request header fields are too large.",
        "status": 431,
        "detail": "The request has more than 100 header fields.",
        "code": "request_header_fields_too_large",
    }
