"""The content-type registry: each type of content is declared here once.

A declaration (`ContentTypeSpec`) names the type's live model, its URL path, its title field,
and every field of its snapshot with its limits, choices and help text. Everything that
varies by type is derived from it: snapshot validation (`content.snapshots`), the editorial
serializers and so the schema's `maxLength`/`enum` (`content.api.editorial.serializers`), the
public and editorial viewsets and routes (`content.api.views`, `content.api.editorial`), the
admin forms (`content.admin.forms.types`), the public list filters (`content.filters`) and
what search reads (`content.search.indexing`). Adding a type is a declaration here, a model
(a `PublishedContent` subclass) and its migration; docs/architecture.md#adding-a-content-type.

This module imports no models, so that models can read it: the registry is built before the
app registry is ready. Hooks that live in other layers (a hand-written public serializer, a
JSON-LD builder) are named by dotted path and imported on first use.

Deployments and tests may declare extra types without editing this module: the setting
`HIPKNEE_EXTRA_CONTENT_TYPES` lists dotted paths of `ContentTypeSpec` objects.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models
from django.utils.module_loading import import_string

from content.choices import (
    BodyRegion,
    ContentType,
    Language,
    SymptomFrequency,
    TreatmentCategory,
    Urgency,
)

#: Limits every snapshot shares: a short text (a heading, a list entry), a long text (prose),
#: the most entries a list may hold, and a slug's length.
MAX_SHORT = 300
MAX_LONG = 20_000
MAX_LIST = 200
MAX_SLUG = 120


class FieldKind(enum.Enum):
    """What a snapshot field holds, which decides how every layer treats it."""

    TEXT = "text"  # plain text on one line
    PROSE = "prose"  # plain text, several lines
    LINES = "lines"  # a list of short plain texts (one per line in the admin)
    CHOICE = "choice"  # one value of `choices`
    REFS = "refs"  # references {"type", "slug"} to published items of `refs_to`
    SECTIONS = "sections"  # an article's typed sections, shaped as `SECTION` says
    CODES = "codes"  # clinical codes {"system", "code"} (content.codes)


_MISSING = object()


@dataclass(frozen=True)
class SectionShape:
    """What each section of a SECTIONS field holds. Its content is `blocks`, in reading
    order (paragraphs and lists, content/blocks.py); `derived` are the older fields, kept for
    the clients that read them and always computed from the blocks. Snapshot validation
    (`content.snapshots`), the editorial and public serializers and the admin's section form
    read this declaration."""

    fields: tuple[str, ...] = ("kind", "heading", "position", "health_aspect", "blocks",
                               "body", "groups", "items", "timeline")
    required: tuple[str, ...] = ("kind", "heading")
    #: Fields computed from `blocks` (`content.blocks.fields_from_blocks`); a write may send
    #: them instead of `blocks` (read as paragraphs, then lists), not in disagreement with them.
    derived: tuple[str, ...] = ("body", "groups", "items")
    #: The fields of each type of block (`content.choices.BlockType`).
    block_fields: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("paragraph", ("type", "body")),
        ("list", ("type", "group", "heading", "items")),
    )
    #: The fields of an item of a list block (an item of `items` adds its `group`).
    item_fields: tuple[str, ...] = ("title", "text", "entity")

    def fields_of_block(self, type_: str) -> tuple[str, ...]:
        return dict(self.block_fields)[type_]


#: The shape of an article's sections (docs/api.md#section-blocks).
SECTION = SectionShape()


@dataclass(frozen=True)
class Field:
    """One field of a type's snapshot (and the live column of the same name)."""

    name: str
    kind: FieldKind
    help_text: str = ""
    required: bool = True
    #: The most characters (TEXT, PROSE; each entry of LINES is at most MAX_SHORT).
    max_length: int = MAX_SHORT
    blank: bool = False
    null: bool = False
    choices: type[models.TextChoices] | None = None
    #: The type REFS point at.
    refs_to: str | None = None
    #: The value an optional field takes when a write leaves it out.
    default: Any = _MISSING
    #: A CHOICE field is a public list filter (`?<name>=`) described as "Only items of this …".
    filter_label: str = ""

    @property
    def missing(self) -> Any:
        """What a snapshot holds when a write leaves this field out."""
        if self.default is not _MISSING:
            return self.default
        if self.kind in (FieldKind.LINES, FieldKind.REFS, FieldKind.SECTIONS, FieldKind.CODES):
            return []
        return None


