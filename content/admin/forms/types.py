"""One form per content type, derived from its declaration (content/types.py): the fields
of its snapshot besides an article's sections."""

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple

from content.admin.forms.fields import TextField, lines_of, textarea
from content.choices import CodeSystem
from content.types import ContentTypeSpec, Field, FieldKind, registry


class SnapshotForm(forms.Form):
    """The fields of one content type's snapshot (besides an article's sections)."""

    content_type: str = ""
    #: Snapshot fields this form edits, in order.
    snapshot_fields: tuple[str, ...] = ()
    #: Fields holding one entry per line.
    list_fields: tuple[str, ...] = ()
    #: Fields that are lists of references, with the type they refer to.
    ref_fields: dict[str, str] = {}
    #: Fields whose blank value is stored as null.
    null_fields: tuple[str, ...] = ()
    #: Fields of clinical codes, one `system code` per line.
    code_fields: tuple[str, ...] = ()

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
        for name, type_ in self.ref_fields.items():
            self.fields[name].choices = (labels or {}).get(type_, [])

    @classmethod
    def initial_from(cls, content: dict) -> dict:
        initial = {}
        for name in cls.snapshot_fields:
            value = content.get(name)
            if name in cls.list_fields:
                value = "\n".join(value or [])
            elif name in cls.ref_fields:
                value = [ref["slug"] for ref in value or []]
            elif name in cls.code_fields:
                value = "\n".join(f"{c['system']} {c['code']}" for c in value or [])
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
            elif name in self.ref_fields:
                # Keep the stored order of references; newly ticked ones go last.
                before = [slug for slug in self.initial.get(name) or [] if slug in value]
                slugs = before + [slug for slug in value if slug not in before]
                value = [{"type": self.ref_fields[name], "slug": slug} for slug in slugs]
            elif name in self.code_fields:
                value = [code_of_line(line) for line in lines_of(value)]
            elif name in self.null_fields:
                value = value or None
            snapshot[name] = value
        return snapshot


def code_of_line(line: str) -> dict:
    """One line of a codes field, `icd10cm M16.11` (or `icd10cm: M16.11`), as a code."""
    system, _, code = line.strip().partition(" ")
    return {"system": system.strip().rstrip(":"), "code": code.strip()}


def _form_field(spec: Field) -> forms.Field:
    """The admin field of one declared snapshot field (content/types.py)."""
    help_text = spec.help_text
    if spec.kind is FieldKind.TEXT:
        size = 80 if spec.max_length > 200 else 60
        return TextField(max_length=spec.max_length, required=spec.required and not spec.blank,
                         widget=forms.TextInput(attrs={"size": size}), help_text=help_text)
    if spec.kind is FieldKind.PROSE:
        rows = 5 if spec.max_length > 2000 else 3
        return TextField(max_length=spec.max_length, required=spec.required and not spec.blank,
                         widget=textarea(rows), help_text=help_text)
    if spec.kind is FieldKind.LINES:
        return TextField(required=False, widget=textarea(3), help_text=f"{help_text} One per line.")
    if spec.kind is FieldKind.CODES:
        systems = ", ".join(f"{value} ({label})" for value, label in CodeSystem.choices)
        return TextField(required=False, widget=textarea(3),
                         help_text=f"{help_text} One per line: the system ({systems}), a "
                         "space, the code, e.g. “icd10cm M16.11” or “snomedct 239872002”.")
    if spec.kind is FieldKind.CHOICE:
        initial = None if spec.default is None or spec.required else spec.missing
        return forms.ChoiceField(choices=spec.choices.choices, initial=initial,
                                 help_text=help_text)
    # References: the admin's searchable two-box multi-select (`filter_horizontal`).
    return forms.MultipleChoiceField(
        required=False, widget=FilteredSelectMultiple(spec.name.replace("_", " "), False),
        help_text=help_text,
    )


def _snapshot_form(spec: ContentTypeSpec) -> type[SnapshotForm]:
    """The admin form of one type: every declared field but an article's sections (edited by
    the sections formset)."""
    fields = [f for f in spec.fields if f.kind is not FieldKind.SECTIONS]
    attrs = {
        "__module__": __name__,
        "content_type": spec.name,
        "snapshot_fields": tuple(f.name for f in fields),
        "list_fields": tuple(f.name for f in fields if f.kind is FieldKind.LINES),
        "ref_fields": {f.name: f.refs_to for f in fields if f.kind is FieldKind.REFS},
        "null_fields": tuple(f.name for f in fields if f.null),
        "code_fields": tuple(f.name for f in fields if f.kind is FieldKind.CODES),
        **{f.name: _form_field(f) for f in fields},
    }
    return type(f"{spec.camel}Form", (SnapshotForm,), attrs)


#: The admin form of each type.
SNAPSHOT_FORMS: dict[str, type[SnapshotForm]] = {spec.name: _snapshot_form(spec)
                                                 for spec in registry}
