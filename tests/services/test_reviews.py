"""review_submit: four eyes over content, not over the last saver, and the window of a next
review date. Publishing and the review-state reads apply the same rule."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group

from content.choices import ContentType, ReviewDecision, RevisionReviewState, Role
from content.exceptions import ContentInvalid, ReviewRequired, SelfApproval
from content.models import Review
from content.selectors import (
    content_authored_by,
    document_history,
    documents_with_review_state,
    revision_review_state,
)
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create, revision_revert
from tests.factories import UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
X = {"slug": "limp", "name": "Limp", "description": "An uneven walk.", "frequency": "common"}


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ada(db):
    """An editor who is also a medical reviewer."""
    return UserFactory(username="ada", roles=[Role.EDITORS, Role.MEDICAL_REVIEWERS])


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", roles=[Role.EDITORS])


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS])


@pytest.fixture
def paul(db):
    return UserFactory(username="paul", roles=[Role.PUBLISHERS])


def approve(revision, reviewer, **kwargs) -> Review:
    return review_submit(revision=revision, reviewer=reviewer,
                         decision=ReviewDecision.APPROVED, **kwargs)


def laundered(ada, bob, clock, *, how: str):
    """Ada writes X; Bob saves X again as revision 3 (an edit and an edit back, or a
    revert): Bob is revision 3's author, Ada wrote its content."""
    first = document_create(type_=ContentType.SYMPTOM, data=X, author=ada)
    clock.shift(MINUTE)
    revision_create(document=first.document, data={"name": "Limping"}, author=bob,
                    expected_revision=1)
    clock.shift(MINUTE)
    if how == "edit back":
        third = revision_create(document=first.document, data={"name": "Limp"}, author=bob,
                                expected_revision=2)
    else:
        third = revision_revert(document=first.document, revision=first, author=bob,
                                expected_revision=2)
    assert (third.author, third.content_hash) == (bob, first.content_hash)
    clock.shift(MINUTE)
    return first, third


@pytest.mark.parametrize("how", ["edit back", "revert"])
def test_the_author_of_the_content_cannot_approve_it_when_someone_else_saved_it_again(
    ada, bob, rita, paul, clock, how
):
    first, third = laundered(ada, bob, clock, how=how)

    assert content_authored_by(third, ada) == [1]
    with pytest.raises(SelfApproval) as error:
        approve(third, ada)
    assert error.value.detail == (
        "You authored this content in revision 1, and no other medical reviewer has approved "
        "it since; another medical reviewer must approve revision 3.")
    assert not Review.objects.exists()
    with pytest.raises(ReviewRequired):
        revision_publish(revision=third, user=paul)

    # Another reviewer can: four eyes over Ada's text.
    approve(third, rita)
    assert revision_publish(revision=third, user=paul).live_revision == third


def test_the_reviewed_revisions_own_author_is_named_as_before(ada):
    revision = document_create(type_=ContentType.SYMPTOM, data=X, author=ada)
    with pytest.raises(SelfApproval) as error:
        approve(revision, ada)
    assert error.value.detail == (
        "You authored this revision; another medical reviewer must approve it.")


def test_every_author_of_the_content_is_named(ada, bob, rita, clock):
    # Here Rita edits too, and Bob reviews too: four eyes, not roles, refuses him.
    rita.groups.add(Group.objects.get_or_create(name=Role.EDITORS)[0])
    bob.groups.add(Group.objects.get_or_create(name=Role.MEDICAL_REVIEWERS)[0])
    first, third = laundered(ada, bob, clock, how="revert")
    revision_create(document=first.document, data={"name": "Limping"}, author=ada,
                    expected_revision=3)
    clock.shift(MINUTE)
    fifth = revision_revert(document=first.document, revision=first, author=rita,
                            expected_revision=4)
    clock.shift(MINUTE)
    assert content_authored_by(fifth, ada) == [1]
    assert content_authored_by(fifth, bob) == [3]
    assert content_authored_by(fifth, rita) == [5]
    with pytest.raises(SelfApproval):
        approve(fifth, bob)


def test_once_someone_else_approved_the_content_its_earlier_authors_may_approve_it_again(
    ada, bob, rita, clock
):
    first = document_create(type_=ContentType.SYMPTOM, data=X, author=ada)
    clock.shift(MINUTE)
    approve(first, rita)  # four eyes over Ada's text
    clock.shift(MINUTE)
    revision_create(document=first.document, data={"name": "Limping"}, author=bob,
                    expected_revision=1)
    clock.shift(MINUTE)
    third = revision_revert(document=first.document, revision=first, author=bob,
                            expected_revision=2)
    clock.shift(MINUTE)

    assert content_authored_by(third, ada) == []
    review = approve(third, ada)
    assert revision_review_state(third).review == review


