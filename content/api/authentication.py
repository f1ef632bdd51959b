"""API keys for third-party apps: `X-API-Key: <key>` raises the rate limit, counted per key.

Keys are djangorestframework-api-key's `APIKey` rows (only a hash is stored); they are made in
the admin or with `manage.py create_api_key NAME`. A request without the header (or with an
empty one) is anonymous. A header that names no usable key (malformed, unknown, revoked or
expired) is refused with 401 problem+json, so an integrator notices a wrong key at once instead
of silently falling back to the anonymous limit.

A key is looked up by one indexed query on its prefix, then its hash is checked. The query is
the library's own (`APIKey.objects.get_usable_keys().get(prefix=...)`), compiled once per
process: building it anew with the ORM each time cost more than all the rest of a cached
answer. Each process then trusts a key it has found usable for ``HIPKNEE_API_KEY_CHECK``
seconds (1 by default; 0 looks it up on every request) before looking it up again
(`_KeyCheck`; one request of a process looks it up at a time, content/caching/refresh.py): a
cached answer then needs no database at all, and a revoked key is refused everywhere within
that second and the one lookup in flight. Expiry is checked on every request (it needs no
query), so an expired key is refused from the moment it expires.
"""

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.models import APIKey

from content.caching.refresh import Refresh

#: The request header carrying the key, and its WSGI name.
API_KEY_HEADER = "X-API-Key"
API_KEY_META = "HTTP_X_API_KEY"
#: The shape of a key: an 8-character prefix, a dot and a 32-character secret (letters and
#: digits). Anything else is refused without a database query.
KEY_FORMAT = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


#: A prefix no key has, standing in for the real one while the query is compiled.
_PREFIX_PLACEHOLDER = "\x00prefix\x00"


@functools.cache
def _usable_key_query() -> tuple[str, str, tuple, int, list[str], list]:
    """(database alias, SQL, parameters, where the prefix goes, column names, column
    expressions) of the query for the usable key with a given prefix."""
    queryset = APIKey.objects.get_usable_keys().filter(prefix=_PREFIX_PLACEHOLDER)
    compiler = queryset.query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    expressions = [expression for expression, _, _ in compiler.select]
    return (queryset.db, sql, tuple(params), params.index(_PREFIX_PLACEHOLDER),
            [expression.target.attname for expression in expressions], expressions)


def usable_key(raw: str) -> APIKey:
    """The unrevoked key whose prefix and hash match `raw`, as
    `APIKey.objects.get_from_key(raw)` finds it; raises APIKey.DoesNotExist."""
    alias, sql, params, at, columns, expressions = _usable_key_query()
    params = (*params[:at], raw.partition(".")[0], *params[at + 1:])
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchmany(2)
    if len(rows) != 1:  # none (or, as get() would refuse, several)
        raise APIKey.DoesNotExist
    row = list(rows[0])
    for index, expression in enumerate(expressions):  # as the ORM converts values it reads
        for convert in (*connection.ops.get_db_converters(expression),
                        *expression.get_db_converters(connection)):
            row[index] = convert(row[index], expression, connection)
    api_key = APIKey.from_db(alias, columns, row)
    if not api_key.is_valid(raw):
        raise APIKey.DoesNotExist
    return api_key


class _KeyCheck:
    """The keys this process has found usable, each trusted for HIPKNEE_API_KEY_CHECK seconds
    from its lookup (by this clock), and while another request looks it up again (`Refresh`:
    one lookup at a time, not one per request in flight), at most `LIMIT` of them, the least
    recently used going first. Only usable keys are kept: an unknown or revoked one is looked
    up each time. Kept by a hash of the whole key, never the key itself."""

    LIMIT = 1024

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._refresh = Refresh()
        self._found: OrderedDict[bytes, tuple[APIKey, float]] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._found.clear()

    def get(self, raw: str) -> APIKey | None:
        """The usable key `raw` names (None if there is none), from this process's memory while
        it is recent enough, else from the database."""
        interval = float(getattr(settings, "HIPKNEE_API_KEY_CHECK", 0) or 0)
        digest = hashlib.sha256(raw.encode()).digest()
        now = self.clock()
        found = None
        if interval > 0:
            with self._lock:
                found = self._found.get(digest)
                if found is not None and now - found[1] < interval:
                    self._found.move_to_end(digest)
                    return found[0]
        with self._refresh.reading(digest) as mine:
            if not mine and found is not None:  # another request is looking it up
                return found[0]
            try:
                api_key = usable_key(raw)
            except APIKey.DoesNotExist:
                api_key = None
            with self._lock:
                if api_key is None or interval <= 0:
                    self._found.pop(digest, None)
                else:
                    self._found[digest] = (api_key, now)
                    self._found.move_to_end(digest)
                    while len(self._found) > self.LIMIT:
                        self._found.popitem(last=False)
        return api_key


_key_check = _KeyCheck()


def key_check_clear() -> None:
    """Forget the keys this process trusts (tests)."""
    _key_check.clear()


def key_named(raw: str) -> APIKey | None:
    """The usable key an X-API-Key value (stripped, not empty) names; None for a malformed,
    unknown, revoked or expired one (revoked: within HIPKNEE_API_KEY_CHECK seconds, see the
    module). CachedResponseMiddleware (content/api/caching.py) authenticates keys with it
    too."""
    if not KEY_FORMAT.fullmatch(raw):
        return None
    api_key = _key_check.get(raw)
    return None if api_key is None or api_key.has_expired else api_key


class InvalidAPIKey(exceptions.APIException):
    """An X-API-Key header that names no usable key."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = (
        "The X-API-Key header does not name a valid API key (it is unknown, revoked or "
        "expired). Send a valid key, or no X-API-Key header to read anonymously."
    )
    default_code = "invalid_api_key"
    auth_header = f'ApiKey header="{API_KEY_HEADER}"'


class APIKeyAuthentication(BaseAuthentication):
    """Identify a third-party app by its API key; the user stays anonymous.

    On success `request.auth` is the `APIKey`, which the throttles count against.
    """

    def authenticate(self, request):
        raw = request.META.get(API_KEY_META, "").strip()
        if not raw:
            return None
        api_key = key_named(raw)
        if api_key is None:
            raise InvalidAPIKey()
        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return InvalidAPIKey.auth_header


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents X-API-Key as the `ApiKeyAuth` security scheme."""

    target_class = APIKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": API_KEY_HEADER,
            "description": (
                "Optional for the public read API. Anonymous clients are rate-limited per IP "
                "address (HIPKNEE_THROTTLE_ANON, e.g. 60/min); a key raises the limit "
                "(HIPKNEE_THROTTLE_KEY, e.g. 1000/min), counted per key. Every rate-limited "
                "response carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset; a "
                "refused one is 429 with Retry-After. A key that is unknown, revoked or expired "
                "is refused with 401."
            ),
        }
