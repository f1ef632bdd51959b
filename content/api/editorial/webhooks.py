"""Webhook subscriptions under /api/v1/editorial/webhooks/ (publishers only).

`POST` registers a subscriber (`url`, write-only `secret`, `event_types`); `GET` lists them or
shows one; `DELETE` removes one; `GET …/{id}/deliveries/` shows what was sent to it and how
it went. Writes call content/services/webhooks.py; how deliveries are signed and retried is
documented there and in the schema below.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from content.api.permissions import HasEditorialRole
from content.api.schema import ProblemSerializer, ValidationProblemSerializer
from content.choices import ChangeAction, DeliveryStatus
from content.models import WebhookDelivery, WebhookSubscription
from content.services import permissions
from content.services.webhooks import (
    MAX_SECRET_LENGTH,
    MAX_URL_LENGTH,
    MIN_SECRET_LENGTH,
    SECRET_HELP,
    URL_HELP,
    webhook_subscribe,
    webhook_unsubscribe,
)
from content.types import registry

PROBLEM = "application/problem+json"

DELIVERY_DOC = (
    "Each event is POSTed to `url` as JSON — the change-feed entry `{\"type\", \"slug\", "
    "\"action\", \"cursor\", \"at\"}` — with headers `X-HipKnee-Event` (the action), "
    "`X-HipKnee-Delivery` (a UUID, the same on every retry: use it to ignore duplicates), "
    "`X-HipKnee-Timestamp` (Unix seconds of this attempt) and `X-HipKnee-Signature: "
    "sha256=<hex HMAC-SHA256 of your secret over \"<timestamp>.<raw body>\">`. Verify the "
    "signature with a constant-time comparison and reject old timestamps (e.g. older than five "
    "minutes). Any 2xx answer within 10 seconds counts as delivered; anything else (redirects "
    "included) is retried with exponential backoff — 30 s, 1 min, 2 min, … at most an hour "
    "apart — up to 8 attempts. Events are sent after the publishing transaction commits, by "
    "the delivery worker (`manage.py deliver_webhooks`); an expiry is sent at its expire_at. "
    "Targets must be public addresses in production (loopback and private ranges are refused, "
    "as are IPv6 forms that carry them: IPv4-mapped, NAT64, 6to4, Teredo, …) on port 80 or 443 "
    "unless the operator allows others."
)


class WebhookSerializer(serializers.ModelSerializer):
    """A subscriber as publishers see it; the secret is never shown."""

    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text="The publisher who registered it.",
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ChangeAction.choices),
        help_text="The change actions sent to this subscriber.",
    )
    deliveries = serializers.SerializerMethodField(
        help_text="Absolute URL of this subscriber's delivery log."
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_types", "description", "created_by", "created_at",
                  "deliveries"]
        read_only_fields = fields

    def get_deliveries(self, subscription) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:editorial:webhook-deliveries", kwargs={"pk": subscription.pk})
        )


class WebhookCreateSerializer(serializers.Serializer):
    """What a publisher sends to register a subscriber."""

    url = serializers.CharField(
        max_length=MAX_URL_LENGTH, help_text=URL_HELP,
    )
    secret = serializers.CharField(
        write_only=True,
        min_length=MIN_SECRET_LENGTH,
        max_length=MAX_SECRET_LENGTH,
        trim_whitespace=False,
        help_text=SECRET_HELP,
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ChangeAction.choices),
        required=False,
        allow_empty=False,
        help_text="Which actions to receive; all three when omitted.",
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="What the subscriber is."
    )

    class Meta:
        ref_name = "WebhookCreate"


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One event sent (or to be sent) to a subscriber, with the outcome of its attempts."""

    type = serializers.ChoiceField(
        source="change.type", choices=registry.choices(), read_only=True
    )
    slug = serializers.CharField(source="change.slug", read_only=True)
    event = serializers.ChoiceField(choices=ChangeAction.choices, read_only=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "type", "slug", "status", "attempts", "next_attempt_at",
                  "last_attempt_at", "last_status_code", "last_error", "delivered_at",
                  "created_at"]
        read_only_fields = fields


