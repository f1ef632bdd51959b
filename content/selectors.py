"""Reads that span models: editorial state, history and diffs between revisions.

The services read through these (never the other way round): this module imports no service.
The rules they apply (document status, the deciding review, review state) live in
content/rules.py.
"""

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from content import rules
from content.choices import (
    EditorialAction,
    EditorialStatus,
    ReviewDecision,
    RevisionReviewState,
    Role,
)
from content.models import Document, EditorialEvent, Review, Revision
from content.querysets import content_authored
from content.roles import user_roles
from content.rules import review_state_of
from content.snapshots import snapshot_upgrade
from content.types import SECTION

__all__ = ["review_state_of"]  # its home is content.rules

_MISSING = object()


def revision_content(revision: Revision, *, type_: str | None = None) -> dict:
    """A revision's snapshot in the current schema version (pass `type_` when the caller
    knows the document's type, to save a query)."""
    type_ = type_ or revision.document.type
    return snapshot_upgrade(type_, revision.content, revision.schema_version)


def _is_record_list(value) -> bool:
    """Lists of objects (sections, items, timeline phases) are diffed element by element;
    lists of strings or of references are compared as one value."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and set(v) - {"type", "slug"} for v in value)
    )


def _diff(before, after, path: str, changes: list[dict]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        # A section's body, groups and items are derived from its blocks: their changes
        # are the blocks' changes, shown once (content/types.py, SECTION).
        derived = set(SECTION.derived) if "blocks" in before and "blocks" in after else set()
        for key in list(before) + [k for k in after if k not in before]:
            if key in derived:
                continue
            child = f"{path}.{key}" if path else key
            _diff(before.get(key, _MISSING), after.get(key, _MISSING), child, changes)
        return
    if _is_record_list(before) and _is_record_list(after):
        for index in range(max(len(before), len(after))):
            _diff(
                before[index] if index < len(before) else _MISSING,
                after[index] if index < len(after) else _MISSING,
                f"{path}[{index}]",
                changes,
            )
        return
    changes.append({
        "path": path,
        "before": None if before is _MISSING else before,
        "after": None if after is _MISSING else after,
    })


def snapshot_diff(before: dict, after: dict) -> list[dict]:
    """Field-level changes from one snapshot to another, in document order.

    Each change is {"path", "before", "after"}; paths look like "title",
    "sections[2].items[0].text" or "examples" (lists of strings and of references
    change as a whole); an added or removed section or item has null on one side.
    """
    changes: list[dict] = []
    _diff(before, after, "", changes)
    return changes


def revision_diff(older: Revision, newer: Revision) -> list[dict]:
    """Field-level changes from revision `older` to revision `newer`."""
    return snapshot_diff(revision_content(older), revision_content(newer))


def document_status(document: Document, now: dt.datetime | None = None) -> str:
    """The editorial status as of `now` (`content.rules.document_status`)."""
    return rules.document_status(status=document.status, expire_at=document.expire_at, now=now)


def document_live_revision_number(document: Document, now: dt.datetime | None = None) -> int | None:
    """The number of the revision the public sees now, or None."""
    if document_status(document, now) != EditorialStatus.PUBLISHED:
        return None
    return document.live_revision.number if document.live_revision_id else None


# --- clinical review state ------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewState:
    """Where a revision stands in clinical review, and the records that say so."""

    state: str  # a RevisionReviewState value
    review: Review | None  # the latest review of its exact content by someone not its author
    requested: EditorialEvent | None  # its latest submission for review


def _deciding_reviews():
    """Reviews that count for a revision, newest first: the first of each revision is its
    deciding review (`ReviewQuerySet.deciding`, what publishing looks at too)."""
    return Review.objects.deciding()


def deciding_review(revision: Revision) -> Review | None:
    """The review that decides `revision`'s state (`content.rules.deciding_review`), with
    its reviewer's profile; one query."""
    return (
        _deciding_reviews()
        .filter(revision=revision)
        .select_related("reviewer__editor_profile")
        .first()
    )


def deciding_reviews(revisions) -> dict[int, Review]:
    """{revision id: its deciding review} for these revisions (those with one); one query."""
    reviews: dict[int, Review] = {}
    for review in (
        _deciding_reviews()
        .filter(revision__in=[r.pk for r in revisions])
        .select_related("reviewer__editor_profile", "revision")
    ):
        reviews.setdefault(review.revision_id, review)
    return reviews