@dataclass(frozen=True)
class ContentTypeSpec:
    """One content type, declared once."""

    name: str  # the type name in payloads, e.g. "warning_sign"
    label: str  # "Warning sign"
    plural: str  # "Warning signs"
    path: str  # the URL segment, e.g. "warning-signs"
    model: str  # the live model, "app_label.ModelName"
    title_field: str  # the field that names an item ("title", "name", "text")
    fields: tuple[Field, ...]
    #: What the public list holds (the OpenAPI list description).
    description: str
    #: One line on the API index (GET /api/v1/).
    summary: str
    #: Public `ordering=` fields (the title field or slug first is the default).
    ordering: tuple[str, ...] = ()
    default_ordering: str = ""
    #: Whether the public list takes `?search=` (every type is in /search/ results).
    list_search: bool = True
    #: Search: the fields read as other names (weight B) and as prose (weight C); the title
    #: field is always weight A. An article's search document is built from its sections.
    search_names: tuple[str, ...] = ()
    search_body: tuple[str, ...] = ()
    #: Hooks in other layers, by dotted path; None derives a plain one from the fields.
    public_list_serializer: str | None = None
    public_detail_serializer: str | None = None
    filterset: str | None = None
    viewset_mixins: tuple[str, ...] = ()
    #: The schema.org JSON-LD builder of the detail (`Accept: application/ld+json`), and the
    #: example the schema shows for it.
    jsonld: str | None = None
    jsonld_example: str | None = None
    openapi_examples: str | None = None
    #: Snapshot upgraders {from_version: function or its dotted path}, for when the snapshot
    #: format changes.
    upgraders: dict = field(default_factory=dict)

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def required(self) -> set[str]:
        return {f.name for f in self.fields if f.required}

    @property
    def camel(self) -> str:
        """"WarningSign": the prefix of the type's schema component names."""
        return "".join(part.capitalize() for part in self.name.split("_"))

    @property
    def related_name(self) -> str:
        """"warning_signs": how another item names this type's rows that link to it (the
        reverse accessor of a REFS field, e.g. a condition's `warning_signs`)."""
        return self.path.replace("-", "_")

    def refs(self, target: str) -> Field | None:
        """This type's REFS field to `target`, if it declares one."""
        return next((f for f in self.fields
                     if f.kind is FieldKind.REFS and f.refs_to == target), None)

    @property
    def ordering_fields(self) -> tuple[str, ...]:
        return self.ordering or (self.title_field, "updated_at")

    @property
    def ordering_default(self) -> str:
        return self.default_ordering or self.ordering_fields[0]

    def live_model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model)

    def hook(self, name: str):
        """The object a dotted-path hook names, or None when it is not set."""
        path = getattr(self, name)
        return import_string(path) if path else None


# --- the six types ---------------------------------------------------------------------------

_NAME = Field("name", FieldKind.TEXT, max_length=200)
_PLAIN = "Plain text; HTML markup is refused."


def _description(help_text: str = _PLAIN) -> Field:
    return Field("description", FieldKind.PROSE, help_text, max_length=MAX_LONG)


def _codes(what: str) -> Field:
    return Field("codes", FieldKind.CODES,
                 f"Clinical codes of {what}: ICD-10-CM blocks, categories or subcategories "
                 "of the bundled release, SNOMED CT concept ids. Each at most once.",
                 required=False)


