"""Every error under /api/ as application/problem+json (RFC 9457).

Body: `type` (a stable URN per problem), `title`, `status`, `detail`, `code` (the same
stable code, for clients that switch on it) and, for validation errors, `errors`: a list of
`{"field", "message", "code"}`. Domain errors from services map to statuses here, and
Django-level failures (unknown path, body too large, server error) use the same shape. A
database that cannot answer is 503 `database_unavailable` with `Retry-After`, never a 500.
"""

import logging
import sys

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from content.exceptions import (
    ActionForbidden,
    ContentError,
    ContentInvalid,
    InvalidTransition,
    ReviewRequired,
    SelfApproval,
    StaleRevision,
    UnpublishedReference,
)

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
#: Errors of a database that cannot answer now (unreachable, connection lost, lock or
#: statement timeout, deadlock): 503 with Retry-After, not 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
#: Seconds a client should wait before retrying after a 503 (as /readyz says).
RETRY_AFTER_SECONDS = 5

#: HTTP status of each domain error.
DOMAIN_STATUS = {
    ContentInvalid: status.HTTP_400_BAD_REQUEST,
    StaleRevision: status.HTTP_412_PRECONDITION_FAILED,
    ReviewRequired: status.HTTP_409_CONFLICT,
    UnpublishedReference: status.HTTP_409_CONFLICT,
    InvalidTransition: status.HTTP_409_CONFLICT,
    SelfApproval: status.HTTP_403_FORBIDDEN,
    ActionForbidden: status.HTTP_403_FORBIDDEN,
}

TITLES = {
    400: "The request is not valid.",
    401: "Authentication is required.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict with the current state.",
    411: "Length required.",
    412: "Precondition failed.",
    413: "The request body is too large.",
    414: "The request URI is too long.",
    415: "Unsupported media type.",
    428: "Precondition required.",
    429: "Too many requests.",
    431: "The request header fields are too large.",
    500: "Internal server error.",
    503: "Service unavailable.",
}


class PreconditionRequired(exceptions.APIException):
    """A write that must name the revision it is based on did not send If-Match."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the revision you edited."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    """If-Match did not name the current revision; `etag` (the current one) is sent back in
    the response's ETag header. Same problem type and title as the services' StaleRevision."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = StaleRevision.title
    default_code = StaleRevision.code
    title = StaleRevision.title

    def __init__(self, detail: str | None = None, *, etag: str | None = None) -> None:
        super().__init__(detail)
        self.response_headers = {"ETag": etag} if etag else {}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than 1 MB."
    default_code = "payload_too_large"


