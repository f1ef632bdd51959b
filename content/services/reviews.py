"""Clinical review: a medical reviewer approves or rejects one revision's exact content."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from content.choices import EditorialAction, ReviewDecision, RevisionReviewState
from content.dates import next_review_due_check
from content.exceptions import ContentInvalid, InvalidTransition, SelfApproval
from content.models import Document, EditorialEvent, Review, Revision
from content.plaintext import bidi_error
from content.selectors import content_authored_by, revision_review_state
from content.services import permissions
from content.services.audit import attribute_to, event_record

#: Without an explicit date, approved content is due for review again after a year.
DEFAULT_REVIEW_INTERVAL = dt.timedelta(days=365)


@transaction.atomic
def review_submit(
    *,
    revision: Revision,
    reviewer,
    decision: str,
    comment: str = "",
    next_review_due: dt.date | None = None,
) -> Review:
    """Record a reviewer's decision on `revision`, bound to its content hash.

    A reviewer cannot approve content they authored (`SelfApproval`): the revision itself,
    or any revision of the item with the same content hash that no other reviewer approved
    since (selectors.content_authored_by). Saving the same text again, or reverting to it,
    does not make someone else its author. Needs the `review` permission.
    """
    permissions.REVIEW.check(reviewer)
    if decision not in ReviewDecision.values:
        raise ContentInvalid(
            [{"field": "decision", "message": f"{decision!r} is not a valid decision.",
              "code": "invalid_choice"}]
        )
    if decision == ReviewDecision.APPROVED and (
        authored := content_authored_by(revision, reviewer)
    ):
        if revision.author_id == reviewer.pk:
            raise SelfApproval(
                "You authored this revision; another medical reviewer must approve it."
            )
        raise SelfApproval(
            f"You authored this content in {_revisions(authored)}, and no other medical "
            f"reviewer has approved it since; another medical reviewer must approve revision "
            f"{revision.number}."
        )
    today = timezone.localdate()
    if next_review_due is not None:
        next_review_due_check(next_review_due, today=today)
    if decision == ReviewDecision.APPROVED and next_review_due is None:
        next_review_due = today + DEFAULT_REVIEW_INTERVAL
    if len(comment or "") > 5000:
        raise ContentInvalid(
            [{"field": "comment", "message": "At most 5000 characters.", "code": "max_length"}]
        )
    if error := bidi_error("comment", comment):
        raise ContentInvalid([error])
    review = Review(
        revision=revision,
        content_hash=revision.content_hash,
        reviewer=reviewer,
        decision=decision,
        comment=comment or "",
        next_review_due=next_review_due,
    )
    attribute_to(review, reviewer).save()
    action = (
        EditorialAction.APPROVED
        if decision == ReviewDecision.APPROVED
        else EditorialAction.CHANGES_REQUESTED
    )
    event_record(document=revision.document, action=action, actor=reviewer, revision=revision,
                 detail={"comment": review.comment})
    return review


def _revisions(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"revision {numbers[0]}"
    return "revisions " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


@transaction.atomic
def review_request(*, revision: Revision, user, comment: str = "") -> EditorialEvent:
    """Submit `revision` for medical review: one `review_requested` line in the audit trail.

    Only the latest revision can be submitted, and not while it already awaits review or
    is already approved (`InvalidTransition`). Needs the `submit` permission.
    """
    permissions.SUBMIT.check(user)
    document = Document.objects.select_for_update().get(pk=revision.document_id)
    if document.latest_revision_id != revision.pk:
        raise InvalidTransition(
            f"Revision {revision.number} is not the latest revision; submit the latest one."
        )
    state = revision_review_state(revision).state
    if state == RevisionReviewState.AWAITING_REVIEW:
        raise InvalidTransition(f"Revision {revision.number} is already awaiting review.")
    if state == RevisionReviewState.APPROVED:
        raise InvalidTransition(f"Revision {revision.number} is already approved.")
    comment = (comment or "").strip()
    if len(comment) > 5000:
        raise ContentInvalid(
            [{"field": "comment", "message": "At most 5000 characters.", "code": "max_length"}]
        )
    if error := bidi_error("comment", comment):
        raise ContentInvalid([error])
    return event_record(
        document=document,
        action=EditorialAction.REVIEW_REQUESTED,
        actor=user,
        revision=revision,
        detail={"comment": comment},
    )