def _conditions(help_text: str) -> Field:
    return Field("conditions", FieldKind.REFS, help_text, required=False,
                 refs_to=ContentType.CONDITION)


ARTICLE = ContentTypeSpec(
    name=ContentType.ARTICLE, label="Article", plural="Articles", path="articles",
    model="content.Article", title_field="title",
    fields=(
        Field("title", FieldKind.TEXT, "The article's headline.", max_length=300),
        Field("summary", FieldKind.PROSE, "One or two sentences saying what the article covers.",
              max_length=2000),
        Field("language", FieldKind.CHOICE, "BCP 47 language.", required=False,
              choices=Language, default=Language.EN),
        _conditions("Conditions the article is about or names."),
        Field("sections", FieldKind.SECTIONS,
              "When sent, replaces the whole list. Each section's content is `blocks` in "
              "reading order; `body`, `groups` and `items` are derived from them.",
              required=False),
    ),
    description="Articles without their sections (read a detail for those).",
    summary="Articles: list and detail, with their sections.",
    search_names=("summary",),
    public_list_serializer="content.api.serializers.ArticleListSerializer",
    public_detail_serializer="content.api.serializers.ArticleDetailSerializer",
    filterset="content.filters.ArticleFilterSet",
    viewset_mixins=("content.api.formats.BodyFormatMixin",
                    "content.api.articles.ArticleSectionsMixin"),
    jsonld="content.jsonld.article_jsonld",
    jsonld_example="content.api.formats.ARTICLE_JSONLD_EXAMPLE",
    openapi_examples="content.api.articles.ARTICLE_EXAMPLES",
    # Snapshot version 2 gave sections their blocks (issue #20).
    upgraders={1: "content.blocks.snapshot_sections_add_blocks"},
)

CONDITION = ContentTypeSpec(
    name=ContentType.CONDITION, label="Condition", plural="Conditions", path="conditions",
    model="content.Condition", title_field="name",
    fields=(
        _NAME,
        Field("also_known_as", FieldKind.LINES, "Other names people use, e.g. “runner's knee”.",
              required=False),
        Field("body_region", FieldKind.CHOICE, "The joint the condition affects.",
              choices=BodyRegion, filter_label="body region"),
        Field("description", FieldKind.PROSE, _PLAIN, required=False, blank=True,
              max_length=MAX_LONG, default=""),
        _codes("the condition"),
    ),
    description="Conditions of the hip and the knee, each with the published articles, causes, "
    "symptoms, warning signs and treatments that name it.",
    summary="Conditions of the hip and the knee.",
    search_names=("also_known_as", "codes"), search_body=("description",),
    filterset="content.filters.InArticleFilterSet",
    jsonld="content.jsonld.condition_jsonld",
    jsonld_example="content.api.formats.CONDITION_JSONLD_EXAMPLE",
)

CAUSE = ContentTypeSpec(
    name=ContentType.CAUSE, label="Cause", plural="Causes", path="causes",
    model="content.Cause", title_field="name",
    fields=(_NAME, _description(), _conditions("Conditions named as examples of this cause.")),
    description="Ways in which a hip problem leads to knee pain, each with the conditions it "
    "names.",
    summary="Ways in which a hip problem leads to knee pain.",
    search_body=("description",),
    filterset="content.filters.InArticleFilterSet",
)

SYMPTOM = ContentTypeSpec(
    name=ContentType.SYMPTOM, label="Symptom", plural="Symptoms", path="symptoms",
    model="content.Symptom", title_field="name",
    fields=(
        _NAME, _description(),
        Field("frequency", FieldKind.CHOICE, "Whether the symptom is common or less common.",
              choices=SymptomFrequency, filter_label="frequency"),
        _codes("the symptom (e.g. an ICD-10-CM R or M25 code)"),
        _conditions("Conditions the content names as giving this symptom."),
    ),
    description="Symptoms that may point to a hip problem behind knee pain.",
    summary="Symptoms, common and less common.",
    search_names=("codes",), search_body=("description",),
    filterset="content.filters.InArticleFilterSet",
)