def problem(status_code: int, code: str, detail: str, *, title: str | None = None,
            errors: list | None = None) -> dict:
    """The problem+json body for one error."""
    body = {
        "type": f"urn:hipknee:problem:{code.replace('_', '-')}",
        "title": title or TITLES.get(status_code, "Error."),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def flatten_errors(detail, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested ValidationError detail as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        flat = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                field = prefix or "non_field_errors"
            elif isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                field = f"{prefix}[{key}]"  # a ListField reports its entries by index
            else:
                field = f"{prefix}.{key}" if prefix else str(key)
            flat.extend(flatten_errors(value, field))
        return flat
    if isinstance(detail, list):
        flat = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                flat.extend(flatten_errors(value, f"{prefix}[{index}]"))
            else:
                flat.extend(flatten_errors(value, prefix))
        return flat
    return [{
        "field": prefix or "non_field_errors",
        "message": str(detail),
        "code": getattr(detail, "code", None) or "invalid",
    }]


class ProblemResponse(Response):
    """Always JSON, whatever the view negotiated (the YAML schema, the HTML docs pages)."""

    @property
    def rendered_content(self):
        self.accepted_renderer = JSONRenderer()
        self.accepted_media_type = PROBLEM_CONTENT_TYPE
        return super().rendered_content


def problem_response(body: dict, headers: dict | None = None) -> Response:
    return ProblemResponse(body, status=body["status"], headers=headers,
                           content_type=PROBLEM_CONTENT_TYPE)


def database_unavailable_problem() -> tuple[dict, dict]:
    """The 503 body and headers answered while the database cannot answer."""
    body = problem(503, "database_unavailable",
                   "The database could not answer; try again in a few seconds.")
    return body, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def problem_exception_handler(exc, context):
    """DRF exception handler: every exception a view raises becomes problem+json."""
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("The database could not answer.", exc_info=exc)
        body, headers = database_unavailable_problem()
        return problem_response(body, headers)
    if isinstance(exc, ContentError):
        status_code = DOMAIN_STATUS.get(type(exc), status.HTTP_409_CONFLICT)
        errors = getattr(exc, "errors", None)
        return problem_response(problem(status_code, exc.code, exc.detail, title=exc.title,
                                        errors=errors))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handler answers (problem+json, no trace)

    headers = dict(getattr(exc, "response_headers", None) or {})
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(
            problem(400, "invalid", detail or "The request is not valid.", errors=errors),
            headers,
        )
    if isinstance(exc, exceptions.ParseError):
        detail = f"The request body could not be parsed: {exc.detail}"
        errors = [{"field": "non_field_errors", "message": detail, "code": "malformed_request"}]
        return problem_response(
            problem(400, "malformed_request", detail, errors=errors), headers
        )
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        errors = flatten_errors(detail)
        return problem_response(
            problem(exc.status_code, exc.default_code, "; ".join(e["message"] for e in errors),
                    errors=errors),
            headers,
        )
    code = getattr(detail, "code", None) or exc.default_code
    return problem_response(
        problem(exc.status_code, code, str(detail), title=getattr(exc, "title", None)), headers
    )


def _json_problem(body: dict) -> JsonResponse:
    return JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


def method_not_allowed(request, allowed: tuple[str, ...]) -> JsonResponse:
    """A 405 problem naming the request's method, with `Allow`, for the plain Django views
    outside DRF (the landing document, the health checks)."""
    response = JsonResponse(
        problem(405, "method_not_allowed", f'Method "{request.method}" not allowed.'),
        status=405,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    response["Allow"] = ", ".join(allowed)
    return response


def not_found(request, exception=None):
    """handler404: problem+json for every unknown path."""
    return _json_problem(problem(404, "not_found", f"No resource at {request.path}."))


def slash_missing(request, url: str):
    """A method other than GET or HEAD on a path missing its trailing slash: 404 naming the
    URL to use (never a redirect, which would lose the body or the method)."""
    return _json_problem(problem(
        404, "slash_missing",
        f"No resource at {request.path}: the URL ends with a slash. "
        f"Send the {request.method} to {url}.",
    ))


def length_required(request):
    """A request body whose length the server did not establish (Transfer-Encoding without a
    decoded, terminated input): 411, never an edit made of an unread, empty body."""
    return _json_problem(problem(
        411, "length_required",
        "Send the request body with a Content-Length header: this server cannot read a body "
        f"sent with Transfer-Encoding: {request.META.get('HTTP_TRANSFER_ENCODING', '')}.",
    ))


def server_error(request):
    """handler500: a problem+json body that reveals nothing of the failure; 503 with
    Retry-After when the failure is the database's (outside DRF views, e.g. the admin)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        body, headers = database_unavailable_problem()
        response = _json_problem(body)
        for name, value in headers.items():
            response[name] = value
        return response
    return _json_problem(problem(500, "server_error", "Something went wrong on our side."))


def bad_request(request, exception=None):
    """handler400 (e.g. a disallowed Host header, a request too large to parse)."""
    if isinstance(exception, RequestDataTooBig):
        return _json_problem(
            problem(413, "payload_too_large", "The request body is larger than 1 MB.")
        )
    return _json_problem(problem(400, "bad_request", "The request could not be understood."))


def permission_denied(request, exception=None):
    """handler403."""
    return _json_problem(
        problem(403, "permission_denied", "You do not have permission to do this.")
    )
