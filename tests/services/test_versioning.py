"""Drafts and revisions: validation, sanitising, partial edits, reverts, upgraders."""

import pytest

from content.choices import Role
from content.exceptions import ContentInvalid, NoChanges, StaleRevision
from content.models import Document, EditorialEvent, Revision
from content.services.versioning import (
    document_create,
    revision_content,
    revision_create,
    revision_revert,
)
from content.snapshots import UPGRADERS, snapshot_hash
from tests.factories import UserFactory

ARTICLE = {
    "slug": "hip-and-knee",
    "title": "Hip and knee",
    "summary": "How they connect.",
    "sections": [
        {"kind": "introduction", "heading": "Introduction", "body": "<p>Hello.</p>",
         "groups": [{"group": "why_it_matters", "heading": "Why"}],
         "items": [{"group": "why_it_matters", "text": "Because."}]},
    ],
}


@pytest.fixture
def editor(db):
    return UserFactory(username="eddie", roles=[Role.EDITORS])


def test_create_normalises_the_whole_snapshot(editor):
    revision = document_create(type_="article", data=ARTICLE, author=editor)

    assert revision.number == 1
    assert revision.parent is None
    assert revision.schema_version == 2
    assert revision.content == {
        "slug": "hip-and-knee",
        "title": "Hip and knee",
        "summary": "How they connect.",
        "language": "en",
        "conditions": [],
        "sections": [{
            "kind": "introduction",
            "heading": "Introduction",
            "position": 1,
            "health_aspect": "OverviewHealthAspect",
            # Sent as body, groups and items: read as the paragraphs, then the lists.
            "blocks": [
                {"type": "paragraph", "body": "<p>Hello.</p>"},
                {"type": "list", "group": "why_it_matters", "heading": "Why",
                 "items": [{"title": None, "text": "Because.", "entity": None}]},
            ],
            "body": "<p>Hello.</p>",
            "groups": [{"group": "why_it_matters", "heading": "Why"}],
            "items": [{"group": "why_it_matters", "title": None, "text": "Because.",
                       "entity": None}],
            "timeline": None,
        }],
    }
    assert revision.content_hash == snapshot_hash(revision.content)
    assert revision.document.status == "draft"
    assert revision.document.latest_revision == revision


def test_rich_text_is_sanitised_and_plain_text_refuses_markup(editor):
    data = {**ARTICLE, "sections": [{
        "kind": "introduction", "heading": "Intro",
        "body": '<p onclick="steal()">Hi <script>alert(1)</script>'
                '<a href="javascript:alert(1)">x</a><a href="https://nhs.uk">nhs</a></p>',
    }]}
    revision = document_create(type_="article", data=data, author=editor)
    assert revision.content["sections"][0]["body"] == (
        '<p>Hi <a rel="noopener noreferrer">x</a>'
        '<a href="https://nhs.uk" rel="noopener noreferrer">nhs</a></p>'
    )

    with pytest.raises(ContentInvalid) as error:
        document_create(type_="symptom", author=editor, data={
            "slug": "s", "name": "<b>Bold</b>", "description": "x", "frequency": "common"})
    assert error.value.errors == [{
        "field": "name",
        "message": "This is a plain-text field: HTML markup is not allowed.",
        "code": "markup",
    }]


