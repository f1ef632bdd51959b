"""What each publishing action writes to the change feed (content/services/feed.py)."""

import datetime as dt

import pytest
import time_machine

from content.choices import ChangeAction, ContentType
from content.exceptions import InvalidTransition, ReviewRequired
from content.models import Change, Document
from content.services.publishing import content_import, publish_due
from tests.editorial_steps import Staff

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def rows():
    """Every feed row, served or not, as (type, slug, action, at, version)."""
    return [
        (c.type, c.slug, c.action, c.at, c.version)
        for c in Change.objects.order_by("at", "id")
    ]


@pytest.fixture
def staff():
    return Staff()


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_first_publication_is_published_and_a_new_revision_is_updated(staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    clock.shift(MINUTE)
    staff.update(document)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UPDATED, T0 + MINUTE, 2),
    ]


def test_unpublish_writes_a_tombstone_and_republishing_is_published_again(staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    clock.shift(MINUTE)
    staff.unpublish(document)
    clock.shift(MINUTE)
    document.refresh_from_db()
    staff.publish(document.latest_revision)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + MINUTE, None),
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0 + 2 * MINUTE, 1),
    ]


def test_expiry_is_written_in_advance_at_expire_at(staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE, None),
    ]


def test_recording_the_expiry_later_adds_nothing(staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    clock.shift(15 * MINUTE)

    report = publish_due()

    assert [d.slug for d in report.expired] == ["stiffness"]
    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE, None),
    ]


def test_unpublishing_before_the_expiry_cancels_it(staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    clock.shift(MINUTE)
    staff.unpublish(document)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + MINUTE, None),
    ]


def test_unpublishing_after_an_unrecorded_expiry_adds_nothing(staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    clock.shift(20 * MINUTE)

    with pytest.raises(InvalidTransition):  # the expiry is recorded first: nothing is live
        staff.unpublish(document)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE, None),
    ]


def test_a_new_revision_replaces_the_scheduled_expiry(staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    clock.shift(MINUTE)
    staff.update(document, expire_at=T0 + 30 * MINUTE)
    clock.shift(MINUTE)
    staff.update(document)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("symptom", "stiffness", ChangeAction.UPDATED, T0 + 2 * MINUTE, 3),
    ]


def test_republishing_after_an_unrecorded_expiry_is_published(staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    clock.shift(20 * MINUTE)
    staff.update(document)

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE, None),
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0 + 20 * MINUTE, 2),
    ]


def test_a_schedule_is_in_the_feed_only_once_it_goes_live(staff, clock):
    revision = staff.create(ContentType.WARNING_SIGN, "numbness")
    staff.approve(revision)
    staff.publish(revision, go_live_at=T0 + 5 * MINUTE)
    assert rows() == []

    clock.shift(6 * MINUTE)
    publish_due()

    assert rows() == [("warning_sign", "numbness", ChangeAction.PUBLISHED, T0 + 6 * MINUTE, 1)]


def test_unpublishing_a_schedule_that_never_went_live_adds_nothing(staff, clock):
    revision = staff.create(ContentType.WARNING_SIGN, "numbness")
    staff.approve(revision)
    document = staff.publish(revision, go_live_at=T0 + 5 * MINUTE)
    staff.unpublish(document)

    assert rows() == []


def test_a_refused_publication_writes_nothing(staff, clock):
    revision = staff.create(ContentType.SYMPTOM, "stiffness")

    with pytest.raises(ReviewRequired):
        staff.publish(revision)

    assert rows() == []


def test_the_seed_import_is_published(clock):
    content_import(
        type_=ContentType.WARNING_SIGN,
        data={"slug": "fever", "text": "A fever with a hot, swollen joint.",
              "urgency": "immediate"},
    )

    assert rows() == [("warning_sign", "fever", ChangeAction.PUBLISHED, T0, 1)]


# --- items whose public representation shows another item ------------------------------------

def _article(slug: str, conditions=(), entities=()) -> dict:
    """An article naming `conditions` whose causes section links `entities` ((type, slug))."""
    return {
        "slug": slug, "title": f"About {slug}", "summary": "A summary.",
        "conditions": [{"type": "condition", "slug": s} for s in conditions],
        "sections": [{"kind": "causes", "heading": "Causes", "body": "<p>Why.</p>",
                      "items": [{"group": "causes", "text": f"Item {n}.",
                                 "entity": {"type": t, "slug": s}}
                                for n, (t, s) in enumerate(entities)]}],
    }


