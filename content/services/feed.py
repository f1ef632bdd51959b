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
will no longer happen). Every entry is handed to the webhook outbox in the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from content.changes import feed_lock
from content.choices import ChangeAction
from content.models import Change, Document
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


@transaction.atomic
def change_went_live(*, document: Document) -> Change:
    """Record that the document's live revision went live, and schedule its expiry entry."""
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
    return change


@transaction.atomic
def change_withdrawn(*, document: Document) -> Change | None:
    """Record that the document left the public API (unpublished or expired), once."""
    feed_lock(shared=False)
    now = timezone.now()
    was_visible = _visible_now(document, now)
    _cancel_future(document, now)
    if not was_visible:
        return None
    return _record(document=document, action=ChangeAction.UNPUBLISHED, at=now, version=None)
