"""Publishing: approvals bound to content, live tables written only on publish, schedules,
expiry, unpublishing and the seed import."""

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command

from content.choices import EditorialAction, EditorialStatus, ReviewDecision, Role
from content.exceptions import (
    ContentInvalid,
    InvalidTransition,
    ReviewRequired,
    UnpublishedReference,
)
from content.models import Article, Condition, Document, EditorialEvent, Revision, Section
from content.services.publishing import (
    content_import,
    document_unpublish,
    publish_due,
    revision_publish,
    schedule_cancel,
)
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.factories import EditorProfileFactory, UserFactory

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CONDITION = {"slug": "hip-oa", "name": "Hip osteoarthritis", "body_region": "hip"}
ARTICLE = {
    "slug": "hip-and-knee", "title": "Hip and knee", "summary": "How they connect.",
    "conditions": [{"type": "condition", "slug": "hip-oa"}],
    "sections": [{"kind": "causes", "heading": "Causes", "body": "<p>Why.</p>",
                  "items": [{"group": "causes", "title": "Arthritis", "text": "Wear.",
                             "entity": None}]}],
}


@pytest.fixture
def people(db):
    editor = UserFactory(username="eddie", roles=[Role.EDITORS])
    reviewer = UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS])
    EditorProfileFactory(user=reviewer, display_name="Dr Rita Shah", credentials="MD")
    publisher = UserFactory(username="paul", roles=[Role.PUBLISHERS])
    return editor, reviewer, publisher


def approve(revision, reviewer, **kwargs):
    return review_submit(revision=revision, reviewer=reviewer,
                         decision=ReviewDecision.APPROVED, **kwargs)


def test_publish_refuses_an_unreviewed_revision(people):
    editor, _, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    with pytest.raises(ReviewRequired):
        revision_publish(revision=revision, user=publisher)
    assert not Condition.objects.exists()


def test_an_approval_does_not_carry_over_to_a_later_revision(people):
    editor, reviewer, publisher = people
    first = document_create(type_="condition", data=CONDITION, author=editor)
    approve(first, reviewer)
    second = revision_create(document=first.document, data={"name": "Hip OA"}, author=editor,
                             expected_revision=1)
    with pytest.raises(ReviewRequired):
        revision_publish(revision=second, user=publisher)


def test_changes_requested_after_an_approval_blocks_publication(people):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    approve(revision, reviewer)
    review_submit(revision=revision, reviewer=reviewer,
                  decision=ReviewDecision.CHANGES_REQUESTED, comment="Wait")
    with pytest.raises(ReviewRequired):
        revision_publish(revision=revision, user=publisher)


def test_an_authors_own_approval_never_counts(people):
    """Even a reviewer who is also an editor cannot publish on their own approval."""
    _, reviewer, publisher = people
    reviewer.groups.add(Group.objects.get_or_create(name=Role.EDITORS)[0])
    revision = document_create(type_="condition", data=CONDITION, author=reviewer)
    from content.exceptions import SelfApproval

    with pytest.raises(SelfApproval):
        approve(revision, reviewer)
    with pytest.raises(ReviewRequired):
        revision_publish(revision=revision, user=publisher)


def test_publish_copies_the_snapshot_into_the_live_tables(people):
    editor, reviewer, publisher = people
    condition = document_create(type_="condition", data=CONDITION, author=editor)
    article = document_create(type_="article", data=ARTICLE, author=editor)
    with time_machine.travel(T0, tick=False):
        approve(article, reviewer, next_review_due=dt.date(2027, 5, 1))
        with pytest.raises(UnpublishedReference) as error:
            revision_publish(revision=article, user=publisher)
        assert error.value.refs == ["condition:hip-oa"]
        assert not Article.objects.exists()

        approve(condition, reviewer)
        revision_publish(revision=condition, user=publisher)
        document = revision_publish(revision=article, user=publisher)

    assert document.status == EditorialStatus.PUBLISHED
    live = Article.objects.get()
    assert (live.slug, live.title, live.version, live.live) == ("hip-and-knee", "Hip and knee",
                                                                1, True)
    assert live.content_hash == article.content_hash
    assert (live.last_reviewed, live.next_review_due) == (T0.date(), dt.date(2027, 5, 1))
    assert (live.reviewed_by_name, live.reviewed_by_credentials) == ("Dr Rita Shah", "MD")
    assert list(live.conditions.values_list("slug", flat=True)) == ["hip-oa"]
    section = Section.objects.get()
    assert (section.kind, section.position, section.health_aspect) == (
        "causes", 1, "CausesHealthAspect")
    assert list(section.items.values_list("title", "text")) == [("Arthritis", "Wear.")]


