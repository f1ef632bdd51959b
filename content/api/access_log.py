"""Request ids and structured logs: one JSON object per line, each naming its request.

`RequestLogMiddleware` (outermost) takes the request id from an incoming `X-Request-ID` when it
is 1-128 characters of [A-Za-z0-9._-], or makes one; it echoes it as `X-Request-ID` on every
response and writes one access record per request to the `hipknee.access` logger: method, path
(never the query string, which may carry a reader's health searches), status, duration_ms, and
the signed-in user or the API key's name. `content.api.log_format.JSONFormatter` puts the
current request id on every record logged while the request runs, errors and their tracebacks
included.
"""

import logging
import re
import time
import uuid

from django.utils.functional import SimpleLazyObject, empty
from rest_framework_api_key.models import APIKey

from content.api.log_format import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9._-]{1,128}")

access_logger = logging.getLogger("hipknee.access")


def _username(request) -> str | None:
    """The signed-in user's name, without loading a session nobody has looked at."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.get_username()


class RequestLogMiddleware:
    """Request id in, X-Request-ID out, and one access record per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if REQUEST_ID_FORMAT.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            auth = getattr(request, "auth", None)
            access_logger.log(
                logging.ERROR if response.status_code >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user": _username(request),
                    "api_key": auth.name if isinstance(auth, APIKey) else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
