"""Preview content as the public will see it, rendered by the code the public API uses.

`revision_preview` applies a saved revision to the live tables exactly as publishing does
(`content.services.publishing.live_apply`, with the approval publishing would credit), renders
the item's public detail with the API's own renderer (`content.caching.renderings.render_row`:
the same queryset, serializer and JSON renderer as `GET /api/v1/<type>/<slug>/`), and then
rolls the transaction back, always: nothing is kept, no feed entry, webhook or cache change is
made (those run only on commit), and the public API never sees it. The preview therefore
cannot drift from the API.

`edit_preview` does the same for an unsaved edit (the admin form's current values): the data
passes the validation every save passes (`snapshot_normalise`, `references_check`) and is
rendered as the revision it would be saved as, without storing a revision.
"""

import json

from django.db import transaction
from django.utils import timezone

from content.caching.renderings import render_row, with_origin
from content.exceptions import ContentError, ContentInvalid
from content.models import Document, Revision
from content.selectors import revision_content
from content.snapshots import SCHEMA_VERSION, snapshot_hash, snapshot_normalise


class _RolledBack(Exception):
    """Raised to leave the preview's transaction without keeping anything."""


def _render(revision: Revision, *, review, origin: str) -> dict:
    from content.services.publishing import live_apply

    document = revision.document
    result: dict = {"detail": None, "error": None, "errors": [], "revision": revision}
    try:
        with transaction.atomic():
            row = live_apply(document=document, revision=revision, review=review,
                             now=timezone.now(), expire_at=None)
            bodies = render_row(document.type, row.pk)
            if bodies:
                result["detail"] = json.loads(with_origin(bodies[0].body, origin))
            raise _RolledBack
    except _RolledBack:
        pass
    except ContentError as error:
        result["error"] = error.detail
    return result


def revision_preview(revision: Revision, *, origin: str = "") -> dict:
    """{"detail": the public JSON detail of `revision` as if it were published now (absolute
    URLs on `origin`; its review block from the approval publishing would credit, empty if
    none), "error": None, "errors": [], "revision": revision}, or "detail" None and "error"
    saying why it cannot be shown (e.g. it links to unpublished items)."""
    from content.services.publishing import revision_approval

    return _render(revision, review=revision_approval(revision), origin=origin)


def edit_preview(*, document: Document, data: dict, base: Revision, origin: str = "") -> dict:
    """The preview (as `revision_preview`) of an unsaved edit: `data` as `revision_create`
    would take it from an editor who loaded `base`, rendered as the revision it would be
    saved as. Invalid data gives "detail" None, "error" and "errors" ({field, message, code},
    as a save would refuse it). An edit that changes nothing previews `base` itself."""
    from content.services.versioning import references_check

    base.document = document
    current = revision_content(base)
    try:
        content = snapshot_normalise(document.type, data, partial_of=current)
        references_check(document.type, content)
    except ContentInvalid as error:
        return {"detail": None, "error": error.detail, "errors": error.errors,
                "revision": None}
    if snapshot_hash(content) == snapshot_hash(current):
        return revision_preview(base, origin=origin)
    unsaved = Revision(
        document=document,
        number=document.latest_revision.number + 1,
        content=content,
        content_hash=snapshot_hash(content),
        schema_version=SCHEMA_VERSION,
    )
    return _render(unsaved, review=None, origin=origin)  # an edit has no approval yet