WEBHOOK_EXAMPLE = {
    "id": 3,
    "url": "https://mirror.example.com/hooks/hipknee",
    "event_types": ["published", "updated", "unpublished"],
    "description": "Our app's content mirror",
    "created_by": "paul",
    "created_at": "2026-03-02T09:00:00Z",
    "deliveries": "https://api.example.org/api/v1/editorial/webhooks/3/deliveries/",
}

ERRORS = {
    (401, PROBLEM): OpenApiResponse(ProblemSerializer, description="Not authenticated."),
    (403, PROBLEM): OpenApiResponse(ProblemSerializer, description="Not a publisher."),
}
NOT_FOUND = {(404, PROBLEM): OpenApiResponse(ProblemSerializer, description="No such webhook.")}
#: Paginated lists: a malformed page or page_size is 400, a page past the end 404.
PAGE_ERRORS = {
    (400, PROBLEM): OpenApiResponse(
        ValidationProblemSerializer, description="`page` or `page_size` is not a whole number "
        "of at least 1; `errors` names it."),
    (404, PROBLEM): OpenApiResponse(
        ProblemSerializer, description="A page past the end (or, for deliveries, no such "
        "webhook)."),
}


class WebhookViewSet(viewsets.GenericViewSet):
    """Publishers register, inspect and remove webhook subscribers."""

    permission_classes = [HasEditorialRole]
    required_actions = dict.fromkeys(
        ("list", "create", "retrieve", "destroy", "deliveries"), permissions.MANAGE_WEBHOOKS
    )
    serializer_class = WebhookSerializer
    filter_backends = []

    def get_queryset(self):
        return WebhookSubscription.objects.select_related("created_by").order_by("id")

    @extend_schema(
        tags=["editorial"],
        summary="List webhook subscribers",
        description=DELIVERY_DOC,
        responses={200: WebhookSerializer(many=True), **ERRORS, **PAGE_ERRORS},
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        serializer = WebhookSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        tags=["editorial"],
        summary="Register a webhook subscriber",
        description=DELIVERY_DOC,
        request=WebhookCreateSerializer,
        responses={
            201: WebhookSerializer,
            (400, PROBLEM): OpenApiResponse(
                ValidationProblemSerializer,
                description="Invalid input; `errors` names the field (e.g. a `url` that resolves "
                "to a private address in production, or names a port not allowed: code "
                "`target_refused`, with the reason in `message`).",
            ),
            **ERRORS,
        },
        examples=[
            OpenApiExample(
                "Register",
                value={"url": "https://mirror.example.com/hooks/hipknee",
                       "secret": "a-long-random-shared-secret",
                       "event_types": ["published", "updated", "unpublished"],
                       "description": "Our app's content mirror"},
                request_only=True,
            ),
            OpenApiExample("Registered", value=WEBHOOK_EXAMPLE, response_only=True),
        ],
    )
    def create(self, request):
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = webhook_subscribe(
            url=serializer.validated_data["url"],
            secret=serializer.validated_data["secret"],
            event_types=serializer.validated_data.get("event_types"),
            description=serializer.validated_data.get("description", ""),
            user=request.user,
        )
        data = WebhookSerializer(subscription, context={"request": request}).data
        location = request.build_absolute_uri(
            reverse("api:editorial:webhook-detail", kwargs={"pk": subscription.pk})
        )
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        tags=["editorial"],
        summary="One webhook subscriber",
        responses={200: WebhookSerializer, **ERRORS, **NOT_FOUND},
    )
    def retrieve(self, request, pk=None):
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(WebhookSerializer(subscription, context={"request": request}).data)

    @extend_schema(
        tags=["editorial"],
        summary="Remove a webhook subscriber",
        description="Stops all deliveries to it, pending ones included, and deletes its log.",
        responses={204: None, **ERRORS, **NOT_FOUND},
    )
    def destroy(self, request, pk=None):
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        webhook_unsubscribe(subscription=subscription, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["editorial"],
        summary="Deliveries to one subscriber, newest first",
        description="Every event queued for it: status (`pending`, `succeeded`, `failed`), "
        "attempts so far, when the next try is due, and the last answer or error.",
        responses={200: WebhookDeliverySerializer(many=True), **ERRORS, **PAGE_ERRORS},
    )
    def deliveries(self, request, pk=None):
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        page = self.paginate_queryset(
            subscription.deliveries.select_related("change").order_by("-created_at", "-pk")
        )
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
