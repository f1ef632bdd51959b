"""Editorial payloads: the content shape of each type (as the public API shows it, with
entities written as {"type", "slug"}), plus editorial state, revisions, reviews and events.

Content is validated by the core (`content.snapshots.snapshot_normalise`), which every write
path shares; the content serializers here describe the shape for the OpenAPI schema and
render snapshots, so the two never disagree about what is accepted.
"""

from django.urls import reverse
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from content.api.editorial.readability import ReadabilitySerializer
from content.api.serializers import OffsetDateTimeField
from content.choices import (
    BlockType,
    CodeSystem,
    EditorialAction,
    EditorialStatus,
    HealthAspect,
    ItemGroup,
    ReviewDecision,
    SectionKind,
    TimelinePhase,
    TimeUnit,
)
from content.dates import NEXT_REVIEW_MAX_YEARS, SCHEDULE_MAX_YEARS
from content.readability import snapshot_readability
from content.selectors import revision_content
from content.types import (
    MAX_LIST,
    MAX_LONG,
    MAX_SHORT,
    MAX_SLUG,
    ContentTypeSpec,
    Field,
    FieldKind,
    registry,
)

# --- content shapes -------------------------------------------------------------------------


class EntityRefSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=registry.choices(), help_text="Type of the item.")
    slug = serializers.SlugField(max_length=MAX_SLUG, help_text="Slug of the item.")


class CodeContentSerializer(serializers.Serializer):
    system = serializers.ChoiceField(choices=CodeSystem.choices, help_text="The code system.")
    code = serializers.CharField(
        max_length=18,
        help_text="icd10cm: a block, category or subcategory of the bundled ICD-10-CM release, "
        "with or without its dot, any case (stored as M16.11); snomedct: a concept id "
        "(Verhoeff check digit verified).",
    )


class GroupSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=ItemGroup.choices)
    heading = serializers.CharField(
        max_length=MAX_SHORT, help_text="The words that introduce this group's items."
    )


class ItemContentSerializer(serializers.Serializer):
    group = serializers.ChoiceField(
        choices=ItemGroup.choices, help_text="Must be one of the groups of the section's kind."
    )
    title = serializers.CharField(
        max_length=MAX_SHORT, allow_null=True, required=False, help_text="Label or null."
    )
    text = serializers.CharField(max_length=MAX_LONG)
    entity = EntityRefSerializer(
        allow_null=True, required=False, help_text="The item this entry is about, or null."
    )


class TimelinePhaseSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=TimelinePhase.choices)
    min = serializers.IntegerField(min_value=0, max_value=1000)
    max = serializers.IntegerField(min_value=0, max_value=1000)
    unit = serializers.ChoiceField(choices=TimeUnit.choices)


class ListItemContentSerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=MAX_SHORT, allow_null=True, required=False, help_text="Label or null."
    )
    text = serializers.CharField(max_length=MAX_LONG)
    entity = EntityRefSerializer(
        allow_null=True, required=False, help_text="The item this entry is about, or null."
    )


class ParagraphBlockContentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=BlockType.choices, help_text="`paragraph`.")
    body = serializers.CharField(
        max_length=MAX_LONG,
        help_text="HTML, sanitised on write like a body; cut at its top-level elements, so "
        "each paragraph, quote, subheading or bulleted list is a block of its own.",
    )


class ListBlockContentSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=BlockType.choices, help_text="`list`.")
    group = serializers.ChoiceField(
        choices=ItemGroup.choices,
        help_text="One of the groups of the section's kind, at most once per section.",
    )
    heading = serializers.CharField(
        max_length=MAX_SHORT, allow_null=True, required=False,
        help_text="The words that introduce the list (no colon), or null.",
    )
    items = ListItemContentSerializer(many=True, max_length=MAX_LIST)


@extend_schema_field(PolymorphicProxySerializer(
    component_name="SectionBlockContent",
    serializers={BlockType.PARAGRAPH.value: ParagraphBlockContentSerializer,
                 BlockType.LIST.value: ListBlockContentSerializer},
    resource_type_field_name="type",
    many=True,
))
class BlocksField(serializers.ListField):
    """A section's blocks, rendered as stored (validated by `snapshot_normalise`)."""

    child = serializers.DictField()


class SectionContentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SectionKind.choices, help_text="At most once each.")
    heading = serializers.CharField(max_length=MAX_SHORT)
    position = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="1-based; optional on write (list order is used), renumbered 1…n.",
    )
    health_aspect = serializers.ChoiceField(
        choices=HealthAspect.choices, allow_null=True, read_only=True,
        help_text="Derived from kind.",
    )
    blocks = BlocksField(
        max_length=MAX_LIST, required=False,
        help_text="The section's content in reading order: paragraphs and lists. Prefer it: "
        "`body`, `groups` and `items` are derived from it. A write may send the older fields "
        "instead (read as the paragraphs, then the lists) or along with it if they agree.",
    )
    body = serializers.CharField(
        max_length=MAX_LONG, allow_blank=True, required=False,
        help_text="HTML; sanitised on write to an allow-list of tags and attributes. Derived: "
        "the paragraph blocks joined.",
    )
    groups = GroupSerializer(many=True, max_length=MAX_LIST, required=False,
                             help_text="Derived: the headed lists' groups, in order.")
    items = ItemContentSerializer(many=True, max_length=MAX_LIST, required=False,
                                  help_text="Derived: every list's items, in block order.")
    timeline = TimelinePhaseSerializer(
        many=True, allow_null=True, required=False, help_text="Recovery section only."
    )


def _field(spec: Field) -> serializers.Field:
    """The serializer field of one declared snapshot field: its limits and choices are the
    ones `snapshot_normalise` enforces, so the schema advertises exactly what is accepted."""
    common = {"help_text": spec.help_text or None, "required": spec.required}
    if spec.kind in (FieldKind.TEXT, FieldKind.PROSE):
        return serializers.CharField(max_length=spec.max_length, allow_blank=spec.blank,
                                     allow_null=spec.null, **common)
    if spec.kind is FieldKind.LINES:
        return serializers.ListField(child=serializers.CharField(max_length=MAX_SHORT),
                                     max_length=MAX_LIST, **common)
    if spec.kind is FieldKind.CHOICE:
        return serializers.ChoiceField(choices=spec.choices.choices, **common)
    if spec.kind is FieldKind.REFS:
        return EntityRefSerializer(many=True, max_length=MAX_LIST, **common)
    if spec.kind is FieldKind.CODES:
        return CodeContentSerializer(many=True, max_length=MAX_LIST, **common)
    return SectionContentSerializer(many=True, max_length=MAX_LIST, **common)


def _content_serializer(spec: ContentTypeSpec) -> type[serializers.Serializer]:
    """The content shape of one type, from its declaration (content/types.py)."""
    fields = {"slug": serializers.SlugField(max_length=MAX_SLUG),
              **{f.name: _field(f) for f in spec.fields}}
    return type(f"{spec.camel}ContentSerializer", (serializers.Serializer,),
                {"__module__": __name__, **fields})


#: The content serializer of each type.
CONTENT_SERIALIZERS = {spec.name: _content_serializer(spec) for spec in registry}


# --- people, state, history ------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    credentials = serializers.CharField(allow_blank=True)

    def to_representation(self, user):
        profile = getattr(user, "editor_profile", None)
        return {
            "username": user.get_username(),
            # Staff only: a reviewer without a display name is named by login here, but
            # never publicly (content/services/profiles.py).
            "name": (profile.display_name if profile else "") or user.get_full_name()
            or user.get_username(),
            "credentials": profile.credentials if profile else "",
        }


class EditorialStateSerializer(serializers.Serializer):
    """Editorial state shared by every type's editorial detail."""

    type = serializers.ChoiceField(choices=registry.choices())
    url = serializers.URLField(help_text="Absolute URL of this editorial resource.")
    status = serializers.ChoiceField(choices=EditorialStatus.choices)
    latest_revision = serializers.IntegerField(help_text="Number of the newest revision.")
    live_revision = serializers.IntegerField(
        allow_null=True, help_text="Number of the revision the public sees, or null."
    )
    has_unpublished_changes = serializers.BooleanField(
        help_text="True when the latest revision is not the live one."
    )
    scheduled_revision = serializers.IntegerField(
        allow_null=True, help_text="Revision waiting for go_live_at, or null."
    )
    go_live_at = OffsetDateTimeField(
        allow_null=True, help_text="When the scheduled revision goes live, or null."
    )
    expire_at = OffsetDateTimeField(
        allow_null=True, help_text="When the live revision stops being served, or null."
    )
    scheduled_expire_at = OffsetDateTimeField(
        allow_null=True, help_text="The expiry the scheduled revision will go live with."
    )
    first_published_at = OffsetDateTimeField(allow_null=True)
    last_published_at = OffsetDateTimeField(allow_null=True)
    latest_review = serializers.DictField(
        allow_null=True,
        help_text="The review that decides the latest revision's state: the newest review of "
        "its exact content by a reviewer who did not author that content "
        "({decision, reviewer, comment, next_review_due, created_at}), or null. The revision "
        "can be published exactly when its decision is `approved`.",
    )


def editorial_serializer(type_: str) -> type[serializers.Serializer]:
    """The editorial detail serializer of one type: its content plus editorial state."""
    content = CONTENT_SERIALIZERS[type_]
    name = content.__name__.replace("ContentSerializer", "EditorialSerializer")
    return type(name, (content, EditorialStateSerializer), {"__module__": __name__})


