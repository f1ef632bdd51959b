"""review_request (submit a revision for medical review) and the review-state rule."""

import datetime as dt

import pytest
import time_machine

from content.choices import (
    ContentType,
    EditorialAction,
    ReviewDecision,
    RevisionReviewState,
    Role,
)
from content.exceptions import ContentInvalid, InvalidTransition
from content.models import Document, EditorialEvent
from content.selectors import (
    document_history,
    documents_with_review_state,
    review_state_of,
    revision_review_state,
)
from content.services.reviews import review_request, review_submit
from content.services.versioning import document_create, revision_create
from tests.factories import UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def editor(db):
    return UserFactory(username="eddie", roles=[Role.EDITORS])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS])


@pytest.fixture
def revision(editor):
    return document_create(
        type_=ContentType.SYMPTOM, author=editor,
        data={"slug": "limp", "name": "Limp", "description": "Uneven walk.",
              "frequency": "common"},
    )


def test_request_records_one_audit_line(revision, editor):
    with time_machine.travel(T0, tick=False):
        event = review_request(revision=revision, user=editor, comment="  Please check.  ")
    assert (event.document, event.revision, event.actor, event.action, event.at,
            event.detail) == (revision.document, revision, editor,
                              EditorialAction.REVIEW_REQUESTED, T0, {"comment": "Please check."})
    assert revision_review_state(revision).state == RevisionReviewState.AWAITING_REVIEW


def test_request_is_refused_while_awaiting_or_once_approved(revision, editor, reviewer):
    review_request(revision=revision, user=editor)
    with pytest.raises(InvalidTransition, match="already awaiting review"):
        review_request(revision=revision, user=editor)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    with pytest.raises(InvalidTransition, match="already approved"):
        review_request(revision=revision, user=editor)
    assert EditorialEvent.objects.filter(action=EditorialAction.REVIEW_REQUESTED).count() == 1


def test_only_the_latest_revision_can_be_submitted(revision, editor):
    revision_create(document=revision.document, data={"name": "Limping"}, author=editor,
                    expected_revision=1)
    with pytest.raises(InvalidTransition, match="not the latest revision"):
        review_request(revision=revision, user=editor)
    assert not EditorialEvent.objects.filter(action=EditorialAction.REVIEW_REQUESTED).exists()


def test_a_long_comment_is_refused(revision, editor):
    with pytest.raises(ContentInvalid) as error:
        review_request(revision=revision, user=editor, comment="x" * 5001)
    assert error.value.errors == [
        {"field": "comment", "message": "At most 5000 characters.", "code": "max_length"}]


def test_resubmitting_after_changes_requested_awaits_review_again(revision, editor, reviewer):
    with time_machine.travel(T0, tick=False) as traveller:
        review_request(revision=revision, user=editor)
        traveller.shift(dt.timedelta(minutes=5))
        review_submit(revision=revision, reviewer=reviewer,
                      decision=ReviewDecision.CHANGES_REQUESTED, comment="Source?")
        assert revision_review_state(revision).state == RevisionReviewState.CHANGES_REQUESTED
        traveller.shift(dt.timedelta(minutes=5))
        review_request(revision=revision, user=editor, comment="The source is NICE CKS.")
    state = revision_review_state(revision)
    assert (state.state, state.review.comment, state.requested.detail) == (
        RevisionReviewState.AWAITING_REVIEW, "Source?", {"comment": "The source is NICE CKS."})


@pytest.mark.parametrize(
    ("decision", "reviewed_at", "requested_at", "state"),
    [
        (None, None, None, RevisionReviewState.NOT_SUBMITTED),
        (None, None, T0, RevisionReviewState.AWAITING_REVIEW),
        ("approved", T0, None, RevisionReviewState.APPROVED),
        ("approved", T0, T0, RevisionReviewState.APPROVED),  # reviewed at the same instant
        ("changes_requested", T0, None, RevisionReviewState.CHANGES_REQUESTED),
        ("changes_requested", T0, T0 + dt.timedelta(seconds=1),
         RevisionReviewState.AWAITING_REVIEW),
    ],
)
def test_review_state_rule(decision, reviewed_at, requested_at, state):
    assert review_state_of(decision, reviewed_at, requested_at) == state


def test_an_authors_own_review_does_not_count(db, editor):
    author = UserFactory(username="ada", roles=[Role.EDITORS, Role.MEDICAL_REVIEWERS])
    revision = document_create(
        type_=ContentType.WARNING_SIGN, author=author,
        data={"slug": "fever", "text": "Fever.", "urgency": "immediate"},
    )
    review_submit(revision=revision, reviewer=author, decision=ReviewDecision.CHANGES_REQUESTED)
    assert revision_review_state(revision).state == RevisionReviewState.NOT_SUBMITTED


def test_list_annotations_and_history_agree_with_the_rule(
    editor, reviewer, django_assert_num_queries
):
    with time_machine.travel(T0, tick=False) as traveller:
        revision = document_create(
            type_=ContentType.SYMPTOM, author=editor,
            data={"slug": "limp", "name": "Limp", "description": "Uneven walk.",
                  "frequency": "common"},
        )
        review_request(revision=revision, user=editor)
        traveller.shift(dt.timedelta(minutes=1))
        review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED,
                      next_review_due=dt.date(2027, 1, 1))
        second = revision_create(document=revision.document, data={"name": "Limping"},
                                 author=editor, expected_revision=1)
        traveller.shift(dt.timedelta(minutes=1))
        review_request(revision=second, user=editor)

    with django_assert_num_queries(1):
        document = documents_with_review_state().get()
    assert (document.review_decision, document.review_requested_at, document.next_review_due) \
        == (None, T0 + dt.timedelta(minutes=2), None)  # nothing is live, so no due date
    assert review_state_of(document.review_decision, document.reviewed_at,
                           document.review_requested_at) == RevisionReviewState.AWAITING_REVIEW

    document = Document.objects.get()
    with django_assert_num_queries(3):
        history = document_history(document)
    assert [(r.number, r.review_state.state, [e.action for e in r.events]) for r in history] == [
        (2, RevisionReviewState.AWAITING_REVIEW, ["edited", "review_requested"]),
        (1, RevisionReviewState.APPROVED, ["created", "review_requested", "approved"]),
    ]
