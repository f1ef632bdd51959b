"""Routes of /api/v1/: the public read API and, under editorial/, the editorial API."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("editorial/", include("content.api.editorial.urls")),
]
