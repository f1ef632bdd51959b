"""Admin forms: a revision snapshot as editable fields, and the editorial workflow forms.

`SnapshotEditor` turns the latest revision's snapshot into forms (for an article: the
article's fields plus a formset of sections, each with a nested formset of items, all
reorderable by position fields and with blank rows to add more) and turns a valid
submission back into snapshot data. The forms check only their own shape; the content
rules (plain text vs sanitised HTML, allowed item groups, references) stay in
`content.snapshots.snapshot_normalise`, whose errors `SnapshotEditor.errors_apply` puts back
on the fields they name. Nothing here writes: the admin passes `to_snapshot()` to the
services.
"""

import re
from html import escape

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe

from content.choices import (
    BodyRegion,
    ContentType,
    ItemGroup,
    Language,
    ReviewDecision,
    SectionKind,
    SymptomFrequency,
    TreatmentCategory,
    Urgency,
)
from content.dates import NEXT_REVIEW_MAX_YEARS
from content.snapshots import ALLOWED_TAGS

#: Entity types an item may link to, with the label of their group in the select.
ENTITY_TYPES = {
    ContentType.CONDITION: "Conditions",
    ContentType.CAUSE: "Causes",
    ContentType.SYMPTOM: "Symptoms",
    ContentType.WARNING_SIGN: "Warning signs",
    ContentType.TREATMENT: "Treatments",
}

BODY_HELP = (
    "HTML. Allowed tags: " + ", ".join(sorted(ALLOWED_TAGS)) + "; links may use http, https "
    "and mailto. Anything else (scripts, styles, event handlers, other tags) is removed when "
    "you save."
)
GROUP_HEADINGS_HELP = (
    "One “group: heading” per line, e.g. “common: Common Symptoms”. Groups: "
    + ", ".join(ItemGroup.values)
    + "."
)
TIMELINE_HELP = (
    "Recovery section only. One “phase: min-max unit” per line, e.g. “initial: 4-6 week”; "
    "phases initial and full, units day, week, month."
)
TIMELINE_RE = re.compile(
    r"^(?P<phase>[a-z_]+)\s*:\s*(?P<min>\d+)\s*-\s*(?P<max>\d+)\s*(?P<unit>[a-z]+)$"
)
PATH_RE = re.compile(r"^(?P<name>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<rest>.+))?$")


class TextField(forms.CharField):
    """A CharField that stores browser line endings (CRLF) as plain newlines."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class FastSelect(forms.Select):
    """A <select> rendered in Python: an article's form has ~60 item rows whose "Links to"
    selects hold every entity, and Django's one-template-per-option rendering made that
    page take over a second."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        attrs["name"] = name
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value])
                    if v is not None}
        parts = [f"<select{flatatt(attrs)}>"]
        for group, options in self._grouped(self.choices):
            if group is not None:
                parts.append(f'<optgroup label="{escape(str(group))}">')
            for option_value, label in options:
                option_value = "" if option_value is None else str(option_value)
                mark = " selected" if option_value in selected else ""
                parts.append(
                    f'<option value="{escape(option_value)}"{mark}>{escape(str(label))}</option>'
                )
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value and label escaped above

    @staticmethod
    def _grouped(choices):
        ungrouped = []
        for value, label in choices:
            if isinstance(label, (list, tuple)):
                if ungrouped:
                    yield None, ungrouped
                    ungrouped = []
                yield value, label
            else:
                ungrouped.append((value, label))
        if ungrouped:
            yield None, ungrouped


def textarea(rows: int = 3, cols: int = 80) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": cols})


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def _with_blank(choices, label: str = "—") -> list:
    return [("", label), *choices]


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
    conditions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Conditions the article is about or names.",
    )


