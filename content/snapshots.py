"""The revision snapshot format: validation, normalisation, hashing and upgraders.

A snapshot is the whole content item as a JSON object, in the shape the editorial API
shows (public field names, an item's `entity` and relations as `{"type", "slug"}`).
`snapshot_normalise()` is the single gate every write passes through (API, admin, seed
loader): it checks every field, sanitises rich text and returns the canonical form whose
`snapshot_hash()` a clinical review is bound to.

Snapshots are stored with `SCHEMA_VERSION`. When the format changes, bump it and register
an upgrader from the previous version in `UPGRADERS`; `snapshot_upgrade()` brings any
stored snapshot to the current format on read.
"""

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import nh3
from django.utils.module_loading import import_string

from content.blocks import blocks_from_fields, fields_from_blocks, html_split
from content.choices import (
    HEALTH_ASPECT_OF_KIND,
    ITEM_GROUPS_OF_KIND,
    BlockType,
    CodeSystem,
    SectionKind,
    TimelinePhase,
    TimeUnit,
)
from content.codes import CodeInvalid, code_normalise
from content.exceptions import ContentInvalid
from content.plaintext import (
    BIDI_CODE,
    BIDI_MESSAGE,
    CONTROL_RE,
    MARKUP_RE,
    bidi_control_found,
)
from content.types import (
    MAX_LIST,
    MAX_LONG,
    MAX_SHORT,
    MAX_SLUG,
    SECTION,
    Field,
    FieldKind,
    registry,
)

#: 2: an article's sections hold `blocks` (content/blocks.py).
SCHEMA_VERSION = 2

#: {from_version: the types whose snapshot that version's change touched}; the others keep
#: their snapshot as it was and need no upgrader (1 → 2: an article's sections gained blocks).
CHANGED_TYPES: dict[int, set[str]] = {1: {"article"}}

#: {content type: {from_version: function(content) -> content at from_version + 1}}
UPGRADERS: dict[str, dict[int, Callable[[dict], dict]]] = {
    spec.name: {version: import_string(f) if isinstance(f, str) else f
                for version, f in spec.upgraders.items()}
    for spec in registry
}

#: Tags and attributes allowed in rich text (section bodies). Everything else is removed.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h3", "h4",
    "blockquote", "sub", "sup", "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")



def snapshot_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON of a normalised snapshot."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: The order of keys in a snapshot as served and diffed. Stored JSON does not keep key order
#: (PostgreSQL's jsonb sorts keys by length), so reads put them back in this order.
KEY_ORDER = {
    key: index
    for index, key in enumerate([
        "type", "slug", "kind", "phase", "group", "title", "name", "heading", "position", "summary",
        "language", "also_known_as", "body_region", "health_aspect", "text", "urgency",
        "description", "frequency", "category", "examples", "caution", "blocks", "body", "min",
        "max", "unit", "conditions", "groups", "items", "entity", "timeline", "sections",
        "codes",
        "system", "code",
    ])
}


def snapshot_ordered(value):
    """`value` with every object's keys in KEY_ORDER (unknown keys last, alphabetically)."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (KEY_ORDER.get(k, len(KEY_ORDER)), k))
        return {key: snapshot_ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [snapshot_ordered(v) for v in value]
    return value


def snapshot_upgrade(type_: str, content: dict, version: int) -> dict:
    """Bring a stored snapshot of `version` up to `SCHEMA_VERSION`, keys in canonical order."""
    while version < SCHEMA_VERSION:
        upgrader = UPGRADERS[type_].get(version)
        if upgrader is not None:
            content = upgrader(content)
        elif type_ in CHANGED_TYPES.get(version, {type_}):
            raise LookupError(f"No snapshot upgrader for {type_} from version {version}.")
        version += 1
    return snapshot_ordered(content)


def sanitise_html(html: str) -> str:
    """Rich text through the allow-list: scripts, handlers and javascript: URLs removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()


