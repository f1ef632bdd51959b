"""HTTP caching of the public read API: validators, conditional GET, Cache-Control, and the
response cache (content/caching/). A public view opts in by putting `CachedResponseMixin`
first among its bases.

Every 200 carries a strong `ETag` (a hash of the exact bytes and their media type, so it is the
same for as long as the body is, and different as soon as anything in it changes, a related
item included), `Last-Modified` where the response shows published rows (a detail: when its
live revision went live; a list: the newest on the page; later if a review has since become
overdue), and `Cache-Control: public, max-age=HIPKNEE_CACHE_MAX_AGE,
stale-while-revalidate=HIPKNEE_CACHE_SWR`. `If-None-Match` (weak comparison, `*` included)
or, without it, `If-Modified-Since` answers 304 with no body and the same validators. Errors
are `Cache-Control: no-store`.

With `HIPKNEE_RESPONSE_CACHE` on (the default), the first request for a URL renders it once;
the bytes, media type, headers and validators go into Django's cache under (code fingerprint,
scheme and host, path, query string, negotiated media type), stamped with the content version
it was rendered under and valid until the next moment time alone changes the content
(content/caching/responses.py). Later requests, conditional or not, read the version and the
entry in one round trip and, if the entry is of the current version and still valid, are
answered from it after authentication and rate limiting but before any view code: no rendering
and no database query (one, to read the version, when the cache is private to each process). A
publish, unpublish or expiry moves the version on, so no request is ever answered from a
response rendered from older content; the next one renders and overwrites it.
"""

import functools
import logging
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings

from content.api.authentication import API_KEY_META, KEY_FORMAT, key_named
from content.caching import renderings
from content.caching.edge import key_headers, response_keys
from content.caching.responses import (
    PER_REQUEST_HEADERS,
    CachedResponse,
    entity_tag,
    modified_at,
    response_key,
    response_store,
)
from content.caching.versions import versioned_get

logger = logging.getLogger(__name__)

CACHEABLE_METHODS = ("GET", "HEAD")
#: Where CachedResponseMiddleware leaves its lookup for the view: (key, version, entry, time).
LOOKUP_ATTRIBUTE = "hipknee_cache_lookup"
XFRAME_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"


_NOT_STORED = object()


class _Answered(Exception):
    """Raised from `initial()` to answer from the cache; caught by `handle_exception()`."""

    def __init__(self, response):
        self.response = response


#: The conditional request headers and the validators of every 200, in the OpenAPI schema.
CACHING_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="ETags of representations you hold (or `*`): 304 without a body if one "
        "is current (weak comparison).",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An HTTP-date: 304 without a body if the response has a Last-Modified no "
        "later. Ignored when If-None-Match is sent; prefer If-None-Match, which also notices "
        "changes to related items that Last-Modified does not date.",
    ),
    OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="Strong validator of exactly this body (and media type); it changes "
        "whenever the body does, e.g. after a publish, an unpublish or an expiry.",
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="When the item (a list: the newest item on the page) went live, or its "
        "review fell overdue. Absent where nothing published is shown (the index, search, "
        "an empty page).",
    ),
    OpenApiParameter(
        "Cache-Control",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="`public, max-age=<HIPKNEE_CACHE_MAX_AGE>, "
        "stale-while-revalidate=<HIPKNEE_CACHE_SWR>` (60 and 300 seconds by default).",
    ),
]

NOT_MODIFIED_DESCRIPTION = (
    "If-None-Match named the current ETag (or, without it, If-Modified-Since is no earlier "
    "than Last-Modified): no body; the ETag, Last-Modified and Cache-Control of the 200."
)