def test_writing_the_content_again_after_its_approval_binds_again(ada, bob, rita, clock):
    first = document_create(type_=ContentType.SYMPTOM, data=X, author=bob)
    clock.shift(MINUTE)
    approve(first, rita)
    clock.shift(MINUTE)
    revision_create(document=first.document, data={"name": "Limping"}, author=bob,
                    expected_revision=1)
    clock.shift(MINUTE)
    revision_create(document=first.document, data={"name": "Limp"}, author=ada,
                    expected_revision=2)  # Ada writes X herself, after Rita's approval
    clock.shift(MINUTE)
    revision_create(document=first.document, data={"name": "Limping"}, author=bob,
                    expected_revision=3)
    clock.shift(MINUTE)
    fifth = revision_revert(document=first.document, revision=first, author=bob,
                            expected_revision=4)
    clock.shift(MINUTE)

    assert content_authored_by(fifth, ada) == [3]
    assert content_authored_by(fifth, bob) == [5]  # revision 1 was approved by Rita since
    with pytest.raises(SelfApproval) as error:
        approve(fifth, ada)
    assert error.value.detail == (
        "You authored this content in revision 3, and no other medical reviewer has approved "
        "it since; another medical reviewer must approve revision 5.")


def test_an_approval_recorded_by_an_author_of_the_content_never_counts(
    ada, bob, paul, clock, django_assert_num_queries
):
    """An approval stored before this rule (or by a shell) by someone who wrote the content
    is ignored by publishing and by every read of the review state alike."""
    first, third = laundered(ada, bob, clock, how="revert")
    Review.objects.create(revision=third, content_hash=third.content_hash, reviewer=ada,
                          decision=ReviewDecision.APPROVED, next_review_due=dt.date(2027, 1, 1))

    with pytest.raises(ReviewRequired):
        revision_publish(revision=third, user=paul)
    assert revision_review_state(third).state == RevisionReviewState.NOT_SUBMITTED
    assert revision_review_state(third).review is None
    with django_assert_num_queries(1):
        document = documents_with_review_state().get()
    assert (document.review_decision, document.reviewed_at) == (None, None)
    with django_assert_num_queries(3):
        history = document_history(document)
    assert [(r.number, r.review_state.state) for r in history] == [
        (3, RevisionReviewState.NOT_SUBMITTED),
        (2, RevisionReviewState.NOT_SUBMITTED),
        (1, RevisionReviewState.NOT_SUBMITTED),
    ]


def test_an_author_of_the_content_may_still_request_changes(ada, bob, clock):
    first, third = laundered(ada, bob, clock, how="revert")
    review = review_submit(revision=third, reviewer=ada,
                           decision=ReviewDecision.CHANGES_REQUESTED, comment="Rethink this")
    assert review.decision == ReviewDecision.CHANGES_REQUESTED
    assert revision_review_state(third).review is None  # and it does not count


@pytest.mark.parametrize(
    ("due", "message", "code"),
    [
        (dt.date(9999, 12, 31), "The next review must be due at most 5 years ahead: on or "
         "before 2031-03-02.", "max_value"),
        (dt.date(2031, 3, 3), "The next review must be due at most 5 years ahead: on or "
         "before 2031-03-02.", "max_value"),
        (dt.date(2026, 3, 2), "The next review must be due after today.", "invalid"),
        (dt.date(2020, 1, 1), "The next review must be due after today.", "invalid"),
    ],
)
def test_a_next_review_date_outside_the_window_is_refused(bob, rita, clock, due, message,
                                                         code):
    revision = document_create(type_=ContentType.SYMPTOM, data=X, author=bob)
    with pytest.raises(ContentInvalid) as error:
        approve(revision, rita, next_review_due=due)
    assert error.value.errors == [{"field": "next_review_due", "message": message,
                                   "code": code}]
    assert not Review.objects.exists()


def test_a_next_review_date_at_the_window_edge_is_kept(bob, rita, clock):
    revision = document_create(type_=ContentType.SYMPTOM, data=X, author=bob)
    assert approve(revision, rita, next_review_due=dt.date(2031, 3, 2)).next_review_due == \
        dt.date(2031, 3, 2)
    assert approve(revision, rita).next_review_due == dt.date(2027, 3, 2)  # the default
