"""Publishing: copy an approved revision into the live tables, schedule, unpublish, expire.

The live tables change only here. `revision_publish` refuses any revision whose exact
content hash has no approval from a medical reviewer who did not author that content (at
that revision, or at another with the same content since someone else approved it); the one
exception is the seed import (`content_import`), recorded as `imported` and shown publicly
as `not_reviewed`.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from content import rules
from content.blocks import blocks_layout, fields_from_blocks
from content.caching import content_changed
from content.choices import ContentType, EditorialAction, EditorialStatus
from content.dates import schedule_check
from content.exceptions import (
    InvalidTransition,
    ReviewRequired,
    UnpublishedReference,
)
from content.models import (
    LIVE_MODELS,
    Article,
    Document,
    Review,
    Revision,
    Section,
    SectionItem,
)
from content.readability import reading_grade
from content.search import search_entries_sync, search_index_update
from content.selectors import deciding_review, revision_content
from content.services import permissions
from content.services.audit import attribute_to, event_record
from content.services.feed import change_went_live, change_withdrawn, document_dependents
from content.services.profiles import reviewer_credit
from content.services.versioning import document_create
from content.snapshots import snapshot_normalise, snapshot_references

IMPORT_NOTE = "Imported from source article"


def _resolve_references(type_: str, content: dict) -> dict[tuple[str, str], object]:
    """Map every (type, slug) the content links to onto its live row, or refuse."""
    refs = {(ref["type"], ref["slug"]) for _, ref in snapshot_references(type_, content)}
    rows: dict[tuple[str, str], object] = {}
    for ref_type in {t for t, _ in refs}:
        slugs = [s for t, s in refs if t == ref_type]
        for row in LIVE_MODELS[ref_type].objects.filter(slug__in=slugs):
            rows[(ref_type, row.slug)] = row
    missing = sorted(f"{t}:{s}" for t, s in refs if (t, s) not in rows)
    if missing:
        raise UnpublishedReference(missing)
    return rows


def _own_fields(type_: str, content: dict) -> dict:
    """The scalar columns of a live row, from a snapshot."""
    skip = {"slug", "conditions", "sections"}
    return {k: v for k, v in content.items() if k not in skip}


def _sections_write(article: Article, content: dict, rows: dict) -> None:
    article.sections.all().delete()
    for data in content["sections"]:
        derived = fields_from_blocks(data["blocks"])
        section = Section(
            article=article,
            kind=data["kind"],
            heading=data["heading"],
            position=data["position"],
            blocks=blocks_layout(data["blocks"]),
            body=derived["body"],
            groups=derived["groups"],
            timeline=data["timeline"],
        )
        section.full_clean(exclude=["article"])
        section.save()
        items = []
        for position, item in enumerate(derived["items"], start=1):
            entity = item["entity"]
            links = {}
            if entity is not None:
                links[entity["type"]] = rows[(entity["type"], entity["slug"])]
            items.append(
                SectionItem(
                    section=section,
                    position=position,
                    group=item["group"],
                    title=item["title"],
                    text=item["text"],
                    **links,
                )
            )
        SectionItem.objects.bulk_create(items)


def _review_block(review: Review | None) -> dict:
    if review is None:
        return {
            "last_reviewed": None,
            "next_review_due": None,
            "reviewed_by_name": "",
            "reviewed_by_credentials": "",
        }
    return {
        "last_reviewed": review.created_at.date(),
        "next_review_due": review.next_review_due,
        # What the reviewer set to be credited as, never their login name.
        **reviewer_credit(review.reviewer),
    }


def live_apply(
    *, document: Document, revision: Revision, review: Review | None, now: dt.datetime,
    expire_at: dt.datetime | None,
):
    """Write `revision`'s content into the live tables and make it visible."""
    content = revision_content(revision)
    rows = _resolve_references(document.type, content)
    model = LIVE_MODELS[document.type]
    row = model.objects.filter(document=document).first()
    values = {
        **_own_fields(document.type, content),
        **_review_block(review),
        "slug": document.slug,
        "live": True,
        "version": revision.number,
        "content_hash": revision.content_hash,
        "updated_at": now,
        "expire_at": expire_at,
    }
    if document.type == ContentType.ARTICLE:
        values["reading_grade"] = reading_grade(document.type, content)
    if row is None:
        row = model(document=document, first_published_at=now, **values)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    row.full_clean(exclude=["document"], validate_unique=False)
    row.save()
    if "conditions" in content:
        row.conditions.set(
            [rows[(ContentType.CONDITION, ref["slug"])] for ref in content["conditions"]]
        )
    if document.type == ContentType.ARTICLE:
        _sections_write(row, content, rows)
    search_index_update(row)
    return row


