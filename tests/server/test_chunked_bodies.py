"""A body sent with Transfer-Encoding: chunked is never taken for an empty one
(content.api.middleware.RequestBodyLengthMiddleware): gunicorn, as `make serve` runs it,
decodes it and it is read whole (413 beyond 1 MB); Django's runserver (`make run`), which
cannot, refuses it with 411. Either way no revision is stored from a body nobody read."""

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest
from rest_framework.authtoken.models import Token

from content.choices import ContentType
from content.models import Revision
from tests.editorial_steps import Staff
from tests.server.conftest import approve_and_publish

PROBLEM = "application/problem+json"


def _pieces(payload: dict, size: int = 7):
    """The JSON of `payload` in small pieces: http.client sends each as one chunk."""
    raw = json.dumps(payload).encode()
    return iter([raw[start:start + size] for start in range(0, len(raw), size)])


def _revisions(served) -> list[dict]:
    status, _, body = served.json("GET", f"{served.editorial}revisions/", token="editor")
    assert status == 200, body
    return body["results"]


def test_a_chunked_edit_is_read_whole_and_stored_under_the_served_api(served):
    before = _revisions(served)
    latest = before[0]["number"]
    title = "Hip and knee, sent in chunks"

    status, headers, body = served.json(
        "PATCH", served.editorial, _pieces({"title": title, "change_note": "Chunked."}),
        token="editor", encode_chunked=True,
        headers={"Content-Type": "application/json", "If-Match": f'"rev-{latest}"'},
    )

    assert status == 200, body
    assert body["title"] == title
    after = _revisions(served)
    assert [row["number"] for row in after] == [latest + 1] + [row["number"] for row in before]
    assert after[0]["change_note"] == "Chunked."
    status, _, stored = served.json(
        "GET", f"{served.editorial}revisions/{latest + 1}/", token="editor"
    )
    assert (status, stored["content"]["title"], stored["content"]["summary"]) == (
        200, title, "How they connect.",
    )
    # Published, the public detail (cached by the workers until now) says so at once.
    approve_and_publish(served, latest + 1)
    status, _, public = served.json("GET", served.article)
    assert (status, public["title"]) == (200, title)


def test_a_chunked_body_over_1_mb_is_a_413_problem_and_stores_nothing(served):
    before = _revisions(served)
    big = iter([b'{"title": "', *[b"x" * 65536] * 17, b'"}'])

    status, headers, body = served.json(
        "PATCH", served.editorial, big, token="editor", encode_chunked=True,
        headers={"Content-Type": "application/json",
                 "If-Match": f'"rev-{before[0]["number"]}"'},
    )

    assert (status, headers["Content-Type"]) == (413, PROBLEM)
    assert body == {
        "type": "urn:hipknee:problem:payload-too-large",
        "title": "The request body is too large.",
        "status": 413,
        "detail": "The request body is larger than 1 MB.",
        "code": "payload_too_large",
    }
    assert _revisions(served) == before


@pytest.mark.django_db(transaction=True)
def test_runserver_refuses_a_chunked_edit_with_411_and_stores_nothing(live_server):
    """live_server is Django's runserver: the same WSGIServer and request handler."""
    staff = Staff()
    revision = staff.create(ContentType.SYMPTOM, "stiffness")
    token = Token.objects.create(user=staff.editor)
    address = urlsplit(live_server.url)
    # The whole request goes in one write, so the server's first read takes all of it: a
    # chunk arriving after the 411 would meet a closed socket (a reset, not a response).
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece)
                      for piece in _pieces({"name": "Chunked"}))
    request = (
        b"PATCH /api/v1/editorial/symptoms/stiffness/ HTTP/1.1\r\n"
        b"Host: %s\r\nAuthorization: Token %s\r\nContent-Type: application/json\r\n"
        b'If-Match: "rev-%d"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
        % (address.netloc.encode(), token.key.encode(), revision.number)
    ) + chunks + b"0\r\n\r\n"
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        status, content_type, body = (
            response.status, response.headers["Content-Type"], json.loads(response.read())
        )

    assert (status, content_type) == (411, PROBLEM)
    assert body == {
        "type": "urn:hipknee:problem:length-required",
        "title": "Length required.",
        "status": 411,
        "detail": "Send the request body with a Content-Length header: this server cannot "
                  "read a body sent with Transfer-Encoding: chunked.",
        "code": "length_required",
    }
    assert list(Revision.objects.filter(document=revision.document)
                .values_list("number", flat=True)) == [revision.number]
