"""Routes of /api/v1/editorial/: the same operations for each of the six types."""

from django.urls import path

from content.api.editorial.views import editorial_viewsets
from content.api.editorial.webhooks import WebhookViewSet

app_name = "editorial"

urlpatterns = []
for type_path, viewset in editorial_viewsets().items():
    urlpatterns += [
        path(f"{type_path}/", viewset.as_view({"get": "list", "post": "create"}),
             name=f"{type_path}-list"),
        path(f"{type_path}/<slug:slug>/",
             viewset.as_view({"get": "retrieve", "patch": "partial_update"}),
             name=f"{type_path}-detail"),
        path(f"{type_path}/<slug:slug>/revisions/", viewset.as_view({"get": "revisions"}),
             name=f"{type_path}-revisions"),
        path(f"{type_path}/<slug:slug>/revisions/<int:number>/",
             viewset.as_view({"get": "revision"}), name=f"{type_path}-revision-detail"),
        path(f"{type_path}/<slug:slug>/revisions/<int:number>/diff/",
             viewset.as_view({"get": "diff"}), name=f"{type_path}-revision-diff"),
        path(f"{type_path}/<slug:slug>/revisions/<int:number>/revert/",
             viewset.as_view({"post": "revert"}), name=f"{type_path}-revision-revert"),
        path(f"{type_path}/<slug:slug>/reviews/",
             viewset.as_view({"get": "reviews", "post": "review_create"}),
             name=f"{type_path}-reviews"),
        path(f"{type_path}/<slug:slug>/submit/", viewset.as_view({"post": "submit"}),
             name=f"{type_path}-submit"),
        path(f"{type_path}/<slug:slug>/publish/", viewset.as_view({"post": "publish"}),
             name=f"{type_path}-publish"),
        path(f"{type_path}/<slug:slug>/unpublish/", viewset.as_view({"post": "unpublish"}),
             name=f"{type_path}-unpublish"),
        path(f"{type_path}/<slug:slug>/cancel-schedule/",
             viewset.as_view({"post": "cancel_schedule"}), name=f"{type_path}-cancel-schedule"),
        path(f"{type_path}/<slug:slug>/events/", viewset.as_view({"get": "events"}),
             name=f"{type_path}-events"),
    ]

urlpatterns += [
    path("webhooks/", WebhookViewSet.as_view({"get": "list", "post": "create"}),
         name="webhook-list"),
    path("webhooks/<int:pk>/", WebhookViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
         name="webhook-detail"),
    path("webhooks/<int:pk>/deliveries/", WebhookViewSet.as_view({"get": "deliveries"}),
         name="webhook-deliveries"),
]
