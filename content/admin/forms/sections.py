"""An article's sections, each with its items as a nested formset."""

import re

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME

from content.admin.forms.fields import FastSelect, TextField, lines_of, textarea, with_blank
from content.blocks import blocks_from_fields, html_split
from content.choices import ITEM_GROUPS_OF_KIND, BlockType, ItemGroup, SectionKind
from content.snapshots import ALLOWED_TAGS
from content.types import registry

#: Entity types an item may link to, with the label of their group in the select.
ENTITY_TYPES = {name: registry[name].plural for name in registry.entity_types()}

BODY_HELP = (
    "Rich text: the editor makes only what is allowed. Stored as HTML; allowed tags: "
    + ", ".join(sorted(ALLOWED_TAGS)) + "; links may use http, https "
    "and mailto. Anything else (scripts, styles, event handlers, other tags) is removed when "
    "you save, and you are told what was removed."
)
#: The form field of each item group's heading (`group_heading_<group>`).
GROUP_FIELDS = {group: f"group_heading_{group}" for group in ItemGroup.values}
TIMELINE_HELP = (
    "Recovery section only. One “phase: min-max unit” per line, e.g. “initial: 4-6 week”; "
    "phases initial and full, units day, week, month."
)
#: In "Order of blocks", the body's next paragraph.
PARAGRAPH = "¶"
LAYOUT_HELP = (
    "The section's paragraphs and lists in reading order: “¶” is the body's next paragraph, "
    "a group's name its list, e.g. “¶, ¶, rehabilitation, tips, ¶”. The ↑ and ↓ buttons move "
    "a block; “+ ¶” adds a paragraph there (write it at the same place in the body). "
    "Paragraphs without a “¶” come last, as do lists not named. Within a list, items keep "
    "the order of their positions (↑ and ↓ on each item)."
)
_LAYOUT_SPLIT = re.compile(r"[\s,]+")
TIMELINE_RE = re.compile(
    r"^(?P<phase>[a-z_]+)\s*:\s*(?P<min>\d+)\s*-\s*(?P<max>\d+)\s*(?P<unit>[a-z]+)$"
)