def approved_revision_ids(revisions) -> set[int]:
    """The ids of these revisions that are approved (`content.rules.is_approved` of their
    deciding review): exactly those `revision_publish` would publish; one query."""
    return {pk for pk, review in deciding_reviews(revisions).items()
            if rules.is_approved(review.decision)}


def content_authored_by(revision: Revision, user) -> list[int]:
    """The numbers of the revisions in which `user` authored `revision`'s exact content:
    the revision itself, or a revision of the item with the same content that no one else
    approved since; empty if none. Such a user may not approve it (services/reviews.py)."""
    if user is None or user.pk is None:
        return []
    return list(
        content_authored(
            document=revision.document_id, content_hash=revision.content_hash,
            author=user.pk, revision=revision.pk, at=timezone.now(),
        ).order_by("number").values_list("number", flat=True)
    )


def revision_review_state(revision: Revision) -> ReviewState:
    """The clinical review state of one revision, in two queries."""
    review = deciding_review(revision)
    requested = (
        EditorialEvent.objects.filter(
            revision=revision, action=EditorialAction.REVIEW_REQUESTED
        )
        .select_related("actor__editor_profile")
        .order_by("-at", "-id")
        .first()
    )
    state = review_state_of(
        review.decision if review else None,
        review.created_at if review else None,
        requested.at if requested else None,
    )
    return ReviewState(state=state, review=review, requested=requested)


