"""Top-level routes: admin, the v1 API, the OpenAPI schema and its docs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("content.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

handler400 = "content.api.errors.bad_request"
handler403 = "content.api.errors.permission_denied"
handler404 = "content.api.errors.not_found"
handler500 = "content.api.errors.server_error"
