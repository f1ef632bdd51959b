"""The content version: what the response cache keys on, and how every process learns at once
that a cached response stopped being true.

The public API caches each rendered response (content/caching/responses.py) with the **content
version** it was rendered under: a token that changes whenever what the public may see changes.
Nothing is ever deleted: a publish, unpublish or recorded expiry moves the version on, and an
entry of an older version is never served again (it is rendered anew and overwritten, or ages
out of the cache). `versioned_get` reads the version and an entry in one round trip.

With Redis, each process also keeps the version it last read, for as long as Redis has not
said that it changed (`_VersionWatch`: Redis's "tracking" of the version key, whose
invalidations arrive on a connection of this process that each request polls): a hit then costs
no round trip at all, and a publish through any process is still seen by the others as soon as
its request has returned.

With a shared cache each process also keeps the entries it last read or wrote in its own
memory (`local_keep`, at most ``HIPKNEE_LOCAL_CACHE_ENTRIES``, 256 by default; 0 turns it off):
a hit then reads only the small version from the shared cache, not a body of tens of
kilobytes, and uses the local copy only if it was rendered under that very version. A publish
through any process moves the shared version on, so it is seen by all of them at once.

Where the version lives depends on the cache:

* a cache shared by every process (Redis, via ``REDIS_URL``): an integer in the cache,
  incremented by `content_version_bump` once the publishing transaction has committed
  (`content_changed` registers it with ``transaction.on_commit``), so no other process can see
  the new version before the new data. Reading it is a cache read, no database query. If the
  key is lost (eviction, a Redis restart) it is re-seeded from the clock, a value never used
  before, so an old entry can never come back to life.
* a cache private to each process (local memory, the default without ``REDIS_URL``): a bump in
  one gunicorn worker could not reach the others, so the version is read from the database on
  every request, in one query of indexes and a small table: the newest id of the change feed
  (`Change`), and the count and newest edit of the search synonym sets. Every publish, update
  and withdrawal writes a feed entry in the same transaction as the live rows, under the feed
  lock (so ids grow in commit order): whoever sees the new data sees the new version.

``HIPKNEE_CONTENT_VERSION_SOURCE`` (``cache`` or ``database``) overrides the choice.

With the version in the cache, **the database stays the truth**: a bump is lost if the
publishing process cannot reach Redis when its transaction commits, and other processes would
then serve what was withdrawn until their entries expire. So each process also reads the
database's version (`_DatabaseCheck`, the query above) at least every
``HIPKNEE_CONTENT_VERSION_CHECK`` seconds (1 by default; 0 turns this off) and as soon as the
cache's number changes, and the version is both (``c<number>.d<...>``): an unbumped publish
is seen everywhere within that time (and the one read in flight: content/caching/refresh.py),
for one query per process per second. And while a
process cannot reach the cache at all (its circuit breaker is open, content/caching/backend.py),
its version is the database's, read on every request, and only its own copies of entries
rendered under that version can answer: it never waits on Redis, and never serves a version
it cannot check.

Time changes the public content without any write (an expiry, a review falling overdue):
content/caching/validity.py. The key also carries a fingerprint of the code
(content/caching/fingerprint.py).
"""

import contextlib
import functools
import logging
import math
import os
import threading
import time
from collections import OrderedDict

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction

from content.caching.backend import UNREACHABLE, cache_reachable, cache_worth_asking
from content.caching.refresh import Refresh
from content.caching.validity import as_datetime

logger = logging.getLogger(__name__)

VERSION_KEY = "content:version"
#: Cache backends that live inside one process: a version kept there cannot reach the others.
PROCESS_LOCAL_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)



def version_source() -> str:
    """`cache` when the version can live in a cache every process shares, else `database`."""
    configured = getattr(settings, "HIPKNEE_CONTENT_VERSION_SOURCE", "")
    if configured:
        return configured
    backend = settings.CACHES["default"]["BACKEND"]
    return "database" if backend in PROCESS_LOCAL_BACKENDS else "cache"


def _fresh_version() -> int:
    """A version never handed out before: the clock in nanoseconds (bumps add 1 each)."""
    return time.time_ns()