def test_invalid_content_lists_every_problem_and_saves_nothing(editor):
    data = {
        "slug": "Bad Slug", "title": "", "summary": "x\x00y", "colour": "red",
        "sections": [
            {"kind": "symptoms", "heading": "S", "items": [{"group": "tips", "text": "t"}]},
            {"kind": "symptoms", "heading": "Again"},
        ],
    }
    with pytest.raises(ContentInvalid) as error:
        document_create(type_="article", data=data, author=editor)

    assert error.value.errors == [
        {"field": "colour", "message": "Unknown field.", "code": "unknown_field"},
        {"field": "slug", "message": "Enter a valid slug: lowercase letters, digits and single "
         "hyphens (at most 120).", "code": "invalid"},
        {"field": "title", "message": "This field may not be blank.", "code": "blank"},
        {"field": "summary", "message": "Control characters (such as NUL) are not allowed.",
         "code": "invalid"},
        {"field": "sections[0].items[0].group", "message": "'tips' is not a valid choice; "
         "expected one of: common, less_common.", "code": "invalid_choice"},
        {"field": "sections", "message": "An article has at most one 'symptoms' section.",
         "code": "duplicate"},
    ]
    assert not Document.objects.exists()
    assert not Revision.objects.exists()


def test_references_must_name_existing_items(editor):
    data = {**ARTICLE, "conditions": [{"type": "condition", "slug": "nope"}]}
    with pytest.raises(ContentInvalid) as error:
        document_create(type_="article", data=data, author=editor)
    assert error.value.errors == [{
        "field": "conditions[0]", "message": "There is no condition with slug 'nope'.",
        "code": "does_not_exist",
    }]


def test_duplicate_slug_is_a_field_error(editor):
    document_create(type_="article", data=ARTICLE, author=editor)
    with pytest.raises(ContentInvalid) as error:
        document_create(type_="article", data=ARTICLE, author=editor)
    assert error.value.errors == [{
        "field": "slug", "message": "A article with this slug already exists.", "code": "unique"}]
    assert Document.objects.count() == 1


def test_edit_keeps_unsent_fields_and_sections_replace_the_list(editor):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    second = revision_create(
        document=first.document, author=editor, expected_revision=1,
        data={"sections": [
            {"kind": "conclusion", "heading": "Conclusion", "position": 2},
            {"kind": "causes", "heading": "Causes", "position": 1},
        ]},
    )
    assert second.content["title"] == "Hip and knee"
    assert [(s["kind"], s["position"]) for s in second.content["sections"]] == [
        ("causes", 1), ("conclusion", 2)]
    assert second.parent == first
    assert revision_content(first) == first.content  # the old revision is untouched


def test_stale_edit_is_refused_and_saves_nothing(editor):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    revision_create(document=first.document, author=editor, expected_revision=1,
                    data={"title": "Second"})
    with pytest.raises(StaleRevision) as error:
        revision_create(document=first.document, author=editor, expected_revision=1,
                        data={"title": "Lost update"})
    assert (error.value.expected, error.value.latest) == (1, 2)
    assert Revision.objects.count() == 2


def test_slug_cannot_change(editor):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    with pytest.raises(ContentInvalid) as error:
        revision_create(document=first.document, author=editor, expected_revision=1,
                        data={"slug": "other"})
    assert error.value.errors == [{
        "field": "slug", "message": "A slug never changes once created.", "code": "immutable"}]


def test_revert_appends_a_revision_equal_to_the_old_one(editor):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    revision_create(document=first.document, author=editor, expected_revision=1,
                    data={"title": "Second"})
    reverted = revision_revert(document=first.document, revision=first, author=editor,
                               expected_revision=2)
    assert reverted.number == 3
    assert reverted.content == first.content
    assert reverted.content_hash == first.content_hash
    assert reverted.parent.number == 2
    assert reverted.reverted_from == first
    assert reverted.change_note == "Reverted to revision 1"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"title": "Hip and knee"},  # the value it already has
        {"title": "  Hip and knee  "},  # the same once normalised
        {"sections": ARTICLE["sections"]},
    ],
)
def test_an_edit_that_changes_nothing_is_refused_and_stores_nothing(editor, data):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    other = UserFactory(username="olga", roles=[Role.EDITORS])
    with pytest.raises(NoChanges) as error:
        revision_create(document=first.document, author=other, expected_revision=1,
                        data=data, change_note="Just looking")
    assert (error.value.code, error.value.latest, error.value.detail) == (
        "no_changes", 1, "Revision 1 already has this content, so no revision was saved.")
    assert list(Revision.objects.values_list("number", flat=True)) == [1]
    assert Document.objects.get().latest_revision == first
    assert list(EditorialEvent.objects.values_list("action", flat=True)) == ["created"]


