"""Writes of the change feed, called by the publishing service inside its transaction.

Two calls cover every way the public state of an item changes:

* `change_went_live` — a revision went live (publish now, a due schedule, the seed import):
  `published` if the item was not visible before, `updated` if it was. If the item has an
  `expire_at`, its `unpublished` entry is written now with `at` = `expire_at`; the feed
  shows it from that second on (see `content/changes.py`), so expiry is exact in the feed
  without `publish_scheduled` having run.
* `change_withdrawn` — unpublished by a publisher, or expiry recorded by `publish_due`:
  `unpublished` at once, unless the feed already says the item is gone.

Both first delete the item's entries that are still in the future (a scheduled expiry that
will no longer happen). Every entry is handed to the webhook outbox, and to the edge purge
outbox (content/services/edge.py), in the same transaction.

A change to one item can change what *other* items show (an article's links, a condition's
causes, a cause's conditions): which ones is `content.caching.renderings.dependents`, the rule
that also decides which stored renderings a change deletes. Each of them that the feed shows
as visible gets its own `updated` entry in the same transaction, at the same moment; and when
an item goes live with an `expire_at`, each of them gets an `updated` entry at that moment too
(written in advance like the expiry's own tombstone, and re-derived whenever that dependent
item itself goes live again).
"""

from django.db import transaction
from django.utils import timezone

from content.caching.renderings import dependencies, dependents
from content.changes import feed_lock
from content.choices import ChangeAction
from content.models import LIVE_MODELS, Change, Document
from content.services.edge import edge_purge_for_change
from content.services.webhooks import deliveries_enqueue


def _record(*, document: Document, action: str, at, version: int | None) -> Change:
    change = Change.objects.create(
        document=document,
        type=document.type,
        slug=document.slug,
        action=action,
        at=at,
        version=version,
    )
    deliveries_enqueue(change=change)
    edge_purge_for_change(change=change)
    return change


def _visible_now(document: Document, now) -> bool:
    """Whether the feed, as a client sees it at `now`, says the item is visible."""
    last = (
        Change.objects.filter(document=document, at__lte=now)
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return last is not None and last != ChangeAction.UNPUBLISHED


def _cancel_future(document: Document, now) -> None:
    """Forget entries not yet visible (a scheduled expiry), with their queued deliveries."""
    Change.objects.filter(document=document, at__gt=now).delete()


def _live_row(document: Document) -> tuple[str, int] | None:
    pk = (LIVE_MODELS[document.type].objects.filter(document=document)
          .values_list("pk", flat=True).first())
    return None if pk is None else (document.type, pk)


def document_dependents(document: Document) -> set[tuple[str, int]]:
    """The live rows whose public representation shows this document's live row."""
    row = _live_row(document)
    return set() if row is None else dependents(*row)


def _documents(rows: set[tuple[str, int]]) -> list[Document]:
    """The documents of these live rows, in a stable order."""
    ids: set[int] = set()
    by_type: dict[str, list[int]] = {}
    for type_, pk in rows:
        by_type.setdefault(type_, []).append(pk)
    for type_, pks in by_type.items():
        ids |= set(LIVE_MODELS[type_].objects.filter(pk__in=pks)
                   .values_list("document_id", flat=True))
    return list(Document.objects.filter(pk__in=ids).select_related("live_revision")
                .order_by("type", "slug"))


def _dependents_updated(document: Document, rows: set[tuple[str, int]], now) -> None:
    """An `updated` entry now for each visible item among `rows` but `document` itself."""
    for other in _documents(rows):
        if other.pk != document.pk and other.live_revision_id and _visible_now(other, now):
            _record(document=other, action=ChangeAction.UPDATED, at=now,
                    version=other.live_revision.number)


def _expiry_updates_schedule(*, shown_by: Document, expire_at, now) -> None:
    """`shown_by` stays visible past `expire_at` and shows an item that expires then: an
    `updated` entry for it at that moment (unless one is already there)."""
    if shown_by.expire_at is not None and shown_by.expire_at <= expire_at:
        return  # gone by then: its own tombstone says so
    if Change.objects.filter(document=shown_by, at=expire_at,
                             action=ChangeAction.UPDATED).exists():
        return
    _record(document=shown_by, action=ChangeAction.UPDATED, at=expire_at,
            version=shown_by.live_revision.number)


def _expiries_schedule(document: Document, now) -> None:
    """The future `updated` entries of a document that just went live: one at the expiry of
    each item it shows, and one for each item showing it at its own expiry."""
    row = _live_row(document)
    if row is None:
        return
    shown = _documents(dependencies(*row))
    for other in shown:
        if other.live_revision_id and other.expire_at is not None and other.expire_at > now:
            _expiry_updates_schedule(shown_by=document, expire_at=other.expire_at, now=now)
    if document.expire_at is not None and document.expire_at > now:
        for other in _documents(dependents(*row)):
            if other.pk != document.pk and other.live_revision_id and _visible_now(other, now):
                _expiry_updates_schedule(shown_by=other, expire_at=document.expire_at,
                                         now=now)


@transaction.atomic
def change_went_live(*, document: Document,
                     dependents_before: set[tuple[str, int]] = frozenset()) -> Change:
    """Record that the document's live revision went live, and schedule its expiry entry;
    every visible item that showed it before (`dependents_before`, read before the live rows
    changed) or shows it now gets an `updated` entry."""
    feed_lock(shared=False)
    now = timezone.now()
    was_visible = _visible_now(document, now)
    _cancel_future(document, now)
    change = _record(
        document=document,
        action=ChangeAction.UPDATED if was_visible else ChangeAction.PUBLISHED,
        at=now,
        version=document.live_revision.number,
    )
    if document.expire_at is not None:
        _record(
            document=document,
            action=ChangeAction.UNPUBLISHED,
            at=max(document.expire_at, now),
            version=None,
        )
    _dependents_updated(document, set(dependents_before) | document_dependents(document), now)
    _expiries_schedule(document, now)
    return change


@transaction.atomic
def change_withdrawn(*, document: Document) -> Change | None:
    """Record that the document left the public API (unpublished or expired), once, and that
    every visible item showing it changed."""
    feed_lock(shared=False)
    now = timezone.now()
    was_visible = _visible_now(document, now)
    _cancel_future(document, now)
    if not was_visible:
        return None
    change = _record(document=document, action=ChangeAction.UNPUBLISHED, at=now, version=None)
    _dependents_updated(document, document_dependents(document), now)
    return change
