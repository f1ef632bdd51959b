"""The abstract base of every live (published) content table.

A live row holds exactly what a published revision said, plus the publication facts the
public API shows (version, when it went live, expiry and the clinical review block). It is
written only by the publishing service; drafts live in `Revision` snapshots, never here.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from content.querysets import PublishedQuerySet


class PublishedContent(models.Model):
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Stable identifier: lowercase, hyphenated, unique per type, never reused.",
    )
    document = models.OneToOneField(
        "content.Document",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The editorial record whose published revision this row holds.",
    )
    live = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Whether the public API may show this row (false once unpublished).",
    )
    version = models.PositiveIntegerField(help_text="Number of the revision that is live.")
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the live revision's normalised snapshot."
    )
    updated_at = models.DateTimeField(help_text="When the live revision was published.")
    first_published_at = models.DateTimeField(help_text="When this item first went live.")
    expire_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="From this moment the public API no longer shows it.",
    )
    last_reviewed = models.DateField(
        null=True, blank=True, help_text="When the live revision was clinically approved."
    )
    next_review_due = models.DateField(
        null=True, blank=True, help_text="When the content must be clinically reviewed again."
    )
    reviewed_by_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="The display name the clinician who approved it set (their editor profile) "
        "when it was published; blank if they set none. Never a login name.",
    )
    reviewed_by_credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text="The credentials that clinician set, e.g. 'MD, FRCS'; blank if none.",
    )

    # The search index of this row (content/search.py fills it on publish; never edited).
    search_names = models.TextField(
        blank=True,
        editable=False,
        help_text="Search index: the title or name on the first line, then its other names "
        "(also known as, examples), one per line.",
    )
    search_body = models.TextField(
        blank=True, editable=False, help_text="Search index: the prose, as plain text."
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Search index on PostgreSQL: names weighted A, other names B, prose C.",
    )
    search_names_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="Search index on PostgreSQL: the names part of search_vector alone (A and "
        "B), small enough to test every candidate's names cheaply.",
    )
    search_size = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Search index on PostgreSQL: distinct words of search_vector (its length).",
    )
    search_name_size = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Search index on PostgreSQL: distinct words of the title or name.",
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True
