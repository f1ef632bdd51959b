"""Django's Redis cache backend, with one redis client per connection pool and a circuit
breaker in front of every call.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object, with its table of
some 170 response callbacks, on every cache call: about a fifth of the CPU of a response
served from the cache. A `redis.Redis` only borrows connections from its pool and is safe to
share between threads, so one per pool does the same work. Configured in
hipknee_api/settings/base.py when `REDIS_URL` is set.

**A Redis that is down, or hung, costs one short timeout, not one per call.** Every call of the
backend goes through one `CircuitBreaker` per process (the content version's watch connection
in content/caching/versions.py asks it too). The first call that cannot reach Redis (refused,
or no answer within the socket timeout, ``HIPKNEE_REDIS_TIMEOUT``) opens it; while it is open
no call touches the network: a read is a miss (`get` gives the default, `get_many` {},
`has_key` False), a write does nothing (`set`, `set_many`, `delete`, `delete_many`, `clear`;
`add` and `touch` give False), and `incr`/`decr` and `run_script`, whose caller needs the
answer, raise `CacheUnavailable`. After ``HIPKNEE_REDIS_CIRCUIT_OPEN_SECONDS`` one call, and
only one, is let through as a probe: if Redis answers, the breaker closes; if not, it stays open
as long again.
Callers that must tell a miss from an unreachable cache (the content version, the rate limits,
/readyz) ask `cache_reachable()`.
"""

import logging
import threading
import time

import redis as redis_py
from django.core.cache.backends import redis

logger = logging.getLogger(__name__)

#: What a call raises when it could not reach Redis (refused, reset, timed out, loading).
UNREACHABLE = (redis_py.exceptions.ConnectionError, redis_py.exceptions.TimeoutError, OSError)
#: The breaker's option in CACHES["default"]["OPTIONS"] (not passed on to redis-py).
OPEN_SECONDS_OPTION = "circuit_open_seconds"
DEFAULT_OPEN_SECONDS = 5.0


class CacheUnavailable(ConnectionError):
    """Redis could not be asked (the circuit is open, or the call failed to reach it)."""


class CircuitBreaker:
    """Closed while Redis answers; open for `open_seconds` after a call failed to reach it;
    then one probe call, whose outcome closes it or opens it again.

    Cheap while closed: `allow()` and `succeeded()` read one attribute and take no lock.
    """

    def __init__(self, open_seconds: float = DEFAULT_OPEN_SECONDS, name: str = "Redis",
                 clock=time.monotonic) -> None:
        self.open_seconds = open_seconds
        self.name = name
        self.clock = clock
        self._lock = threading.Lock()
        #: clock() when it opened, None while closed.
        self._opened_at: float | None = None
        #: clock() when the probe in flight was let through, None if none is.
        self._probe_started: float | None = None
        #: How many times it went from closed to open (the version watch compares it).
        self.trips = 0

    @property
    def closed(self) -> bool:
        """Redis answered the last call (no failure since, and no probe pending)."""
        return self._opened_at is None

    def retry_in(self) -> float:
        """Seconds until the next probe may go (0 when closed or due)."""
        opened_at = self._opened_at
        if opened_at is None:
            return 0.0
        return max(0.0, opened_at + self.open_seconds - self.clock())

    def allow(self) -> bool:
        """Whether a call may go to Redis now: always while closed; while open, only the one
        probe once `open_seconds` have passed (a probe that never reported back, e.g. its
        thread was killed, is replaced after as long again)."""
        if self._opened_at is None:
            return True
        with self._lock:
            if self._opened_at is None:
                return True
            now = self.clock()
            if now - self._opened_at < self.open_seconds:
                return False
            if self._probe_started is not None and now - self._probe_started < self.open_seconds:
                return False
            self._probe_started = now
            return True

    def succeeded(self) -> None:
        """Redis answered (a reply, or an error reply): close."""
        if self._opened_at is None:
            return
        with self._lock:
            if self._opened_at is None:
                return
            self._opened_at = self._probe_started = None
        logger.warning("%s answers again; the cache is used again.", self.name)

    def failed(self, error: BaseException | None = None) -> None:
        """A call could not reach Redis: open (again) for `open_seconds`."""
        with self._lock:
            tripped = self._opened_at is None
            self._opened_at = self.clock()
            self._probe_started = None
            if tripped:
                self.trips += 1
        if tripped:
            logger.warning(
                "%s unreachable (%s); the cache is bypassed for %.3g s, then probed.",
                self.name, error or "no answer", self.open_seconds,
            )

    def reset(self) -> None:
        """Close, forgetting any failure (tests)."""
        with self._lock:
            self._opened_at = self._probe_started = None


