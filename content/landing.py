"""GET /: where a person or a client that found the host goes next (the admin's "View site"
link lands here too).

A small JSON document, the same for every Accept: the name of the service and the absolute
URLs of the public API's index, its documentation (Swagger UI and ReDoc), the OpenAPI schema
and the admin. It reads nothing, so it is public and cacheable like every public 200
(`Cache-Control` as content/api/caching.py sets it). GET and HEAD only; any other method is a
problem+json 405.
"""

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse

from content.api.errors import method_not_allowed
from content.caching.responses import cache_control

ALLOWED_METHODS = ("GET", "HEAD")


def index(request):
    """The landing document."""
    if request.method not in ALLOWED_METHODS:
        return method_not_allowed(request, ALLOWED_METHODS)

    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(name))

    response = JsonResponse({
        "name": settings.SPECTACULAR_SETTINGS["TITLE"],
        "api": absolute("api:index"),
        "docs": absolute("swagger-ui"),
        "redoc": absolute("redoc"),
        "schema": absolute("schema"),
        "admin": absolute("admin:index"),
    })
    response["Cache-Control"] = cache_control()
    return response
