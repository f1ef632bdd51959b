"""Routes of /api/v1/: the public read API and, under editorial/, the editorial API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from content.api import views
from content.api.feed import ChangeFeedView
from content.api.search import SearchView

app_name = "api"

#: Public read-only routes; URL names are `api:<type>-list` and `api:<type>-detail`.
router = SimpleRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("conditions", views.ConditionViewSet, basename="condition")
router.register("causes", views.CauseViewSet, basename="cause")
router.register("symptoms", views.SymptomViewSet, basename="symptom")
router.register("warning-signs", views.WarningSignViewSet, basename="warning_sign")
router.register("treatments", views.TreatmentViewSet, basename="treatment")

urlpatterns = [
    path("", views.ApiIndexView.as_view(), name="index"),
    path("editorial/", include("content.api.editorial.urls")),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("search/", SearchView.as_view(), name="search"),
    *router.urls,
]
