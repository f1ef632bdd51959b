"""Public read serializers: what a live row looks like over HTTP (docs/api.md#content-types).

Every type carries `slug`, `url`, `version`, `updated_at` and `review`. Relations and an
item's `entity` point only at content that is published right now: the querysets prefetch
published relations, and an item's entity (loaded with select_related) is checked against
the same visibility rule; anything else is left out (relation) or null (entity).
"""

import functools

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from content.choices import (
    BlockType,
    CodeSystem,
    ContentType,
    HealthAspect,
    ItemGroup,
    ReviewStatus,
    SectionKind,
    TimelinePhase,
    TimeUnit,
)
from content.codes import code_display
from content.models import (
    Article,
    Section,
    SectionItem,
)
from content.models.editorial import REVIEWER_LABEL
from content.querysets import is_visible
from content.rules import review_status
from content.types import SECTION, ContentTypeSpec, FieldKind, registry


@functools.cache
def _spec_of_model(model) -> ContentTypeSpec:
    """The declaration of a live model's type (content/types.py)."""
    return registry.of_model(model)


@functools.lru_cache(maxsize=64)
def _detail_path_parts(type_: str, script_prefix: str) -> tuple[str, str]:
    """The detail path of a type around its slug, reversed once: a detail renders dozens of
    links, and reverse() is the slowest part of each."""
    before, _, after = reverse(f"api:{type_}-detail", kwargs={"slug": "-"}).rpartition("/-/")
    return f"{before}/", f"/{after}"


def detail_url(type_: str, slug: str, request) -> str:
    """The absolute URL of a published item's detail, e.g. …/api/v1/warning-signs/x/."""
    before, after = _detail_path_parts(type_, get_script_prefix())
    path = f"{before}{slug}{after}"
    return request.build_absolute_uri(path) if request is not None else path


