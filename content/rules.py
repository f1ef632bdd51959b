"""The editorial and public rules, each stated once.

Every rule here has a pure function on values (for a row already loaded) and, where a read
filters on it, the same rule as a `Q` (for querysets and admin filters). Nothing else in
`content/` restates one of them: querysets, selectors, services, serializers, the caching
modules and the admin call these. tests/test_rules.py checks that each function and its `Q`
agree on the same rows.

* visibility — `is_visible` / `visible_q`: live and not expired at `now`;
* expiry — `is_expired` / `expired_q`: published, with an `expire_at` that has come (the
  stored status may still say `published` until `publish_scheduled` or the next editorial
  action records it);
* document status — `document_status` / `status_q`: the stored status, with expiry derived;
* review status of live content — `review_status`, `is_review_overdue` / `overdue_q`,
  `review_overdue_at`: not reviewed without an approval, overdue from the start of the day
  after `next_review_due`;
* the deciding review of a revision — `deciding_review` (`ReviewQuerySet.deciding`): the
  newest review that counts (of its exact content, by a reviewer who did not author that
  content: `ReviewQuerySet.counting`); the revision is approved — and may be published —
  exactly when that review approved it (`is_approved`);
* awaiting review / review state — `review_state_of`, `is_awaiting_review` /
  `review_state_q`: a submission newer than the deciding review awaits review.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, Q
from django.utils import timezone

from content.choices import EditorialStatus, ReviewDecision, ReviewStatus, RevisionReviewState
from content.dates import overdue_from


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


# --- visibility -------------------------------------------------------------------------------


def is_visible(*, live: bool, expire_at: dt.datetime | None, now: dt.datetime | None = None
               ) -> bool:
    """Whether a public client may see a live row now: live and not yet expired at `now`."""
    return bool(live) and (expire_at is None or expire_at > _now(now))


def visible_q(now: dt.datetime | None = None) -> Q:
    """`is_visible` as a Q over a live table (`PublishedQuerySet.published`)."""
    return Q(live=True) & (Q(expire_at__isnull=True) | Q(expire_at__gt=_now(now)))


# --- expiry and document status -----------------------------------------------------------------


def is_expired(*, status: str, expire_at: dt.datetime | None, now: dt.datetime | None = None
               ) -> bool:
    """Whether a published document's expiry has come (recorded or not yet)."""
    return (
        status == EditorialStatus.PUBLISHED
        and expire_at is not None
        and expire_at <= _now(now)
    )


def expired_q(now: dt.datetime | None = None) -> Q:
    """`is_expired` as a Q over documents: published, with an expire_at that has come."""
    return Q(status=EditorialStatus.PUBLISHED, expire_at__lte=_now(now))


def document_status(*, status: str, expire_at: dt.datetime | None,
                    now: dt.datetime | None = None) -> str:
    """The editorial status as of `now`: the stored one, except that a published document
    whose expire_at has come is `expired` (the services record it at their next touch)."""
    if is_expired(status=status, expire_at=expire_at, now=now):
        return EditorialStatus.EXPIRED
    return status


def status_q(value: str, now: dt.datetime | None = None) -> Q:
    """Documents whose `document_status` is `value` as of `now`."""
    now = _now(now)
    if value == EditorialStatus.EXPIRED:
        return Q(status=EditorialStatus.EXPIRED) | expired_q(now)
    if value == EditorialStatus.PUBLISHED:
        return Q(status=EditorialStatus.PUBLISHED) & ~expired_q(now)
    return Q(status=value)


# --- review status of live content ------------------------------------------------------------


def review_overdue_at(due: dt.date | None) -> dt.datetime | None:
    """The moment a review due on `due` falls overdue (the start of the next day in the
    current time zone, `content.dates.overdue_from`); None without a date or past the
    calendar's end. The caching modules expire stored responses at this moment."""
    return overdue_from(due) if due is not None else None


