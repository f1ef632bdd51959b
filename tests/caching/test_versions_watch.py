"""content/caching/versions.py with Redis: each process keeps the content version it read until
Redis reports a change of its key (`_VersionWatch`), so a cached response costs no round trip, and a
change made through any other connection is seen on the next read."""

import os
import socket
import threading
import time

import pytest
import redis
from django.core.cache import cache, caches

from content.caching import VERSION_KEY, content_version, content_version_bump
from content.caching import versions as caching

REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs a Redis server on 127.0.0.1:6379")


@pytest.fixture
def redis_cache(settings):
    """The project's Redis cache backend on a database and key prefix of this test's own."""
    settings.CACHES = {"default": {
        "BACKEND": "content.caching.backend.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"watch-test-{os.getpid()}",
    }}
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = ""
    # The cache's number alone: the database's version beside it is tests/caching/
    # test_versions.py's subject (and these tests use no database).
    settings.HIPKNEE_CONTENT_VERSION_CHECK = 0
    caching.local_clear()
    cache.delete(VERSION_KEY)
    yield redis.Redis.from_url(REDIS_URL)
    cache.delete(VERSION_KEY)
    caching.local_clear()


@pytest.fixture
def round_trips(monkeypatch):
    """Every read the cache backend sends to Redis."""
    calls = []
    backend = caches["default"]
    get, get_many = backend.get, backend.get_many
    monkeypatch.setattr(backend, "get", lambda *a, **k: calls.append("get") or get(*a, **k))
    monkeypatch.setattr(backend, "get_many",
                        lambda *a, **k: calls.append("get_many") or get_many(*a, **k))
    return calls


def _next_version(previous: str, timeout: float = 0.05) -> str:
    """The version read right after a change elsewhere. Redis writes the invalidation before
    the writer's reply; the short retry only absorbs the scheduling of this process."""
    deadline = time.monotonic() + timeout
    while (current := content_version()) == previous and time.monotonic() < deadline:
        time.sleep(0.001)
    return current


def test_the_version_is_read_once_then_served_from_memory(redis_cache, round_trips):
    first = content_version()
    assert round_trips == ["get_many", "get"]  # the key did not exist: seeded, then read
    assert content_version() == first  # the seeding was itself a change: read once more
    round_trips.clear()

    assert [content_version() for _ in range(5)] == [first] * 5
    assert round_trips == []


def test_a_change_through_another_connection_is_seen_on_the_next_read(
    redis_cache, round_trips
):
    content_version()
    first = content_version()  # now held in memory
    round_trips.clear()
    assert content_version() == first and round_trips == []
    redis_cache.incr(cache.make_key(VERSION_KEY))  # another process publishing

    assert _next_version(first) == f"c{int(first[1:]) + 1}"


def test_a_bump_through_the_service_is_seen_at_once(redis_cache):
    content_version()
    first = content_version()  # now held in memory
    content_version_bump()
    assert content_version() == f"c{int(first[1:]) + 1}"


def test_a_lost_watch_connection_falls_back_to_reading_the_version(redis_cache, round_trips):
    content_version()
    first = content_version()
    redis_cache.client_kill_filter(_id=caching._watch.client_id)  # Redis restarted, say
    redis_cache.incr(cache.make_key(VERSION_KEY))  # and no invalidation can reach us
    round_trips.clear()

    assert content_version() == f"c{int(first[1:]) + 1}"
    assert round_trips == ["get_many"]  # read from Redis, not from memory
    assert content_version() == f"c{int(first[1:]) + 1}"  # watching again from here


def test_the_version_is_read_again_after_the_recheck_interval(redis_cache, round_trips,
                                                               monkeypatch):
    content_version()
    monkeypatch.setattr(caching, "VERSION_RECHECK", 0.0)
    round_trips.clear()
    content_version()
    assert round_trips == ["get_many"]


def test_without_the_watch_every_read_asks_redis(redis_cache, round_trips, settings):
    settings.HIPKNEE_VERSION_WATCH = False
    content_version()
    content_version()
    assert round_trips.count("get_many") == 2


def test_a_value_read_before_an_invalidation_another_thread_saw_is_not_kept(redis_cache):
    """Thread 1 reads the version from Redis; meanwhile it changes and thread 2's read takes
    the invalidation off the connection: thread 1's older value must not be remembered."""
    content_version()
    assert caching._watch.watching()
    _, since = caching._watch.number()
    old = cache.get(VERSION_KEY)  # thread 1's read
    redis_cache.incr(cache.make_key(VERSION_KEY))
    deadline = time.monotonic() + 0.05
    while caching._watch.number()[1] == since and time.monotonic() < deadline:  # thread 2
        time.sleep(0.001)

    caching._watch.remember(old, since)

    assert caching._watch.number()[0] is None
    assert content_version() == f"c{old + 1}"


def test_a_tripped_circuit_breaker_drops_the_watch_and_the_version_it_held(redis_cache):
    """Invalidations may be lost while Redis does not answer: once the cache's breaker has
    opened, the watched version is not trusted again, and the watch reconnects after it."""
    content_version()
    first = content_version()  # now held in memory
    watched_by = caching._watch.client_id
    breaker = caches["default"].breaker

    breaker.failed(ConnectionError("a blip"))
    during = caching._watch.number()[0]
    connection_during = caching._watch._connection
    breaker.reset()  # Redis answers again
    redis_cache.incr(cache.make_key(VERSION_KEY))
    after = content_version()

    assert (during, connection_during) == (None, None)
    assert after == f"c{int(first[1:]) + 1}"
    assert caching._watch.client_id != watched_by  # a new watch connection


def test_a_thread_opening_the_watch_never_makes_another_wait(redis_cache, monkeypatch):
    """Opening the watch connection may take a socket timeout (Redis hung): meanwhile other
    threads read the version from Redis themselves instead of queueing behind it."""
    opening, release = threading.Event(), threading.Event()
    open_watch = caching._VersionWatch._open

    def slow_open(self):
        opening.set()
        release.wait(5)
        return open_watch(self)

    monkeypatch.setattr(caching._VersionWatch, "_open", slow_open)
    first = threading.Thread(target=caching._watch.watching)
    first.start()
    opening.wait(5)

    started = time.monotonic()
    meanwhile = caching._watch.watching()
    took = time.monotonic() - started
    release.set()
    first.join(5)

    assert (meanwhile, took < 0.05) == (False, True)
    assert caching._watch.watching()  # the first thread's connection