class _MarkupCensus(HTMLParser):
    """How often each tag and each (tag, attribute) occurs in a piece of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.attributes: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, _ in attrs:
            if not (tag == "a" and name == "rel"):  # added by the sanitiser
                self.attributes[(tag, name)] += 1

    handle_startendtag = handle_starttag


def _census(html: str) -> _MarkupCensus:
    census = _MarkupCensus()
    census.feed(html or "")
    census.close()
    return census


def sanitise_removed(html: str) -> list[str]:
    """What `sanitise_html` removes from `html`, for telling the person who wrote it: each
    tag and attribute dropped, with how often (e.g. "<script> (1)", "onclick on <p> (2)",
    "href on <a> (1)" for a link whose address was not http, https or mailto)."""
    before, after = _census(html), _census(sanitise_html(html or ""))
    removed = [f"<{tag}> ({count})" for tag, count in sorted((before.tags - after.tags).items())]
    removed += [f"{name} on <{tag}> ({count})" for (tag, name), count
                in sorted((before.attributes - after.attributes).items())]
    return removed


class _Checker:
    """Collects every error of one snapshot, with dotted field paths."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def error(self, field: str, message: str, code: str) -> None:
        self.errors.append({"field": field, "message": message, "code": code})

    def obj(self, value: Any, field: str, allowed: set[str], required: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.error(field or "non_field_errors", "Expected a JSON object.", "invalid")
            return None
        prefix = f"{field}." if field else ""
        for key in sorted(set(value) - allowed):
            self.error(f"{prefix}{key}", "Unknown field.", "unknown_field")
        for key in sorted(required - set(value)):
            self.error(f"{prefix}{key}", "This field is required.", "required")
        return value

    def text(
        self,
        value: Any,
        field: str,
        *,
        max_length: int = MAX_SHORT,
        blank: bool = False,
        null: bool = False,
        rich: bool = False,
    ) -> str | None:
        if value is None:
            if not null:
                self.error(field, "This field may not be null.", "null")
            return None
        if not isinstance(value, str):
            self.error(field, "Expected a string.", "invalid")
            return None
        if CONTROL_RE.search(value):
            self.error(field, "Control characters (such as NUL) are not allowed.", "invalid")
            return None
        value = value.strip()
        if rich:
            value = sanitise_html(value)  # decodes `&#x202e;` too: checked below, not before
        if found := bidi_control_found(value):
            # Refused, not stripped, in plain and rich text alike: the editor learns why, and
            # what a clinician approves is exactly what was sent (content/plaintext.py).
            self.error(field, f"{BIDI_MESSAGE} Found {found}.", BIDI_CODE)
            return None
        if not rich and MARKUP_RE.search(value):
            self.error(field, "This is a plain-text field: HTML markup is not allowed.", "markup")
            return None
        if not value and not blank:
            self.error(field, "This field may not be blank.", "blank")
            return None
        if len(value) > max_length:
            self.error(
                field, f"Ensure this field has no more than {max_length} characters.", "max_length"
            )
            return None
        if null and not value:
            return None
        return value

    def choice(self, value: Any, field: str, choices: list[str]) -> str | None:
        if value not in choices:
            shown = ", ".join(choices)
            self.error(field, f"{value!r} is not a valid choice; expected one of: {shown}.",
                       "invalid_choice")
            return None
        return value

    def slug(self, value: Any, field: str) -> str | None:
        if not isinstance(value, str) or not SLUG_RE.match(value) or len(value) > MAX_SLUG:
            self.error(
                field,
                "Enter a valid slug: lowercase letters, digits and single hyphens (at most 120).",
                "invalid",
            )
            return None
        return value

    def seq(self, value: Any, field: str) -> list:
        if not isinstance(value, list):
            self.error(field, "Expected a list.", "not_a_list")
            return []
        if len(value) > MAX_LIST:
            self.error(
                field, f"Ensure this list has no more than {MAX_LIST} entries.", "max_length"
            )
            return []
        return value

    def strings(self, value: Any, field: str) -> list[str]:
        result = []
        for i, entry in enumerate(self.seq(value, field)):
            text = self.text(entry, f"{field}[{i}]")
            if text is not None:
                result.append(text)
        return result

    def ref(self, value: Any, field: str, types: tuple[str, ...]) -> dict | None:
        """An entity reference {"type", "slug"}."""
        ref = self.obj(value, field, {"type", "slug", "name", "url"}, {"type", "slug"})
        if ref is None or "type" not in ref or "slug" not in ref:
            return None
        type_ = self.choice(ref["type"], f"{field}.type", list(types))
        slug = self.slug(ref["slug"], f"{field}.slug")
        if type_ is None or slug is None:
            return None
        return {"type": type_, "slug": slug}

    def refs(self, value: Any, field: str, type_: str) -> list[dict]:
        result, seen = [], set()
        for i, entry in enumerate(self.seq(value, field)):
            ref = self.ref(entry, f"{field}[{i}]", (type_,))
            if ref is None:
                continue
            if ref["slug"] in seen:
                self.error(f"{field}[{i}]", "Duplicate reference.", "duplicate")
                continue
            seen.add(ref["slug"])
            result.append(ref)
        return result

    def codes(self, value: Any, field: str) -> list[dict]:
        """Clinical codes [{"system", "code"}], each checked by its system (content/codes.py)
        and stored in its canonical spelling, each at most once."""
        result, seen = [], set()
        for i, entry in enumerate(self.seq(value, field)):
            path = f"{field}[{i}]"
            code = self.obj(entry, path, {"system", "code", "display"}, {"system", "code"})
            if code is None or "system" not in code or "code" not in code:
                continue
            system = self.choice(code["system"], f"{path}.system", CodeSystem.values)
            if system is None:
                continue
            try:
                canonical = code_normalise(system, code["code"])
            except CodeInvalid as error:
                self.error(f"{path}.code", error.message, error.code)
                continue
            if (system, canonical) in seen:
                self.error(path, f"{canonical} is listed twice.", "duplicate")
                continue
            seen.add((system, canonical))
            result.append({"system": system, "code": canonical})
        return result


#: Types a section item may link to.
ENTITY_TYPES = registry.entity_types()


def _timeline(c: _Checker, value: Any, field: str) -> list[dict] | None:
    if value is None:
        return None
    phases = []
    for i, entry in enumerate(c.seq(value, field)):
        path = f"{field}[{i}]"
        phase = c.obj(entry, path, {"phase", "min", "max", "unit"}, {"phase", "min", "max", "unit"})
        if phase is None or set(phase) != {"phase", "min", "max", "unit"}:
            continue
        low, high = phase["min"], phase["max"]
        if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= 1000
                   for n in (low, high)):
            c.error(path, "min and max must be whole numbers from 0 to 1000.", "invalid")
            continue
        if low > high:
            c.error(path, "min must not be greater than max.", "invalid")
            continue
        name = c.choice(phase["phase"], f"{path}.phase", TimelinePhase.values)
        unit = c.choice(phase["unit"], f"{path}.unit", TimeUnit.values)
        if name and unit:
            phases.append({"phase": name, "min": low, "max": high, "unit": unit})
    return phases


