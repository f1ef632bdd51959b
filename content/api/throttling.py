"""Rate limits: anonymous clients per IP address, API keys per key, signed-in staff per user.

Rates come from the settings `HIPKNEE_THROTTLE_ANON` (anonymous clients) and
`HIPKNEE_THROTTLE_KEY` (API keys, and signed-in staff), DRF rate strings such as "60/min";
None means no limit. They are read on every request, so a test may change them. The window
slides: a request counts for `duration` seconds after it was made, and refused requests do not
count. Counters live in Django's default cache (Redis when REDIS_URL is set), shared by every
process. In Redis one script (`SLIDE_LUA`, the rule of `slide` in Lua) reads, counts and writes
a client's history in one atomic round trip, so concurrent requests of one client are each
counted; other caches are read and written by `slide` itself.

A client's history is a list of `[time, count]` entries, newest first: each request its own
entry while the list is short (every limit up to `EXACT_ENTRIES` requests is counted to the
instant), and past that length a request joins the newest entry when both fall in the same
slice of `duration / EXACT_ENTRIES` seconds, the entry taking its time. So a client with a high
limit (an app's API key at thousands a minute) costs the same few hundred bytes per request to
read and write as one at 60 a minute, not a list of every request it made in the window; such
a request counts for at most one slice longer than `duration` (a limit is never exceeded).

While that cache cannot be reached (Redis's circuit breaker is open, content/caching/backend.py,
or a call raised), each process counts in its own memory instead (`LOCAL_COUNTERS`) and a
warning is logged: the limits fail open *per process*, so a client may get up to the rate
times the number of processes, but never an unbounded number, and a rate limiter never takes
the content API down with it, nor makes it wait on Redis. Counts start afresh in each process
when Redis goes away, and the shared ones are used again as soon as it answers.

Every response to a rate-limited request carries the IETF draft headers `RateLimit-Limit`,
`RateLimit-Remaining`, `RateLimit-Reset` (seconds until the oldest counted request leaves the
window, i.e. until one more request is allowed) and `RateLimit-Policy` (`<limit>;w=<window>`),
added by `RateLimitHeadersMiddleware`. A refused request is 429 problem+json with
`Retry-After` (content/api/errors.py).
"""

import dataclasses
import hashlib
import json
import logging
import math
import re

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling
from rest_framework_api_key.models import APIKey

from content.caching.backend import RedisCache, cache_reachable, cache_worth_asking

logger = logging.getLogger(__name__)

#: Where this process counts while the shared cache cannot be reached (see the module).
LOCAL_COUNTERS = LocMemCache("hipknee-rate-limits", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

#: Where the throttle leaves what it measured for RateLimitHeadersMiddleware.
REQUEST_ATTRIBUTE = "hipknee_rate_limit"
#: An identity that is safe to use verbatim in a cache key (an IPv4 or IPv6 address).
PLAIN_IDENT = re.compile(r"[0-9A-Fa-f:.]{1,45}")
#: History entries kept one per request before requests share entries (see the module).
EXACT_ENTRIES = 64


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """The state of one client's quota after a request."""

    limit: int
    remaining: int
    reset: int
    window: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }


def slide(history: list, now: float, duration: float, limit: int) -> tuple[bool, int]:
    """One request at `now` against a client's `history` (see the module), updated in place:
    (allowed, requests counted in the window, this one included if allowed). The rule of the
    window; `SLIDE_LUA` is the same rule, run by Redis."""
    while history and history[-1][0] <= now - duration:
        history.pop()
    counted = sum(count for _, count in history)
    if counted >= limit:
        return False, counted
    slice_ = duration / EXACT_ENTRIES
    if len(history) >= EXACT_ENTRIES and now // slice_ == history[0][0] // slice_:
        history[0] = [now, history[0][1] + 1]
    else:
        history.insert(0, [now, 1])
    return True, counted + 1