def public_fields(type_: str, *extra: str) -> list[str]:
    """The public fields of a type in order: slug and url, its declared fields (but an
    article's sections), `extra` (what a hand-written serializer adds), then the common ones."""
    declared = [f.name for f in registry[type_].fields if f.kind is not FieldKind.SECTIONS]
    return ["slug", "url", *declared, *extra, "version", "first_published_at", "updated_at",
            "review"]


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an explicit UTC offset (`+00:00`), never the `Z` shorthand."""

    def to_representation(self, value):
        return timezone.localtime(value).isoformat() if value else None


class ReviewerSerializer(serializers.Serializer):
    """The clinician who approved the live revision, as they chose to be credited."""

    class Meta:
        ref_name = "Reviewer"

    name = serializers.CharField(
        help_text="The display name the clinician who approved the live revision set for "
        f"themselves, e.g. 'Dr Rita Shah', or '{REVIEWER_LABEL}' when they set none."
    )
    credentials = serializers.CharField(
        allow_null=True,
        help_text="The credentials they set, e.g. 'MBBS, FRCP'; null when they set none.",
    )


# The public face of a content's clinical review (component `PublicReview`); the editorial
# API's `ReviewSerializer` (content/api/editorial/serializers.py) is one Review record.
class PublicReviewSerializer(serializers.Serializer):
    """Whether a clinician approved the live revision, when, and when it is due again."""

    status = serializers.SerializerMethodField(
        help_text="not_reviewed (never clinically approved, e.g. the imported seed), reviewed, "
        "or overdue (next_review_due has passed)."
    )
    last_reviewed = serializers.DateField(
        allow_null=True, help_text="When the live revision was clinically approved."
    )
    next_review_due = serializers.DateField(
        allow_null=True, help_text="When the content must be clinically reviewed again."
    )
    reviewed_by = serializers.SerializerMethodField(
        help_text="Who approved the live revision, as they chose to be credited; null when it "
        "was not reviewed."
    )

    @extend_schema_field(serializers.ChoiceField(choices=ReviewStatus.choices))
    def get_status(self, row) -> str:
        return review_status(last_reviewed=row.last_reviewed,
                             next_review_due=row.next_review_due)

    @extend_schema_field(ReviewerSerializer(allow_null=True))
    def get_reviewed_by(self, row) -> dict | None:
        if row.last_reviewed is None:
            return None
        return {
            "name": row.reviewed_by_name or REVIEWER_LABEL,
            "credentials": row.reviewed_by_credentials or None,
        }


class RelationSerializer(serializers.Serializer):
    """A link to a related published item: {type, slug, name, url}."""

    type = serializers.ChoiceField(choices=registry.choices(), help_text="The item's type.")
    slug = serializers.SlugField(help_text="The item's slug.")
    name = serializers.CharField(help_text="Its name (a warning sign's text).")
    url = serializers.URLField(help_text="Absolute URL of its detail.")

    def to_representation(self, row):
        spec = _spec_of_model(type(row))
        return {
            "type": spec.name,
            "slug": row.slug,
            "name": getattr(row, spec.title_field),
            "url": detail_url(spec.name, row.slug, self.context.get("request")),
        }


class EntityLinkSerializer(serializers.Serializer):
    """The published item a section item is about: {type, slug, url}."""

    type = serializers.ChoiceField(choices=registry.choices(), help_text="The item's type.")
    slug = serializers.SlugField(help_text="The item's slug.")
    url = serializers.URLField(help_text="Absolute URL of its detail.")


class CodeSerializer(serializers.Serializer):
    """A clinical code the item carries, with its official description where it may be
    shown."""

    class Meta:
        ref_name = "ClinicalCode"

    system = serializers.ChoiceField(choices=CodeSystem.choices, help_text="The code system.")
    code = serializers.CharField(help_text="The code, e.g. M16 or 239872002.")
    display = serializers.SerializerMethodField(
        help_text="ICD-10-CM: the code's official description in the bundled release; "
        "SNOMED CT: null (its descriptions are licensed and not shipped)."
    )

    def get_display(self, code: dict) -> str | None:
        return code_display(code["system"], code["code"])


class PublishedSerializer(serializers.ModelSerializer):
    """The fields every public type carries, and the declared clinical codes (a CODES field
    of content/types.py) as `CodeSerializer`s."""

    url = serializers.SerializerMethodField(help_text="Absolute URL of this item's detail.")
    first_published_at = OffsetDateTimeField(
        read_only=True, help_text="When this item first went live (ISO 8601 with offset); "
        "a new revision or a republish after a withdrawal does not change it."
    )
    updated_at = OffsetDateTimeField(
        read_only=True, help_text="When the live revision was published (ISO 8601 with offset)."
    )
    review = PublicReviewSerializer(
        source="*", read_only=True, help_text="Clinical review status."
    )


    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        return detail_url(_spec_of_model(type(row)).name, row.slug, self.context.get("request"))

    def build_field(self, field_name, info, model_class, nested_depth):
        declared = _spec_of_model(model_class).by_name.get(field_name)
        if declared is not None and declared.kind is FieldKind.CODES:
            return CodeSerializer, {"many": True, "read_only": True,
                                    "help_text": declared.help_text}
        return super().build_field(field_name, info, model_class, nested_depth)


class TimelinePhaseSerializer(serializers.Serializer):
    """One phase of recovery and its usual duration."""

    class Meta:
        ref_name = "RecoveryPhase"

    phase = serializers.ChoiceField(choices=TimelinePhase.choices, help_text="Recovery phase.")
    min = serializers.IntegerField(help_text="Shortest usual duration, in `unit`s.")
    max = serializers.IntegerField(help_text="Longest usual duration, in `unit`s.")
    unit = serializers.ChoiceField(choices=TimeUnit.choices, help_text="Unit of min and max.")


class SectionGroupSerializer(serializers.Serializer):
    """An item group of a section and the sentence that introduces it."""

    group = serializers.ChoiceField(choices=ItemGroup.choices, help_text="The item group.")
    heading = serializers.CharField(help_text="The sentence that introduces the group's items.")


class SectionItemSerializer(serializers.ModelSerializer):
    """One entry of a section, linking to the published item it is about, if any."""

    entity = serializers.SerializerMethodField(
        help_text="The published item this entry is about, or null."
    )

    class Meta:
        model = SectionItem
        fields = ["group", "title", "text", "entity"]
        read_only_fields = fields

    @extend_schema_field(EntityLinkSerializer(allow_null=True))
    def get_entity(self, item) -> dict | None:
        row = item.entity
        if row is None or not is_visible(row):
            return None
        type_ = _spec_of_model(type(row)).name
        return {
            "type": type_,
            "slug": row.slug,
            "url": detail_url(type_, row.slug, self.context.get("request")),
        }


class ListItemSerializer(SectionItemSerializer):
    """One entry of a list block: its group is the block's."""

    class Meta(SectionItemSerializer.Meta):
        fields = list(SECTION.item_fields)
        read_only_fields = fields


class ParagraphBlockSerializer(serializers.Serializer):
    """A paragraph: sanitised HTML, as a section's `body` is (in `?body_format=` when asked)."""

    type = serializers.ChoiceField(choices=BlockType.choices, help_text="`paragraph`.")
    body = serializers.CharField(help_text="Sanitised HTML of one paragraph (normally one "
                                 "`<p>`; a quote, a subheading or a bulleted list of the "
                                 "prose is a block of its own).")