def write_serializer(type_: str) -> type[serializers.Serializer]:
    """The POST and PATCH body of one type: its content plus a change note.

    For PATCH every field is optional (the schema shows it as Patched…); a slug, if sent,
    must be the current one.
    """
    content = CONTENT_SERIALIZERS[type_]
    name = content.__name__.replace("ContentSerializer", "WriteSerializer")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    return type(name, (content,), {"__module__": __name__, "change_note": note})


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    content_hash = serializers.CharField()
    schema_version = serializers.IntegerField()
    parent = serializers.SerializerMethodField(help_text="Number of the revision edited from.")
    reverted_from = serializers.SerializerMethodField(
        help_text="For a revert: the number of the revision restored."
    )
    author = PersonSerializer(allow_null=True)
    created_at = OffsetDateTimeField()
    change_note = serializers.CharField(allow_blank=True)
    is_live = serializers.SerializerMethodField(help_text="Whether the public sees it now.")
    is_approved = serializers.SerializerMethodField(
        help_text="Whether it can be published: the newest review of its exact content by a "
        "reviewer who did not author that content is an approval."
    )

    def get_url(self, revision) -> str:
        return self.context["request"].build_absolute_uri(
            reverse(
                f"api:editorial:{self.context['type_path']}-revision-detail",
                kwargs={"slug": revision.document.slug, "number": revision.number},
            )
        )

    def get_parent(self, revision) -> int | None:
        return self.context["numbers"].get(revision.parent_id)

    def get_reverted_from(self, revision) -> int | None:
        return self.context["numbers"].get(revision.reverted_from_id)

    def get_is_live(self, revision) -> bool:
        return revision.pk == self.context["live_revision_id"]

    def get_is_approved(self, revision) -> bool:
        return revision.pk in self.context["approved_ids"]


class RevisionDetailSerializer(RevisionSerializer):
    content = serializers.SerializerMethodField(
        help_text="The whole item at this revision, in the current snapshot schema."
    )

    readability = serializers.SerializerMethodField(
        help_text="Reading grades, words per sentence and longest sentences of the text, "
        "overall, per prose field and per section (docs/editorial.md#readability)."
    )

    def get_content(self, revision) -> dict:
        return revision_content(revision)

    @extend_schema_field(ReadabilitySerializer)
    def get_readability(self, revision) -> dict:
        return snapshot_readability(revision.document.type, revision_content(revision))


class DiffChangeSerializer(serializers.Serializer):
    path = serializers.CharField(help_text='E.g. "sections[2].items[0].text".')
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class DiffSerializer(serializers.Serializer):
    # "from" is a Python keyword, so the field is declared through the fields mapping.
    to = serializers.IntegerField(help_text="The revision compared.")
    changes = DiffChangeSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.IntegerField(
            allow_null=True,
            help_text="The revision compared against; null for revision 1 (compared with "
            "an empty item).",
        )
        return {"from": fields.pop("from"), **fields}


class ReviewCreateSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, help_text="Number of the revision reviewed.")
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    next_review_due = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When the content must be reviewed again: after today and at most "
        f"{NEXT_REVIEW_MAX_YEARS} years ahead (400 otherwise); for an approval without one, a "
        "year from today.",
    )


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    revision = serializers.IntegerField(source="revision.number")
    content_hash = serializers.CharField()
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    comment = serializers.CharField(allow_blank=True)
    next_review_due = serializers.DateField(allow_null=True)
    reviewer = PersonSerializer()
    created_at = OffsetDateTimeField()


class SubmitSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1, required=False,
        help_text="Revision to submit; default the latest (only the latest can be submitted).",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000,
        help_text="A note for the reviewer (plain text), kept in the audit trail.",
    )


class PublishSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1, required=False, help_text="Revision to publish; default the latest."
    )
    go_live_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text=f"A future time, at most {SCHEDULE_MAX_YEARS} years ahead, schedules the "
        "publication (publish_scheduled runs it); a time not in the future is 400: to publish "
        "now, send none.",
    )
    expire_at = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="From this moment the public API no longer shows the item: after the "
        f"go-live time and at most {SCHEDULE_MAX_YEARS} years ahead (400 otherwise).",
    )


class EventSerializer(serializers.Serializer):
    actor = serializers.SerializerMethodField(help_text="Username, or null for the system.")
    action = serializers.ChoiceField(choices=EditorialAction.choices)
    revision = serializers.SerializerMethodField(help_text="Revision number, or null.")
    at = OffsetDateTimeField()
    detail = serializers.DictField()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_actor(self, event) -> str | None:
        return event.actor.get_username() if event.actor_id else None

    def get_revision(self, event) -> int | None:
        return event.revision.number if event.revision_id else None
