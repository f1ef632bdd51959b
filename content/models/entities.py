"""Live tables of the medical entities an article talks about."""

from django.db import models

from content.choices import BodyRegion, SymptomFrequency, TreatmentCategory, Urgency
from content.models.base import PublishedContent
from content.querysets import (
    CauseQuerySet,
    ConditionQuerySet,
    SymptomQuerySet,
    TreatmentQuerySet,
    WarningSignQuerySet,
)


def code_key(system: str, code: str) -> str:
    """How one code appears in `code_keys`: `|icd10cm:M16|` (the bars delimit it)."""
    return f"|{system}:{code}|"


class CodedContent(PublishedContent):
    """Live content that carries clinical codes (content/codes.py)."""

    codes = models.JSONField(
        default=list, blank=True,
        help_text="Clinical codes, [{\"system\", \"code\"}], as the live revision lists them.",
    )
    code_keys = models.TextField(
        blank=True, default="", editable=False,
        help_text="The codes as `|system:code|` entries (derived on save): what ?code= and "
        "the lookup match on either database.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.code_keys = "".join(code_key(c["system"], c["code"]) for c in self.codes or ())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "codes" in update_fields:
            kwargs["update_fields"] = {*update_fields, "code_keys"}
        super().save(*args, **kwargs)


class Condition(CodedContent):
    """A medical condition of the hip or the knee."""

    name = models.CharField(max_length=200, help_text="The condition's usual name.")
    also_known_as = models.JSONField(
        default=list, blank=True, help_text="Other names people use, e.g. “runner's knee”."
    )
    body_region = models.CharField(
        max_length=16, choices=BodyRegion.choices, help_text="The joint the condition affects."
    )
    description = models.TextField(blank=True, help_text="Plain-text description.")

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [
            models.Index(fields=["body_region"]),
            models.Index(fields=["name", "slug"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body_region__in=BodyRegion.values),
                name="condition_body_region_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Cause(PublishedContent):
    """A way in which a hip problem leads to knee pain."""

    name = models.CharField(max_length=200, help_text="Short name of the mechanism.")
    description = models.TextField(help_text="How this leads from the hip to knee pain.")
    conditions = models.ManyToManyField(
        Condition,
        related_name="causes",
        blank=True,
        help_text="Conditions the content names as examples of this cause.",
    )

    objects = CauseQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [models.Index(fields=["name", "slug"]), models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return self.name


class Symptom(CodedContent):
    """A symptom that may indicate a hip problem causing knee pain."""

    name = models.CharField(max_length=200, help_text="The symptom's name.")
    description = models.TextField(help_text="What the symptom is like.")
    frequency = models.CharField(
        max_length=16,
        choices=SymptomFrequency.choices,
        help_text="Whether the symptom is common or less common.",
    )
    conditions = models.ManyToManyField(
        Condition,
        related_name="symptoms",
        blank=True,
        help_text="Conditions the content names as giving this symptom.",
    )

    objects = SymptomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [
            models.Index(fields=["frequency"]),
            models.Index(fields=["name", "slug"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(frequency__in=SymptomFrequency.values),
                name="symptom_frequency_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WarningSign(PublishedContent):
    """A red flag: when to see a doctor, or when to seek help immediately."""

    text = models.TextField(help_text="The warning sign, as a reader should recognise it.")
    urgency = models.CharField(
        max_length=16, choices=Urgency.choices, help_text="How soon to seek medical advice."
    )
    conditions = models.ManyToManyField(
        Condition,
        related_name="warning_signs",
        blank=True,
        help_text="Conditions the content names this warning sign for.",
    )

    objects = WarningSignQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        indexes = [models.Index(fields=["urgency"]), models.Index(fields=["updated_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(urgency__in=Urgency.values), name="warning_sign_urgency_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Treatment(CodedContent):
    """A treatment option: conventional, alternative or a home remedy."""

    name = models.CharField(max_length=200, help_text="The treatment's name.")
    description = models.TextField(help_text="What the treatment involves and how it helps.")
    category = models.CharField(
        max_length=16,
        choices=TreatmentCategory.choices,
        help_text="Conventional treatment, alternative therapy or home remedy.",
    )
    examples = models.JSONField(
        default=list, blank=True, help_text="Concrete examples the content names, e.g. ibuprofen."
    )
    caution = models.TextField(
        null=True, blank=True, help_text="A caution to heed before trying it, if any."
    )
    conditions = models.ManyToManyField(
        Condition,
        related_name="treatments",
        blank=True,
        help_text="Conditions the content names this treatment for.",
    )

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        indexes = [
            models.Index(fields=["category"]),
            models.Index(fields=["name", "slug"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=TreatmentCategory.values),
                name="treatment_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