#: `slide` in Lua, run by Redis on the history stored at KEYS[1] as JSON (ARGV: now, duration,
#: limit, EXACT_ENTRIES): the read, the rule and the write in one atomic round trip, so that
#: concurrent requests of one client are all counted. Returns {allowed (1/0), counted, the
#: oldest counted time as a string (a Lua number would be truncated to an integer)}. Anything
#: else stored there (e.g. a history pickled by an earlier release) starts the window afresh.
SLIDE_LUA = """
local now, duration = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, exact = tonumber(ARGV[3]), tonumber(ARGV[4])
local history = {}
local stored = redis.call('GET', KEYS[1])
if stored then
  local ok, decoded = pcall(cjson.decode, stored)
  if ok and type(decoded) == 'table' then history = decoded end
end
while #history > 0 and history[#history][1] <= now - duration do
  table.remove(history)
end
local counted = 0
for i = 1, #history do counted = counted + history[i][2] end
local allowed = 0
if counted < limit then
  allowed = 1
  counted = counted + 1
  local slice = duration / exact
  if #history >= exact and math.floor(now / slice) == math.floor(history[1][1] / slice) then
    history[1] = {now, history[1][2] + 1}
  else
    table.insert(history, 1, {now, 1})
  end
  redis.call('SET', KEYS[1], cjson.encode(history), 'EX', math.ceil(duration))
end
local oldest = now
if #history > 0 then oldest = history[#history][1] end
return {allowed, counted, string.format('%.6f', oldest)}
"""


class SettingsRateThrottle(throttling.SimpleRateThrottle):
    """A sliding-window throttle whose rate is the Django setting named by `setting`."""

    setting: str = ""

    def __init__(self):
        # DRF reads its rates once, at import; these are read per request instead.
        self.rate = getattr(settings, self.setting, None)
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        counted = self._in_redis() if isinstance(self._backend(), RedisCache) else None
        if counted is None:
            counted = self._in_store()
        allowed, self.counted, self.oldest = counted
        self._record(request)
        return allowed

    def _in_redis(self) -> tuple[bool, int, float] | None:
        """`slide` run by Redis (SLIDE_LUA); None when Redis cannot be asked."""
        backend = self._backend()
        if not cache_worth_asking(backend):
            return None
        try:
            allowed, counted, oldest = backend.run_script(
                SLIDE_LUA, [self.key],
                [repr(self.now), self.duration, self.num_requests, EXACT_ENTRIES])
        except Exception:
            logger.warning("Rate limit cache unreachable; counting in this process.",
                           exc_info=True)
            return None
        return bool(allowed), int(counted), float(oldest)

    def _in_store(self) -> tuple[bool, int, float]:
        """`slide` on the history read from Django's cache (when it is not Redis), or from
        this process's LOCAL_COUNTERS while Redis cannot be reached; written back there."""
        store = self._counters()
        history = self.history
        if history and not isinstance(history[0], list):  # one time per request (before)
            history = [[moment, 1] for moment in history]
        allowed, counted = slide(history, self.now, self.duration, self.num_requests)
        if allowed:
            try:
                store.set(self.key, history, self.duration)
            except Exception:
                logger.warning("Rate limit cache unreachable; request not counted.", exc_info=True)
        return allowed, counted, history[-1][0] if history else self.now

    def _counters(self):
        """Read this client's history into `self.history`; returns where to write it back:
        the shared cache, or this process's LOCAL_COUNTERS while that cannot be reached."""
        if not isinstance(self._backend(), RedisCache) and cache_worth_asking(self.cache):
            try:
                self.history = self.cache.get(self.key, [])
            except Exception:
                logger.warning("Rate limit cache unreachable; counting in this process.",
                               exc_info=True)
            else:
                if cache_reachable(self.cache):  # not a miss because it failed meanwhile
                    return self.cache
        # (An open circuit breaker has logged it once already.)
        self.history = LOCAL_COUNTERS.get(self.key, [])
        return LOCAL_COUNTERS

    def _backend(self):
        """The cache backend itself (`self.cache`, DRF's, is Django's proxy to it)."""
        return caches["default"] if self.cache is cache else self.cache

    def _record(self, request) -> None:
        reset = max(0, math.ceil(self.duration - (self.now - self.oldest)))
        setattr(
            request._request,
            REQUEST_ATTRIBUTE,
            RateLimit(
                limit=self.num_requests,
                remaining=max(0, self.num_requests - self.counted),
                reset=reset,
                window=self.duration,
            ),
        )

    def wait(self):
        """Seconds until the oldest counted request leaves the window."""
        return max(1, math.ceil(self.duration - (self.now - self.oldest)))