@functools.cache
def _database_version_sql() -> str:
    """One query: the newest change feed id, and the count and newest edit of synonym sets
    (they change search results; a deletion lowers the count, any save raises the newest)."""
    from content.models import Change, Synonym

    quote = connection.ops.quote_name
    change, synonym = quote(Change._meta.db_table), quote(Synonym._meta.db_table)
    return (
        f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {change}), (SELECT COUNT(*) FROM {synonym}), "
        f"(SELECT MAX({quote('updated_at')}) FROM {synonym})"
    )


def _database_version() -> str:
    """The content version as the database has it (one indexed query)."""
    with connection.cursor() as cursor:
        cursor.execute(_database_version_sql())
        newest, synonyms, edited = cursor.fetchone()
    return f"d{newest}.{synonyms}.{as_datetime(edited).timestamp() if edited else 0}"


def content_version() -> str:
    """The current content version (a cache read, or one indexed query; see the module)."""
    return versioned_get(None)[0]


_local: OrderedDict[str, object] = OrderedDict()
_local_lock = threading.Lock()


def _local_limit() -> int:
    return int(getattr(settings, "HIPKNEE_LOCAL_CACHE_ENTRIES", 256))


def local_keep(key: str, entry) -> None:
    """Keep `entry` (an object with the `version` it was rendered under) in this process too,
    the least recently used going first. Only with a shared cache: with a per-process cache
    the cache itself is local."""
    if version_source() != "cache" or _local_limit() <= 0:
        return
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > _local_limit():
            _local.popitem(last=False)


def _local_get(key: str):
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def local_clear() -> None:
    """Forget every local copy, the watched version and the database's, and any failure to
    watch (tests)."""
    with _local_lock:
        _local.clear()
    with _watch._lock:
        _watch._reset()
        _watch._failed_at = -math.inf
    _database_check.reset()


def _breaker():
    """The default cache's circuit breaker (content/caching/backend.py), or None."""
    return getattr(caches["default"], "breaker", None)


