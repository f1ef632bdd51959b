"""The API behind a real Varnish (`make edge`: hipknee_api/edge.vcl), purged by surrogate key.

A publish through the editorial API, served by the edge, reaches the edge's readers within a
second (20 trials; the worst is printed), an unpublished item is 404 there within a second,
objects the change did not touch stay cached (X-Cache-Hits, varnishstat), only anonymous
reads are cached, Vary separates JSON from JSON-LD, and with the origin stopped the edge keeps
serving what it holds. The whole module measures latency against a bound: `solo`. The origin
is stopped by the last test.
"""

import signal
import time

import pytest

from tests.server.conftest import approve_and_publish

pytestmark = pytest.mark.solo

ARTICLE = "/api/v1/articles/hip-and-knee/"
EDITORIAL = "/api/v1/editorial/articles/hip-and-knee/"
TRIALS = 20
BOUND = 1.0


def get(server, path, **headers):
    """(status, X-Cache, hits, headers, body) of an anonymous GET."""
    status, answer, body = server.request("GET", path, headers=headers)
    return status, answer.get("X-Cache"), int(answer.get("X-Cache-Hits") or 0), answer, body


def cached(server, path, **headers) -> int:
    """Fetch until the edge holds `path`; its hit count."""
    for _ in range(3):
        status, state, hits, _, body = get(server, path, **headers)
        assert status == 200, body
        if state == "HIT":
            return hits
    raise AssertionError(f"{path} is not cached at the edge")


def revise(server, data: dict) -> int:
    """A new revision of the article (through `server`); its number."""
    status, headers, body = server.json("GET", EDITORIAL, token="editor")
    assert status == 200, body
    status, _, body = server.json("PATCH", EDITORIAL, data, token="editor",
                                  headers={"If-Match": headers["ETag"]})
    assert status == 200, body
    return body["latest_revision"]


def until(server, path, check, bound=BOUND) -> float:
    """Seconds until a GET of `path` through the edge passes `check` (status, body)."""
    started = time.monotonic()
    while True:
        status, _, _, _, body = get(server, path)
        waited = time.monotonic() - started
        if check(status, body):
            return waited
        assert waited < bound, (path, status, body[:200])
        time.sleep(0.01)


def create_and_publish(server, path: str, data: dict) -> None:
    status, _, body = server.json("POST", f"/api/v1/editorial/{path}/", data, token="editor")
    assert status == 201, body
    url = f"/api/v1/editorial/{path}/{data['slug']}/"
    status, _, body = server.json("POST", f"{url}reviews/",
                                  {"revision": 1, "decision": "approved"}, token="reviewer")
    assert status == 201, body
    status, _, body = server.json("POST", f"{url}publish/", {"revision": 1}, token="publisher")
    assert status == 200, body


def test_a_publish_through_the_edge_is_served_by_it_within_a_second(edge):
    delays = []
    for trial in range(TRIALS):
        cached(edge.edge, ARTICLE)
        title = f"Hip and knee, take {trial}"
        approve_and_publish(edge.edge, revise(edge.edge, {"title": title}))
        delays.append(until(edge.edge, ARTICLE,
                            lambda status, body, t=title: status == 200 and t.encode() in body))

    print(f"\npublish-to-edge over {TRIALS} trials: worst {max(delays) * 1000:.1f} ms, "
          f"median {sorted(delays)[TRIALS // 2] * 1000:.1f} ms")
    assert max(delays) < BOUND


def test_an_unpublished_item_is_404_at_the_edge_within_a_second(edge):
    create_and_publish(edge.edge, "symptoms", {
        "slug": "stiffness", "name": "Stiffness", "description": "Hard to move.",
        "frequency": "common"})
    cached(edge.edge, "/api/v1/symptoms/stiffness/")

    status, _, body = edge.edge.json("POST", "/api/v1/editorial/symptoms/stiffness/unpublish/",
                                     {}, token="publisher")
    assert status == 200, body
    waited = until(edge.edge, "/api/v1/symptoms/stiffness/", lambda status, _: status == 404)

    assert waited < BOUND
    status, state, _, answer, _ = get(edge.edge, "/api/v1/symptoms/stiffness/")
    assert (status, state, answer["Cache-Control"]) == (404, "MISS", "no-store")


