"""Every closed vocabulary of the content model, as TextChoices.

Values are part of the public contract (docs/api.md#content-types): never rename one.
"""

from django.db import models


class ContentType(models.TextChoices):
    """The six content types; values are the type names used in payloads."""

    ARTICLE = "article", "Article"
    CONDITION = "condition", "Condition"
    CAUSE = "cause", "Cause"
    SYMPTOM = "symptom", "Symptom"
    WARNING_SIGN = "warning_sign", "Warning sign"
    TREATMENT = "treatment", "Treatment"


class Language(models.TextChoices):
    EN = "en", "English"


class BodyRegion(models.TextChoices):
    HIP = "hip", "Hip"
    KNEE = "knee", "Knee"


class SymptomFrequency(models.TextChoices):
    COMMON = "common", "Common"
    LESS_COMMON = "less_common", "Less common"


class Urgency(models.TextChoices):
    SEE_A_DOCTOR = "see_a_doctor", "See a doctor"
    IMMEDIATE = "immediate", "Seek immediate consultation"


class TreatmentCategory(models.TextChoices):
    CONVENTIONAL = "conventional", "Conventional"
    ALTERNATIVE = "alternative", "Alternative"
    HOME_REMEDY = "home_remedy", "Home remedy"


class CodeSystem(models.TextChoices):
    """Clinical code systems content may carry (content/codes.py)."""

    ICD10CM = "icd10cm", "ICD-10-CM"
    SNOMEDCT = "snomedct", "SNOMED CT"


class SectionKind(models.TextChoices):
    """Section kinds in the order an article presents them."""

    INTRODUCTION = "introduction", "Introduction"
    CAUSES = "causes", "Causes"
    SYMPTOMS = "symptoms", "Symptoms"
    WHEN_TO_SEE_A_DOCTOR = "when_to_see_a_doctor", "When to see a doctor"
    TREATMENT = "treatment", "Treatment"
    RECOVERY = "recovery", "Recovery"
    CONCLUSION = "conclusion", "Conclusion"


class HealthAspect(models.TextChoices):
    """schema.org HealthAspectEnumeration members used by our section kinds."""

    OVERVIEW = "OverviewHealthAspect", "Overview"
    CAUSES = "CausesHealthAspect", "Causes"
    SYMPTOMS = "SymptomsHealthAspect", "Symptoms"
    SEE_DOCTOR = "SeeDoctorHealthAspect", "See a doctor"
    TREATMENTS = "TreatmentsHealthAspect", "Treatments"
    PROGNOSIS = "PrognosisHealthAspect", "Prognosis"


#: The schema.org aspect of each section kind; the conclusion has none.
HEALTH_ASPECT_OF_KIND: dict[str, str | None] = {
    SectionKind.INTRODUCTION: HealthAspect.OVERVIEW,
    SectionKind.CAUSES: HealthAspect.CAUSES,
    SectionKind.SYMPTOMS: HealthAspect.SYMPTOMS,
    SectionKind.WHEN_TO_SEE_A_DOCTOR: HealthAspect.SEE_DOCTOR,
    SectionKind.TREATMENT: HealthAspect.TREATMENTS,
    SectionKind.RECOVERY: HealthAspect.PROGNOSIS,
    SectionKind.CONCLUSION: None,
}


class ItemGroup(models.TextChoices):
    """How the items of a section are grouped (docs/api.md#sections-and-items)."""

    WHY_IT_MATTERS = "why_it_matters", "Why it matters"
    CAUSES = "causes", "Causes"
    COMMON = "common", "Common"
    LESS_COMMON = "less_common", "Less common"
    SEE_A_DOCTOR = "see_a_doctor", "See a doctor"
    IMMEDIATE = "immediate", "Seek immediate consultation"
    CONVENTIONAL = "conventional", "Conventional"
    ALTERNATIVE = "alternative", "Alternative"
    HOME_REMEDY = "home_remedy", "Home remedy"
    REHABILITATION = "rehabilitation", "Rehabilitation"
    TIPS = "tips", "Tips"
    NEXT_STEPS = "next_steps", "Next steps"