class ItemForm(forms.Form):
    """One item of a section's lists."""

    group = forms.ChoiceField(choices=with_blank(ItemGroup.choices), widget=FastSelect)
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

    kind = forms.ChoiceField(choices=with_blank(SectionKind.choices), widget=FastSelect)
    heading = TextField(max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    body = TextField(
        required=False, help_text=BODY_HELP,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 100, "data-rich-text": "1"}),
    )
    layout = TextField(
        required=False, label="Order of blocks", help_text=LAYOUT_HELP,
        widget=forms.TextInput(attrs={"size": 80, "data-block-order": "1"}),
    )
    timeline = TextField(required=False, widget=textarea(2, 40), help_text=TIMELINE_HELP)

    def __init__(self, *args, entity_choices=(), items_initial=None, extra_items=1, **kwargs):
        super().__init__(*args, **kwargs)
        # One heading field per item group (the groups of the section's kind are shown,
        # the others kept as hidden inputs), instead of "group: heading" lines.
        for group, name in GROUP_FIELDS.items():
            self.fields[name] = TextField(
                max_length=300, required=False, label=f"Heading of “{ItemGroup(group).label}”",
                widget=forms.TextInput(attrs={"size": 40}),
                help_text="Shown above this group's items; leave blank for none.",
            )
        self.items = ItemFormSet(
            data=self.data if self.is_bound else None,
            prefix=f"{self.prefix}-items",
            initial=items_initial or [],
            form_kwargs={"entity_choices": entity_choices},
        )
        if not self.is_bound:
            self.items.extra = extra_items

    def group_heading_fields(self) -> list:
        """The bound heading fields of the groups of this section's kind (all of them while
        the kind is not chosen)."""
        kind = self.initial.get("kind") or (self.data.get(f"{self.prefix}-kind")
                                            if self.is_bound else "")
        groups = ITEM_GROUPS_OF_KIND.get(kind) or ItemGroup.values
        return [self[GROUP_FIELDS[group]] for group in groups]

    def other_group_heading_fields(self) -> list:
        """The heading fields not shown (kept as hidden inputs, so nothing is lost)."""
        shown = {field.name for field in self.group_heading_fields()}
        return [self[name] for name in GROUP_FIELDS.values() if name not in shown]

    @staticmethod
    def initial_from(section: dict) -> dict:
        groups = {GROUP_FIELDS[g["group"]]: g["heading"] for g in section.get("groups") or []
                  if g.get("group") in GROUP_FIELDS}
        timeline = "\n".join(
            f"{p['phase']}: {p['min']}-{p['max']} {p['unit']}"
            for p in section.get("timeline") or []
        )
        blocks = section["blocks"] if "blocks" in section else blocks_from_fields(
            section.get("body") or "", section.get("groups") or [], section.get("items") or [])
        return {
            "kind": section.get("kind") or "",
            "heading": section.get("heading") or "",
            "body": section.get("body") or "",
            "layout": ", ".join(PARAGRAPH if b["type"] == BlockType.PARAGRAPH else b["group"]
                                for b in blocks),
            "group_order": [g["group"] for g in section.get("groups") or []],
            **groups,
            "timeline": timeline,
        }

    def has_changed(self) -> bool:
        return super().has_changed() or self.items.has_changed()

    def group_headings(self) -> list[dict]:
        """The groups with a heading, in their stored order, new ones after in the order of
        ItemGroup (so a save that changes nothing keeps the content hash)."""
        data = self.cleaned_data
        stored = [g for g in self.initial.get("group_order") or [] if g in GROUP_FIELDS]
        order = stored + [g for g in ItemGroup.values if g not in stored]
        return [{"group": group, "heading": data[GROUP_FIELDS[group]].strip()}
                for group in order if (data.get(GROUP_FIELDS[group]) or "").strip()]

    def clean_layout(self) -> list[str]:
        tokens = [t for t in _LAYOUT_SPLIT.split(self.cleaned_data.get("layout") or "") if t]
        unknown = [t for t in tokens if t != PARAGRAPH and t not in ItemGroup.values]
        if unknown:
            raise forms.ValidationError(
                f"Write “{PARAGRAPH}” or a group's name ({', '.join(ItemGroup.values)}), not "
                f"“{unknown[0]}”.")
        lists = [t for t in tokens if t != PARAGRAPH]
        if len(set(lists)) != len(lists):
            raise forms.ValidationError("Name each list once.")
        return tokens

    def blocks(self) -> list[dict]:
        """The section's blocks: the body's top-level paragraphs (as typed: the snapshot
        sanitises each) and the lists, in the order “Order of blocks” gives; each list has
        its group's heading and the items of its group in position order."""
        data = self.cleaned_data
        pieces = iter(html_split(data.get("body") or ""))
        headings = {g["group"]: g["heading"] for g in self.group_headings()}
        items: dict[str, list[dict]] = {}
        for row in self.item_rows():
            item = row.to_snapshot()
            items.setdefault(item.pop("group"), []).append(item)

        def listing(group: str) -> dict:
            return {"type": BlockType.LIST.value, "group": group,
                    "heading": headings.get(group), "items": items.get(group, [])}

        blocks = []
        for token in data.get("layout") or []:
            if token != PARAGRAPH:
                if token in headings or token in items:
                    blocks.append(listing(token))
            elif (piece := next(pieces, None)) is not None:
                blocks.append({"type": BlockType.PARAGRAPH.value, "body": piece})
        blocks += [{"type": BlockType.PARAGRAPH.value, "body": piece} for piece in pieces]
        named = set(data.get("layout") or [])
        blocks += [listing(group) for group in dict.fromkeys([*headings, *items])
                   if group not in named]
        return blocks

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
        self.sent_blocks = self.blocks()
        return {
            "kind": data["kind"],
            "heading": data["heading"],
            "position": position,
            "blocks": self.sent_blocks,
            "timeline": data["timeline"],
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


def entity_choices(labels: dict) -> list:
    """The "Links to" select of an item: none, or any item of the five entity types."""
    choices = [("", "— nothing —")]
    for type_, heading in ENTITY_TYPES.items():
        entries = labels.get(type_, [])
        if entries:
            choices.append((heading, [(f"{type_}:{slug}", label[:80]) for slug, label in entries]))
    return choices
