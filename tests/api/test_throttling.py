"""Rate limits: anonymous per IP, API keys per key, staff per user; 429 with Retry-After."""

import datetime as dt
import itertools
import os
import random
import threading
import time

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from content.api.throttling import (
    EXACT_ENTRIES,
    LOCAL_COUNTERS,
    SLIDE_LUA,
    APIKeyRateThrottle,
    slide,
    stored_history,
)
from content.caching.backend import RedisCache
from content.choices import Role
from hipknee_api.settings.base import env_rate
from tests.factories import UserFactory
from tests.redis_outage import redis_cache_settings

START = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
INDEX = "/api/v1/"
_addresses = itertools.count(1)


@pytest.fixture
def address():
    """A client address no other test uses, so counters never leak between tests."""
    ip = f"198.51.100.{next(_addresses) % 250 + 1}"
    cache.delete(f"throttle_anon_{ip}")
    return ip


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def api_key(db):
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    cache.delete(f"throttle_key_{instance.prefix}")
    return key


def rate_headers(response) -> dict:
    return {
        name: response.get(name)
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
                     "RateLimit-Policy")
    }


THROTTLED_BODY = {
    "type": "urn:hipknee:problem:throttled",
    "title": "Too many requests.",
    "status": 429,
    "detail": "Request was throttled. Expected available in 60 seconds.",
    "code": "throttled",
}


def test_anonymous_requests_past_the_rate_are_429_with_retry_after(
    db, settings, frozen, address
):
    settings.HIPKNEE_THROTTLE_ANON = "3/min"
    client = APIClient(REMOTE_ADDR=address)

    remaining = []
    for _ in range(3):
        response = client.get(INDEX)
        assert response.status_code == 200
        remaining.append(response["RateLimit-Remaining"])
    refused = client.get(INDEX)

    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json() == THROTTLED_BODY
    assert refused["Retry-After"] == "60"
    assert rate_headers(refused) == {
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "60",
        "RateLimit-Policy": "3;w=60",
    }


def test_the_window_slides_and_refused_requests_do_not_count(db, settings, frozen, address):
    settings.HIPKNEE_THROTTLE_ANON = "2/min"
    client = APIClient(REMOTE_ADDR=address)

    assert client.get(INDEX).status_code == 200  # t=0
    frozen.shift(30)
    second = client.get(INDEX)  # t=30
    frozen.shift(15)
    refused = client.get(INDEX)  # t=45: the first request counts until t=60
    frozen.shift(16)
    third = client.get(INDEX)  # t=61: the first left the window; the refusal never counted

    assert rate_headers(second) == {
        "RateLimit-Limit": "2",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "30",
        "RateLimit-Policy": "2;w=60",
    }
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    assert refused.json()["detail"] == "Request was throttled. Expected available in 15 seconds."
    assert third.status_code == 200
    assert rate_headers(third) == {
        "RateLimit-Limit": "2",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "29",
        "RateLimit-Policy": "2;w=60",
    }


def test_a_burst_of_100_at_60_per_minute_gets_60_answers_and_40_refusals(
    db, settings, frozen, address
):
    settings.HIPKNEE_THROTTLE_ANON = "60/min"
    client = APIClient(REMOTE_ADDR=address)

    statuses = [client.get(INDEX).status_code for _ in range(100)]

    assert statuses == [200] * 60 + [429] * 40


def test_an_api_key_raises_the_limit_and_is_counted_per_key(db, settings, frozen, address):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"
    settings.HIPKNEE_THROTTLE_KEY = "3/min"
    first_key = APIKey.objects.create_key(name="First app")[1]
    second_key = APIKey.objects.create_key(name="Second app")[1]
    first = APIClient(REMOTE_ADDR=address, HTTP_X_API_KEY=first_key)
    second = APIClient(REMOTE_ADDR=address, HTTP_X_API_KEY=second_key)
    anonymous = APIClient(REMOTE_ADDR=address)

    first_statuses = [first.get(INDEX).status_code for _ in range(4)]
    second_response = second.get(INDEX)
    anonymous_statuses = [anonymous.get(INDEX).status_code for _ in range(2)]

    assert first_statuses == [200, 200, 200, 429]
    assert second_response.status_code == 200
    assert rate_headers(second_response) == {
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "2",
        "RateLimit-Reset": "60",
        "RateLimit-Policy": "3;w=60",
    }
    assert anonymous_statuses == [200, 429]