def _cause(slug: str, conditions=()) -> dict:
    return {"slug": slug, "name": slug.title(), "description": "How.",
            "conditions": [{"type": "condition", "slug": s} for s in conditions]}


def test_unpublishing_a_linked_item_updates_the_article_that_links_it(staff, clock):
    stiffness = staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live_with(ContentType.ARTICLE,
                       _article("hip-and-knee", entities=[("symptom", "stiffness")]))
    clock.shift(MINUTE)
    staff.unpublish(stiffness)

    assert rows()[2:] == [
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + MINUTE, None),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + MINUTE, 1),
    ]


def test_renaming_a_condition_updates_the_articles_and_causes_naming_it(staff, clock):
    staff.go_live(ContentType.CONDITION, "hip-bursitis")
    condition = staff.go_live(ContentType.CONDITION, "hip-fracture")
    staff.go_live_with(ContentType.CAUSE, _cause("previous-injuries", ["hip-fracture"]))
    staff.go_live_with(ContentType.CAUSE, _cause("overuse", ["hip-bursitis"]))
    staff.go_live_with(ContentType.ARTICLE, _article("hip-and-knee", ["hip-fracture"]))
    clock.shift(MINUTE)
    staff.update_with(condition, {"name": "Broken hip"})

    assert [row for row in rows() if row[3] > T0] == [
        ("condition", "hip-fracture", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("cause", "previous-injuries", ChangeAction.UPDATED, T0 + MINUTE, 1),
    ]


def test_relinking_a_cause_updates_the_conditions_it_left_and_joined(staff, clock):
    staff.go_live(ContentType.CONDITION, "hip-bursitis")
    staff.go_live(ContentType.CONDITION, "hip-fracture")
    staff.go_live(ContentType.CONDITION, "knee-osteoarthritis")
    cause = staff.go_live_with(ContentType.CAUSE,
                               _cause("overuse", ["hip-bursitis", "knee-osteoarthritis"]))
    clock.shift(MINUTE)
    staff.update_with(cause, {"conditions": [{"type": "condition", "slug": "hip-fracture"},
                                             {"type": "condition",
                                              "slug": "knee-osteoarthritis"}]})

    assert [row for row in rows() if row[3] > T0] == [
        ("cause", "overuse", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("condition", "hip-bursitis", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("condition", "hip-fracture", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("condition", "knee-osteoarthritis", ChangeAction.UPDATED, T0 + MINUTE, 1),
    ]


def test_items_not_visible_get_no_update(staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    article = staff.go_live_with(ContentType.ARTICLE,
                                 _article("hip-and-knee", entities=[("symptom", "stiffness")]))
    staff.unpublish(article)
    clock.shift(MINUTE)
    staff.update(Document.objects.get(slug="stiffness"))

    assert rows()[3:] == [("symptom", "stiffness", ChangeAction.UPDATED, T0 + MINUTE, 2)]


def test_an_expiry_updates_the_items_showing_it_at_that_moment(staff, clock, api_client):
    staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    staff.go_live_with(ContentType.ARTICLE,
                       _article("hip-and-knee", entities=[("symptom", "stiffness")]))
    staff.go_live_with(ContentType.ARTICLE,  # gone before then: its own tombstone says so
                       _article("short-lived", entities=[("symptom", "stiffness")]),
                       expire_at=T0 + 5 * MINUTE)
    clock.shift(MINUTE)
    staff.update_with(Document.objects.get(slug="hip-and-knee"),  # re-derives its future entry
                      {"title": "Hip and knee"})

    assert rows() == [
        ("symptom", "stiffness", ChangeAction.PUBLISHED, T0, 1),
        ("article", "hip-and-knee", ChangeAction.PUBLISHED, T0, 1),
        ("article", "short-lived", ChangeAction.PUBLISHED, T0, 1),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("article", "short-lived", ChangeAction.UNPUBLISHED, T0 + 5 * MINUTE, None),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE, None),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + 10 * MINUTE, 2),
    ]
    clock.move_to(T0 + 10 * MINUTE)
    page = api_client.get("/api/v1/changes/?page_size=50").json()["results"]
    assert [(e["slug"], e["action"]) for e in page[-2:]] == [
        ("stiffness", "unpublished"), ("hip-and-knee", "updated")]
    item = api_client.get("/api/v1/articles/hip-and-knee/").json()["sections"][0]["items"][0]
    assert item["entity"] is None


def test_an_item_published_before_what_it_shows_gets_the_expiry_update(staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live_with(ContentType.ARTICLE,
                       _article("hip-and-knee", entities=[("symptom", "stiffness")]))
    clock.shift(MINUTE)
    staff.update(Document.objects.get(slug="stiffness"), expire_at=T0 + 10 * MINUTE)

    assert rows()[2:] == [
        ("symptom", "stiffness", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("symptom", "stiffness", ChangeAction.UNPUBLISHED, T0 + 10 * MINUTE, None),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + 10 * MINUTE, 1),
    ]


def test_an_article_naming_a_condition_updates_it_and_the_one_it_stops_naming(staff, clock):
    staff.go_live(ContentType.CONDITION, "hip-bursitis")
    staff.go_live(ContentType.CONDITION, "hip-fracture")
    article = staff.go_live_with(ContentType.ARTICLE, _article("hip-and-knee", ["hip-bursitis"]))
    clock.shift(MINUTE)
    staff.update_with(article, {"conditions": [{"type": "condition", "slug": "hip-fracture"}]})

    assert rows()[2:] == [
        ("article", "hip-and-knee", ChangeAction.PUBLISHED, T0, 1),
        ("condition", "hip-bursitis", ChangeAction.UPDATED, T0, 1),
        ("article", "hip-and-knee", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("condition", "hip-bursitis", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("condition", "hip-fracture", ChangeAction.UPDATED, T0 + MINUTE, 1),
    ]


def test_renaming_a_condition_updates_the_symptoms_warning_signs_and_treatments_naming_it(
    staff, clock
):
    condition = staff.go_live(ContentType.CONDITION, "hip-fracture")
    named = [{"type": "condition", "slug": "hip-fracture"}]
    staff.go_live_with(ContentType.SYMPTOM, {
        "slug": "stiffness", "name": "Stiffness", "description": "Tightness.",
        "frequency": "common", "conditions": named})
    staff.go_live_with(ContentType.WARNING_SIGN, {
        "slug": "recent-fall", "text": "A recent fall.", "urgency": "immediate",
        "conditions": named})
    staff.go_live_with(ContentType.TREATMENT, {
        "slug": "surgery", "name": "Surgery", "description": "An operation.",
        "category": "conventional", "conditions": named})
    staff.go_live_with(ContentType.TREATMENT, {
        "slug": "orthotics", "name": "Orthotics", "description": "Shoe inserts.",
        "category": "conventional"})
    clock.shift(MINUTE)
    staff.update_with(condition, {"name": "Broken hip"})

    assert [row for row in rows() if row[3] > T0] == [
        ("condition", "hip-fracture", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("symptom", "stiffness", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("treatment", "surgery", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("warning_sign", "recent-fall", ChangeAction.UPDATED, T0 + MINUTE, 1),
    ]


def test_relinking_a_treatment_updates_the_conditions_it_left_and_joined(staff, clock):
    staff.go_live(ContentType.CONDITION, "hip-bursitis")
    staff.go_live(ContentType.CONDITION, "hip-fracture")
    treatment = staff.go_live_with(ContentType.TREATMENT, {
        "slug": "surgery", "name": "Surgery", "description": "An operation.",
        "category": "conventional", "conditions": [{"type": "condition", "slug": "hip-bursitis"}]})
    clock.shift(MINUTE)
    staff.update_with(treatment, {"conditions": [{"type": "condition", "slug": "hip-fracture"}]})

    assert [row for row in rows() if row[3] > T0] == [
        ("treatment", "surgery", ChangeAction.UPDATED, T0 + MINUTE, 2),
        ("condition", "hip-bursitis", ChangeAction.UPDATED, T0 + MINUTE, 1),
        ("condition", "hip-fracture", ChangeAction.UPDATED, T0 + MINUTE, 1),
    ]