WARNING_SIGN = ContentTypeSpec(
    name=ContentType.WARNING_SIGN, label="Warning sign", plural="Warning signs",
    path="warning-signs", model="content.WarningSign", title_field="text",
    fields=(
        Field("text", FieldKind.PROSE, _PLAIN, max_length=2000),
        Field("urgency", FieldKind.CHOICE, "How soon to seek medical advice.", choices=Urgency,
              filter_label="urgency"),
        _conditions("Conditions the content names this warning sign for."),
    ),
    description="When to see a doctor, and when to seek help immediately. Warning signs have "
    "no name: they are ordered by slug unless `ordering` says otherwise.",
    summary="When to see a doctor, and when to seek help immediately.",
    ordering=("slug", "updated_at"),
    list_search=False,
    filterset="content.filters.InArticleFilterSet",
)

TREATMENT = ContentTypeSpec(
    name=ContentType.TREATMENT, label="Treatment", plural="Treatments", path="treatments",
    model="content.Treatment", title_field="name",
    fields=(
        _NAME, _description(),
        Field("category", FieldKind.CHOICE,
              "Conventional treatment, alternative therapy or home remedy.",
              choices=TreatmentCategory, filter_label="category"),
        Field("examples", FieldKind.LINES, "Concrete examples the content names, e.g. ibuprofen.",
              required=False),
        Field("caution", FieldKind.PROSE,
              "A caution to heed before trying it; blank or null for none.", required=False,
              max_length=2000, blank=True, null=True),
        _codes("the treatment or procedure (e.g. a SNOMED CT procedure)"),
        _conditions("Conditions the content names this treatment for."),
    ),
    description="Conventional treatments, alternative therapies and home remedies.",
    summary="Conventional treatments, alternative therapies and home remedies.",
    search_names=("examples", "codes"), search_body=("description", "caution"),
    filterset="content.filters.InArticleFilterSet",
)


class Registry:
    """The declared content types, in the order the API lists them."""

    def __init__(self, specs: tuple[ContentTypeSpec, ...]) -> None:
        self._specs = {spec.name: spec for spec in specs}

    def __getitem__(self, name: str) -> ContentTypeSpec:
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ContentTypeSpec]:
        return iter(self._specs.values())

    def names(self) -> list[str]:
        return list(self._specs)

    def choices(self) -> list[tuple[str, str]]:
        return [(spec.name, spec.label) for spec in self]

    def by_path(self, path: str) -> ContentTypeSpec | None:
        return next((spec for spec in self if spec.path == path), None)

    def of_model(self, model: type[models.Model]) -> ContentTypeSpec:
        return next(spec for spec in self if spec.model == model._meta.label)

    def referrers(self, target: str) -> list[tuple[ContentTypeSpec, Field]]:
        """The types that declare a REFS field to `target`, each with that field: the
        relations `target`'s payload lists back (a condition's articles, causes, …)."""
        return [(spec, ref) for spec in self if (ref := spec.refs(target)) is not None]

    def entity_types(self) -> tuple[str, ...]:
        """Types a section item may link to: every type but the article."""
        return tuple(name for name in self._specs if name != ContentType.ARTICLE)


def _extra_specs() -> tuple[ContentTypeSpec, ...]:
    from django.conf import settings

    return tuple(import_string(path)
                 for path in getattr(settings, "HIPKNEE_EXTRA_CONTENT_TYPES", ()))


#: Every content type: the six of the product, then any the settings add.
registry = Registry((ARTICLE, CONDITION, CAUSE, SYMPTOM, WARNING_SIGN, TREATMENT,
                     *_extra_specs()))

#: (name, label) of every declared type: the schema's `ContentTypeEnum`.
TYPE_CHOICES = registry.choices()