def test_a_high_limit_keeps_a_short_history_and_never_lets_more_through(
    db, settings, frozen, api_key
):
    """20,000 requests a minute allowed, 100 a second made for 90 s: the stored history stays
    a few dozen entries (not one per request) and every request in the window is counted."""
    settings.HIPKNEE_THROTTLE_KEY = "20000/min"
    client = APIClient(HTTP_X_API_KEY=api_key)
    request = client.get(INDEX).wsgi_request
    cache_key = f"throttle_key_{api_key.partition('.')[0]}"
    allowed = 1  # the request above
    for _ in range(180):  # 90 s, in half seconds
        for _ in range(50):
            allowed += APIKeyRateThrottle().allow_request(_drf(request), None)
        frozen.shift(0.5)
        stored = stored_history(cache_key)
        assert len(stored) <= 2 * EXACT_ENTRIES + 1
        assert sum(count for _, count in stored) <= 20000

    assert allowed == 9001  # nothing refused: about 6,000 requests in any minute
    limit = request.hipknee_rate_limit
    assert (limit.limit, limit.window) == (20000, 60)
    # The window (30 s, 90 s] held 5,950 requests (t = 30.5 ... 89.5); requests sharing an
    # entry count up to one slice (60/64 s, two half-second batches here) longer.
    assert 20000 - 5950 - 2 * 50 <= limit.remaining <= 20000 - 5950


def test_a_history_stored_one_time_per_request_is_still_read(db, settings, frozen, api_key):
    """An earlier release's history (one time per request, pickled by Django's cache): read
    by `slide` from other caches; in Redis, whose script reads only its own JSON, the window
    starts afresh once."""
    settings.HIPKNEE_THROTTLE_KEY = "3/min"
    cache.set(f"throttle_key_{api_key.partition('.')[0]}",
              [START.timestamp() - 10, START.timestamp() - 70], 60)
    client = APIClient(HTTP_X_API_KEY=api_key)

    statuses = [client.get(INDEX).status_code for _ in range(4)]

    if isinstance(caches["default"], RedisCache):
        assert statuses == [200, 200, 200, 429]
    else:
        assert statuses == [200, 200, 429, 429]


def _drf(django_request):
    """A DRF request authenticated by the API key of `django_request`."""
    from rest_framework.request import Request

    from content.api.authentication import APIKeyAuthentication

    return Request(django_request, authenticators=[APIKeyAuthentication()])


def test_signed_in_staff_are_not_held_to_the_anonymous_limit(db, settings, frozen, address):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"
    settings.HIPKNEE_THROTTLE_KEY = "5/min"
    user = UserFactory(username="throttled-editor", roles=[Role.EDITORS])
    cache.delete(f"throttle_user_{user.pk}")
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    statuses = [client.get("/api/v1/editorial/articles/").status_code for _ in range(6)]
    public = client.get(INDEX)

    assert statuses == [200] * 5 + [429]
    assert public.status_code == 429  # the same staff quota, not the anonymous one
    assert public["RateLimit-Policy"] == "5;w=60"


def test_without_rates_nothing_is_throttled_and_no_headers_are_sent(db, settings, address):
    settings.HIPKNEE_THROTTLE_ANON = None
    settings.HIPKNEE_THROTTLE_KEY = None
    client = APIClient(REMOTE_ADDR=address)

    responses = [client.get(INDEX) for _ in range(30)]

    assert {response.status_code for response in responses} == {200}
    assert rate_headers(responses[-1]) == dict.fromkeys(
        ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")
    )


