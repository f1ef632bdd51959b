"""Top-level routes: a landing document, admin, the v1 API, the OpenAPI schema and its docs,
health checks."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from content import health, landing

urlpatterns = [
    path("", landing.index, name="landing"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("content.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's start-up script is a separate request and ReDoc loads no web fonts, so both
    # run under a script-src 'self' Content-Security-Policy (content/api/security.py).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="hipknee/redoc.html"),
        name="redoc",
    ),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "content.api.errors.bad_request"
handler403 = "content.api.errors.permission_denied"
handler404 = "content.api.errors.not_found"
handler500 = "content.api.errors.server_error"