def test_a_publish_purges_only_what_shows_the_item(edge):
    create_and_publish(edge.edge, "symptoms", {
        "slug": "swelling", "name": "Swelling", "description": "Puffy.", "frequency": "common"})
    unrelated = ["/api/v1/symptoms/swelling/", "/api/v1/symptoms/", "/api/v1/"]
    touched = [ARTICLE, f"{ARTICLE}sections/introduction/", "/api/v1/articles/",
               "/api/v1/search/?q=knee"]
    hits = {path: cached(edge.edge, path) for path in unrelated + touched}
    before = edge.stats("MAIN.cache_hit", "MAIN.n_object")

    approve_and_publish(edge.edge, revise(edge.edge, {"summary": "How they connect, again."}))

    for path in unrelated:
        status, state, count, _, _ = get(edge.edge, path)
        assert (status, state, count) == (200, "HIT", hits[path] + 1), path
    for path in touched:
        status, state, _, _, _ = get(edge.edge, path)
        assert (status, state) == (200, "MISS"), path
    after = edge.stats("MAIN.cache_hit", "MAIN.n_object")
    assert after["MAIN.cache_hit"] - before["MAIN.cache_hit"] == len(unrelated)


def test_only_anonymous_reads_are_cached(edge):
    cached(edge.edge, ARTICLE)
    for headers in ({"Authorization": f"Token {edge.origin.tokens['editor']}"},
                    {"X-API-Key": "not-a-key"},
                    {"Cookie": "sessionid=abc"}):
        states = [get(edge.edge, ARTICLE, **headers)[1] for _ in range(2)]
        assert states == ["PASS", "PASS"], headers
    for method, path in (("GET", EDITORIAL), ("POST", f"{EDITORIAL}reviews/")):
        status, answer, _ = edge.edge.request(method, path, {}, token="editor")
        assert answer["X-Cache"] == "PASS", (method, path, status)
    # The answers to authenticated requests were not stored for anyone.
    status, state, _, _, _ = get(edge.edge, "/api/v1/editorial/articles/")
    assert (status, state) == (401, "PASS")


def test_vary_keeps_json_and_jsonld_apart(edge):
    json_hits = cached(edge.edge, ARTICLE)
    status, state, _, answer, jsonld = get(edge.edge, ARTICLE, Accept="application/ld+json")
    assert (status, state) == (200, "MISS")
    assert answer["Content-Type"].startswith("application/ld+json")
    cached(edge.edge, ARTICLE, Accept="application/ld+json")

    status, state, hits, answer, body = get(edge.edge, ARTICLE)

    assert (status, state, hits) == (200, "HIT", json_hits + 1)
    assert answer["Content-Type"] == "application/json"
    assert body != jsonld
    # Neither the keys, the edge's lifetime nor the request that fetched it reach clients.
    for name in ("xkey", "Surrogate-Key", "Cache-Tag", "Surrogate-Control", "X-Request-ID",
                 "RateLimit-Remaining"):
        assert name not in answer, name
    assert answer["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"


def test_with_the_origin_stopped_the_edge_serves_what_it_holds(edge):
    paths = [ARTICLE, "/api/v1/symptoms/", "/api/v1/"]
    bodies = {}
    for path in paths:
        cached(edge.edge, path)
        bodies[path] = get(edge.edge, path)[4]

    edge.origin.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
    edge.origin.process.wait(timeout=30)

    status, _, _, _, _ = get(edge.edge, "/api/v1/treatments/")  # never cached: no origin
    assert status == 503
    for path in paths:
        status, state, _, _, body = get(edge.edge, path)
        assert (status, state, body) == (200, "HIT", bodies[path]), path