class BlockType(models.TextChoices):
    """What one block of a section is (docs/api.md#section-blocks); content/blocks.py."""

    PARAGRAPH = "paragraph", "Paragraph (sanitised HTML)"
    LIST = "list", "List (one item group: its heading and its items)"


#: Which item groups each section kind may use.
ITEM_GROUPS_OF_KIND: dict[str, tuple[str, ...]] = {
    SectionKind.INTRODUCTION: (ItemGroup.WHY_IT_MATTERS,),
    SectionKind.CAUSES: (ItemGroup.CAUSES,),
    SectionKind.SYMPTOMS: (ItemGroup.COMMON, ItemGroup.LESS_COMMON),
    SectionKind.WHEN_TO_SEE_A_DOCTOR: (ItemGroup.SEE_A_DOCTOR, ItemGroup.IMMEDIATE),
    SectionKind.TREATMENT: (ItemGroup.CONVENTIONAL, ItemGroup.ALTERNATIVE, ItemGroup.HOME_REMEDY),
    SectionKind.RECOVERY: (ItemGroup.REHABILITATION, ItemGroup.TIPS),
    SectionKind.CONCLUSION: (ItemGroup.NEXT_STEPS,),
}


class TimelinePhase(models.TextChoices):
    INITIAL = "initial", "Initial recovery"
    FULL = "full", "Full rehabilitation"


class TimeUnit(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


class ReviewStatus(models.TextChoices):
    """The public review block's status (docs/api.md#the-review-block)."""

    NOT_REVIEWED = "not_reviewed", "Not reviewed"
    REVIEWED = "reviewed", "Reviewed"
    OVERDUE = "overdue", "Overdue for review"


class EditorialStatus(models.TextChoices):
    """Where a content item stands editorially (docs/editorial.md#editorial-status)."""

    DRAFT = "draft", "Draft (never published)"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    EXPIRED = "expired", "Expired"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class RevisionReviewState(models.TextChoices):
    """Where one revision stands in clinical review (shown by the admin's banner and lists)."""

    NOT_SUBMITTED = "not_submitted", "Not submitted for review"
    AWAITING_REVIEW = "awaiting_review", "Awaiting medical review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


class EditorialAction(models.TextChoices):
    """Actions recorded in the audit trail (docs/editorial.md#the-audit-trail)."""

    IMPORTED = "imported", "Imported"
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    REVERTED = "reverted", "Reverted"
    REVIEW_REQUESTED = "review_requested", "Submitted for review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    SCHEDULED = "scheduled", "Scheduled"
    SCHEDULE_CANCELLED = "schedule_cancelled", "Schedule cancelled"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    EXPIRED = "expired", "Expired"


class Role(models.TextChoices):
    """Editorial roles; values are the Django group names."""

    EDITORS = "editors", "Editors"
    MEDICAL_REVIEWERS = "medical_reviewers", "Medical reviewers"
    PUBLISHERS = "publishers", "Publishers"


class ChangeAction(models.TextChoices):
    """What a change-feed entry (and its webhook) says happened: docs/api.md#the-change-feed."""

    PUBLISHED = "published", "Published (became publicly visible)"
    UPDATED = "updated", "Updated (a new revision of a visible item went live)"
    UNPUBLISHED = "unpublished", "Unpublished (withdrawn or expired)"


class DeliveryStatus(models.TextChoices):
    """Where one webhook delivery stands."""

    PENDING = "pending", "Pending (waiting for its first attempt or a retry)"
    SUCCEEDED = "succeeded", "Succeeded (the subscriber answered 2xx)"
    FAILED = "failed", "Failed (given up after the last attempt)"


class BodyFormat(models.TextChoices):
    """How the public API renders section bodies (`?body_format=`); content/bodyformats.py."""

    HTML = "html", "Sanitised HTML (as stored)"
    MARKDOWN = "markdown", "Markdown (CommonMark)"
    TEXT = "text", "Plain text"