def revision_approval(revision: Revision) -> Review | None:
    """The approval that lets `revision` go live: its deciding review (the newest that counts
    for it: of its exact content, by a reviewer who did not author that content at this or
    any revision since someone else approved it; `content.rules.deciding_review`), if that
    review approved it (`content.rules.is_approved`)."""
    deciding = deciding_review(revision)
    return deciding if deciding is not None and rules.is_approved(deciding.decision) else None


def _go_live(
    *, document: Document, revision: Revision, review: Review | None, user, now, expire_at,
    action: str | None = EditorialAction.PUBLISHED,
) -> Document:
    dependents_before = document_dependents(document)  # what showed it, before it changes
    live_apply(document=document, revision=revision, review=review, now=now, expire_at=expire_at)
    document.live_revision = revision
    document.status = EditorialStatus.PUBLISHED
    document.first_published_at = document.first_published_at or now
    document.last_published_at = now
    document.expire_at = expire_at
    document.scheduled_revision = None
    document.go_live_at = None
    document.scheduled_expire_at = None
    attribute_to(document, user).save()
    change_went_live(document=document, dependents_before=dependents_before)
    content_changed(document=document)
    if action is not None:
        event_record(document=document, action=action, actor=user, revision=revision, at=now)
    return document


def _lock(document: Document, now: dt.datetime | None = None) -> Document:
    """Lock the document row, recording an expiry that passed since it was last touched."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _expiry_record(document, now or timezone.now())
    return document


def _withdraw(document: Document) -> None:
    """Take the document's live row out of the public API (and out of search)."""
    model = LIVE_MODELS[document.type]
    pks = list(model.objects.filter(document=document).values_list("pk", flat=True))
    model.objects.filter(pk__in=pks).update(live=False)
    search_entries_sync(model, pks)


def _expiry_record(document: Document, now: dt.datetime) -> bool:
    """If the live item's expire_at has passed, withdraw it and log `expired` at that time.

    Reads already hide it from that second on; this makes the stored state and the audit
    trail agree, whichever of publish_scheduled or the next editorial action comes first.
    """
    if not rules.is_expired(status=document.status, expire_at=document.expire_at, now=now):
        return False
    revision = document.live_revision
    _withdraw(document)
    document.status = EditorialStatus.EXPIRED
    document.live_revision = None
    attribute_to(document, None).save()
    change_withdrawn(document=document)
    content_changed(document=document)
    event_record(document=document, action=EditorialAction.EXPIRED, actor=None,
                 revision=revision, at=document.expire_at)
    return True


@transaction.atomic
def revision_publish(
    *,
    revision: Revision,
    user,
    go_live_at: dt.datetime | None = None,
    expire_at: dt.datetime | None = None,
) -> Document:
    """Publish `revision` now, or schedule it for a future `go_live_at`.

    Refused with `ReviewRequired` unless that exact revision is approved, and with
    `ContentInvalid` when `go_live_at` is not in the future or it or `expire_at` lies beyond
    the window of content/dates.py. Needs the `publish` permission (`schedule` with a
    `go_live_at`).
    """
    (permissions.SCHEDULE if go_live_at is not None else permissions.PUBLISH).check(user)
    now = timezone.now()
    document = _lock(revision.document, now)
    review = revision_approval(revision)
    if review is None:
        raise ReviewRequired(number=revision.number)
    schedule_check(go_live_at=go_live_at, expire_at=expire_at, now=now)
    if go_live_at is not None:
        _resolve_references(document.type, revision_content(revision))
        document.scheduled_revision = revision
        document.go_live_at = go_live_at
        document.scheduled_expire_at = expire_at  # what is live keeps its own expiry
        if document.live_revision_id is None:
            document.status = EditorialStatus.SCHEDULED
        attribute_to(document, user).save()
        event_record(
            document=document,
            action=EditorialAction.SCHEDULED,
            actor=user,
            revision=revision,
            at=now,
            detail={"go_live_at": go_live_at.isoformat(),
                    "expire_at": expire_at.isoformat() if expire_at else None},
        )
        return document
    return _go_live(
        document=document, revision=revision, review=review, user=user, now=now,
        expire_at=expire_at,
    )


