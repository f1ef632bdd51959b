"""The gunicorn worker of `make serve` (hipknee_api/gunicorn_conf.py): gevent's, answering the
requests gunicorn itself refuses for their size in the API's problem+json shape, and closing
the database connections of each client connection when it ends.

gunicorn refuses a request line longer than ``limit_request_line`` (414 URI Too Long), and more
than ``limit_request_fields`` header fields or one longer than ``limit_request_field_size``
(431 Request Header Fields Too Large), before any of Django runs, and answers with an HTML page.
Here those two answers are problem+json (`content.api.errors.problem`), naming the limit, and
close the connection as gunicorn does; every other error is left to gunicorn.

**Database connections end with the client connection.** Each client connection is served by a
greenlet of its own, and Django keeps one database connection per greenlet (its connections
are thread-local, and gevent makes that greenlet-local). With persistent connections
(`CONN_MAX_AGE`, on in production) the requests of a kept-alive client connection reuse one
database connection, but when the client leaves nothing closed it: it stayed open until the
garbage collector came by, and a few rounds of new clients took PostgreSQL past its
`max_connections` (measured: 32, then 71, then 80 idle server connections after three bursts of
40 clients). `handle` now closes the greenlet's database connections as soon as its client
connection ends, so a worker holds at most one database connection per open client
connection, as many as with `CONN_MAX_AGE=0` while every client has a request running. (On
PostgreSQL, production settings pool the connections instead, hipknee_api/settings/production.py:
a request's goes back to its worker's pool when the request ends, and this closes nothing.)

**Connections take turns.** A greenlet reading a socket only gives way when the read would
block, so a connection whose next request is always already there (pipelined, or a fast client
on loopback) kept the worker for as long as it kept asking, while other connections waited:
under load a few were answered in under a millisecond and the rest waited up to a second.
After each request the greenlet now goes to the back of the queue, by a timer of a microsecond
(`TURN`) rather than `gevent.sleep(0)`: gevent runs the callbacks `sleep(0)` queues in batches of
fifty before it polls the sockets again, so with every connection busy a pass of the event loop
took fifty requests (about 50 ms for a cached detail), and with two or more workers gunicorn
accepts one new connection per pass: a burst of 32 new clients on a loaded server waited up to
1.3 s for their first answers, in steps of ~100 ms. A timer fires after the poll, so a pass is
one request per ready connection and a new client is accepted within it
(tests/server/test_fairness.py).
"""

import json
import sys

import gevent
from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.ggevent import GeventWorker

REASONS = {414: "URI Too Long", 431: "Request Header Fields Too Large"}
#: How long a greenlet waits after each request (seconds): any wait at all is a timer, which
#: the event loop runs after polling the sockets (see the module's "Connections take turns").
TURN = 0.000_001


def size_problem(exc: Exception, cfg) -> dict | None:
    """The problem body for a request refused for its size, None for any other error."""
    from content.api.errors import problem  # Django is set up: the worker has loaded the app

    if isinstance(exc, LimitRequestLine):
        return problem(
            414, "uri_too_long",
            f"The request line (method, path and query) is longer than "
            f"{cfg.limit_request_line} bytes.",
        )
    if isinstance(exc, LimitRequestHeaders):
        if "size" in str(exc):
            detail = f"A header field is longer than {cfg.limit_request_field_size} bytes."
        else:
            detail = f"The request has more than {cfg.limit_request_fields} header fields."
        return problem(431, "request_header_fields_too_large", detail)
    return None


def problem_bytes(body: dict) -> bytes:
    """A whole HTTP/1.1 response carrying `body`, closing the connection."""
    content = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {body['status']} {REASONS[body['status']]}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(content)}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + content


def close_database_connections() -> None:
    """Close this greenlet's Django database connections, if the app served is Django's (the
    raw app of bench/raw_app.py is served by this worker too)."""
    if "django.db" not in sys.modules:
        return
    from django.conf import settings
    from django.db import connections

    if settings.configured:
        connections.close_all()


class ProblemGeventWorker(GeventWorker):
    """gunicorn's gevent worker; 414 and 431 answered as problem+json, and the database
    connections of a client connection closed when it ends."""

    def handle(self, listener, client, addr):
        try:
            super().handle(listener, client, addr)
        finally:
            close_database_connections()

    def handle_request(self, listener_name, req, sock, addr):
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            gevent.sleep(TURN)  # the back of the queue, after the next poll: see the module

    def handle_error(self, req, client, addr, exc):
        body = size_problem(exc, self.cfg)
        if body is None:
            return super().handle_error(req, client, addr, exc)
        ip = (addr or ("",))[0]
        self.log.warning("Invalid request from ip=%s: %s", ip, exc)
        try:
            util.write_nonblock(client, problem_bytes(body))
        except Exception:
            self.log.debug("Failed to send error message.")
        return None
