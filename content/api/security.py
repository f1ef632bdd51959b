"""Response hardening and input no database should see.

`ContentSecurityPolicyMiddleware` gives every response a Content-Security-Policy: HTML pages
(the admin, Swagger UI at /api/docs/, ReDoc at /api/redoc/) may load only this site's own
scripts, styles, images, fonts and schema (and ReDoc its vendor's logo); everything else
(JSON, problem+json, the schema) gets `default-src 'none'`. Neither may be framed, except a
page whose view answers `X-Frame-Options: SAMEORIGIN` (Django's `xframe_options_sameorigin`;
only the admin's public preview, framed beside the change form): its policy says
`frame-ancestors 'self'`, so the two headers always agree.

`RequestGuardMiddleware` refuses NUL characters before any view runs: PostgreSQL cannot store
or compare text containing U+0000, so a NUL that reached a query would be a 500. A NUL in a
header or a query parameter is 400 problem+json naming the parameter; in the path it is 404.

`PrivateResponseMiddleware` marks every response under /api/v1/editorial/ (drafts, reviews,
webhook subscribers) `Cache-Control: private, no-store`, whatever answered it: a view, an
error of DRF or of the middleware below it (400, 413, 429), Django's 404 or a redirect. No
browser or shared cache keeps an unpublished draft.
"""

import functools

from django.http import JsonResponse
from django.urls import reverse

from content.api.errors import PROBLEM_CONTENT_TYPE, not_found, problem

#: Policy of HTML pages. Swagger UI and ReDoc are self-hosted (drf-spectacular-sidecar) and
#: load no inline script (docs use SpectacularSwaggerSplitView, ReDoc a template without
#: web fonts); both inject inline styles and ReDoc runs a web worker from a blob: URL.
HTML_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
#: ReDoc (the page named "redoc") always shows Redocly's logo from their CDN, an image and
#: nothing more; that one host may serve images to that one page.
REDOC_POLICY = HTML_POLICY.replace(
    "img-src 'self' data: blob:", "img-src 'self' data: blob: https://cdn.redoc.ly"
)
#: Policy of an HTML page that pages of this site may frame (the view said SAMEORIGIN).
FRAMEABLE_POLICY = HTML_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
#: Policy of everything that is not HTML: nothing may load, nothing may frame it.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"

NUL = "\x00"
#: The Cache-Control of every editorial response.
PRIVATE_CACHE_CONTROL = "private, no-store"


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy on every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy(request, response)
        return response

    @staticmethod
    def policy(request, response) -> str:
        if not response.get("Content-Type", "").startswith("text/html"):
            return DATA_POLICY
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            return FRAMEABLE_POLICY
        match = getattr(request, "resolver_match", None)
        return REDOC_POLICY if match and match.url_name == "redoc" else HTML_POLICY


def _nul_problem(field: str, message: str) -> JsonResponse:
    body = problem(
        400, "invalid", f"{field}: {message}",
        errors=[{"field": field, "message": message, "code": "null_characters_not_allowed"}],
    )
    return JsonResponse(body, status=400, content_type=PROBLEM_CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


class RequestGuardMiddleware:
    """Refuses NUL characters in headers, the path and query parameters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, value in request.META.items():
            if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
                header = key[5:].replace("_", "-").title()
                return _nul_problem(header, "Headers must not contain NUL characters.")
        if NUL in request.path:
            return not_found(request)
        for name, values in request.GET.lists():
            if NUL in name or any(NUL in value for value in values):
                field = name.replace(NUL, "\\u0000")
                return _nul_problem(field, "Query parameters must not contain NUL characters.")
        return self.get_response(request)


@functools.cache
def _editorial_prefix() -> str:
    """/api/v1/editorial (without its slash: the unslashed path is redirected, privately)."""
    return f"{reverse('api:index')}editorial"


class PrivateResponseMiddleware:
    """`Cache-Control: private, no-store` on every editorial response. Listed before every
    middleware that may answer a request itself, so that their answers get it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(_editorial_prefix()):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response