def _item(c: _Checker, entry: Any, path: str, groups_allowed: list[str] | None,
          group: str | None = None) -> dict | None:
    """One entry of a list: of `items` (names its group) or of a list block (its group is the
    block's)."""
    fields = set(SECTION.item_fields)
    if group is None:
        item = c.obj(entry, path, fields | {"group"}, {"group", "text"})
        if item is None:
            return None
        group = c.choice(item.get("group"), f"{path}.group", groups_allowed) \
            if groups_allowed is not None else None
    else:
        item = c.obj(entry, path, fields, {"text"})
        if item is None:
            return None
    title = c.text(item.get("title"), f"{path}.title", null=True, blank=True)
    text = c.text(item.get("text"), f"{path}.text", max_length=MAX_LONG)
    entity = None
    if item.get("entity") is not None:
        entity = c.ref(item["entity"], f"{path}.entity", ENTITY_TYPES)
    return {"group": group, "title": title, "text": text, "entity": entity}


def _fields_of_old_shape(c: _Checker, section: dict, field: str,
                         groups_allowed: list[str] | None) -> list[dict]:
    """A section written as `body`, `groups` and `items`, as blocks (paragraphs, then lists)."""
    body = c.text(section.get("body", ""), f"{field}.body", max_length=MAX_LONG, blank=True,
                  rich=True)
    groups = []
    seen_groups = set()
    for i, entry in enumerate(c.seq(section.get("groups", []), f"{field}.groups")):
        path = f"{field}.groups[{i}]"
        group = c.obj(entry, path, {"group", "heading"}, {"group", "heading"})
        if group is None:
            continue
        name = c.choice(group.get("group"), f"{path}.group", groups_allowed) \
            if groups_allowed is not None else None
        group_heading = c.text(group.get("heading"), f"{path}.heading", max_length=MAX_SHORT)
        if name in seen_groups:
            c.error(f"{path}.group", "Each group may have one heading.", "duplicate")
        elif name and group_heading:
            seen_groups.add(name)
            groups.append({"group": name, "heading": group_heading})
    items = [item for i, entry in enumerate(c.seq(section.get("items", []), f"{field}.items"))
             if (item := _item(c, entry, f"{field}.items[{i}]", groups_allowed)) is not None]
    return blocks_from_fields(body or "", groups, items)