class ConditionForm(SnapshotForm):
    content_type = ContentType.CONDITION
    snapshot_fields = ("name", "also_known_as", "body_region", "description")
    list_fields = ("also_known_as",)

    name = TextField(max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    also_known_as = TextField(
        required=False, widget=textarea(3), help_text="Other names people use, one per line."
    )
    body_region = forms.ChoiceField(choices=BodyRegion.choices)
    description = TextField(required=False, widget=textarea(5), help_text="Plain text.")


class CauseForm(SnapshotForm):
    content_type = ContentType.CAUSE
    snapshot_fields = ("name", "description", "conditions")
    condition_fields = ("conditions",)

    name = TextField(max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    description = TextField(widget=textarea(5), help_text="Plain text.")
    conditions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Conditions named as examples of this cause.",
    )


class SymptomForm(SnapshotForm):
    content_type = ContentType.SYMPTOM
    snapshot_fields = ("name", "description", "frequency")

    name = TextField(max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    description = TextField(widget=textarea(5), help_text="Plain text.")
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

    name = TextField(max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    description = TextField(widget=textarea(5), help_text="Plain text.")
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


# --- an article's sections and items ----------------------------------------------------------


class ItemForm(forms.Form):
    """One item of a section's lists."""

    group = forms.ChoiceField(choices=_with_blank(ItemGroup.choices), widget=FastSelect)
    title = TextField(
        max_length=300, required=False, widget=forms.TextInput(attrs={"size": 24})
    )
    text = TextField(widget=textarea(3, 60))
    entity = forms.ChoiceField(required=False, label="Links to", widget=FastSelect)

    def __init__(self, *args, entity_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entity_choices

    @staticmethod
    def initial_from(item: dict) -> dict:
        entity = item.get("entity")
        return {
            "group": item.get("group") or "",
            "title": item.get("title") or "",
            "text": item.get("text") or "",
            "entity": f"{entity['type']}:{entity['slug']}" if entity else "",
        }

    def to_snapshot(self) -> dict:
        data = self.cleaned_data
        entity = None
        if data.get("entity"):
            type_, slug = data["entity"].split(":", 1)
            entity = {"type": type_, "slug": slug}
        return {
            "group": data["group"],
            "title": data.get("title") or None,
            "text": data["text"],
            "entity": entity,
        }


class BaseOrderedFormSet(forms.BaseFormSet):
    """A formset whose rows carry a position field (labelled so) and a remove box."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[ORDERING_FIELD_NAME].label = "Position"
        form.fields[ORDERING_FIELD_NAME].widget.attrs.update({"min": 1, "style": "width:4em"})
        form.fields[DELETION_FIELD_NAME].label = "Remove"

    def rows(self) -> list[forms.Form]:
        """The rows to keep, in the order their position fields give (valid formset)."""
        return list(self.ordered_forms)


ItemFormSet = forms.formset_factory(
    ItemForm, formset=BaseOrderedFormSet, extra=1, can_order=True, can_delete=True,
    max_num=200, validate_max=True,
)


class SectionForm(forms.Form):
    """One section of an article, with its items as a nested formset (`self.items`)."""

    kind = forms.ChoiceField(choices=_with_blank(SectionKind.choices), widget=FastSelect)
    heading = TextField(max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    body = TextField(required=False, widget=textarea(8, 100), help_text=BODY_HELP)
    group_headings = TextField(required=False, widget=textarea(2, 60),
                               help_text=GROUP_HEADINGS_HELP)
    timeline = TextField(required=False, widget=textarea(2, 40), help_text=TIMELINE_HELP)

    def __init__(self, *args, entity_choices=(), items_initial=None, extra_items=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = ItemFormSet(
            data=self.data if self.is_bound else None,
            prefix=f"{self.prefix}-items",
            initial=items_initial or [],
            form_kwargs={"entity_choices": entity_choices},
        )
        if not self.is_bound:
            self.items.extra = extra_items

    @staticmethod
    def initial_from(section: dict) -> dict:
        groups = "\n".join(f"{g['group']}: {g['heading']}" for g in section.get("groups") or [])
        timeline = "\n".join(
            f"{p['phase']}: {p['min']}-{p['max']} {p['unit']}"
            for p in section.get("timeline") or []
        )
        return {
            "kind": section.get("kind") or "",
            "heading": section.get("heading") or "",
            "body": section.get("body") or "",
            "group_headings": groups,
            "timeline": timeline,
        }

    def has_changed(self) -> bool:
        return super().has_changed() or self.items.has_changed()

    def clean_group_headings(self) -> list[dict]:
        groups = []
        for line in lines_of(self.cleaned_data.get("group_headings")):
            group, sep, heading = line.partition(":")
            if not sep or not group.strip() or not heading.strip():
                raise forms.ValidationError(f"Write “group: heading”, not “{line}”.")
            groups.append({"group": group.strip(), "heading": heading.strip()})
        return groups

    def clean_timeline(self) -> list[dict] | None:
        phases = []
        for line in lines_of(self.cleaned_data.get("timeline")):
            match = TIMELINE_RE.match(line)
            if match is None:
                raise forms.ValidationError(f"Write “phase: min-max unit”, not “{line}”.")
            phases.append({
                "phase": match["phase"], "min": int(match["min"]), "max": int(match["max"]),
                "unit": match["unit"],
            })
        return phases or None

    def to_snapshot(self, position: int) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "heading": data["heading"],
            "position": position,
            "body": data.get("body") or "",
            "groups": data["group_headings"],
            "timeline": data["timeline"],
            "items": [item.to_snapshot() for item in self.item_rows()],
        }

    def item_rows(self) -> list[ItemForm]:
        """The items kept, in position order; fixed at the first call (a valid form), so
        errors added afterwards can still find their row."""
        if not hasattr(self, "_item_rows"):
            self._item_rows = self.items.rows()
        return self._item_rows


class BaseSectionFormSet(BaseOrderedFormSet):
    def __init__(self, *args, entity_choices=(), sections=(), **kwargs):
        self.entity_choices = entity_choices
        self.sections = list(sections)
        super().__init__(*args, initial=[SectionForm.initial_from(s) for s in self.sections],
                         **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["entity_choices"] = self.entity_choices
        if index is not None and index < len(self.sections):
            kwargs["items_initial"] = [
                ItemForm.initial_from(item) for item in self.sections[index].get("items", [])
            ]
            kwargs["extra_items"] = 1
        else:
            kwargs["extra_items"] = 3
        return kwargs

    def kept(self, form) -> bool:
        """Whether a row is part of the article (not removed, not an untouched blank row)."""
        if self.can_delete and self._should_delete_form(form):
            return False
        return self.forms.index(form) < self.initial_form_count() or form.has_changed()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return all([valid, *(form.items.is_valid() for form in self.forms if self.kept(form))])


SectionFormSet = forms.formset_factory(
    SectionForm, formset=BaseSectionFormSet, extra=1, can_order=True, can_delete=True,
    max_num=len(SectionKind.values), validate_max=True,
)


class SnapshotEditor:
    """Everything the admin's change form edits for one item: the form of its type and, for
    an article, the sections formset. Build it from a snapshot (`content`) or from POST."""

    def __init__(
        self,
        content_type: str,
        *,
        data=None,
        content: dict | None = None,
        expected_revision: int | None = None,
        labels: dict | None = None,
        creating: bool = False,
    ):
        self.content_type = content_type
        self.content = content or {}
        form_class = SNAPSHOT_FORMS[content_type]
        initial = form_class.initial_from(self.content)
        if not creating:
            initial["expected_revision"] = expected_revision
        self.form = form_class(data=data, initial=initial, creating=creating, labels=labels)
        self.sections = None
        if content_type == ContentType.ARTICLE:
            self.sections = SectionFormSet(
                data=data,
                prefix="sections",
                sections=self.content.get("sections", []),
                entity_choices=entity_choices(labels or {}),
            )

    def all_forms(self):
        yield self.form
        if self.sections is not None:
            for section in self.sections.forms:
                yield section
                yield from section.items.forms

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        if self.sections is not None:
            valid = self.sections.is_valid() and valid
        return valid

    @property
    def expected_revision(self) -> int | None:
        return self.form.cleaned_data.get("expected_revision")

    @property
    def change_note(self) -> str:
        return self.form.cleaned_data.get("change_note", "")

    def to_snapshot(self) -> dict:
        """The submitted content as snapshot data (call after `is_valid()`)."""
        snapshot = self.form.to_snapshot()
        self._sent: list[SectionForm] = []
        if self.sections is not None:
            self._sent = self.sections.rows()
            snapshot["sections"] = [
                section.to_snapshot(position)
                for position, section in enumerate(self._sent, start=1)
            ]
        return snapshot

    def errors_apply(self, errors: list[dict]) -> None:
        """Put snapshot_normalise's errors ({field, message, code}) on the fields they name;
        what names no field becomes an error at the top of the form."""
        for error in errors:
            path, message = error["field"], error["message"]
            if not self._apply(path, message):
                self.form.add_error(None, f"{path}: {message}")

    def _apply(self, path: str, message: str) -> bool:
        match = PATH_RE.match(path)
        if match is None:
            return False
        name, index, rest = match["name"], match["index"], match["rest"]
        if name == "sections" and index is not None and self.sections is not None:
            sent = getattr(self, "_sent", [])
            if int(index) >= len(sent):
                return False
            return _apply_to_section(sent[int(index)], rest or "", message)
        if name in self.form.fields and name not in ("expected_revision",):
            self.form.add_error(name, message)
            return True
        return False

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.all_forms() if form.is_bound) or bool(
            self.sections is not None and self.sections.is_bound
            and self.sections.non_form_errors()
        )


def _apply_to_section(section: SectionForm, rest: str, message: str) -> bool:
    match = PATH_RE.match(rest)
    if match is None:
        section.add_error(None, message)
        return True
    name, index, field = match["name"], match["index"], (match["rest"] or "")
    if name == "items" and index is not None:
        rows = section.item_rows()
        if int(index) >= len(rows):
            return False
        item = rows[int(index)]
        field = field.split(".", 1)[0]
        item.add_error(field if field in item.fields else None, message)
        return True
    target = {"groups": "group_headings", "timeline": "timeline"}.get(name, name)
    section.add_error(target if target in section.fields else None, message)
    return True


def entity_choices(labels: dict) -> list:
    """The "Links to" select of an item: none, or any item of the five entity types."""
    choices = [("", "— nothing —")]
    for type_, heading in ENTITY_TYPES.items():
        entries = labels.get(type_, [])
        if entries:
            choices.append((heading, [(f"{type_}:{slug}", label[:80]) for slug, label in entries]))
    return choices


# --- workflow ---------------------------------------------------------------------------------


class RevisionActionForm(forms.Form):
    """A workflow action on one revision; `revision` is the number the person was shown."""

    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class SubmitForReviewForm(RevisionActionForm):
    comment = TextField(
        max_length=5000, required=False, widget=textarea(2, 60),
        help_text="Optional note for the medical reviewer.",
    )


class ReviewForm(RevisionActionForm):
    decision = forms.ChoiceField(choices=ReviewDecision.choices, widget=forms.RadioSelect)
    comment = TextField(max_length=5000, required=False, widget=textarea(3, 60))
    next_review_due = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When this content must be reviewed again: after today, at most "
        f"{NEXT_REVIEW_MAX_YEARS} years ahead (default: in a year).",
    )


class PublishForm(RevisionActionForm):
    go_live_at = forms.DateTimeField(
        required=False,
        label="Go live at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC. Needed to schedule; “Publish now” ignores it.",
    )
    expire_at = forms.DateTimeField(
        required=False,
        label="Expire at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UTC. Optional: from then on the public API no longer shows it.",
    )


class RevertForm(forms.Form):
    revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    expected_revision = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


MORE_ROWS_RE = re.compile(r"^sections(?:-\d+-items)?$")


def rows_add(data, prefix: str, count: int = 3):
    """A copy of POST `data` with `count` more blank rows in the formset `prefix`
    ("sections" or "sections-<i>-items"), for the "more rows" buttons; None if `prefix`
    names no formset of the submission."""
    key = f"{prefix}-TOTAL_FORMS"
    if not MORE_ROWS_RE.match(prefix or "") or key not in data:
        return None
    data = data.copy()
    try:
        total = int(data[key])
    except ValueError:
        return None
    count = 1 if prefix == "sections" else count
    data[key] = str(total + count)
    if prefix == "sections":
        for index in range(total, total + count):
            data[f"sections-{index}-items-TOTAL_FORMS"] = "3"
            data[f"sections-{index}-items-INITIAL_FORMS"] = "0"
    return data
