"""Index writes: what each live row is found by, stored on the row and copied for PostgreSQL.

Each live row stores its searchable text, derived on publish (`search_index_update`):
`search_names` (the title or name on the first line — weight A — then its other names, one
per line: also known as, a treatment's examples, an article's summary and headings — weight
B) and `search_body` (its prose as plain text — weight C). On PostgreSQL the row also stores
the weighted `tsvector` of those texts (`search_vector`) and of its names alone
(`search_names_vector`), and their sizes (`search_size`, `search_name_size`); and
`SearchEntry` holds a copy of those columns and the row's visibility for every live row of
every type (`search_entries_sync`, on publish, unpublish and expiry): one narrow table,
GIN-indexed on both vectors, with a btree on the size, which the search endpoint reads instead
of six wide tables; and `SearchWord` the words of their names, trigram-indexed, for typos.

Only live models are indexed here: the migrations that filled these columns carry frozen
copies of the rules they applied (0005, 0009, 0012), checked against this module by
tests/test_migrations.py.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import F, Func, IntegerField, TextField, Value, prefetch_related_objects

from content.codes import code_display
from content.search.query import CONFIG, SPACE
from content.search.ranking import title_field
from content.types import ContentTypeSpec, FieldKind, registry

_TAG = re.compile(r"<[^>]*>")
#: What separates the parts of a clinical code (M16.11, M15-M19).
_CODE_PARTS = re.compile(r"[.-]")


def body_index_text(markup: str) -> str:
    """The words of a sanitised HTML body as the index stores them: tags become spaces,
    entities are decoded, whitespace is one space. Not the plain-text rendering readers get
    (content/bodyformats.py `html_to_text`, which keeps blocks, list markers and link
    addresses): the index is written by this rule, frozen in migrations 0005 and 0009."""
    return SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


@dataclass(frozen=True)
class SearchDocument:
    """The searchable text of one live row: its title (A), other names (B), prose (C)."""

    title: str
    names: tuple[str, ...]
    body: str

    @property
    def search_names(self) -> str:
        lines = (SPACE.sub(" ", n).strip() for n in (self.title, *self.names))
        return "\n".join(line for line in lines if line)

    @property
    def search_body(self) -> str:
        return SPACE.sub(" ", self.body).strip()


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _article_document(row) -> SearchDocument:
    sections = sorted(row.sections.all(), key=lambda section: section.position)
    prefetch_related_objects(sections, "items")
    body = []
    # A section's body and groups are derived from its blocks when it is published
    # (content/blocks.py), its items are in block order: the same words as the blocks. The
    # document keeps the older order (prose, headings, items) so that rows indexed by the
    # frozen rules of migrations 0005/0009/0012 still match (tests/test_migrations.py).
    for section in sections:
        body.append(body_index_text(section.body))
        body.extend(group.get("heading", "") for group in section.groups or ())
        for item in sorted(section.items.all(), key=lambda item: item.position):
            body.extend([item.title or "", item.text])
    names = (row.summary, *(s.heading for s in sections))
    return SearchDocument(row.title, names, _join(*body))


def _declared_document(row, spec: ContentTypeSpec) -> SearchDocument:
    """A row's document as its declaration says (content/types.py): the title field, the
    `search_names` fields (a list field gives one name per entry; a clinical code gives the
    code and its official description, "M16 Osteoarthritis of hip") and the `search_body`
    fields. A code's dot or hyphen is written as a space ("M16 11", "M15 M19"): PostgreSQL's
    parser would keep "M16.11" as one token, which the query's words (m16, 11) never match;
    so written, a search for M16.11 also finds what carries M16."""
    names: list[str] = []
    for name in spec.search_names:
        value = getattr(row, name)
        if spec.by_name[name].kind is FieldKind.CODES:
            names.extend(_join(_CODE_PARTS.sub(" ", c["code"]),
                               code_display(c["system"], c["code"])) for c in value or ())
            continue
        names.extend(value or () if isinstance(value, list) else [value or ""])
    body = _join(*(getattr(row, name) for name in spec.search_body))
    return SearchDocument(getattr(row, spec.title_field), tuple(names), body)


def _has_sections(spec: ContentTypeSpec) -> bool:
    return any(f.kind is FieldKind.SECTIONS for f in spec.fields)


#: Types whose rows have no prose (search_document gives them none): every match of one of
#: them is a match in its names.
NAMES_ONLY = frozenset(spec.name for spec in registry
                       if not spec.search_body and not _has_sections(spec))


def content_type_of(model) -> str:
    """The content type of a live model."""
    return registry.of_model(model).name


def search_document(row) -> SearchDocument:
    """What a live row is found by, from its own fields (and an article's sections)."""
    spec = registry.of_model(type(row))
    if _has_sections(spec):
        return _article_document(row)
    return _declared_document(row, spec)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _names_vector(title, others):
    """The weighted tsvector of a row's names (expressions): the A and B of `_vector`."""
    return SearchVector(title, config=CONFIG, weight="A") + SearchVector(
        others, config=CONFIG, weight="B"
    )


def _vector(title, others, body):
    """The weighted tsvector of a row's texts (expressions)."""
    return _names_vector(title, others) + SearchVector(body, config=CONFIG, weight="C")


def _sizes(vector, title) -> dict:
    """The sizes the score uses, as expressions: the vector's length, the title's."""
    return {
        "search_size": Func(vector, function="length", output_field=IntegerField()),
        "search_name_size": Func(SearchVector(title, config=CONFIG), function="length",
                                 output_field=IntegerField()),
    }


def search_index_update(row) -> None:
    """Recompute the search index of one live row (called on every publish)."""
    document = search_document(row)
    values = {"search_names": document.search_names, "search_body": document.search_body}
    if _is_postgres():
        title = Value(document.title, output_field=TextField())
        others = Value("\n".join(document.names), output_field=TextField())
        vector = _vector(title, others, Value(document.search_body, output_field=TextField()))
        values["search_vector"] = vector
        values["search_names_vector"] = _names_vector(title, others)
        values.update(_sizes(vector, title))
    type(row).objects.filter(pk=row.pk).update(**values)
    row.search_names, row.search_body = values["search_names"], values["search_body"]
    search_entries_sync(type(row), [row.pk])


def search_index_rebuild(models: Iterable | None = None, *, batch_size: int = 500) -> int:
    """Recompute the index of every row of `models` (default: every live table), published
    or not; returns how many rows were indexed. Used by `search_reindex` and the benches."""
    from content.models import LIVE_MODELS

    total = 0
    for model in models or LIVE_MODELS.values():
        rows = model.objects.order_by("pk")
        if _has_sections(registry.of_model(model)):
            rows = rows.prefetch_related("sections__items")
        batch = []
        for row in rows.iterator(chunk_size=batch_size):
            document = search_document(row)
            row.search_names, row.search_body = document.search_names, document.search_body
            batch.append(row)
            if len(batch) >= batch_size:
                model.objects.bulk_update(batch, ["search_names", "search_body"])
                total += len(batch)
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["search_names", "search_body"])
            total += len(batch)
        search_vectors_refresh([model])
    search_vocabulary_rebuild()
    return total


