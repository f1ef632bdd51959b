"""content/caching/backend.py: Django's Redis backend handing out one client per pool, behind a
circuit breaker."""

import os
import runpy
import socket
import time

import pytest
import redis
from django.core.cache.backends.locmem import LocMemCache

from content.caching.backend import (
    CacheUnavailable,
    CircuitBreaker,
    RedisCache,
    cache_reachable,
    cache_worth_asking,
)
from hipknee_api.settings import base as settings_base
from tests.redis_outage import refused_url

REDIS_URL = "redis://127.0.0.1:6379/12"


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_every_call_on_a_pool_gets_the_same_client_without_connecting():
    backend = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    client = backend._cache

    first = client.get_client("a")
    again = client.get_client("b", write=True)

    assert isinstance(first, redis.Redis)
    assert first is again
    assert first.connection_pool is client._get_connection_pool(False)


def test_a_read_replica_has_its_own_client():
    backend = RedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {})
    client = backend._cache

    writer = client.get_client(write=True)
    reader = client.get_client()

    assert writer is client.get_client(write=True)
    assert reader is not writer
    assert reader.connection_pool.connection_kwargs["port"] == 2


# The circuit breaker: a Redis that is down costs one short timeout, then nothing.


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_on_a_failure_and_lets_one_probe_through_once_the_time_is_up():
    clock = Clock()
    breaker = CircuitBreaker(open_seconds=5, clock=clock)
    assert (breaker.closed, breaker.allow(), breaker.retry_in()) == (True, True, 0.0)

    breaker.failed(ConnectionError("refused"))
    opened = (breaker.closed, breaker.allow(), breaker.retry_in(), breaker.trips)
    clock.now += 4.9
    still_open = breaker.allow()
    clock.now += 0.1
    probe, second = breaker.allow(), breaker.allow()  # one probe, the others wait for it
    breaker.failed()  # the probe failed too: open as long again
    reopened = (breaker.allow(), breaker.retry_in(), breaker.trips)
    clock.now += 5
    breaker.allow()
    breaker.succeeded()

    assert opened == (False, False, 5.0, 1)
    assert (still_open, probe, second) == (False, True, False)
    assert reopened == (False, 5.0, 1)  # still the same outage
    assert (breaker.closed, breaker.allow(), breaker.trips) == (True, True, 1)


def test_a_probe_that_never_reports_back_is_replaced():
    clock = Clock()
    breaker = CircuitBreaker(open_seconds=5, clock=clock)
    breaker.failed()
    clock.now += 5
    assert breaker.allow()  # its thread dies without a word
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_hung_redis_costs_one_timeout_then_every_call_answers_at_once(hung_redis):
    backend = RedisCache(hung_redis.url, {"OPTIONS": {
        "socket_connect_timeout": 0.05, "socket_timeout": 0.05, "circuit_open_seconds": 60,
    }})

    first, first_took = _timed(lambda: backend.get("a", "missing"))
    answers, took = _timed(lambda: [
        backend.get("a", "missing"),
        backend.get_many(["a", "b"]),
        backend.has_key("a"),
        backend.add("a", 1),
        backend.set("a", 1),
        backend.set_many({"a": 1, "b": 2}),
        backend.touch("a"),
        backend.delete("a"),
        backend.delete_many(["a", "b"]),
        backend.clear(),
    ])
    with pytest.raises(CacheUnavailable):
        backend.incr("a")
    with pytest.raises(CacheUnavailable):
        backend.decr("a")

    assert first == "missing"
    assert 0.05 <= first_took < 0.5  # one socket timeout, no retries
    assert answers == ["missing", {}, False, False, None, ["a", "b"], False, False, None, False]
    assert took < 0.02  # eleven calls without touching the network
    assert hung_redis.accepted == 1
    assert not cache_reachable(backend)


def test_a_refused_connection_opens_the_breaker_too():
    backend = RedisCache(refused_url(), {"OPTIONS": {"circuit_open_seconds": 60}})

    assert backend.get("a") is None
    assert not cache_reachable(backend)
    assert backend.breaker.trips == 1


def test_the_timeouts_and_the_open_time_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("HIPKNEE_REDIS_TIMEOUT", "0.05")
    monkeypatch.setenv("HIPKNEE_REDIS_CIRCUIT_OPEN_SECONDS", "3")
    configured = runpy.run_path(settings_base.__file__)["CACHES"]["default"]
    monkeypatch.delenv("HIPKNEE_REDIS_TIMEOUT")
    monkeypatch.delenv("HIPKNEE_REDIS_CIRCUIT_OPEN_SECONDS")
    default = runpy.run_path(settings_base.__file__)["CACHES"]["default"]

    backend = RedisCache(configured["LOCATION"], configured)

    assert configured["OPTIONS"] == {
        "socket_connect_timeout": 0.05, "socket_timeout": 0.05, "circuit_open_seconds": 3.0,
    }
    assert default["OPTIONS"] == {
        "socket_connect_timeout": 0.1, "socket_timeout": 0.1, "circuit_open_seconds": 5.0,
    }
    assert backend.breaker.open_seconds == 3.0
    assert "circuit_open_seconds" not in backend._cache._pool_options  # not for redis-py


def test_other_backends_are_always_reachable():
    assert cache_reachable(LocMemCache("x", {}))


@pytest.mark.skipif(not redis_up(), reason="needs a Redis server on 127.0.0.1:6379")
def test_once_redis_answers_the_probe_the_cache_is_used_again():
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": f"breaker-test-{os.getpid()}",
                                     "OPTIONS": {"circuit_open_seconds": 0.2}})
    backend.set("a", "stored")
    backend.breaker.failed(ConnectionError("a blip"))

    during = backend.get("a")
    time.sleep(0.25)
    after = backend.get("a")
    backend.delete("a")

    assert (during, after) == (None, "stored")
    assert cache_reachable(backend)


def test_a_cache_is_worth_asking_while_closed_and_when_its_probe_is_due(hung_redis):
    backend = RedisCache(hung_redis.url, {"OPTIONS": {"circuit_open_seconds": 5}})
    clock = Clock()
    backend.breaker.clock = clock
    closed = cache_worth_asking(backend)
    backend.breaker.failed()
    opened = (cache_worth_asking(backend), cache_reachable(backend))
    clock.now += 5
    due = (cache_worth_asking(backend), cache_reachable(backend))

    assert closed
    assert opened == (False, False)
    assert due == (True, False)  # a call may go as the probe; its answer is not known yet
