"""Writes of search synonym sets: the admin's save and delete, and the seed import.

Synonyms are search configuration (content/models/search.py), not versioned content: a save
takes effect on the next search (each write moves the content version on, so no cached search
response outlives it, and an edge cache is told to drop its search responses).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from content.caching import content_changed
from content.exceptions import ContentInvalid
from content.models import Synonym
from content.services.edge import edge_purge_search


def _invalid(error: ValidationError, prefix: str = "") -> ContentInvalid:
    return ContentInvalid(
        [
            {"field": f"{prefix}{field}", "message": message, "code": "invalid"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    )


@transaction.atomic
def synonym_save(*, synonym: Synonym) -> Synonym:
    """Validate (normalising the terms) and save one synonym set."""
    try:
        synonym.full_clean()
    except ValidationError as error:
        raise _invalid(error) from error
    synonym.save()
    content_changed()  # search results change: cached responses must not outlive them
    edge_purge_search(reason=f"synonyms {synonym.name} saved")
    return synonym


@transaction.atomic
def synonyms_delete(*, queryset) -> int:
    """Delete these synonym sets; returns how many."""
    deleted, _ = queryset.delete()
    if deleted:
        content_changed()
        edge_purge_search(reason="synonyms deleted")
    return deleted


@transaction.atomic
def synonyms_import(*, entries: list[dict]) -> tuple[int, int]:
    """Add the seed's synonym sets that do not exist yet, by name; sets that exist are left
    as editors made them. Returns (added, already present)."""
    added = present = 0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"name", "terms"}:
            raise ContentInvalid(
                [{"field": f"synonyms[{index}]", "code": "invalid",
                  "message": "Expected an object with exactly `name` and `terms`."}]
            )
        synonym = Synonym(name=str(entry["name"]), terms=entry["terms"])
        try:
            synonym.full_clean(validate_unique=False)
        except ValidationError as error:
            raise _invalid(error, f"synonyms[{index}].") from error
        if Synonym.objects.filter(name=synonym.name).exists():
            present += 1
            continue
        synonym.save()
        added += 1
    if added:
        content_changed()
        edge_purge_search(reason="synonyms imported")
    return added, present
