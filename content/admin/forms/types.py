"""One form per content type: the fields of its snapshot (besides an article's sections)."""

from django import forms

from content.admin.forms.fields import TextField, lines_of, textarea
from content.choices import (
    BodyRegion,
    ContentType,
    Language,
    SymptomFrequency,
    TreatmentCategory,
    Urgency,
)


def name_field() -> TextField:
    """A type's name (the title of an entity)."""
    return TextField(max_length=200, widget=forms.TextInput(attrs={"size": 60}))


def plain_text_field(**kwargs) -> TextField:
    """A required plain-text description."""
    return TextField(widget=textarea(5), help_text="Plain text.", **kwargs)


def conditions_field(help_text: str) -> forms.MultipleChoiceField:
    """References to conditions, ticked from every condition (`SnapshotForm` fills the
    choices)."""
    return forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


class SnapshotForm(forms.Form):
    """The fields of one content type's snapshot (besides an article's sections)."""

    content_type: str = ""
    #: Snapshot fields this form edits, in order.
    snapshot_fields: tuple[str, ...] = ()
    #: Fields holding one entry per line.
    list_fields: tuple[str, ...] = ()
    #: Fields that are lists of references to conditions.
    condition_fields: tuple[str, ...] = ()

    slug = forms.SlugField(
        max_length=120,
        help_text="Stable identifier: lowercase, hyphenated, unique per type; never changes.",
    )
    change_note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="What you changed and why (shown in the history).",
    )
    expected_revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, creating: bool = False, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["expected_revision"]
        else:
            del self.fields["slug"]
        for name in self.condition_fields:
            self.fields[name].choices = (labels or {}).get(ContentType.CONDITION, [])

    @classmethod
    def initial_from(cls, content: dict) -> dict:
        initial = {}
        for name in cls.snapshot_fields:
            value = content.get(name)
            if name in cls.list_fields:
                value = "\n".join(value or [])
            elif name in cls.condition_fields:
                value = [ref["slug"] for ref in value or []]
            if value is not None:  # else the field's own initial (e.g. language "en")
                initial[name] = value
        return initial

    def to_snapshot(self) -> dict:
        data = self.cleaned_data
        snapshot = {"slug": data["slug"]} if "slug" in self.fields else {}
        for name in self.snapshot_fields:
            value = data.get(name)
            if name in self.list_fields:
                value = lines_of(value)
            elif name in self.condition_fields:
                # Keep the stored order of references; newly ticked ones go last.
                before = [slug for slug in self.initial.get(name) or [] if slug in value]
                slugs = before + [slug for slug in value if slug not in before]
                value = [{"type": ContentType.CONDITION, "slug": slug} for slug in slugs]
            snapshot[name] = value
        return snapshot


class ArticleForm(SnapshotForm):
    content_type = ContentType.ARTICLE
    snapshot_fields = ("title", "summary", "language", "conditions")
    condition_fields = ("conditions",)

    title = TextField(max_length=300, widget=forms.TextInput(attrs={"size": 80}))
    summary = TextField(max_length=2000, widget=textarea(3))
    language = forms.ChoiceField(choices=Language.choices, initial=Language.EN)
    conditions = conditions_field("Conditions the article is about or names.")


class ConditionForm(SnapshotForm):
    content_type = ContentType.CONDITION
    snapshot_fields = ("name", "also_known_as", "body_region", "description")
    list_fields = ("also_known_as",)

    name = name_field()
    also_known_as = TextField(
        required=False, widget=textarea(3), help_text="Other names people use, one per line."
    )
    body_region = forms.ChoiceField(choices=BodyRegion.choices)
    description = plain_text_field(required=False)


class CauseForm(SnapshotForm):
    content_type = ContentType.CAUSE
    snapshot_fields = ("name", "description", "conditions")
    condition_fields = ("conditions",)

    name = name_field()
    description = plain_text_field()
    conditions = conditions_field("Conditions named as examples of this cause.")


class SymptomForm(SnapshotForm):
    content_type = ContentType.SYMPTOM
    snapshot_fields = ("name", "description", "frequency")

    name = name_field()
    description = plain_text_field()
    frequency = forms.ChoiceField(choices=SymptomFrequency.choices)


class WarningSignForm(SnapshotForm):
    content_type = ContentType.WARNING_SIGN
    snapshot_fields = ("text", "urgency")

    text = TextField(max_length=2000, widget=textarea(3), help_text="Plain text.")
    urgency = forms.ChoiceField(choices=Urgency.choices)


class TreatmentForm(SnapshotForm):
    content_type = ContentType.TREATMENT
    snapshot_fields = ("name", "description", "category", "examples", "caution")
    list_fields = ("examples",)

    name = name_field()
    description = plain_text_field()
    category = forms.ChoiceField(choices=TreatmentCategory.choices)
    examples = TextField(
        required=False, widget=textarea(3), help_text="Concrete examples, one per line."
    )
    caution = TextField(
        max_length=2000, required=False, widget=textarea(2),
        help_text="A caution to heed before trying it; leave blank for none.",
    )

    def to_snapshot(self) -> dict:
        snapshot = super().to_snapshot()
        snapshot["caution"] = snapshot["caution"] or None
        return snapshot


SNAPSHOT_FORMS: dict[str, type[SnapshotForm]] = {
    form.content_type: form
    for form in (ArticleForm, ConditionForm, CauseForm, SymptomForm, WarningSignForm,
                 TreatmentForm)
}
