"""The response cache: what a public 200 is stored as, under which key, with which validators.

Every 200 of a public GET carries a strong `ETag` (a hash of the exact bytes and their media
type), `Last-Modified` where the response shows published rows, and `Cache-Control` (see
content/api/caching.py for the HTTP side). With `HIPKNEE_RESPONSE_CACHE` on (the default) the
bytes, media type, headers and validators of the first 200 for a URL go into Django's cache as
a `CachedResponse` under `response_key` (code fingerprint, scheme and host, path, query string,
negotiated media type), stamped with the content version it was rendered under
(content/caching/versions.py) and valid until the next moment time alone changes the content
(content/caching/validity.py). `response_store` writes it, and keeps a copy in this process
(`local_keep`); `versioned_get` reads the version and an entry together.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe

from content.caching.edge import edge_cache_control, edge_enabled, edge_lifetime, valid_until_now
from content.caching.etags import if_none_match
from content.caching.fingerprint import CODE_FINGERPRINT
from content.caching.validity import content_valid_until
from content.caching.versions import local_keep
from content.rules import review_overdue_at

logger = logging.getLogger(__name__)

#: Headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = ("Cache-Control", "Content-Location", "ETag", "Expires", "Vary",
                        "Surrogate-Control")
#: Headers the middleware adds to every response itself; never stored in an entry.
PER_REQUEST_HEADERS = frozenset({"content-length", "date", "set-cookie"})


def cache_control() -> str:
    """The Cache-Control of every public 200 and 304 (for the browser; with an edge
    configured, `CachedResponse.validators` adds the edge's lifetime)."""
    return (
        f"public, max-age={settings.HIPKNEE_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.HIPKNEE_CACHE_STALE_WHILE_REVALIDATE}"
    )


def entity_tag(content_type: str, body: bytes) -> str:
    """A strong ETag naming exactly these bytes of this media type."""
    digest = hashlib.blake2b(content_type.encode() + b"\n" + body, digest_size=16)
    return f'"{digest.hexdigest()}"'



def not_modified(request, etag: str, last_modified: int | None) -> bool:
    """RFC 9110 §13.2.2 for GET and HEAD: If-None-Match first; If-Modified-Since only without
    it, and only when the response has a Last-Modified."""
    value = request.META.get("HTTP_IF_NONE_MATCH")
    if value is not None:
        return if_none_match(value, etag)
    if_modified_since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since is None or last_modified is None:
        return False
    since = parse_http_date_safe(if_modified_since)
    return since is not None and last_modified <= since


def modified_at(row) -> float | None:
    """When the public response showing a loaded live row last changed: when it went live,
    or the start of the day its review became overdue, if that has come since."""
    moment = getattr(row, "updated_at", None)
    if moment is None:
        return None
    due = getattr(row, "next_review_due", None)
    overdue = review_overdue_at(due)
    if overdue is not None and moment < overdue <= timezone.now():
        moment = overdue
    return moment.timestamp()


def response_key(request, media_type: str) -> str:
    """Where the response to this GET in this media type is cached: a hash of the scheme,
    host, path and query string (absolute URLs in bodies follow the host)."""
    variant = "|".join(
        [
            request.scheme,
            request.get_host(),
            request.path,
            request.META.get("QUERY_STRING", ""),
            media_type,
        ]
    )
    digest = hashlib.blake2b(variant.encode(), digest_size=20).hexdigest()
    return f"response:{CODE_FINGERPRINT}:{digest}"


class CachedResponse:
    """A rendered 200: what a later request needs to answer without the view."""

    __slots__ = ("body", "headers", "etag", "last_modified", "version", "valid_until", "shared",
                 "content_until")

    def __init__(self, body, headers, etag, last_modified, version="", valid_until=0.0,
                 shared=False, content_until=None):
        self.body = body
        self.headers = headers
        self.etag = etag
        self.last_modified = last_modified
        self.version = version
        self.valid_until = valid_until
        #: Whether any request without credentials may have it without the view running.
        self.shared = shared
        #: When time alone makes it untrue (epoch seconds; inf: no such moment; None: not
        #: known yet). What bounds the edge's lifetime (content/caching/edge.py).
        self.content_until = content_until

    def __getstate__(self):
        return (self.body, self.headers, self.etag, self.last_modified, self.version,
                self.valid_until, self.shared, self.content_until)

    def __setstate__(self, state):
        (self.body, self.headers, self.etag, self.last_modified, self.version,
         self.valid_until, self.shared, self.content_until) = state

    def is_current(self, version: str, now: float) -> bool:
        """Rendered under this content version, and nothing has expired since."""
        return self.version == version and now < self.valid_until

    def validators(self) -> dict[str, str]:
        headers = {"ETag": self.etag, "Cache-Control": cache_control()}
        if edge_enabled():
            if self.content_until is None:
                self.content_until = valid_until_now()
            edge, surrogate = edge_cache_control(edge_lifetime(self.content_until))
            headers["Cache-Control"] += f", {edge}"
            headers["Surrogate-Control"] = surrogate
        if self.last_modified is not None:
            headers["Last-Modified"] = http_date(self.last_modified)
        return headers

    def response(self, request, rendered=None) -> HttpResponse:
        """The 200 (`rendered`, if given, else from the stored bytes), or the 304 when the
        request's validators match."""
        headers = {**dict(self.headers), **self.validators()}
        if not_modified(request, self.etag, self.last_modified):
            response = HttpResponseNotModified()
            for name in (*NOT_MODIFIED_HEADERS, "Last-Modified", "X-Frame-Options"):
                if name in headers:
                    response[name] = headers[name]
            # What Django's CommonMiddleware says on every 304 (it runs after the view, but
            # not after CachedResponseMiddleware): the same headers either way.
            response["Content-Length"] = "0"
        elif rendered is not None:
            response = rendered
            for name, value in self.validators().items():
                response[name] = value
        else:
            response = HttpResponse(self.body, headers=headers)
            response["Content-Length"] = str(len(self.body))
        response.hipknee_cached = True
        return response


def response_store(key: str, entry: CachedResponse, version: str, started: float) -> None:
    """Store `entry`, rendered under content `version` from a request that began at `started`
    (epoch seconds, taken before the content was read), for as long as it stays true and at
    most HIPKNEE_RESPONSE_CACHE_TTL seconds; and keep a copy in this process. Never raises: an
    unreachable cache is logged, and the next request renders again."""
    ttl = settings.HIPKNEE_RESPONSE_CACHE_TTL
    entry.version = version
    try:
        entry.content_until = content_valid_until(version, started)
        entry.valid_until = min(started + ttl, entry.content_until)
        timeout = entry.valid_until - time.time()
        if timeout > 0:
            cache.set(key, entry, timeout=max(1, int(timeout)))
            local_keep(key, entry)
    except Exception:
        logger.warning("Response cache unreachable; not stored.", exc_info=True)
