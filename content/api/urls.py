"""Routes of /api/v1/: the public read API and, under editorial/, the editorial API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from content.api import views
from content.api.feed import ChangeFeedView
from content.api.lookup import LookupView
from content.api.search import SearchView
from content.types import registry

app_name = "api"

#: Public read-only routes; URL names are `api:<type>-list` and `api:<type>-detail`.
router = SimpleRouter()
for name, viewset in views.VIEWSETS.items():
    router.register(registry[name].path, viewset, basename=name)

urlpatterns = [
    path("", views.ApiIndexView.as_view(), name="index"),
    path("editorial/", include("content.api.editorial.urls")),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("search/", SearchView.as_view(), name="search"),
    path("lookup/", LookupView.as_view(), name="lookup"),
    *router.urls,
]