class _VersionWatch:
    """The content version as this process last read it from Redis, trusted only while Redis
    has not reported a change of its key.

    A dedicated connection (RESP2) asks Redis to track the version key in broadcast mode and to
    send the invalidations to that same connection, subscribed to `__redis__:invalidate`. Redis
    writes an invalidation there while it executes the write that moved the version on, before
    the writer's request can return; every read polls the connection without blocking (a few
    microseconds) and forgets the version if anything arrived. If the connection fails, the
    version is read from Redis again, and so it is at least every VERSION_RECHECK seconds
    whatever happens (a connection that died silently cannot keep an old version alive longer).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._connection = None
        self._number = None
        self._read_at = 0.0
        self._failed_at = -math.inf
        #: Moves on with every invalidation seen: a value read before one is not remembered.
        self._generation = 0
        #: The cache's circuit breaker trips when the connection was made: once it trips
        #: again, invalidations may have been lost, so the connection is dropped.
        self._trips = 0
        #: A thread is opening the connection (outside the lock: others do not wait for it).
        self._connecting = False

    def _alive(self) -> bool:
        if self._connection is None or self._pid != os.getpid():
            return False
        breaker = _breaker()
        return breaker is None or breaker.trips == self._trips

    def _open(self):
        """A new connection that tracks the version key and receives its invalidations
        (network: never called holding the lock)."""
        backend = caches["default"]
        connection = redis.ConnectionPool.from_url(
            backend._servers[0], protocol=2,
            **{name: value for name, value in backend._options.items()
               if name in ("socket_connect_timeout", "socket_timeout")},
        ).make_connection()
        try:
            connection.connect()
            connection.send_command("CLIENT", "ID")
            client_id = connection.read_response()
            connection.send_command("CLIENT", "TRACKING", "on", "REDIRECT", client_id,
                                    "BCAST", "PREFIX", cache.make_key(VERSION_KEY))
            connection.read_response()
            connection.send_command("SUBSCRIBE", "__redis__:invalidate")
            connection.read_response()
        except BaseException:
            with contextlib.suppress(Exception):
                connection.disconnect()
            raise
        self.client_id = client_id
        return connection

    def _reset(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            with contextlib.suppress(Exception):
                self._connection.disconnect()
        self._connection, self._pid, self._number = None, None, None
        self._generation += 1

    def number(self) -> tuple[object, int]:
        """(the version number if known and unchanged since it was read, else None; the token
        to remember a number read from Redis from now on with)."""
        with self._lock:
            if not self._alive():
                if self._connection is not None:
                    self._reset()
                return None, self._generation
            try:
                while self._connection.can_read(timeout=0):
                    self._connection.read_response()  # any message: the key changed
                    self._number = None
                    self._generation += 1
            except Exception:
                self._reset()
                return None, self._generation
            if time.monotonic() - self._read_at > VERSION_RECHECK:
                self._number = None
            return self._number, self._generation

    def watching(self) -> bool:
        """Make sure the watch is on before a read whose result may be remembered: open the
        watch connection of this process (after a fork too) if it is not. False if it cannot,
        and then no new attempt for VERSION_RECHECK seconds (Redis may be down); False too
        while another thread is connecting, rather than wait for it. The cache's circuit
        breaker decides too: no attempt while it is open, and a failure opens it."""
        with self._lock:
            if self._alive():
                return True
            self._reset()
            if self._connecting or time.monotonic() - self._failed_at < VERSION_RECHECK:
                return False
            breaker = _breaker()
            if breaker is not None and not breaker.allow():
                return False
            self._connecting = True
            trips = breaker.trips if breaker is not None else 0
        connection = error = None
        try:
            connection = self._open()
        except Exception as failure:
            error = failure
        with self._lock:
            self._connecting = False
            if error is not None:
                unreachable = isinstance(error, UNREACHABLE)
                if breaker is not None and unreachable:
                    breaker.failed(error)
                logger.warning(
                    "Cannot watch the content version (%s); reading it on every request.",
                    error, exc_info=False if unreachable else error,
                )
                self._failed_at = time.monotonic()
                return False
            if breaker is not None:
                breaker.succeeded()
            self._reset()
            self._connection, self._pid, self._trips = connection, os.getpid(), trips
            return True

    def remember(self, number, since: int) -> None:
        """Keep `number`, read from Redis after `number()` handed out `since`, unless an
        invalidation has been seen in between (by any thread): it may be older than that."""
        with self._lock:
            if self._alive() and self._generation == since:
                self._number, self._read_at = number, time.monotonic()


#: Seconds after which the watched version is read from Redis again regardless.
VERSION_RECHECK = 1.0
_watch = _VersionWatch()


def _version_watched() -> bool:
    """The watch is on (HIPKNEE_VERSION_WATCH) and the cache is Redis."""
    return getattr(settings, "HIPKNEE_VERSION_WATCH", True) and isinstance(
        caches["default"], RedisCache)


class _DatabaseCheck:
    """The database's content version as this process last read it, beside a version held in
    the cache: read again once it is HIPKNEE_CONTENT_VERSION_CHECK seconds old, or as soon as
    the cache's version is not the one it was read beside (a publish bumped it: the new data
    has committed, so one query now spares every response a second render a moment later)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._lock = threading.Lock()
        self._refresh = Refresh()
        self.clock = clock
        self._reset_state()

    def _reset_state(self) -> None:
        self._value: str | None = None
        self._number = None
        self._read_at = -math.inf

    def reset(self) -> None:
        with self._lock:
            self._reset_state()

    def version(self, number, interval: float) -> str:
        """The database's version, at most `interval` seconds old and read after `number`;
        while another request of this process reads it again, the one it replaces (`Refresh`).
        After a bump (another `number`) every request reads it: the older one may predate the
        publish."""
        started = self.clock()
        with self._lock:
            held = self._value if self._value is not None and self._number == number else None
            if held is not None and started - self._read_at < interval:
                return held
        with self._refresh.reading(number) as mine:
            if not mine and held is not None:
                return held
            value = _database_version()
            with self._lock:
                if started >= self._read_at:  # never replace a newer reading with an older one
                    self._value, self._number, self._read_at = value, number, started
        return value


_database_check = _DatabaseCheck()