def _blocks(c: _Checker, value: Any, field: str, groups_allowed: list[str] | None) -> list[dict]:
    """A section's blocks, in order: a paragraph's body sanitised and cut at its top-level
    elements (one block each), each list's group at most once per section."""
    blocks, seen_groups = [], set()
    for i, entry in enumerate(c.seq(value, field)):
        path = f"{field}[{i}]"
        type_ = entry.get("type") if isinstance(entry, dict) else None
        if type_ not in BlockType.values:
            if isinstance(entry, dict):
                c.choice(type_, f"{path}.type", BlockType.values)
            else:
                c.obj(entry, path, set(), set())
            continue
        names = set(SECTION.fields_of_block(type_))
        block = c.obj(entry, path, names, names - {"heading"})
        if block is None or not names - {"heading"} <= set(block):
            continue
        if type_ == BlockType.PARAGRAPH:
            sent = block["body"]
            if isinstance(sent, str) and not sent.strip():
                c.error(f"{path}.body", "This field may not be blank.", "blank")
                continue
            # A paragraph the sanitiser empties (only a <script>, say) is dropped, as it is
            # from a body; the admin tells the editor what was removed.
            body = c.text(sent, f"{path}.body", max_length=MAX_LONG, blank=True, rich=True)
            blocks += [{"type": type_, "body": piece} for piece in html_split(body or "")]
            continue
        group = c.choice(block["group"], f"{path}.group", groups_allowed) \
            if groups_allowed is not None else None
        heading = c.text(block.get("heading"), f"{path}.heading", null=True, blank=True)
        if group in seen_groups:
            c.error(f"{path}.group", "Each group may be listed once per section.", "duplicate")
            continue
        seen_groups.add(group)
        items = []
        for j, entry_item in enumerate(c.seq(block["items"], f"{path}.items")):
            item = _item(c, entry_item, f"{path}.items[{j}]", groups_allowed, group=group)
            if item is not None:
                del item["group"]
                items.append(item)
        if group is not None:
            blocks.append({"type": type_, "group": group, "heading": heading, "items": items})
    return blocks


def _section(c: _Checker, value: Any, field: str) -> dict | None:
    section = c.obj(value, field, set(SECTION.fields), set(SECTION.required))
    if section is None:
        return None
    kind = c.choice(section.get("kind"), f"{field}.kind", SectionKind.values)
    heading = c.text(section.get("heading"), f"{field}.heading")
    groups_allowed = list(ITEM_GROUPS_OF_KIND.get(kind, ())) if kind else None
    errors_before = len(c.errors)
    if "blocks" in section:
        blocks = _blocks(c, section["blocks"], f"{field}.blocks", groups_allowed)
        sent_old = [name for name in SECTION.derived if name in section]
        if sent_old and len(c.errors) == errors_before:
            # The older fields may come along (a client sending back what it read) as long
            # as they say what the blocks say.
            old = _fields_of_old_shape(c, section, field, groups_allowed)
            derived, sent = fields_from_blocks(blocks), fields_from_blocks(old)
            for name in sent_old:
                if derived[name] != sent[name]:
                    c.error(f"{field}.{name}", f"`{name}` disagrees with `blocks`: send the "
                            "blocks alone (the older fields are derived from them).", "conflict")
    else:
        blocks = _fields_of_old_shape(c, section, field, groups_allowed)
    timeline = _timeline(c, section.get("timeline"), f"{field}.timeline")
    if timeline and kind != SectionKind.RECOVERY:
        c.error(f"{field}.timeline", "Only the recovery section has a timeline.", "invalid")
    return {
        "kind": kind,
        "heading": heading,
        "position": section.get("position"),
        "health_aspect": HEALTH_ASPECT_OF_KIND.get(kind),
        "blocks": blocks,
        **fields_from_blocks(blocks),
        "timeline": timeline,
    }