def test_republishing_replaces_sections(people):
    editor, reviewer, publisher = people
    first = document_create(type_="article", data={**ARTICLE, "conditions": []}, author=editor)
    approve(first, reviewer)
    revision_publish(revision=first, user=publisher)
    second = revision_create(document=first.document, author=editor, expected_revision=1,
                             data={"sections": [{"kind": "conclusion", "heading": "End"}]})
    approve(second, reviewer)
    revision_publish(revision=second, user=publisher)
    assert list(Section.objects.values_list("kind", "position")) == [("conclusion", 1)]
    assert Article.objects.get().version == 2


def test_schedule_then_publish_due_and_report_overdue(people):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    approve(revision, reviewer)
    with time_machine.travel(T0, tick=False):
        document = revision_publish(revision=revision, user=publisher,
                                    go_live_at=T0 + dt.timedelta(hours=1))
    assert document.status == EditorialStatus.SCHEDULED
    assert not Condition.objects.exists()

    with time_machine.travel(T0 + dt.timedelta(minutes=59), tick=False):
        assert publish_due().published == []
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        report = publish_due()
        assert Condition.objects.published().count() == 1
    assert [d.slug for d in report.published] == ["hip-oa"]
    assert [(d.slug, late) for d, late in report.overdue] == [("hip-oa", dt.timedelta(hours=1))]
    published = EditorialEvent.objects.get(action=EditorialAction.PUBLISHED)
    assert published.actor.username == "paul"  # the publisher who scheduled it
    assert published.at == T0 + dt.timedelta(hours=2)


def test_expiry_hides_at_the_second_and_is_recorded_by_publish_due(people):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    approve(revision, reviewer)
    with time_machine.travel(T0, tick=False):
        revision_publish(revision=revision, user=publisher, expire_at=T0 + dt.timedelta(days=1))
    with time_machine.travel(T0 + dt.timedelta(days=1, seconds=-1), tick=False):
        assert Condition.objects.published().count() == 1
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        assert Condition.objects.published().count() == 0
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        report = publish_due()
    assert [d.slug for d in report.expired] == ["hip-oa"]
    document = Document.objects.get()
    assert (document.status, document.live_revision) == (EditorialStatus.EXPIRED, None)
    expired = EditorialEvent.objects.get(action=EditorialAction.EXPIRED)
    assert expired.at == T0 + dt.timedelta(days=1)


def test_unpublish_keeps_history_and_refuses_when_nothing_is_live(people):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    with pytest.raises(InvalidTransition):
        document_unpublish(document=revision.document, user=publisher)
    approve(revision, reviewer)
    revision_publish(revision=revision, user=publisher)
    document = document_unpublish(document=revision.document, user=publisher)
    assert document.status == EditorialStatus.UNPUBLISHED
    assert Condition.objects.published().count() == 0
    assert Condition.objects.get().live is False
    assert Revision.objects.count() == 1


def test_import_is_one_published_unreviewed_revision_and_idempotent(db):
    document, created = content_import(type_="condition", data=CONDITION)
    assert created is True
    again, created_again = content_import(type_="condition", data={**CONDITION, "name": "New"})
    assert (again, created_again) == (document, False)

    revision = Revision.objects.get()
    assert (revision.number, revision.change_note, revision.author) == (
        1, "Imported from source article", None)
    live = Condition.objects.get()
    assert (live.name, live.version, live.last_reviewed, live.reviewed_by_name) == (
        "Hip osteoarthritis", 1, None, "")
    assert list(EditorialEvent.objects.values_list("action", flat=True)) == ["imported"]


def test_load_seed_content_twice_changes_nothing(db):
    call_command("load_seed_content", stdout=io.StringIO())
    counts = (Document.objects.count(), Revision.objects.count(), EditorialEvent.objects.count())
    hashes = list(Revision.objects.order_by("pk").values_list("content_hash", flat=True))
    call_command("load_seed_content", stdout=io.StringIO())
    assert counts == (48, 48, 48)
    assert (Document.objects.count(), Revision.objects.count(),
            EditorialEvent.objects.count()) == counts
    assert list(Revision.objects.order_by("pk").values_list("content_hash", flat=True)) == hashes


def test_scheduling_a_revision_keeps_the_live_revisions_own_expiry(people):
    """The live revision expires when it was told to, whatever the scheduled one says."""
    editor, reviewer, publisher = people
    first = document_create(type_="condition", data=CONDITION, author=editor)
    second = revision_create(document=first.document, data={"name": "Hip OA"}, author=editor,
                             expected_revision=1)
    with time_machine.travel(T0, tick=False):
        approve(first, reviewer)
        approve(second, reviewer)
        revision_publish(revision=first, user=publisher, expire_at=T0 + dt.timedelta(days=2))
        document = revision_publish(revision=second, user=publisher,
                                    go_live_at=T0 + dt.timedelta(days=5),
                                    expire_at=T0 + dt.timedelta(days=9))
    assert (document.expire_at, document.scheduled_expire_at) == (
        T0 + dt.timedelta(days=2), T0 + dt.timedelta(days=9))
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert Condition.objects.published().count() == 0
        assert [d.slug for d in publish_due().expired] == ["hip-oa"]
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        assert [d.slug for d in publish_due().published] == ["hip-oa"]
        live = Condition.objects.published().get()
    assert (live.name, live.expire_at) == ("Hip OA", T0 + dt.timedelta(days=9))
    document.refresh_from_db()
    assert (document.status, document.expire_at, document.scheduled_expire_at) == (
        EditorialStatus.PUBLISHED, T0 + dt.timedelta(days=9), None)


