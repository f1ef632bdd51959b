"""Reads that span models: editorial state, history and diffs between revisions."""

import datetime as dt

from django.utils import timezone

from content.choices import EditorialStatus
from content.models import Document, Revision
from content.services.versioning import revision_content

_MISSING = object()


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
        for key in list(before) + [k for k in after if k not in before]:
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
    """The editorial status as of `now`: a published item past its expire_at is expired."""
    now = now or timezone.now()
    if (
        document.status == EditorialStatus.PUBLISHED
        and document.expire_at is not None
        and document.expire_at <= now
    ):
        return EditorialStatus.EXPIRED
    return document.status


def document_live_revision_number(document: Document, now: dt.datetime | None = None) -> int | None:
    """The number of the revision the public sees now, or None."""
    if document_status(document, now) != EditorialStatus.PUBLISHED:
        return None
    return document.live_revision.number if document.live_revision_id else None
