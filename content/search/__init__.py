"""Search: the one package that knows the search backend.

Both faces of search use it: the search endpoint (`search()`, ranked hits across types) and
every list's `search=` filter (`search_filter(queryset, query)`). The publishing service keeps
the index current (`search_index_update(row)` on every publish, `search_entries_sync` on
unpublish and expiry). Everything the rest of the code uses is imported from here.

- query.py: reading text and queries (words, stems, stop words, synonyms, concepts).
- ranking.py: the ranking rules both engines implement, and what a search returns.
- indexing.py: index writes (each live row's texts, PostgreSQL's vectors and SearchEntry).
- postgres.py: the PostgreSQL engine, SQL over SearchEntry (its SQL pieces: postgres_sql.py).
- python_engine.py: the same rules in Python, for SQLite (development and tests).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import QuerySet

from content.search.indexing import (
    NAMES_ONLY,
    SearchDocument,
    search_document,
    search_entries_sync,
    search_index_rebuild,
    search_index_update,
    search_vectors_refresh,
    search_vocabulary_rebuild,
)
from content.search.postgres import PRUNE_DEPTH, PostgresResults
from content.search.postgres_sql import postgres_filter, tsquery_text
from content.search.python_engine import (
    PythonResults,
    python_filter,
    similarity,
    word_similarity,
)
from content.search.query import (
    MAX_QUERY_LENGTH,
    Concept,
    ParsedQuery,
    Term,
    query_parse,
    synonym_sets,
)
from content.search.ranking import SearchHit, SearchResults, snippet_render
from content.types import registry

__all__ = [
    "MAX_QUERY_LENGTH",
    "NAMES_ONLY",
    "PRUNE_DEPTH",
    "Concept",
    "ParsedQuery",
    "SearchDocument",
    "SearchHit",
    "SearchResults",
    "Term",
    "query_parse",
    "search",
    "search_document",
    "search_entries_sync",
    "search_filter",
    "search_index_rebuild",
    "search_index_update",
    "search_vectors_refresh",
    "search_vocabulary_rebuild",
    "similarity",
    "snippet_render",
    "synonym_sets",
    "tsquery_text",
    "word_similarity",
]


def search(query: str, types: Sequence[str] | None = None) -> SearchResults:
    """Published rows of `types` (default: all six) matching `query`, best first (lazy)."""
    parsed = query_parse(query, synonym_sets())
    types = [t for t in registry.names() if types is None or t in types]
    if connection.vendor == "postgresql":
        return PostgresResults(parsed, types)
    return PythonResults(parsed, types)


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Rows of `queryset` that match `query` by the same rules as the search endpoint.

    Ranked search is not strict AND: a row matching any of the query's words (or their
    synonyms, or a close spelling of a name) is kept. A query of stop words only matches
    nothing. Costs one query for the synonyms, plus one to check which long words are
    typos (PostgreSQL) or to read the candidates (SQLite).
    """
    parsed = query_parse(query, synonym_sets())
    if not parsed.concepts:
        return queryset.none()
    if connection.vendor == "postgresql":
        return postgres_filter(queryset, parsed)
    return python_filter(queryset, parsed)