@transaction.atomic
def document_unpublish(*, document: Document, user) -> Document:
    """Withdraw the item from the public API; its history is kept. Needs the `unpublish`
    permission."""
    permissions.UNPUBLISH.check(user)
    document = _lock(document)
    if document.live_revision_id is None and document.scheduled_revision_id is None:
        raise InvalidTransition("Nothing is published or scheduled, so there is nothing to "
                                "unpublish.")
    revision = document.live_revision
    _withdraw(document)
    document.live_revision = None
    document.scheduled_revision = None
    document.go_live_at = None
    document.scheduled_expire_at = None
    document.status = (
        EditorialStatus.UNPUBLISHED if document.first_published_at else EditorialStatus.DRAFT
    )
    attribute_to(document, user).save()
    change_withdrawn(document=document)
    content_changed(document=document)
    event_record(document=document, action=EditorialAction.UNPUBLISHED, actor=user,
                 revision=revision)
    return document


@transaction.atomic
def schedule_cancel(*, document: Document, user) -> Document:
    """Cancel a scheduled publication; what is live (if anything) stays live, untouched.
    Needs the `cancel_schedule` permission."""
    permissions.CANCEL_SCHEDULE.check(user)
    document = _lock(document)
    if document.scheduled_revision_id is None:
        raise InvalidTransition("Nothing is scheduled, so there is no schedule to cancel.")
    revision, go_live_at = document.scheduled_revision, document.go_live_at
    document.scheduled_revision = None
    document.go_live_at = None
    document.scheduled_expire_at = None
    if document.status == EditorialStatus.SCHEDULED:
        document.status = (
            EditorialStatus.UNPUBLISHED if document.first_published_at else EditorialStatus.DRAFT
        )
    attribute_to(document, user).save()
    event_record(document=document, action=EditorialAction.SCHEDULE_CANCELLED, actor=user,
                 revision=revision, detail={"go_live_at": go_live_at.isoformat()})
    return document


@dataclass
class ScheduleReport:
    """What `publish_due` did, and schedules that had waited too long."""

    published: list[Document]
    expired: list[Document]
    overdue: list[tuple[Document, dt.timedelta]]


def publish_due(*, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=2)
                ) -> ScheduleReport:
    """Publish every scheduled revision whose time has come; record expiries.

    A schedule found more than `grace` after its go_live_at is reported as overdue (the
    scheduler was not running); it is still published.
    """
    now = now or timezone.now()
    report = ScheduleReport(published=[], expired=[], overdue=[])
    for document in Document.objects.due_for_publication(now).order_by("go_live_at", "id"):
        with transaction.atomic():
            document = _lock(document, now)
            if document.scheduled_revision_id is None or document.go_live_at > now:
                continue
            lateness = now - document.go_live_at
            revision = document.scheduled_revision
            review = revision_approval(revision)
            if review is None:  # approvals are immutable, so this cannot happen; be safe
                continue
            scheduler = (
                document.events.filter(action=EditorialAction.SCHEDULED, revision=revision)
                .order_by("-at").values_list("actor", flat=True).first()
            )
            _go_live(document=document, revision=revision, review=review,
                     user=_user(scheduler), now=now, expire_at=document.scheduled_expire_at)
            report.published.append(document)
            if lateness > grace:
                report.overdue.append((document, lateness))
    for document in Document.objects.expired_unrecorded(now):
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document.pk)
            if _expiry_record(document, now):
                report.expired.append(document)
    return report


def _user(pk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=pk).first() if pk else None


@transaction.atomic
def content_import(*, type_: str, data: dict) -> tuple[Document, bool]:
    """Load one item of the seed as published revision 1, without review.

    Idempotent: an item that already exists is left exactly as it is. Returns the
    document and whether it was created.
    """
    content = snapshot_normalise(type_, data)
    existing = Document.objects.filter(type=type_, slug=content["slug"]).first()
    if existing is not None:
        return existing, False
    revision = document_create(
        type_=type_, data=content, author=None, change_note=IMPORT_NOTE,
        action=EditorialAction.IMPORTED,
    )
    document = revision.document
    # The import is one event, `imported`, recorded by document_create.
    _go_live(document=document, revision=revision, review=None, user=None,
             now=timezone.now(), expire_at=None, action=None)
    return document, True
