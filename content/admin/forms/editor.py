"""`SnapshotEditor`: everything the admin's change form edits for one item, from a snapshot
or from POST, and back to snapshot data; `rows_add` for the "more rows" buttons."""

import re

from content.admin.forms.sections import (
    GROUP_FIELDS,
    SectionForm,
    SectionFormSet,
    entity_choices,
)
from content.admin.forms.types import SNAPSHOT_FORMS
from content.choices import BlockType
from content.types import FieldKind, registry

PATH_RE = re.compile(r"^(?P<name>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<rest>.+))?$")
MORE_ROWS_RE = re.compile(r"^sections(?:-\d+-items)?$")


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
        if any(f.kind is FieldKind.SECTIONS for f in registry[content_type].fields):
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
    if name == "blocks" and index is not None:
        blocks = getattr(section, "sent_blocks", [])
        if int(index) >= len(blocks):
            return False
        return _apply_to_block(section, blocks[int(index)], field, message)
    if name == "groups" and index is not None:
        groups = section.group_headings()
        if int(index) < len(groups):
            section.add_error(GROUP_FIELDS[groups[int(index)]["group"]], message)
            return True
    section.add_error(name if name in section.fields else None, message)
    return True


def _apply_to_block(section: SectionForm, block: dict, rest: str, message: str) -> bool:
    """An error of a block on the field it came from: a paragraph's on the body, a list's
    heading on its group's heading, an item's on its row, anything else on the order."""
    if block["type"] == BlockType.PARAGRAPH:
        section.add_error("body", message)
        return True
    match = PATH_RE.match(rest)
    name = match["name"] if match else ""
    if name == "heading" and block["group"] in GROUP_FIELDS:
        section.add_error(GROUP_FIELDS[block["group"]], message)
        return True
    rows = [row for row in section.item_rows()
            if row.cleaned_data.get("group") == block["group"]]
    if name == "group" and rows:  # a group the section's kind does not have: on its items
        for row in rows:
            row.add_error("group", message)
        return True
    if name == "items" and match["index"] is not None and int(match["index"]) < len(rows):
        row = rows[int(match["index"])]
        field = (match["rest"] or "").split(".", 1)[0]
        row.add_error(field if field in row.fields else None, message)
        return True
    section.add_error("layout", message)
    return True


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