def _checked(number) -> str:
    """The version of cache number `number`: with HIPKNEE_CONTENT_VERSION_CHECK, joined with
    the database's version (`_DatabaseCheck`), so that a publish whose bump never reached the
    cache still changes it within that many seconds."""
    interval = float(getattr(settings, "HIPKNEE_CONTENT_VERSION_CHECK", 0) or 0)
    if interval <= 0:
        return f"c{number}"
    return f"c{number}.{_database_check.version(number, interval)}"


def _uncached(key: str | None) -> tuple[str, object]:
    """The cache is unreachable: the database's version (one query), and this process's own
    copy of the entry if it was rendered under that very version (else None)."""
    version = _database_version()
    local = _local_get(key) if key is not None else None
    if local is not None and getattr(local, "version", None) == version:
        return version, local
    return version, None


def versioned_get(key: str | None) -> tuple[str, object]:
    """The current content version and the cached value at `key` (None if absent), read
    together: one cache round trip when the version lives in the cache, none when this
    process holds both the version (see `_VersionWatch`) and a copy rendered under it.

    When the cache cannot be reached (its circuit breaker is open, or a call fails on the
    way), the version is the database's, as with ``HIPKNEE_CONTENT_VERSION_SOURCE=database``,
    and only this process's own copies can answer: the database is the truth the cache's
    version stands in for."""
    if version_source() == "database":
        return _database_version(), cache.get(key) if key is not None else None
    if not cache_worth_asking(cache):
        return _uncached(key)  # the breaker is open, and not even a probe is due
    watched = _version_watched() and _watch.watching()
    number, since = _watch.number() if watched else (None, None)
    if key is None and number is not None:
        return _checked(number), None
    local = _local_get(key) if key is not None else None
    if local is not None:
        if number is None:
            number = cache.get(VERSION_KEY)
            if watched and number is not None:
                _watch.remember(number, since)
        if number is not None and getattr(local, "version", None) == (
            version := _checked(number)
        ):
            return version, local
    found = cache.get_many([VERSION_KEY] if key is None else [VERSION_KEY, key])
    number = found.get(VERSION_KEY)
    if number is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        number = cache.get(VERSION_KEY)
        if number is None or not cache_reachable(cache):
            return _uncached(key)  # the cache failed on the way (a miss, a no-op)
    elif watched:
        _watch.remember(number, since)
    entry = found.get(key)
    if entry is not None:
        local_keep(key, entry)
    return _checked(number), entry


def content_version_bump() -> None:
    """Move the content version on, after a commit that changed what the public may see.

    Never raises: the publish has committed already. If the cache is unreachable the error is
    logged. The change is still seen: with HIPKNEE_CONTENT_VERSION_CHECK every process reads
    the database's version within that many seconds (and at once, while it cannot reach the
    cache either); without it, entries written before are bounded by
    HIPKNEE_RESPONSE_CACHE_TTL.
    """
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # the key is missing: start from a value never used before
            cache.set(VERSION_KEY, _fresh_version(), timeout=None)
            if not cache_reachable(cache):
                raise ConnectionError("the cache became unreachable") from None
    except Exception:
        interval = float(getattr(settings, "HIPKNEE_CONTENT_VERSION_CHECK", 0) or 0)
        if interval > 0:
            logger.exception(
                "Could not move the content version on in the cache; every process sees the "
                "change through the database's version within %g s.", interval)
        else:
            logger.exception("Could not move the content version on; cached responses may be "
                             "served for up to HIPKNEE_RESPONSE_CACHE_TTL seconds.")


def content_changed(*, document=None) -> None:
    """What publishing calls after it changed what the public may see (the live row of
    `document`, if given): move the content version on when the transaction commits, and
    replace the stored renderings this makes untrue (content/caching/renderings.py)."""
    transaction.on_commit(content_version_bump)
    if document is None:
        return
    from content.caching import renderings
    from content.models import LIVE_MODELS

    if not renderings.enabled():
        return
    pk = (
        LIVE_MODELS[document.type].objects.filter(document=document)
        .values_list("pk", flat=True).first()
    )
    if pk is not None:
        rows = renderings.renderings_invalidate(type_=document.type, pk=pk)
        transaction.on_commit(lambda: renderings.renderings_render(rows))