def stored_history(key: str) -> list:
    """The history stored for throttle cache key `key`, newest first, wherever it is kept
    (for inspection)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=False)
        stored = client.get(backend.make_and_validate_key(key))
        return json.loads(stored) if stored else []
    return backend.get(key, [])


class AnonRateThrottle(SettingsRateThrottle):
    """Clients with neither an API key nor a signed-in user, counted per IP address.

    The address is REMOTE_ADDR, or the one `NUM_PROXIES` (HIPKNEE_NUM_PROXIES) hops from the
    end of X-Forwarded-For behind that many trusted proxies, so a client cannot dodge the
    limit by sending its own X-Forwarded-For.
    """

    scope = "anon"
    setting = "HIPKNEE_THROTTLE_ANON"

    def get_cache_key(self, request, view):
        if request.auth is not None or request.user.is_authenticated:
            return None
        ident = self.get_ident(request) or "unknown"
        if not PLAIN_IDENT.fullmatch(ident):
            ident = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


class APIKeyRateThrottle(SettingsRateThrottle):
    """Requests with a valid X-API-Key, counted per key."""

    scope = "key"
    setting = "HIPKNEE_THROTTLE_KEY"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, APIKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}


class StaffRateThrottle(SettingsRateThrottle):
    """Signed-in staff (token or session), counted per user at the API-key rate."""

    scope = "user"
    setting = "HIPKNEE_THROTTLE_KEY"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class RateLimitHeadersMiddleware:
    """Adds the RateLimit-* headers measured by a throttle to the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        rate_limit = getattr(request, REQUEST_ATTRIBUTE, None)
        if rate_limit is not None:
            for name, value in rate_limit.headers().items():
                response.headers.setdefault(name, value)
        return response


#: The RateLimit-* headers, as the schema documents them.
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed in the window.",
    "RateLimit-Remaining": "Requests left in the window.",
    "RateLimit-Reset": "Seconds until the oldest counted request leaves the window.",
}


def document_rate_limits(result, generator, request, public):
    """drf-spectacular postprocessing hook: every API operation may answer 429.

    The response, the component `TooManyRequests`, is problem+json with Retry-After and the
    RateLimit-* headers.
    """
    problem = (
        {"$ref": "#/components/schemas/Problem"}
        if "Problem" in result.get("components", {}).get("schemas", {})
        else {"type": "object"}
    )
    headers = {
        "Retry-After": {
            "schema": {"type": "integer", "minimum": 1},
            "description": "Seconds to wait before retrying.",
        },
        **{
            name: {"schema": {"type": "integer", "minimum": 0}, "description": description}
            for name, description in RATE_LIMIT_HEADERS.items()
        },
        "RateLimit-Policy": {
            "schema": {"type": "string"},
            "description": 'The limit and its window in seconds, e.g. "60;w=60".',
        },
    }
    too_many = {
        "description": (
            "Too many requests: the rate limit of this client (anonymous clients per IP address, "
            "apps per API key, staff per user) is used up. Retry after Retry-After seconds."
        ),
        "headers": headers,
        "content": {"application/problem+json": {"schema": problem}},
    }
    result.setdefault("components", {}).setdefault("responses", {})["TooManyRequests"] = too_many
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "429", {"$ref": "#/components/responses/TooManyRequests"}
                )
    return result