def test_a_forged_x_forwarded_for_does_not_dodge_the_limit(db, settings, frozen, address):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"
    client = APIClient(REMOTE_ADDR=address)

    first = client.get(INDEX, HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = client.get(INDEX, HTTP_X_FORWARDED_FOR="203.0.113.2")

    assert (first.status_code, second.status_code) == (200, 429)


def test_behind_one_proxy_clients_are_counted_by_their_forwarded_address(
    db, settings, frozen, address
):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for ip in ("203.0.113.10", "203.0.113.11"):
        cache.delete(f"throttle_anon_{ip}")
    proxy = APIClient(REMOTE_ADDR=address)

    one = proxy.get(INDEX, HTTP_X_FORWARDED_FOR="forged, 203.0.113.10")
    other = proxy.get(INDEX, HTTP_X_FORWARDED_FOR="203.0.113.11")
    one_again = proxy.get(INDEX, HTTP_X_FORWARDED_FOR="203.0.113.10")

    assert [one.status_code, other.status_code, one_again.status_code] == [200, 200, 429]


@pytest.fixture
def local_counters():
    LOCAL_COUNTERS.clear()
    yield LOCAL_COUNTERS
    LOCAL_COUNTERS.clear()


def test_an_unreachable_cache_falls_back_to_a_limit_per_process(
    db, settings, frozen, address, monkeypatch, caplog, local_counters
):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", unreachable)
    if isinstance(caches["default"], RedisCache):
        monkeypatch.setattr(caches["default"], "run_script", unreachable)
    client = APIClient(REMOTE_ADDR=address)

    statuses = [client.get(INDEX).status_code for _ in range(3)]

    assert statuses == [200, 429, 429]
    assert caplog.messages.count("Rate limit cache unreachable; counting in this process.") == 3
    assert local_counters.get(f"throttle_anon_{address}") == [[START.timestamp(), 1]]


def test_while_redis_hangs_each_process_limits_on_its_own_without_waiting(
    db, settings, frozen, address, hung_redis, local_counters
):
    settings.CACHES = redis_cache_settings(hung_redis.url)
    settings.HIPKNEE_THROTTLE_ANON = "2/min"
    client = APIClient(REMOTE_ADDR=address)
    client.get(INDEX)  # the request that finds Redis hung (one 0.1 s timeout)

    started = time.monotonic()
    responses = [client.get(INDEX) for _ in range(3)]
    took = time.monotonic() - started

    assert [r.status_code for r in responses] == [200, 429, 429]
    assert rate_headers(responses[0]) == {
        "RateLimit-Limit": "2", "RateLimit-Remaining": "0", "RateLimit-Reset": "60",
        "RateLimit-Policy": "2;w=60",
    }
    assert responses[1].json() == THROTTLED_BODY
    assert took < 0.5  # no call waited on Redis
    assert hung_redis.accepted == 1


def test_the_limiter_alone_probes_redis_again_once_the_breaker_allows(
    db, settings, address, hung_redis, local_counters
):
    settings.CACHES = redis_cache_settings(hung_redis.url, open_seconds=0.2)
    settings.HIPKNEE_THROTTLE_ANON = "100/min"
    client = APIClient(REMOTE_ADDR=address)

    client.get(INDEX)
    client.get(INDEX)
    while_open = hung_redis.accepted
    time.sleep(0.25)
    client.get(INDEX)

    assert (while_open, hung_redis.accepted) == (1, 2)  # one probe, on a new connection


def test_health_checks_are_never_throttled(db, settings, frozen, address):
    settings.HIPKNEE_THROTTLE_ANON = "1/min"
    client = APIClient(REMOTE_ADDR=address)

    statuses = [client.get("/healthz").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", "60/min"), ("off", None), ("OFF", None), ("5/s", "5/s"), ("1000/hour", "1000/hour")],
)
def test_env_rate_reads_rates_and_off(monkeypatch, value, expected):
    monkeypatch.setenv("HIPKNEE_THROTTLE_ANON", value)

    assert env_rate("HIPKNEE_THROTTLE_ANON", "60/min") == expected


@pytest.mark.parametrize("value", ["lots", "60", "0/min", "60/month", "-1/min", "60/min;"])
def test_env_rate_refuses_what_is_not_a_rate(monkeypatch, value):
    monkeypatch.setenv("HIPKNEE_THROTTLE_ANON", value)

    with pytest.raises(ImproperlyConfigured, match="HIPKNEE_THROTTLE_ANON must be a rate"):
        env_rate("HIPKNEE_THROTTLE_ANON", None)


@pytest.fixture
def production(monkeypatch, production_settings):
    """A function: production's settings under `env`, without the caller's rate limits."""
    for name in ("HIPKNEE_THROTTLE_ANON", "HIPKNEE_THROTTLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    return production_settings


def test_production_throttles_by_default(production):
    configured = production()

    assert (configured["HIPKNEE_THROTTLE_ANON"], configured["HIPKNEE_THROTTLE_KEY"]) == (
        "60/min",
        "1000/min",
    )


def test_production_limits_come_from_the_environment_and_off_disables_them(production):
    configured = production(HIPKNEE_THROTTLE_ANON="off", HIPKNEE_THROTTLE_KEY="5000/hour")

    assert (configured["HIPKNEE_THROTTLE_ANON"], configured["HIPKNEE_THROTTLE_KEY"]) == (
        None,
        "5000/hour",
    )


def test_the_schema_documents_429_on_every_api_operation(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operations = [
        operation
        for path, item in schema["paths"].items()
        for operation in item.values()
        if path.startswith("/api/")
    ]
    too_many = schema["components"]["responses"]["TooManyRequests"]
    assert operations
    assert all(
        operation["responses"]["429"] == {"$ref": "#/components/responses/TooManyRequests"}
        for operation in operations
    )
    assert sorted(too_many["headers"]) == [
        "RateLimit-Limit", "RateLimit-Policy", "RateLimit-Remaining", "RateLimit-Reset",
        "Retry-After",
    ]
    assert too_many["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


# The window's rule in Redis (SLIDE_LUA) is `slide`'s, atomically.

THROTTLE_REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_counters():
    from tests.caching.test_backend import redis_up

    if not redis_up():
        pytest.skip("needs a Redis server on 127.0.0.1:6379")
    prefix = f"slide-test-{os.getpid()}"
    backend = RedisCache(THROTTLE_REDIS_URL, {"KEY_PREFIX": prefix})

    def forget():  # this process's keys only: clear() would flush another xdist worker's too
        client = backend._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    forget()
    yield backend
    forget()


@pytest.mark.parametrize(("limit", "duration"), [(3, 60), (60, 60), (500, 60), (20000, 3600)])
def test_redis_counts_exactly_as_slide_does(redis_counters, limit, duration):
    """The same random requests (bursts, pauses, whole windows of silence) through `slide`
    and through the script give the same answer, count and oldest time at every step."""
    randomness = random.Random(f"{limit}/{duration}")
    now, history = 1_768_469_400.0, []
    for _ in range(600):
        now += randomness.choice([0.0, 0.001, 0.37, 1.5, duration / 7, duration * 1.2])
        expected = slide(history, now, duration, limit)
        allowed, counted, oldest = redis_counters.run_script(
            SLIDE_LUA, ["client"], [repr(now), duration, limit, EXACT_ENTRIES])

        assert (bool(allowed), int(counted)) == expected
        assert float(oldest) == pytest.approx(history[-1][0] if history else now, abs=1e-3)


def test_concurrent_requests_of_one_client_are_each_counted(redis_counters):
    """16 threads, 50 requests each, against a limit of 500: exactly 500 allowed (a read and
    a separate write would let requests that read the same count through together)."""
    barrier = threading.Barrier(16)
    allowed = []

    def client():
        barrier.wait()
        mine = 0
        for _ in range(50):
            answer = redis_counters.run_script(
                SLIDE_LUA, ["burst"], [repr(time.time()), 60, 500, EXACT_ENTRIES])
            mine += int(answer[0])
        allowed.append(mine)

    threads = [threading.Thread(target=client) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(allowed) == 500
