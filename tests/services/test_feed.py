"""What each publishing action writes to the change feed (content/services/feed.py)."""

import datetime as dt

import pytest
import time_machine

from content.choices import ChangeAction, ContentType
from content.exceptions import InvalidTransition, ReviewRequired
from content.models import Change
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
