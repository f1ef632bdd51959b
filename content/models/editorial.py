"""Editorial state beside the live tables: documents, append-only revisions, reviews, audit.

A `Document` is the editorial identity of one content item of any type (type + slug). Its
`Revision`s are immutable JSON snapshots of the whole item (an article with its sections and
items); publishing copies one approved snapshot into the live tables. A `Review` approves or
rejects one revision *by content hash*, so an approval never carries over to other content.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from content.choices import (
    EditorialAction,
    EditorialStatus,
    ReviewDecision,
)
from content.plaintext import validate_plain_text
from content.querysets import DocumentQuerySet, ReviewQuerySet
from content.types import registry


class Document(models.Model):
    """The editorial record of one content item: its state and pointers into its history."""

    type = models.CharField(max_length=16, choices=registry.choices(), help_text="Content type.")
    slug = models.SlugField(max_length=120, help_text="Stable slug, unique per type.")
    status = models.CharField(
        max_length=16,
        choices=EditorialStatus.choices,
        default=EditorialStatus.DRAFT,
        help_text="Stored state; 'expired' is also derived on read from expire_at.",
    )
    latest_revision = models.ForeignKey(
        "content.Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    live_revision = models.ForeignKey(
        "content.Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_revision = models.ForeignKey(
        "content.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approved revision waiting for go_live_at.",
    )
    go_live_at = models.DateTimeField(
        null=True, blank=True, help_text="When the scheduled revision goes live."
    )
    expire_at = models.DateTimeField(
        null=True, blank=True, help_text="When the live revision stops being served."
    )
    scheduled_expire_at = models.DateTimeField(
        null=True, blank=True, help_text="The expiry the scheduled revision will go live with."
    )
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DocumentQuerySet.as_manager()
    # Row history of every state change (django-simple-history): who moved which pointer
    # when, including changes made outside the services (a shell, a data migration).
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["type", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["type", "slug"], name="document_slug_unique_per_type"),
            models.CheckConstraint(
                condition=Q(type__in=registry.names()), name="document_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EditorialStatus.values), name="document_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(scheduled_expire_at__isnull=True)
                | Q(go_live_at__isnull=True)
                | Q(scheduled_expire_at__gt=F("go_live_at")),
                name="document_expires_after_go_live",
            ),
        ]
        indexes = [models.Index(fields=["status", "go_live_at"])]

    def __str__(self) -> str:
        return f"{self.type}:{self.slug}"


class Revision(models.Model):
    """An immutable snapshot of a whole content item. Never updated once written."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(help_text="1, 2, … per document.")
    content = models.JSONField(help_text="The whole item as the editorial API shows it.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised content.")
    schema_version = models.PositiveSmallIntegerField(
        help_text="Version of the snapshot format, for upgraders."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The revision this one was edited from.",
    )
    reverted_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a revert: the revision whose content it restores.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    change_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="revision_number_unique_per_document"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document} r{self.number}"


class Review(models.Model):
    """A medical reviewer's decision on one revision, bound to its content hash."""

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="reviews")
    content_hash = models.CharField(max_length=64, help_text="Hash of the content reviewed.")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=24, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values), name="review_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} of revision {self.revision_id}"


class EditorialEvent(models.Model):
    """One line of the audit trail: who did what, when, to which revision."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="events")
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=24, choices=EditorialAction.choices)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["document", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=EditorialAction.values), name="event_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"


#: How the public API names the clinician who approved content when they set no display name.
REVIEWER_LABEL = "Medical reviewer"


class EditorProfile(models.Model):
    """How a staff member chose to be credited publicly: a reviewer's display name and
    credentials. Nothing else about them is ever public: without a display name the public
    sees `REVIEWER_LABEL`, never a login name, full name or email address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_profile"
    )
    display_name = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text="The name the public API credits your reviews to, e.g. 'Dr Rita Shah'. "
        f"Leave it blank to be credited as '{REVIEWER_LABEL}'. Your login name is never shown.",
    )
    credentials = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text="Professional credentials shown after your name, e.g. 'MD, FRCS'; may be "
        "blank.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.display_name or REVIEWER_LABEL
