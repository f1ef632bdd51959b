"""The raw-WSGI ceiling for `make bench`: pre-encoded bytes, nothing else.

`GET /<size>` answers 200 with a JSON body of exactly <size> bytes, encoded once at import
(sizes from the comma-separated RAW_SIZES); `GET /304` answers 304 with no body. Served by
gunicorn with the same settings as the API, so the ratio measures the application alone.
"""

import os

HEADERS = [("Content-Type", "application/json")]


def _body(size: int) -> bytes:
    body = b'{"x":"' + b"a" * max(0, size - 8) + b'"}'
    return body[:size]


BODIES = {
    f"/{size}": _body(size)
    for size in (int(part) for part in os.environ.get("RAW_SIZES", "5000").split(",") if part)
}


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/304":
        start_response("304 Not Modified", [("ETag", '"raw"')])
        return [b""]
    body = BODIES.get(path)
    if body is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [*HEADERS, ("Content-Length", str(len(body)))])
    return [body]
