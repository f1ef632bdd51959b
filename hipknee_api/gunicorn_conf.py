"""gunicorn settings of `make serve`, and of everything that must measure or test it (bench/run.py,
tests/server/): read with `gunicorn --config hipknee_api/gunicorn_conf.py`, through
`hipknee_api.server.command()`, the one place the command line is spelled.

**gevent workers, not threads.** The app faces clients directly (`HOST=0.0.0.0`, no proxy in
front). A thread (gthread) or process (sync) worker reads a request's headers on the very thread
that will run Django, so a handful of clients sending their headers a line every few seconds
occupy every thread and nobody else is answered: gunicorn's own documentation asks for a
buffering proxy in front of those workers, or an async worker. Each gevent worker reads every
connection in a greenlet of its own, so a slow client costs a socket and a few kilobytes, and
Django runs only once a request has fully arrived; reading the request (headers, then each
request on a kept-alive connection) must also finish within ``keepalive`` seconds. The app is
the same WSGI app (hipknee_api.wsgi); gevent patches the standard library in each worker, which
psycopg and redis-py both support. Measured: 64 clients trickling headers for 30 s leave other
clients' /healthz and article detail at a few milliseconds, and the cached detail is as fast as
under 2 workers x 4 threads (bench/slow_clients.py, bench/run.py).

**Protocol errors are problem+json.** An over-long request line (414) or header fields too long
or too many (431) are refused by gunicorn before Django sees them; the worker class
(hipknee_api/gunicorn_worker.py) answers them in the API's problem+json shape, naming the limit.

Environment variables (all optional): ``WEB_CONCURRENCY`` (worker processes, default 2: one per
core here), ``GUNICORN_WORKER_CONNECTIONS`` (open connections per worker, default 1000),
``GUNICORN_TIMEOUT`` (seconds a worker may be unresponsive before it is restarted, default 30),
``GUNICORN_KEEPALIVE`` (seconds a client has to send a whole request, and a kept-alive
connection may wait for the next one; default 5), ``GUNICORN_LIMIT_REQUEST_LINE`` (bytes of
the request line, default 4094; 0: no limit).
"""

import os

wsgi_app = "hipknee_api.wsgi:application"
worker_class = "hipknee_api.gunicorn_worker.ProblemGeventWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# gunicorn's defaults, spelled out: the 414 and 431 problems name them.
#: Bytes of the request line (method, path and query, version); GUNICORN_LIMIT_REQUEST_LINE,
#: 0 for none (`make fuzz`: a long URL is then the app's to answer).
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "4094"))
#: Header fields in one request.
limit_request_fields = 100
#: Bytes of one header field (name, colon and value).
limit_request_field_size = 8190

#: No access log of gunicorn's: the app writes one JSON access record per request, with its
#: request id and never the query string, which may carry a reader's health searches
#: (content/api/access_log.py); gunicorn's line held the whole request line, query and all
#: (and cost a sixth of a cached hit's CPU, building a dict of every header to format it).
accesslog = None
