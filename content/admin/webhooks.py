"""Admin for webhooks: publishers register and remove subscribers and read the delivery log.

Registering and removing go through content/services/webhooks.py (the same checks as the
editorial API: URL form, allowed ports, public addresses only in production, event types,
secret length).
A subscriber is never edited in place: remove it and register it again. Deliveries are
read-only. Access follows the role, not model permissions: publishers (and superusers).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from content.choices import ChangeAction, DeliveryStatus
from content.exceptions import ContentInvalid
from content.models import WebhookDelivery, WebhookSubscription
from content.services import permissions
from content.services.webhooks import (
    MAX_SECRET_LENGTH,
    MAX_URL_LENGTH,
    MIN_SECRET_LENGTH,
    SECRET_HELP,
    URL_HELP,
    TargetRefused,
    target_resolve,
    webhook_subscribe,
    webhook_unsubscribe,
)


def _is_publisher(request) -> bool:
    """Whether the user may manage webhooks: the services' own check."""
    return permissions.MANAGE_WEBHOOKS.allows(request.user)


class PublishersOnly:
    """Publishers see and manage webhooks; nobody else does."""

    def has_module_permission(self, request):
        return _is_publisher(request)

    def has_view_permission(self, request, obj=None):
        return _is_publisher(request)


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        max_length=MAX_URL_LENGTH, assume_scheme="https", help_text=URL_HELP,
    )
    secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        min_length=MIN_SECRET_LENGTH,
        max_length=MAX_SECRET_LENGTH,
        strip=False,
        help_text=SECRET_HELP,
    )
    event_types = forms.MultipleChoiceField(
        choices=ChangeAction.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=ChangeAction.values,
        help_text="Which changes to send.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "secret", "event_types", "description"]

        @staticmethod
        def formfield_callback(field, **kwargs):
            """Model fields' form fields (the read-only change page builds its own): a URL
            without a scheme is read as https, as Django 6 will by default."""
            if isinstance(field, models.URLField):
                kwargs.setdefault("assume_scheme", "https")
            return field.formfield(**kwargs)

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            target_resolve(url)
        except TargetRefused as error:
            raise ValidationError(str(error), code="target_refused") from error
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(PublishersOnly, admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["url", "events", "description", "pending", "failed", "created_by",
                    "created_at"]
    ordering = ["id"]
    readonly_fields = ["url", "events", "description", "created_by", "created_at",
                       "delivery_log"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").annotate(
            pending_count=Count("deliveries",
                                filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["url", "secret", "event_types", "description"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description="Events")
    def events(self, subscription: WebhookSubscription) -> str:
        return ", ".join(subscription.event_types)

    @admin.display(description="Pending")
    def pending(self, subscription) -> int:
        return subscription.pending_count

    @admin.display(description="Failed")
    def failed(self, subscription) -> int:
        return subscription.failed_count

    @admin.display(description="Deliveries")
    def delivery_log(self, subscription: WebhookSubscription) -> str:
        url = reverse("admin:content_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">Delivery log</a>', url,
                           subscription.pk)

    def has_add_permission(self, request):
        return _is_publisher(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return _is_publisher(request)

    def save_model(self, request, obj, form, change):
        try:
            created = webhook_subscribe(
                url=form.cleaned_data["url"],
                secret=form.cleaned_data["secret"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data.get("description", ""),
                user=request.user,
            )
        except ContentInvalid as error:  # re-checked by the service; the form checked first
            raise ValidationError([e["message"] for e in error.errors]) from error
        obj.pk = created.pk

    def get_deleted_objects(self, objs, request):
        """Removing a subscriber also removes its deliveries (read-only on their own)."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def delete_model(self, request, obj):
        webhook_unsubscribe(subscription=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            webhook_unsubscribe(subscription=subscription, user=request.user)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(PublishersOnly, admin.ModelAdmin):
    """The delivery log: read-only."""

    list_display = ["id", "subscription", "event", "item", "status", "attempts",
                    "next_attempt_at", "last_status_code", "last_error", "delivered_at"]
    list_filter = ["status", "event", "subscription"]
    list_select_related = ["subscription", "change"]
    ordering = ["-created_at"]
    fields = ["id", "subscription", "event", "item", "status", "attempts", "next_attempt_at",
              "last_attempt_at", "last_status_code", "last_error", "delivered_at", "created_at",
              "body"]
    readonly_fields = fields

    @admin.display(description="Item")
    def item(self, delivery: WebhookDelivery) -> str:
        return f"{delivery.change.type}:{delivery.change.slug}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