class ListBlockSerializer(serializers.Serializer):
    """A list: one item group of the section, its heading and its items in order."""

    type = serializers.ChoiceField(choices=BlockType.choices, help_text="`list`.")
    group = serializers.ChoiceField(choices=ItemGroup.choices, help_text="The item group.")
    heading = serializers.CharField(
        allow_null=True,
        help_text="The sentence that introduces the items (a client adds its colon), or null.",
    )
    items = ListItemSerializer(many=True, help_text="The list's entries, in order.")


SECTION_BLOCK = PolymorphicProxySerializer(
    component_name="SectionBlock",
    serializers={BlockType.PARAGRAPH.value: ParagraphBlockSerializer,
                 BlockType.LIST.value: ListBlockSerializer},
    resource_type_field_name="type",
    many=True,
)


class SectionSerializer(serializers.ModelSerializer):
    """One typed section of an article. `blocks` is its content in reading order; `body`,
    `groups` and `items` are the same content split apart (derived from the blocks), kept for
    clients that read them: prefer `blocks`."""

    kind = serializers.ChoiceField(choices=SectionKind.choices, help_text="What it is about.")
    health_aspect = serializers.ChoiceField(
        choices=HealthAspect.choices,
        allow_null=True,
        help_text="The schema.org HealthAspect of the section; null for the conclusion.",
    )
    blocks = serializers.SerializerMethodField(
        help_text="The section's content in reading order: paragraphs and lists, each list "
        "one item group with its heading and items. Prefer it to `body`, `groups` and "
        "`items`, which hold the same content without its order (derived from the blocks).",
    )
    body = serializers.CharField(
        read_only=True,
        help_text="The section's paragraph blocks joined (sanitised HTML), without its lists. "
        "Kept for older clients; `blocks` says where the lists stand.",
    )
    groups = SectionGroupSerializer(
        many=True, read_only=True,
        help_text="The headed list blocks' groups in order, each with its heading (derived "
        "from `blocks`).",
    )
    items = SectionItemSerializer(
        many=True, read_only=True,
        help_text="Every list block's entries, in block order (derived from `blocks`).",
    )
    timeline = TimelinePhaseSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="Recovery phases with their usual durations; present on the recovery "
        "section, null on every other section.",
    )

    class Meta:
        model = Section
        fields = list(SECTION.fields)
        read_only_fields = fields

    @extend_schema_field(SECTION_BLOCK)
    def get_blocks(self, section) -> list[dict]:
        blocks = section.blocks_in_order()
        for block in blocks:
            if block["type"] == BlockType.LIST:
                block["items"] = ListItemSerializer(
                    block["items"], many=True, context=self.context
                ).data
        return blocks


class ArticleListSerializer(PublishedSerializer):
    """An article without its sections."""

    conditions = RelationSerializer(
        many=True, read_only=True, help_text="Published conditions the article names."
    )

    class Meta:
        model = Article
        fields = public_fields(ContentType.ARTICLE, "reading_grade")
        read_only_fields = fields


class ArticleDetailSerializer(ArticleListSerializer):
    """A whole article: its sections in order, each with its items."""

    sections = SectionSerializer(many=True, read_only=True, help_text="Sections, in order.")

    class Meta(ArticleListSerializer.Meta):
        fields = public_fields(ContentType.ARTICLE, "reading_grade", "sections")
        read_only_fields = fields


def public_serializer(spec: ContentTypeSpec) -> type[PublishedSerializer]:
    """The public serializer of a type that names none in its declaration (every type but the
    article): its declared fields, references as links to published items (the type's
    `for_list()` prefetches only those), the published items of every type whose references
    name it (a condition's articles, causes, …: `registry.referrers`), then the common ones."""
    declared = {}
    for field in spec.fields:
        if field.kind is FieldKind.LINES:
            declared[field.name] = serializers.ListField(
                child=serializers.CharField(), read_only=True, help_text=field.help_text
            )
        elif field.kind is FieldKind.REFS:
            declared[field.name] = RelationSerializer(
                many=True, read_only=True,
                help_text=f"{field.help_text} Only published ones are shown.",
            )
    linked_from = {
        other.related_name: RelationSerializer(
            many=True, read_only=True,
            help_text=f"Published {other.plural.lower()} that name this {spec.label.lower()}.",
        )
        for other, _ in registry.referrers(spec.name)
    }
    declared.update(linked_from)
    fields = public_fields(spec.name, *linked_from)
    meta = type("Meta", (), {"model": spec.live_model(), "fields": fields,
                             "read_only_fields": fields})
    return type(f"{spec.camel}Serializer", (PublishedSerializer,),
                {"__module__": __name__, "__doc__": spec.live_model().__doc__, "Meta": meta,
                 **declared})