def test_invalid_input_is_reported_before_no_changes(editor):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    with pytest.raises(ContentInvalid) as error:
        revision_create(document=first.document, author=editor, expected_revision=1,
                        data={}, change_note="x" * 501)
    assert error.value.errors[0]["field"] == "change_note"
    with pytest.raises(StaleRevision):  # a stale base is refused before anything else
        revision_create(document=first.document, author=editor, expected_revision=7, data={})


def test_a_revert_to_the_content_the_latest_revision_has_is_refused(editor):
    first = document_create(type_="article", data=ARTICLE, author=editor)
    second = revision_create(document=first.document, author=editor, expected_revision=1,
                             data={"title": "Second"})
    third = revision_create(document=first.document, author=editor, expected_revision=2,
                            data={"title": "Hip and knee"})  # back to revision 1's content
    assert third.content_hash == first.content_hash
    for target, number in ((first, 1), (third, 3)):
        with pytest.raises(NoChanges) as error:
            revision_revert(document=first.document, revision=target, author=editor,
                            expected_revision=3)
        assert error.value.detail == (
            f"Revision 3 already has the content of revision {number}, so there is nothing "
            "to revert and no revision was saved.")
    assert list(Revision.objects.order_by("number").values_list("number", flat=True)) == [
        1, 2, 3]
    reverted = revision_revert(document=first.document, revision=second, author=editor,
                               expected_revision=3)
    assert (reverted.number, reverted.content_hash) == (4, second.content_hash)


def test_old_snapshots_are_upgraded_on_read(editor, monkeypatch):
    """A revision stored under an older schema version loads in the current format."""
    revision = document_create(
        type_="condition", author=editor,
        data={"slug": "hip-oa", "name": "Hip OA", "body_region": "hip"},
    )
    # Pretend the format moved to version 3, renaming `also_known_as` to `synonyms`.
    monkeypatch.setattr("content.snapshots.SCHEMA_VERSION", 3)
    monkeypatch.setitem(UPGRADERS["condition"], 2, lambda c: {
        **{k: v for k, v in c.items() if k != "also_known_as"}, "synonyms": c["also_known_as"]})

    assert revision_content(revision) == {
        "slug": "hip-oa", "name": "Hip OA", "body_region": "hip", "description": "",
        "codes": [], "synonyms": [],
    }
    assert revision.content["also_known_as"] == []  # stored JSON is never rewritten


def test_a_missing_upgrader_is_an_error_not_silent_data(editor, monkeypatch):
    revision = document_create(
        type_="condition", author=editor,
        data={"slug": "hip-oa", "name": "Hip OA", "body_region": "hip"},
    )
    monkeypatch.setattr("content.snapshots.SCHEMA_VERSION", 3)
    with pytest.raises(LookupError, match="from version 2"):
        revision_content(revision)


def test_snapshots_read_back_in_canonical_key_order(editor):
    """Whatever order the database keeps JSON keys in, reads and diffs see one order."""
    revision = document_create(type_="article", data=ARTICLE, author=editor)
    Revision.objects.filter(pk=revision.pk).update(
        content={k: revision.content[k] for k in reversed(list(revision.content))}
    )
    revision.refresh_from_db()
    content = revision_content(revision)
    assert list(content) == ["slug", "title", "summary", "language", "conditions", "sections"]
    assert list(content["sections"][0]) == [
        "kind", "heading", "position", "health_aspect", "blocks", "body", "groups", "items",
        "timeline"]
    assert list(content["sections"][0]["blocks"][1]) == ["type", "group", "heading", "items"]
    assert list(content["sections"][0]["items"][0]) == ["group", "title", "text", "entity"]
