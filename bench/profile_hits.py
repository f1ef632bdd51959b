"""Where a cache hit spends its CPU: the WSGI app called in-process, through every middleware,
for the requests `make bench` measures (cached article detail, article list, 304), each sent as
the bench sends it (an X-API-Key of a key created here, `X-Forwarded-Proto: https`).

Run it with the bench's environment (production settings and a seeded database; see
bench/run.py), e.g. after `make bench` has left nothing behind:

    DJANGO_SETTINGS_MODULE=hipknee_api.settings.production SECRET_KEY=... \\
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/profile_hits.py

Prints, per request kind, CPU microseconds per request without the profiler (process time,
which other load on the machine moves less than wall time), then cProfile's top functions by
own time and by cumulative time. `--gevent` patches the standard library first, as `make
serve`'s gevent workers do. `--anonymous` sends no key (with production's anonymous
limit of 60/min, set HIPKNEE_THROTTLE_ANON high for it).
"""

import sys

if "--gevent" in sys.argv:  # as in a gevent worker: patched before anything is imported
    from gevent import monkey

    monkey.patch_all()

import argparse
import cProfile
import io
import os
import pstats
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipknee_api.settings.production")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from rest_framework_api_key.models import APIKey  # noqa: E402

from hipknee_api.wsgi import application  # noqa: E402

DETAIL = "/api/v1/articles/hip-problems-and-knee-pain/"
LIST = "/api/v1/articles/"
LIST_QUERY = "page_size=20"


def environ(path: str, query: str = "", **headers) -> dict:
    base = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": "*/*",
        "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    base.update(headers)
    return base


def call(env: dict) -> tuple[str, list, bytes]:
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers

    result = application(dict(env), start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return captured["status"], captured["headers"], body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--anonymous", action="store_true")
    parser.add_argument("--only", default="", help="detail, list or 304")
    parser.add_argument("--gevent", action="store_true",
                        help="patch the standard library with gevent first, as the worker does")
    options = parser.parse_args()
    # The access record is written as under make serve (LOG_LEVEL INFO), but to nowhere.
    for handler in logging.getLogger().handlers:
        handler.stream = open(os.devnull, "w")  # noqa: SIM115

    headers = {}
    if not options.anonymous:
        _, key = APIKey.objects.create_key(name="profile_hits")
        headers["HTTP_X_API_KEY"] = key
    detail = environ(DETAIL, **headers)
    status, response_headers, _ = call(detail)
    call(detail)
    etag = dict(response_headers)["ETag"]
    kinds = {
        "detail": detail,
        "list": environ(LIST, LIST_QUERY, **headers),
        "304": environ(DETAIL, HTTP_IF_NONE_MATCH=etag, **headers),
    }
    for name, env in kinds.items():
        if options.only and name != options.only:
            continue
        for _ in range(200):
            status, _, _ = call(env)
        assert status.startswith("304" if name == "304" else "200"), (name, status)
        started = time.process_time()
        for _ in range(options.requests):
            call(env)
        per_request = (time.process_time() - started) / options.requests * 1e6
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(options.requests):
            call(env)
        profile.disable()
        print(f"\n=== {name}: {per_request:.0f} us per request ({status}) ===")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(options.top)
            print("\n".join(line for line in out.getvalue().splitlines()
                            if line.strip() and not line.startswith("   Ordered by")))


if __name__ == "__main__":
    main()
