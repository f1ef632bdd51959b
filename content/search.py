"""The one module that knows the search backend.

`search_filter(queryset, query)` narrows any live-content queryset to rows matching a
user's words; the search endpoint and every list's `search=` use it.
"""

from django.db.models import Q, QuerySet

#: Text fields searched per model name.
SEARCH_FIELDS = {
    "article": ("title", "summary", "sections__body", "sections__items__text"),
    "condition": ("name", "also_known_as", "description"),
    "cause": ("name", "description"),
    "symptom": ("name", "description"),
    "warningsign": ("text",),
    "treatment": ("name", "description", "examples"),
}


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Rows of `queryset` whose text contains every word of `query` (case-insensitive)."""
    fields = SEARCH_FIELDS[queryset.model._meta.model_name]
    for word in query.split():
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(pk__in=queryset.model.objects.filter(match).values("pk"))
    return queryset
