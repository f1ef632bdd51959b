"""Syndication: the public change feed and webhook subscriptions with their delivery outbox.

`Change` is one line of the change feed (`GET /api/v1/changes/`). Lines are appended by
`content/services/feed.py` inside the publishing transaction and never changed once a
client can see them. An expiry is known in advance, so its `unpublished` line is written
when the item goes live, with `at` = `expire_at` in the future: the feed serves only lines
whose `at` has come, so the tombstone appears at the exact second the item disappears from
the public API, whether or not `publish_scheduled` ran. A line that is still in the future
is deleted if the item is republished or withdrawn first (it was never served).

`WebhookSubscription` is a subscriber; `WebhookDelivery` is the outbox: one row per
(subscription, change), written in the same transaction as the change and sent after
commit by `manage.py deliver_webhooks`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from content.choices import ChangeAction, DeliveryStatus
from content.types import registry


class Change(models.Model):
    """One entry of the change feed: an item became visible, changed, or disappeared."""

    document = models.ForeignKey(
        "content.Document", on_delete=models.PROTECT, related_name="changes"
    )
    type = models.CharField(max_length=16, choices=registry.choices(), help_text="Content type.")
    slug = models.SlugField(max_length=120, help_text="The item's slug.")
    action = models.CharField(
        max_length=16, choices=ChangeAction.choices, help_text="What happened to the item."
    )
    at = models.DateTimeField(
        help_text="When it happened (or, for a scheduled expiry, will happen); the feed shows "
        "an entry only once this moment has come."
    )
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The live revision's number; null for a tombstone."
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["at", "id"], name="change_feed_order"),
            models.Index(fields=["document", "at"], name="change_document_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ChangeAction.values), name="change_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(action=ChangeAction.UNPUBLISHED, version__isnull=True)
                | (~Q(action=ChangeAction.UNPUBLISHED) & Q(version__isnull=False)),
                name="change_tombstone_has_no_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.type}:{self.slug} at {self.at.isoformat()}"


class WebhookSubscription(models.Model):
    """A subscriber: where to POST which change events, and the secret that signs them."""

    url = models.URLField(
        max_length=2000, help_text="The https (or http) URL that receives each event as a POST."
    )
    secret = models.CharField(
        max_length=200,
        help_text="Shared secret for the X-HipKnee-Signature HMAC; never shown again.",
    )
    event_types = models.JSONField(
        default=list,
        help_text="The change actions this subscriber receives: published, updated, unpublished.",
    )
    description = models.CharField(
        max_length=200, blank=True, help_text="What the subscriber is, for people."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The publisher who registered it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """The outbox: one change event for one subscriber, with its attempts so far."""

    id = models.UUIDField(
        primary_key=True,
        default=uuid.uuid4,
        editable=False,
        help_text="Idempotency id, sent as X-HipKnee-Delivery; the same on every retry.",
    )
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(
        max_length=16, choices=ChangeAction.choices, help_text="Sent as X-HipKnee-Event."
    )
    body = models.TextField(help_text="The exact JSON body sent (and signed) on every attempt.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Attempts made so far.")
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the worker may try next; null once it succeeded or was given up.",
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last answer, if there was one."
    )
    last_error = models.TextField(blank=True, help_text="Why the last attempt failed.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "change"], name="delivery_once_per_change"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.change_id} → {self.subscription_id} ({self.status})"