def documents_with_review_state(queryset=None):
    """Documents annotated for the admin's lists, in one query: `review_decision`,
    `reviewed_at` and `review_requested_at` of the latest revision (for `review_state_of`)
    and `next_review_due` of the latest approval of the live revision."""
    queryset = Document.objects.all() if queryset is None else queryset
    latest_review = _deciding_reviews().filter(revision=OuterRef("latest_revision"))
    live_approval = _deciding_reviews().filter(
        revision=OuterRef("live_revision"), decision=ReviewDecision.APPROVED
    )
    requested = (
        EditorialEvent.objects.filter(
            revision=OuterRef("latest_revision"), action=EditorialAction.REVIEW_REQUESTED
        )
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return queryset.select_related("latest_revision", "live_revision").annotate(
        review_decision=Subquery(latest_review.values("decision")[:1]),
        reviewed_at=Subquery(latest_review.values("created_at")[:1]),
        review_requested_at=Subquery(requested),
        next_review_due=Subquery(live_approval.values("next_review_due")[:1]),
    )


def document_history(document: Document) -> list[Revision]:
    """Every revision of `document`, newest first, each with `review_state` (ReviewState)
    and `events` (its audit lines, oldest first), in three queries."""
    revisions = list(
        Revision.objects.filter(document=document)
        .select_related("author__editor_profile", "reverted_from", "parent")
        .order_by("-number")
    )
    reviews: dict[int, Review] = {}
    for review in (
        _deciding_reviews()
        .filter(revision__document=document)
        .select_related("reviewer__editor_profile")
    ):
        reviews.setdefault(review.revision_id, review)
    events: dict[int, list[EditorialEvent]] = {}
    for event in (
        EditorialEvent.objects.filter(document=document, revision__isnull=False)
        .select_related("actor__editor_profile")
        .order_by("at", "id")
    ):
        events.setdefault(event.revision_id, []).append(event)
    for revision in revisions:
        review = reviews.get(revision.pk)
        requests = [e for e in events.get(revision.pk, [])
                    if e.action == EditorialAction.REVIEW_REQUESTED]
        requested = requests[-1] if requests else None
        revision.review_state = ReviewState(
            state=review_state_of(
                review.decision if review else None,
                review.created_at if review else None,
                requested.at if requested else None,
            ),
            review=review,
            requested=requested,
        )
        revision.events = events.get(revision.pk, [])
    return revisions


def document_labels(types) -> dict[str, list[tuple[str, str]]]:
    """{type: [(slug, label), …]} for every document of these types, labelled from its
    latest revision (name, title or text), sorted by label; one query."""
    rows = (
        Document.objects.filter(type__in=list(types))
        .annotate(
            label=Coalesce(
                KeyTextTransform("name", "latest_revision__content"),
                KeyTextTransform("title", "latest_revision__content"),
                KeyTextTransform("text", "latest_revision__content"),
                F("slug"),
                output_field=TextField(),
            )
        )
        .values_list("type", "slug", "label")
    )
    labels: dict[str, list[tuple[str, str]]] = {str(t): [] for t in types}
    for type_, slug, label in rows:
        labels[type_].append((slug, label))
    for entries in labels.values():
        entries.sort(key=lambda entry: (entry[1].casefold(), entry[0]))
    return labels


# --- the editors' workspace ("My work") -----------------------------------------------------


@dataclass(frozen=True)
class WorkList:
    """One list of the "My work" page: what a person of `role` has to act on, as a `Q` over
    `documents_with_review_state()` (so every list, and all their counts, read one query)."""

    name: str
    role: str  # a content.choices.Role value
    title: str
    help: str
    q: object  # a django.db.models.Q


#: How far ahead "expiring soon" looks.
EXPIRING_WITHIN = dt.timedelta(days=7)


def _not_live_q() -> Q:
    """The latest revision is not what the public sees."""
    return Q(live_revision__isnull=True) | ~Q(live_revision=F("latest_revision"))


def _authored_by_q(user, now: dt.datetime) -> Q:
    """`user` authored the latest revision's exact content (`content_authored`, the four-eyes
    rule the review service enforces), as a Q over documents."""
    outer, deeper = OuterRef, lambda name: OuterRef(OuterRef(name))
    authored = content_authored(
        document=outer("pk"), content_hash=outer("latest_revision__content_hash"),
        author=user.pk, revision=outer("latest_revision"), at=now,
        deeper={"document": deeper("pk"), "content_hash": deeper("latest_revision__content_hash"),
                "author": user.pk, "at": now},
    )
    return Q(Exists(authored))


def work_lists(user, now: dt.datetime | None = None) -> list[WorkList]:
    """The "My work" lists of the roles `user` holds (a superuser sees every list), each
    built from the rule's one home (`content.rules`)."""
    now = now or timezone.now()
    roles = user_roles(user)
    lists: list[WorkList] = []
    if Role.EDITORS in roles:
        mine = Q(latest_revision__author=user.pk) & _not_live_q()
        lists += [
            WorkList("my_drafts", Role.EDITORS, "My drafts",
                     "Items whose latest revision you saved and that is not live yet.", mine),
            WorkList("changes_requested", Role.EDITORS, "Came back with changes requested",
                     "Your latest revisions a medical reviewer asked you to change.",
                     mine & rules.review_state_q(RevisionReviewState.CHANGES_REQUESTED)),
        ]
    if Role.MEDICAL_REVIEWERS in roles:
        lists += [
            WorkList("awaiting_my_review", Role.MEDICAL_REVIEWERS, "Waiting for my review",
                     "Submitted for review; text you wrote is left out (you may not approve "
                     "it).",
                     rules.review_state_q(RevisionReviewState.AWAITING_REVIEW)
                     & ~_authored_by_q(user, now)),
            WorkList("review_overdue", Role.MEDICAL_REVIEWERS, "Overdue reviews",
                     "Live items whose next clinical review date has passed.",
                     rules.status_q(EditorialStatus.PUBLISHED, now) & rules.overdue_q(now)),
        ]
    if Role.PUBLISHERS in roles:
        lists += [
            WorkList("approved_unpublished", Role.PUBLISHERS, "Approved, not published",
                     "The latest revision is approved but neither live nor scheduled.",
                     rules.review_state_q(RevisionReviewState.APPROVED) & _not_live_q()
                     & (Q(scheduled_revision__isnull=True)
                        | ~Q(scheduled_revision=F("latest_revision")))),
            WorkList("scheduled", Role.PUBLISHERS, "Scheduled",
                     "A revision waits for its go-live time.",
                     Q(scheduled_revision__isnull=False)),
            WorkList("expiring", Role.PUBLISHERS, "Expiring in the next 7 days",
                     "Live items whose expiry comes within a week.",
                     rules.status_q(EditorialStatus.PUBLISHED, now)
                     & Q(expire_at__lte=now + EXPIRING_WITHIN)),
        ]
    return lists


def work_list_documents(work_list: WorkList):
    """The documents of one "My work" list, annotated as the change list is, in one query."""
    return documents_with_review_state().filter(work_list.q).order_by("type", "slug")


def work_list_counts(lists: list[WorkList]) -> dict[str, int]:
    """{list name: how many documents it holds}, every list in one query (the rows in any
    list, each with a flag per list)."""
    counts = {entry.name: 0 for entry in lists}
    if not lists:
        return counts
    flags = {f"in_{entry.name}": Case(When(entry.q, then=Value(True)), default=Value(False),
                                      output_field=BooleanField()) for entry in lists}
    rows = (
        documents_with_review_state()
        .filter(reduce(operator.or_, (entry.q for entry in lists)))
        .annotate(**flags)
        .values_list(*flags)
    )
    for row in rows:
        for entry, flag in zip(lists, row, strict=True):
            counts[entry.name] += flag
    return counts