def _sections(c: _Checker, value: Any) -> list[dict]:
    sections = [s for i, v in enumerate(c.seq(value, "sections"))
                if (s := _section(c, v, f"sections[{i}]")) is not None]
    positions = [s["position"] for s in sections]
    if any(p is not None for p in positions):
        valid = all(isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in positions)
        if not valid or len(set(positions)) != len(positions):
            c.error("sections", "Positions must be distinct whole numbers from 1.", "invalid")
        else:
            sections.sort(key=lambda s: s["position"])
    kinds = [s["kind"] for s in sections]
    for kind in {k for k in kinds if kinds.count(k) > 1}:
        c.error("sections", f"An article has at most one {kind!r} section.", "duplicate")
    for position, section in enumerate(sections, start=1):
        section["position"] = position
    return sections


def _field(c: _Checker, spec: Field, value: Any) -> Any:
    """One field of a snapshot, checked by what its declaration says it holds."""
    if spec.kind in (FieldKind.TEXT, FieldKind.PROSE):
        return c.text(value, spec.name, max_length=spec.max_length, blank=spec.blank,
                      null=spec.null)
    if spec.kind is FieldKind.LINES:
        return c.strings(value, spec.name)
    if spec.kind is FieldKind.CHOICE:
        return c.choice(value, spec.name, spec.choices.values)
    if spec.kind is FieldKind.REFS:
        return c.refs(value, spec.name, spec.refs_to)
    if spec.kind is FieldKind.CODES:
        return c.codes(value, spec.name)
    return _sections(c, value)


def _fields(c: _Checker, type_: str, data: dict) -> dict:
    """Every field of a snapshot of `type_`, in declaration order (content/types.py)."""
    return {spec.name: _field(c, spec, data.get(spec.name, spec.missing))
            for spec in registry[type_].fields}


def snapshot_normalise(type_: str, data: Any, *, partial_of: dict | None = None) -> dict:
    """Validate `data` as a whole snapshot of `type_` and return its canonical form.

    With `partial_of` (a current snapshot), `data` is a partial update: fields it does not
    name keep their current value, and an article's `sections`, when sent, replace the
    whole list. Raises `ContentInvalid` listing every problem with its field path.
    """
    c = _Checker()
    declared = registry[type_]
    own, required = set(declared.by_name), declared.required
    if partial_of is not None:
        if not isinstance(data, dict):
            raise ContentInvalid([{"field": "non_field_errors",
                                   "message": "Expected a JSON object.", "code": "invalid"}])
        unknown = set(data) - own - {"slug"}
        merged = {**partial_of, **{k: v for k, v in data.items() if k in own}}
        for key in sorted(unknown):
            c.error(key, "Unknown field.", "unknown_field")
        if "slug" in data and data["slug"] != partial_of["slug"]:
            c.error("slug", "A slug never changes once created.", "immutable")
        data = merged
    body = c.obj(data, "", own | {"slug"}, required | {"slug"})
    if body is None:
        raise ContentInvalid(c.errors)
    slug = c.slug(body.get("slug"), "slug") if "slug" in body else None
    content = {"slug": slug, **_fields(c, type_, body)}
    if c.errors:
        raise ContentInvalid(c.errors)
    return content


def snapshot_references(type_: str, content: dict) -> list[tuple[str, dict]]:
    """Every (field path, {"type", "slug"}) reference a snapshot makes to other items."""
    refs = [(f"conditions[{i}]", ref) for i, ref in enumerate(content.get("conditions", []))]
    for s, section in enumerate(content.get("sections", [])):
        for i, item in enumerate(section["items"]):
            if item["entity"] is not None:
                refs.append((f"sections[{s}].items[{i}].entity", item["entity"]))
    return refs