def test_cancelling_a_schedule_keeps_what_is_live_and_nothing_goes_live_later(people):
    editor, reviewer, publisher = people
    first = document_create(type_="condition", data=CONDITION, author=editor)
    second = revision_create(document=first.document, data={"name": "Hip OA"}, author=editor,
                             expected_revision=1)
    with time_machine.travel(T0, tick=False):
        approve(first, reviewer)
        approve(second, reviewer)
        revision_publish(revision=first, user=publisher, expire_at=T0 + dt.timedelta(days=9))
        revision_publish(revision=second, user=publisher, go_live_at=T0 + dt.timedelta(days=1),
                         expire_at=T0 + dt.timedelta(days=5))
        document = schedule_cancel(document=first.document, user=publisher)

    assert (document.status, document.live_revision.number, document.scheduled_revision,
            document.go_live_at, document.scheduled_expire_at, document.expire_at) == (
        EditorialStatus.PUBLISHED, 1, None, None, None, T0 + dt.timedelta(days=9))
    cancelled = EditorialEvent.objects.get(action=EditorialAction.SCHEDULE_CANCELLED)
    assert (cancelled.actor.username, cancelled.revision.number, cancelled.at,
            cancelled.detail) == ("paul", 2, T0, {"go_live_at": "2026-05-05T08:00:00+00:00"})
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert publish_due().published == []
        assert Condition.objects.published().get().name == "Hip osteoarthritis"
    with pytest.raises(InvalidTransition):
        schedule_cancel(document=first.document, user=publisher)


def test_cancelling_the_schedule_of_an_item_never_live_leaves_a_draft(people):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    approve(revision, reviewer)
    with time_machine.travel(T0, tick=False):
        revision_publish(revision=revision, user=publisher, go_live_at=T0 + dt.timedelta(hours=1))
        document = schedule_cancel(document=revision.document, user=publisher)
    assert (document.status, document.live_revision, document.scheduled_revision) == (
        EditorialStatus.DRAFT, None, None)
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        assert publish_due().published == []
    assert not Condition.objects.exists()


@pytest.mark.parametrize(
    ("when", "errors"),
    [
        ({"go_live_at": dt.datetime(9999, 12, 31, tzinfo=dt.UTC)},
         [("go_live_at", "go_live_at must be at most 10 years ahead: on or before "
           "2036-05-04T08:00:00+00:00.", "max_value")]),
        ({"expire_at": dt.datetime.max.replace(tzinfo=dt.UTC)},
         [("expire_at", "expire_at must be at most 10 years ahead: on or before "
           "2036-05-04T08:00:00+00:00.", "max_value")]),
        ({"go_live_at": T0 - dt.timedelta(minutes=1)},
         [("go_live_at", "go_live_at must be in the future; to publish now, send no "
           "go_live_at.", "min_value")]),
        ({"go_live_at": T0 + dt.timedelta(days=1), "expire_at": T0 + dt.timedelta(hours=1)},
         [("expire_at", "expire_at must be after the go-live time.", "invalid")]),
    ],
)
def test_a_schedule_outside_its_window_is_refused_and_changes_nothing(people, when, errors):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    approve(revision, reviewer)
    with time_machine.travel(T0, tick=False), pytest.raises(ContentInvalid) as error:
        revision_publish(revision=revision, user=publisher, **when)
    assert [(e["field"], e["message"], e["code"]) for e in error.value.errors] == errors
    document = Document.objects.get()
    assert (document.status, document.scheduled_revision, document.go_live_at,
            document.expire_at) == (EditorialStatus.DRAFT, None, None, None)
    assert not Condition.objects.exists()
    assert not EditorialEvent.objects.filter(
        action__in=[EditorialAction.PUBLISHED, EditorialAction.SCHEDULED]).exists()


def test_a_schedule_at_the_edge_of_its_window_is_kept(people):
    editor, reviewer, publisher = people
    revision = document_create(type_="condition", data=CONDITION, author=editor)
    approve(revision, reviewer)
    edge = dt.datetime(2036, 5, 4, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(T0, tick=False):
        document = revision_publish(revision=revision, user=publisher,
                                    go_live_at=edge - dt.timedelta(days=1), expire_at=edge)
    assert (document.status, document.go_live_at, document.scheduled_expire_at) == (
        EditorialStatus.SCHEDULED, edge - dt.timedelta(days=1), edge)