class CachedResponseSchema(AutoSchema):
    """Documents the conditional headers, the validators and the 304 of every public GET."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "GET":
            return [*parameters, *CACHING_PARAMETERS]
        return parameters

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self.method == "GET":
            headers = operation["responses"].get("200", {}).get("headers", {})
            operation["responses"]["304"] = {
                "description": NOT_MODIFIED_DESCRIPTION,
                "headers": dict(headers),
            }
        return operation


class CachedResponseMixin:
    """Validators, conditional GET, Cache-Control and the response cache for a public
    GET view (see the module). Put it before the DRF view class among the bases."""

    schema = CachedResponseSchema()
    #: Actions whose plain JSON publishing renders and stores (content/caching/renderings.py).
    stored_rendering_actions = ("retrieve", "section")

    def initial(self, request, *args, **kwargs):
        self.shown_rows = []
        self.cache_key = None
        super().initial(request, *args, **kwargs)  # authentication, permissions, rate limits
        if request.method not in CACHEABLE_METHODS:
            return
        if settings.HIPKNEE_RESPONSE_CACHE:
            self._from_cache(request)
        stored = self._from_storage(request)
        if stored is not None:
            raise _Answered(stored)

    def _from_cache(self, request) -> None:
        """Answer from the response cache, or note where to store the answer."""
        key = self._cache_key(request)
        looked_up = getattr(request._request, LOOKUP_ATTRIBUTE, None)
        if looked_up is not None and looked_up[0] == key:  # by CachedResponseMiddleware
            _, version, entry, started = looked_up
        else:
            started = time.time()
            try:
                version, entry = versioned_get(key)
            except Exception:
                logger.warning("Response cache unreachable; rendering.", exc_info=True)
                return
        if entry is not None and entry.is_current(version, started):
            raise _Answered(entry.response(request))
        self.cache_key, self.cache_version, self.cache_started = key, version, started

    def _from_storage(self, request) -> HttpResponse | None:
        """The body stored when the content was published (one indexed query), for the plain
        JSON of a detail or section without query parameters."""
        http = request._request
        if (
            getattr(self, "action", None) not in self.stored_rendering_actions
            or not renderings.enabled()
            or http.META.get("QUERY_STRING")
            or request.accepted_media_type != "application/json"
        ):
            return None
        found = renderings.rendering_for(http.path, timezone.now())
        if found is None:
            return None
        body, last_modified = found
        origin = f"{http.scheme}://{http.get_host()}"
        response = HttpResponse(
            renderings.with_origin(body, origin), content_type="application/json"
        )
        response.hipknee_stored = last_modified
        return response

    def _cache_key(self, request) -> str:
        # The Django request, without DRF's attribute proxy.
        return response_key(request._request, request.accepted_media_type or "")

    def handle_exception(self, exc):
        if isinstance(exc, _Answered):
            return exc.response
        return super().handle_exception(exc)

    def get_object(self):
        row = super().get_object()
        self.shown_rows = [*getattr(self, "shown_rows", ()), row]
        return row

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.shown_rows = [*getattr(self, "shown_rows", ()), *page]
        return page

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(response, "hipknee_cached", False):
            return response
        if response.status_code >= 400:
            response["Cache-Control"] = "no-store"
            return response
        stored = getattr(response, "hipknee_stored", _NOT_STORED)
        if (
            request.method not in CACHEABLE_METHODS
            or response.status_code != 200
            or (stored is _NOT_STORED and not isinstance(response, Response))
        ):
            return response
        if stored is _NOT_STORED:
            response.render()
            modified = [m for m in map(modified_at, getattr(self, "shown_rows", ())) if m]
            last_modified = int(max(modified)) if modified else None
        else:  # the body stored at publish time
            last_modified = int(stored.timestamp()) if stored is not None else None
        # What the middleware after CachedResponseMiddleware adds to this response, said on
        # every copy of it (the middleware answers copies before that middleware runs):
        if getattr(getattr(request._request, "session", None), "accessed", False):
            patch_vary_headers(response, ["Cookie"])  # SessionMiddleware
        if (
            XFRAME_MIDDLEWARE in settings.MIDDLEWARE
            and not response.has_header("X-Frame-Options")
            and not getattr(response, "xframe_options_exempt", False)
        ):
            response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY")
        # What it shows, for an edge cache (content/caching/edge.py), stored with it.
        for name, value in key_headers(response_keys(request._request.path,
                                                     response.content)).items():
            response[name] = value
        headers = tuple(
            (name, value)
            for name, value in response.items()
            if name.lower() not in PER_REQUEST_HEADERS
        )
        entry = CachedResponse(
            body=response.content,
            headers=headers,
            etag=entity_tag(response["Content-Type"], response.content),
            last_modified=last_modified,
            shared=self._answer_is_shared(),
        )
        if getattr(self, "cache_key", None) is not None:
            self._store(entry)
        return entry.response(request, rendered=response)

    def _answer_is_shared(self) -> bool:
        """Whether CachedResponseMiddleware may give this answer to any request without
        credentials: the view lets anyone read and authenticates and rate-limits as every
        view does by default (which the middleware repeats)."""
        return (
            all(permission is AllowAny for permission in self.permission_classes)
            and list(self.authentication_classes)
            == list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
            and list(self.throttle_classes) == list(api_settings.DEFAULT_THROTTLE_CLASSES)
        )

    def _store(self, entry: CachedResponse) -> None:
        response_store(self.cache_key, entry, self.cache_version, self.cache_started)


#: Accept headers DRF answers with JSON on every public view (its first renderer).
PLAIN_ACCEPT = frozenset({None, "", "*/*", "application/json"})
#: Requests carrying any of these are authenticated by DRF (a token, a session); they always
#: go through the view. An X-API-Key is authenticated here, as DRF would.
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION",)


class _PublicRequest:
    """A request without a signed-in user as DRF's throttles see it once authenticated: an
    anonymous user and `auth` (None, or the API key); everything else is the Django
    request's (as DRF's Request proxies it)."""

    def __init__(self, request, auth=None) -> None:
        self._request = request
        self.user = AnonymousUser()
        self.auth = auth

    def __getattr__(self, name):
        return getattr(self._request, name)


@functools.cache
def _public_prefix() -> str:
    return reverse("api:index")


@functools.cache
def _uncached_prefixes() -> tuple[str, ...]:
    """Paths under the public prefix that never have an entry: no lookup for them."""
    return (f"{reverse('api:index')}editorial/", reverse("api:changes"))


class CachedResponseMiddleware:
    """Answers a public GET or HEAD without credentials from the response cache before
    URL resolution and DRF run. It goes after the middleware that guards and labels every
    request (logging, security headers, CORS, rate-limit headers, input guards) and before
    the sessions, authentication, messages and CSRF machinery, which an anonymous read does
    not use; the headers those add to a response are stored with it, so that an answer from
    here is byte for byte and header for header the view's (a test compares them).

    It answers only what the view would answer the same way: a request with no Authorization
    header and no session cookie (DRF would see an anonymous user), either without an
    X-API-Key or with one naming a usable key (authenticated here by the very lookup of
    APIKeyAuthentication, so `request.auth` is that key, as DRF would set it), an Accept that
    DRF meets with JSON and no `format` parameter, and an entry that the view marked as shared
    (it lets anyone read, with the default authentication and rate limits). The rate limits
    are applied here exactly as DRF applies them after that authentication; a request they
    refuse, or a key that names no usable one, goes on to the view, which refuses it in the
    usual problem+json way (429, 401). Everything else goes on to the view, whose own cache
    lookup (after DRF's authentication, negotiation and rate limits) answers it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._answer(request) or self.get_response(request)

    def _answer(self, request):
        meta = request.META
        if (
            request.method not in CACHEABLE_METHODS
            or not settings.HIPKNEE_RESPONSE_CACHE
            or not request.path.startswith(_public_prefix())
            or request.path.startswith(_uncached_prefixes())
            or meta.get("HTTP_ACCEPT") not in PLAIN_ACCEPT
            or any(name in meta for name in CREDENTIAL_HEADERS)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or api_settings.URL_FORMAT_OVERRIDE in request.GET
        ):
            return None
        raw_key = meta.get(API_KEY_META, "").strip()
        if raw_key and not KEY_FORMAT.fullmatch(raw_key):
            return None  # the view answers 401, without a query
        started = time.time()
        try:
            key = response_key(request, "application/json")
            version, entry = versioned_get(key)
        except DisallowedHost:
            return None  # the view answers 400
        except Exception:
            logger.warning("Response cache unreachable; rendering.", exc_info=True)
            return None
        # The view reuses this lookup rather than reading the version again.
        setattr(request, LOOKUP_ATTRIBUTE, (key, version, entry, started))
        if entry is None or not entry.shared or not entry.is_current(version, started):
            return None
        api_key = None
        if raw_key:
            api_key = key_named(raw_key)
            if api_key is None:
                return None  # the view answers 401
            request.auth = api_key  # as DRF sets it (the access log names the key)
        public = _PublicRequest(request, api_key)
        for throttle in api_settings.DEFAULT_THROTTLE_CLASSES:
            if not throttle().allow_request(public, None):
                return None
        return entry.response(request)