def is_review_overdue(due: dt.date | None, now: dt.datetime | None = None) -> bool:
    """Whether a review due on `due` is overdue at `now`."""
    moment = review_overdue_at(due)
    return moment is not None and _now(now) >= moment


def overdue_q(now: dt.datetime | None = None, *, field: str = "next_review_due") -> Q:
    """`is_review_overdue` as a Q on a date column (or annotation) named `field`."""
    return Q(**{f"{field}__lt": timezone.localdate(_now(now))})


def review_status(*, last_reviewed: dt.date | None, next_review_due: dt.date | None,
                  now: dt.datetime | None = None) -> str:
    """The public review status of live content: `not_reviewed` without an approval,
    `overdue` once `next_review_due` has passed, else `reviewed`."""
    if last_reviewed is None:
        return ReviewStatus.NOT_REVIEWED
    if is_review_overdue(next_review_due, now):
        return ReviewStatus.OVERDUE
    return ReviewStatus.REVIEWED


# --- clinical review of a revision ----------------------------------------------------------


def deciding_review(reviews: Iterable):
    """The review that decides a revision's state: the newest (by `created_at`, then id) of
    the reviews that count for it (`ReviewQuerySet.counting`), or None.
    `ReviewQuerySet.deciding` is the same rule in SQL."""
    return max(reviews, key=lambda review: (review.created_at, review.pk), default=None)


def is_approved(decision: str | None) -> bool:
    """Whether a revision whose deciding review has this `decision` is approved, i.e. may be
    published (`services.publishing.revision_publish` refuses it otherwise)."""
    return decision == ReviewDecision.APPROVED


def is_awaiting_review(reviewed_at: dt.datetime | None, requested_at: dt.datetime | None
                       ) -> bool:
    """A submission for review newer than the deciding review (or without one) awaits it."""
    return requested_at is not None and (reviewed_at is None or requested_at > reviewed_at)


def review_state_of(
    decision: str | None, reviewed_at: dt.datetime | None, requested_at: dt.datetime | None
) -> str:
    """Where a revision stands in clinical review, from its deciding review (`decision`,
    `reviewed_at`) and its latest submission (`requested_at`): awaiting review if
    `is_awaiting_review`; otherwise the deciding review's decision; with neither, not
    submitted."""
    if is_awaiting_review(reviewed_at, requested_at):
        return RevisionReviewState.AWAITING_REVIEW
    if is_approved(decision):
        return RevisionReviewState.APPROVED
    if decision == ReviewDecision.CHANGES_REQUESTED:
        return RevisionReviewState.CHANGES_REQUESTED
    return RevisionReviewState.NOT_SUBMITTED


def awaiting_review_q(*, decided_at: str = "reviewed_at",
                      requested_at: str = "review_requested_at") -> Q:
    """`is_awaiting_review` as a Q over annotations (selectors.documents_with_review_state)."""
    return Q(**{f"{requested_at}__isnull": False}) & (
        Q(**{f"{decided_at}__isnull": True}) | Q(**{f"{requested_at}__gt": F(decided_at)})
    )


def review_state_q(state: str, *, decision: str = "review_decision",
                   decided_at: str = "reviewed_at",
                   requested_at: str = "review_requested_at") -> Q:
    """`review_state_of` as a Q over annotations: rows whose review state is `state`."""
    awaiting = awaiting_review_q(decided_at=decided_at, requested_at=requested_at)
    if state == RevisionReviewState.AWAITING_REVIEW:
        return awaiting
    if state == RevisionReviewState.APPROVED:
        return Q(**{decision: ReviewDecision.APPROVED}) & ~awaiting
    if state == RevisionReviewState.CHANGES_REQUESTED:
        return Q(**{decision: ReviewDecision.CHANGES_REQUESTED}) & ~awaiting
    if state == RevisionReviewState.NOT_SUBMITTED:
        return Q(**{f"{decision}__isnull": True, f"{requested_at}__isnull": True})
    return Q()