def search_vectors_refresh(models: Iterable) -> None:
    """On PostgreSQL, recompute every row's vectors and sizes of `models` from its stored
    texts (one UPDATE per table; for bulk loads that wrote search_names and search_body
    themselves), and their search entries."""
    if _is_postgres():
        title = Func(F("search_names"), Value("\n"), Value(1), function="split_part",
                     output_field=TextField())
        others = Func(F("search_names"), Value("^[^\n]*\n?"), Value(""),
                      function="regexp_replace", output_field=TextField())
        for model in models:
            vector = _vector(title, others, F("search_body"))
            model.objects.update(
                search_vector=vector,
                search_names_vector=_names_vector(title, others),
                **_sizes(vector, title),
            )
            search_entries_sync(model)


def search_entries_sync(model, pks: Iterable[int] | None = None) -> None:
    """On PostgreSQL, copy into SearchEntry the search columns and the visibility (`live`,
    `expire_at`) of `model`'s rows: those of `pks`, or every row (and then drop the entries
    of rows that are gone). Called whenever any of them changes: on publish (through
    search_index_update), on unpublish and expiry, and by bulk refreshes. One statement."""
    if not _is_postgres():
        return
    from content.models import SearchEntry

    quote = connection.ops.quote_name
    type_ = content_type_of(model)
    entry, table = quote(SearchEntry._meta.db_table), quote(model._meta.db_table)
    title = quote(model._meta.get_field(title_field(type_)).column)
    columns = ["slug", "live", "expire_at", "search_names", "search_vector",
               "search_names_vector", "search_size", "search_name_size"]
    sql = (
        f"INSERT INTO {entry} (type, row_id, title, {', '.join(columns)})"
        f" SELECT %s, id, {title}, {', '.join(columns)} FROM {table}"
        + (" WHERE id = ANY(%s)" if pks is not None else "")
        + " ON CONFLICT (type, row_id) DO UPDATE SET title = EXCLUDED.title, "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    )
    params = [type_] + ([list(pks)] if pks is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if pks is None:
            cursor.execute(
                f"DELETE FROM {entry} WHERE type = %s AND NOT EXISTS"
                f" (SELECT 1 FROM {table} WHERE {table}.id = {entry}.row_id)",
                [type_],
            )
        cursor.execute(*_vocabulary_insert_sql(
            f"{entry}.type = %s" + (f" AND {entry}.row_id = ANY(%s)" if pks is not None else ""),
            params,
        ))


#: The words of a names text as pg_trgm splits them (runs of letters and digits, lowercased):
#: the Python engine's `WORD` over the lowercased text.
_NAME_WORDS_SQL = "regexp_split_to_table(lower({names}), '[^[:alnum:]]+')"


def _vocabulary_insert_sql(where: str, params: list) -> tuple[str, list]:
    """The statement adding to SearchWord the words of the names of the entries `where`
    selects (SQL over SearchEntry, and its params). Sorted, so that two concurrent publishes
    adding the same new words wait for each other instead of deadlocking."""
    from content.models import SearchEntry, SearchWord

    quote = connection.ops.quote_name
    entry, word = quote(SearchEntry._meta.db_table), quote(SearchWord._meta.db_table)
    words = _NAME_WORDS_SQL.format(names=f"{entry}.search_names")
    return (f"INSERT INTO {word} (word) SELECT DISTINCT words.word FROM {entry}"
            f" CROSS JOIN LATERAL {words} AS words(word) WHERE {where} AND words.word <> ''"
            " ORDER BY words.word ON CONFLICT (word) DO NOTHING"), params


def search_vocabulary_rebuild() -> None:
    """On PostgreSQL, make SearchWord the words of the names the entries hold now (dropping
    those of entries since gone). Called by `search_reindex`."""
    if not _is_postgres():
        return
    from content.models import SearchWord

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(SearchWord._meta.db_table)}")
        cursor.execute(*_vocabulary_insert_sql("true", []))
