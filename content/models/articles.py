"""Live tables of articles: an article is an ordered list of typed sections of items."""

from django.db import models

from content.blocks import blocks_from_fields, blocks_layout, blocks_with_items
from content.choices import HEALTH_ASPECT_OF_KIND, HealthAspect, ItemGroup, Language, SectionKind
from content.models.base import PublishedContent
from content.models.entities import Cause, Condition, Symptom, Treatment, WarningSign
from content.querysets import ArticleQuerySet


class Article(PublishedContent):
    """A consumer health article, made of typed sections."""

    title = models.CharField(max_length=300, help_text="The article's headline.")
    summary = models.TextField(help_text="One or two sentences saying what the article covers.")
    language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.EN, help_text="BCP 47 language."
    )
    conditions = models.ManyToManyField(
        Condition,
        related_name="articles",
        blank=True,
        help_text="Conditions the article is about or names.",
    )
    reading_grade = models.FloatField(
        null=True,
        blank=True,
        help_text="The Flesch–Kincaid grade level of the whole article (summary, section bodies "
        "and item texts), one decimal; computed when it is published.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title", "slug"]
        indexes = [models.Index(fields=["title", "slug"]), models.Index(fields=["updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="article_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    """One typed section of an article (introduction, causes, symptoms, …)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(
        max_length=32, choices=SectionKind.choices, help_text="What the section is about."
    )
    heading = models.CharField(max_length=300, help_text="The section's heading as published.")
    position = models.PositiveSmallIntegerField(help_text="1-based place in the article.")
    health_aspect = models.CharField(
        max_length=32,
        choices=HealthAspect.choices,
        null=True,
        blank=True,
        help_text="The schema.org HealthAspect of this kind of section; null where none fits.",
    )
    blocks = models.JSONField(
        default=list,
        blank=True,
        help_text="The section's content in reading order, its lists without their items "
        '(those are rows): [{"type": "paragraph", "body": "<p>…</p>"}, {"type": "list", '
        '"group": "tips", "heading": "…"}] (content/blocks.py).',
    )
    body = models.TextField(
        blank=True,
        help_text="Sanitised HTML of the section's prose: its paragraph blocks joined "
        "(derived from `blocks` when published).",
    )
    groups = models.JSONField(
        default=list,
        blank=True,
        help_text="Ordered item groups with the heading that introduces each: "
        '[{"group": "common", "heading": "Common Symptoms"}] (derived from `blocks`).',
    )
    timeline = models.JSONField(
        null=True,
        blank=True,
        help_text='Recovery phases: [{"phase": "initial", "min": 4, "max": 6, "unit": "week"}].',
    )

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "kind"], name="section_kind_once"),
            models.UniqueConstraint(fields=["article", "position"], name="section_position_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=SectionKind.values), name="section_kind_valid"
            ),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="section_position_1"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}:{self.kind}"

    def save(self, *args, **kwargs):
        self.health_aspect = HEALTH_ASPECT_OF_KIND[self.kind]
        super().save(*args, **kwargs)

    def blocks_in_order(self) -> list[dict]:
        """The section's blocks with each list's items (SectionItem rows, prefetched by
        `for_detail()`/`for_section()`); a row stored without a layout (written before
        blocks, or by a test) reads as its paragraphs and then its lists."""
        items = sorted(self.items.all(), key=lambda item: item.position)
        layout = self.blocks or blocks_layout(blocks_from_fields(
            self.body, self.groups or [], [{"group": i.group, "title": None, "text": "",
                                            "entity": None} for i in items]))
        by_group: dict[str, list] = {}
        for item in items:
            by_group.setdefault(item.group, []).append(item)
        return blocks_with_items(layout, by_group)


class SectionItem(models.Model):
    """One entry of a section's lists, optionally naming the entity it is about."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(help_text="1-based place in the section.")
    group = models.CharField(
        max_length=32, choices=ItemGroup.choices, help_text="The list this item belongs to."
    )
    title = models.CharField(
        max_length=300, null=True, blank=True, help_text="Short label, or null for a bare entry."
    )
    text = models.TextField(help_text="The item's text.")
    condition = models.ForeignKey(
        Condition, null=True, blank=True, on_delete=models.PROTECT, related_name="section_items"
    )
    cause = models.ForeignKey(
        Cause, null=True, blank=True, on_delete=models.PROTECT, related_name="section_items"
    )
    symptom = models.ForeignKey(
        Symptom, null=True, blank=True, on_delete=models.PROTECT, related_name="section_items"
    )
    warning_sign = models.ForeignKey(
        WarningSign, null=True, blank=True, on_delete=models.PROTECT, related_name="section_items"
    )
    treatment = models.ForeignKey(
        Treatment, null=True, blank=True, on_delete=models.PROTECT, related_name="section_items"
    )

    ENTITY_FIELDS = ("condition", "cause", "symptom", "warning_sign", "treatment")

    class Meta:
        ordering = ["section", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "position"], name="item_position_once"),
            models.CheckConstraint(
                condition=models.Q(group__in=ItemGroup.values), name="item_group_valid"
            ),
            models.CheckConstraint(
                # At most one entity link per item.
                condition=(
                    models.Q(condition__isnull=True, cause__isnull=True, symptom__isnull=True,
                             warning_sign__isnull=True)
                    | models.Q(condition__isnull=True, cause__isnull=True, symptom__isnull=True,
                               treatment__isnull=True)
                    | models.Q(condition__isnull=True, cause__isnull=True,
                               warning_sign__isnull=True, treatment__isnull=True)
                    | models.Q(condition__isnull=True, symptom__isnull=True,
                               warning_sign__isnull=True, treatment__isnull=True)
                    | models.Q(cause__isnull=True, symptom__isnull=True,
                               warning_sign__isnull=True, treatment__isnull=True)
                ),
                name="item_one_entity_at_most",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section_id}:{self.position}"

    @property
    def entity_type(self) -> str | None:
        """The type name of the linked entity (e.g. 'warning_sign'), or None."""
        for field in self.ENTITY_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return None

    @property
    def entity(self) -> PublishedContent | None:
        """The linked entity row, or None."""
        field = self.entity_type
        return getattr(self, field) if field else None
