"""Preview a revision as the public will see it, rendered by the code the public API uses.

`revision_preview` applies the revision to the live tables exactly as publishing does
(`content.services.publishing.live_apply`), renders the item's public detail with the API's
own renderer (`content.caching.renderings.render_row`: the same queryset, serializer and JSON
renderer as `GET /api/v1/<type>/<slug>/`), and then rolls the transaction back, always: nothing
is kept, no feed entry, webhook or cache change is made (those run only on commit), and the
public API never sees it. The preview therefore cannot drift from the API.
"""

import json

from django.db import transaction
from django.utils import timezone

from content.caching.renderings import render_row, with_origin
from content.exceptions import ContentError
from content.models import Revision


class _RolledBack(Exception):
    """Raised to leave the preview's transaction without keeping anything."""


def revision_preview(revision: Revision, *, origin: str = "") -> dict:
    """{"detail": the public JSON detail of `revision` as if it were published now (absolute
    URLs on `origin`), "error": None} or {"detail": None, "error": why it cannot be shown
    (e.g. it links to unpublished items)}."""
    from content.services.publishing import live_apply

    document = revision.document
    result: dict = {"detail": None, "error": None}
    try:
        with transaction.atomic():
            row = live_apply(document=document, revision=revision, review=None,
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
