"""The audit trail: one EditorialEvent per editorial action."""

from django.utils import timezone

from content.models import Document, EditorialEvent, Revision


def attribute_to(instance, actor):
    """Name who makes the next save of `instance` in its row history (django-simple-history
    reads `_history_user`; API token requests are not seen by its middleware)."""
    instance._history_user = actor if actor is not None and actor.is_authenticated else None
    return instance


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
