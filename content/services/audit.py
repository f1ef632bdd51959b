"""The audit trail: one EditorialEvent per editorial action."""

from django.utils import timezone

from content.models import Document, EditorialEvent, Revision


def event_record(
    *,
    document: Document,
    action: str,
    actor=None,
    revision: Revision | None = None,
    at=None,
    detail: dict | None = None,
) -> EditorialEvent:
    """Append one line to the document's audit trail."""
    return EditorialEvent.objects.create(
        document=document,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        revision=revision,
        at=at or timezone.now(),
        detail=detail or {},
    )