class ReusingRedisCacheClient(redis.RedisCacheClient):
    """Hands out the same `redis.Redis` for every call that uses the same pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _miss(default=None):
    return lambda *args, **kwargs: default


class RedisCache(redis.RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with `ReusingRedisCacheClient`, every
    call guarded by `breaker` (see the module)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        open_seconds = float(options.pop(OPEN_SECONDS_OPTION, DEFAULT_OPEN_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self.breaker = CircuitBreaker(open_seconds)
        self._scripts = {}

    def _guarded(self, call, fallback, *args, **kwargs):
        """`call(*args, **kwargs)` if the breaker lets it through, else `fallback(...)`."""
        breaker = self.breaker
        if not breaker.allow():
            return fallback(*args, **kwargs)
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as error:
            breaker.failed(error)
            return fallback(*args, **kwargs)
        except Exception:
            breaker.succeeded()  # an answer (e.g. no such key), or no call at all
            raise
        breaker.succeeded()
        return result

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, _miss(default), key, default, version=version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, lambda *a, **k: {}, keys, version=version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, _miss(False), key, version=version)

    def add(self, key, *args, **kwargs):
        return self._guarded(super().add, _miss(False), key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        return self._guarded(super().set, _miss(None), key, *args, **kwargs)

    def touch(self, key, *args, **kwargs):
        return self._guarded(super().touch, _miss(False), key, *args, **kwargs)

    def delete(self, key, version=None):
        return self._guarded(super().delete, _miss(False), key, version=version)

    def set_many(self, data, *args, **kwargs):
        return self._guarded(super().set_many, lambda *a, **k: list(data), data, *args, **kwargs)

    def delete_many(self, keys, version=None):
        return self._guarded(super().delete_many, _miss(None), keys, version=version)

    def clear(self):
        return self._guarded(super().clear, _miss(False))

    def run_script(self, script: str, keys, args):
        """Run the Lua `script` in Redis on the cache's names of `keys` with `args`: one round
        trip, atomic (EVALSHA, or EVAL the first time a server sees it). Its keys hold what
        the script writes, not values `get` can read. Raises CacheUnavailable while Redis
        cannot be asked."""

        def call():
            client = self._cache.get_client(write=True)
            registered = self._scripts.get((id(client), script))
            if registered is None:
                registered = self._scripts[id(client), script] = client.register_script(script)
            return registered(keys=[self.make_and_validate_key(key) for key in keys],
                              args=args, client=client)

        def unavailable(*args, **kwargs):
            raise CacheUnavailable("Redis unreachable; script not run.")

        return self._guarded(call, unavailable)

    def incr(self, key, delta=1, version=None):
        def unavailable(*args, **kwargs):
            raise CacheUnavailable(f"Redis unreachable; {key!r} not incremented.")

        return self._guarded(super().incr, unavailable, key, delta, version=version)


def cache_reachable(backend) -> bool:
    """False while `backend` is this module's and its breaker is not closed (Redis failed a
    call lately, or a probe is pending); True otherwise (other backends have no breaker)."""
    breaker = getattr(backend, "breaker", None)
    return breaker is None or breaker.closed


def cache_worth_asking(backend) -> bool:
    """Whether a call to `backend` may reach Redis now: its breaker is closed, or open but due
    for its probe. Callers that skip the cache while it is not should check this, not
    `cache_reachable`, or nothing would ever probe Redis again."""
    breaker = getattr(backend, "breaker", None)
    return breaker is None or breaker.retry_in() == 0
