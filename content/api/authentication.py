"""API keys for third-party apps: `X-API-Key: <key>` raises the rate limit, counted per key.

Keys are djangorestframework-api-key's `APIKey` rows (only a hash is stored); they are made in
the admin or with `manage.py create_api_key NAME`. A request without the header (or with an
empty one) is anonymous. A header that names no usable key (malformed, unknown, revoked or
expired) is refused with 401 problem+json, so an integrator notices a wrong key at once instead
of silently falling back to the anonymous limit.
"""

import re

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication
from rest_framework_api_key.models import APIKey

#: The request header carrying the key, and its WSGI name.
API_KEY_HEADER = "X-API-Key"
API_KEY_META = "HTTP_X_API_KEY"
#: The shape of a key: an 8-character prefix, a dot and a 32-character secret (letters and
#: digits). Anything else is refused without a database query.
KEY_FORMAT = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


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
        if not KEY_FORMAT.fullmatch(raw):
            raise InvalidAPIKey()
        try:
            api_key = APIKey.objects.get_from_key(raw)
        except APIKey.DoesNotExist:
            raise InvalidAPIKey() from None
        if api_key.has_expired:
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
