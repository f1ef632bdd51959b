"""Drafts: create an item, edit it as a new revision, revert to an old revision.

Revisions are append-only. Concurrency is optimistic: every edit names the revision it was
based on (`expected_revision`) and fails with `StaleRevision` if another edit got there
first. The document row is locked (`select_for_update`) and `(document, number)` is unique,
so of simultaneous writers based on the same revision exactly one succeeds, on PostgreSQL
and on SQLite alike. Nothing here touches the live tables.
"""

from django.db import IntegrityError, transaction

from content.choices import EditorialAction, EditorialStatus
from content.exceptions import ContentInvalid, NoChanges, StaleRevision
from content.models import Document, Revision
from content.plaintext import bidi_error
from content.selectors import revision_content
from content.services import permissions
from content.services.audit import attribute_to, event_record
from content.snapshots import (
    SCHEMA_VERSION,
    snapshot_hash,
    snapshot_normalise,
    snapshot_references,
)

__all__ = ["revision_content"]  # a read: its home is content.selectors


def references_check(type_: str, content: dict) -> None:
    """Every item the content links to must exist (as a draft at least)."""
    refs = snapshot_references(type_, content)
    wanted = {(ref["type"], ref["slug"]) for _, ref in refs}
    if not wanted:
        return
    found = set(
        Document.objects.filter(
            type__in={t for t, _ in wanted}, slug__in={s for _, s in wanted}
        ).values_list("type", "slug")
    )
    errors = [
        {
            "field": path,
            "message": f"There is no {ref['type']} with slug {ref['slug']!r}.",
            "code": "does_not_exist",
        }
        for path, ref in refs
        if (ref["type"], ref["slug"]) not in found
    ]
    if errors:
        raise ContentInvalid(errors)


def _revision_write(
    *,
    document: Document,
    content: dict,
    author,
    parent: Revision | None,
    change_note: str,
    reverted_from: Revision | None = None,
) -> Revision:
    number = parent.number + 1 if parent else 1
    try:
        with transaction.atomic():
            revision = Revision.objects.create(
                document=document,
                number=number,
                content=content,
                content_hash=snapshot_hash(content),
                schema_version=SCHEMA_VERSION,
                parent=parent,
                reverted_from=reverted_from,
                author=author if author is not None and author.is_authenticated else None,
                change_note=change_note,
            )
    except IntegrityError as error:
        # Another writer created this number between our check and our insert.
        raise StaleRevision(expected=number - 1, latest=number) from error
    # The caller holds the document's row lock, and (document, number) is unique, so of two
    # writers based on the same revision only one gets here.
    document.latest_revision = revision
    attribute_to(document, author).save(update_fields=["latest_revision"])
    return revision


def _change_note(note) -> str:
    if note is not None and not isinstance(note, str):
        raise ContentInvalid(
            [{"field": "change_note", "message": "Expected a string.", "code": "invalid"}]
        )
    note = (note or "").strip()
    if len(note) > 500:
        raise ContentInvalid(
            [{"field": "change_note", "message": "At most 500 characters.", "code": "max_length"}]
        )
    if error := bidi_error("change_note", note):
        raise ContentInvalid([error])
    return note


@transaction.atomic
def document_create(
    *, type_: str, data: dict, author, change_note: str = "",
    action: str = EditorialAction.CREATED,
) -> Revision:
    """Create a new item as draft revision 1 (`action` is how the audit trail names it).

    Needs the `create` permission (content/services/permissions.py)."""
    permissions.CREATE.check(author)
    content = snapshot_normalise(type_, data)
    references_check(type_, content)
    note = _change_note(change_note)
    if Document.objects.filter(type=type_, slug=content["slug"]).exists():
        raise ContentInvalid(
            [{"field": "slug", "message": f"A {type_} with this slug already exists.",
              "code": "unique"}]
        )
    try:
        with transaction.atomic():
            document = attribute_to(
                Document(type=type_, slug=content["slug"], status=EditorialStatus.DRAFT), author
            )
            document.save()
    except IntegrityError as error:
        raise ContentInvalid(
            [{"field": "slug", "message": f"A {type_} with this slug already exists.",
              "code": "unique"}]
        ) from error
    revision = _revision_write(
        document=document, content=content, author=author, parent=None, change_note=note
    )
    event_record(document=document, action=action, actor=author, revision=revision)
    return revision


def _locked_latest(document: Document, expected_revision: int) -> tuple[Document, Revision]:
    document = Document.objects.select_for_update().get(pk=document.pk)
    latest = Revision.objects.select_related("document").get(pk=document.latest_revision_id)
    if latest.number != expected_revision:
        raise StaleRevision(expected=expected_revision, latest=latest.number)
    return document, latest


@transaction.atomic
def revision_create(
    *, document: Document, data: dict, author, expected_revision: int, change_note: str = ""
) -> Revision:
    """Record an edit as a new revision; fields not in `data` keep their current value.

    Refused with `NoChanges` (nothing stored) when the content would equal the latest
    revision's: a revision is credited to its author, so it must hold their change.
    Needs the `edit` permission.
    """
    permissions.EDIT.check(author)
    document, latest = _locked_latest(document, expected_revision)
    current = revision_content(latest)
    content = snapshot_normalise(document.type, data, partial_of=current)
    note = _change_note(change_note)
    if snapshot_hash(content) == snapshot_hash(current):
        raise NoChanges(latest=latest.number)
    references_check(document.type, content)
    revision = _revision_write(
        document=document,
        content=content,
        author=author,
        parent=latest,
        change_note=note,
    )
    event_record(document=document, action=EditorialAction.EDITED, actor=author,
                 revision=revision)
    return revision


@transaction.atomic
def revision_revert(
    *, document: Document, revision: Revision, author, expected_revision: int
) -> Revision:
    """Create a new draft revision whose content equals `revision`'s.

    Refused with `NoChanges` (nothing stored) when the latest revision already has that
    content. Needs the `revert` permission.
    """
    permissions.REVERT.check(author)
    document, latest = _locked_latest(document, expected_revision)
    content = revision_content(revision)
    if snapshot_hash(content) == snapshot_hash(revision_content(latest)):
        raise NoChanges(
            latest=latest.number,
            detail=f"Revision {latest.number} already has the content of revision "
            f"{revision.number}, so there is nothing to revert and no revision was saved.",
        )
    references_check(document.type, content)
    new = _revision_write(
        document=document,
        content=content,
        author=author,
        parent=latest,
        change_note=f"Reverted to revision {revision.number}",
        reverted_from=revision,
    )
    event_record(
        document=document,
        action=EditorialAction.REVERTED,
        actor=author,
        revision=new,
        detail={"reverted_from": revision.number},
    )
    return new
