"""Database queries per request of each bench endpoint, measured in-process.

Run by bench/run.py with the bench's environment; prints one JSON object. For each endpoint:
`rendered` (no cache and no stored copy: the view's own queries), `uncached` (the cache off:
the body stored at publish time, where there is one, else rendered), `first` (the first
request after the cache was emptied: that, plus the version and the one lookup of when time
next changes the content), `cached` (a cache hit) and `not_modified` (a 304 from the cache).
Requests are sent as the bench sends them (`X-Forwarded-Proto: https`, and the API key of
BENCH_API_KEY, whose lookup is one of the queries).
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipknee_api.settings.local")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

HOST = "127.0.0.1"


#: Headers of the bench's requests (bench/run.py): through a TLS-terminating proxy, with the
#: bench's API key when BENCH_API_KEY names one.
BENCH_HEADERS = {
    "HTTP_X_FORWARDED_PROTO": "https",
    **({"HTTP_X_API_KEY": os.environ["BENCH_API_KEY"]} if os.environ.get("BENCH_API_KEY")
       else {}),
}


def count(client: Client, path: str, **headers) -> tuple[int, int, object]:
    """(queries, status, response) of one GET, sent as the bench sends it."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_HOST=HOST, **BENCH_HEADERS, **headers)
    return len(queries), response.status_code, response


def measure(paths: dict[str, str]) -> dict:
    client = Client()
    results = {}
    for name, path in paths.items():
        with override_settings(HIPKNEE_RESPONSE_CACHE=False, HIPKNEE_STORED_RENDERINGS=False):
            rendered, status, response = count(client, path)
        assert status == 200, (name, status, response.content[:300])
        with override_settings(HIPKNEE_RESPONSE_CACHE=False):
            uncached, _, _ = count(client, path)
        cache.clear()
        first, _, _ = count(client, path)
        cached, _, response = count(client, path)
        not_modified, status, _ = count(client, path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert status == 304, (name, status)
        results[name] = {
            "rendered": rendered, "uncached": uncached, "first": first, "cached": cached,
            "not_modified": not_modified, "bytes": len(response.content),
        }
    return results


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))))
