"""Reads of the change feed: cursors, pages, and the lock that keeps the feed gap-free.

The feed is the `Change` table in `(at, id)` order, showing only entries whose `at` has
come. A cursor is an opaque token naming one entry's `(at, id)`; a page "since" a cursor
holds the entries strictly after it.

Why this is gap-free: an entry must never become visible *behind* a cursor a client already
holds. Two things could cause that, and both are ruled out:

* an insert that commits after a reader has moved past its `at`. Writers
  (`content/services/feed.py`) take an exclusive advisory lock, read the clock only then, and
  hold the lock until their transaction commits; readers take the same lock shared and read
  the clock only once they hold it. So every entry a writer adds has `at` later than any
  `now` a reader used before it, and a reader never runs while a writer is between its
  clock reading and its commit.
* a scheduled expiry written in advance (`at` = `expire_at`). It is hidden until its `at`
  comes; it is only ever deleted while still hidden; and every later write has a later `at`.

On SQLite there is no advisory lock; our settings open every transaction with BEGIN
IMMEDIATE (hipknee_api/settings/base.py), so the reader's transaction waits for a writer's
in the same way.
"""

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from content.choices import ChangeAction
from content.models import Change

#: PostgreSQL advisory lock key of the feed ("HKfeed" in ASCII).
FEED_LOCK_KEY = 0x484B66656564

CURSOR_PREFIX = "c1"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class InvalidCursor(ValueError):
    """A `since` value that is not a cursor this feed handed out."""


def feed_lock(*, shared: bool) -> None:
    """Take the feed lock until the current transaction ends (PostgreSQL only).

    Writers take it exclusively before they read the clock; readers take it shared.
    """
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [FEED_LOCK_KEY])


def _micros(moment: dt.datetime) -> int:
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def cursor_encode(change: Change) -> str:
    """The opaque cursor of one entry."""
    raw = f"{CURSOR_PREFIX}.{_micros(change.at)}.{change.pk}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    """`(at, id)` of a cursor, or `InvalidCursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        prefix, micros, pk = raw.split(".")
        if prefix != CURSOR_PREFIX or not micros.isdigit() or not pk.isdigit():
            raise ValueError(raw)
        at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros))
        return at, int(pk)
    except (ValueError, UnicodeError, binascii.Error, OverflowError) as error:
        raise InvalidCursor(
            "Not a cursor from this feed: pass back a `cursor` or `next_cursor` unchanged."
        ) from error


def change_entry(change: Change) -> dict:
    """The public form of one entry; the same dict is a webhook's body."""
    return {
        "type": change.type,
        "slug": change.slug,
        "action": change.action,
        "cursor": cursor_encode(change),
        "at": timezone.localtime(change.at).isoformat(),
    }


@dataclass
class FeedPage:
    """One page of the feed and the cursor to pass as `since` for the next one."""

    entries: list[dict]
    next_cursor: str | None
    full: bool


def changes_since(*, cursor: str | None, limit: int = DEFAULT_PAGE_SIZE,
                  compact: bool = False) -> FeedPage:
    """Up to `limit` visible entries after `cursor` (from the start when None), oldest first.

    `next_cursor` is the last entry's cursor, or `cursor` itself when nothing is new (null
    when the feed is empty and no cursor was given). `full` says the page holds `limit`
    entries; a full page can never change.

    `compact`: only each item's newest visible entry (what a mirror ends with is decided by
    it alone), and from the start no tombstones, so a fresh mirror reads one entry per item
    that is live now. A compacted page can shrink, as newer entries supersede its own, so it
    is never `full` in the sense of never changing.
    """
    after = cursor_decode(cursor) if cursor is not None else None
    with transaction.atomic():
        feed_lock(shared=True)
        now = timezone.now()
        changes = Change.objects.filter(at__lte=now)
        if after is not None:
            at, pk = after
            changes = changes.filter(Q(at__gt=at) | Q(at=at, pk__gt=pk))
        if compact:
            newer = Change.objects.filter(document=OuterRef("document"), at__lte=now).filter(
                Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
            )
            changes = changes.filter(~Exists(newer))
            if after is None:
                changes = changes.exclude(action=ChangeAction.UNPUBLISHED)
        page = list(changes.order_by("at", "id")[:limit])
    entries = [change_entry(change) for change in page]
    next_cursor = entries[-1]["cursor"] if entries else cursor
    return FeedPage(entries=entries, next_cursor=next_cursor,
                    full=len(entries) == limit and not compact)
