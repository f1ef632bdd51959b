"""The PostgreSQL engine's SQL pieces: tsqueries and the score, as SQL text (postgres.py
assembles them into statements).

`tsquery_text` writes the OR-query of a query's words and synonyms in PostgreSQL's input syntax
(stems computed in query.py, phrases as `<N>` distances, `:A` labels for the title), `_at_least`
the query matching rows that hold at least k of its concepts; `_pg_base_score_sql` writes the
ranking rules (ranking.py) over a table's columns; `_headline_query` is what ts_headline marks;
`_pg_typos_only` tells typos from known words and reads each typo as the known words close to
it (one query of index probes and vocabulary lookups); `postgres_filter` is the lists'
`search=` filter through a list's own stored vector.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value

from content.search.indexing import NAMES_ONLY
from content.search.query import Concept, ParsedQuery, Term
from content.search.ranking import (
    BODY_LEXEMES,
    FIELD_SCORES,
    FUZZY_FACTOR,
    LENGTH_DAMPING,
    NAME_LEXEMES,
    SNIPPET_MIN_WORDS,
    SNIPPET_WORDS,
    START_MARK,
    STOP_MARK,
    typo_corrections,
)


def postgres_filter(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """Rows of `queryset` matching `parsed` (one query to tell typos, when it may hold any)."""
    return queryset.filter(_pg_match(_pg_typos_only(parsed, [queryset])))


def tsquery_text(terms: Iterable[Term], weights: str = "") -> str:
    """The tsquery (in PostgreSQL's input syntax) matching any of `terms`: see _tsquery_text."""
    return _tsquery_text(tuple(terms), weights)


@lru_cache(maxsize=4096)
def _tsquery_text(terms: tuple[Term, ...], weights: str) -> str:
    """The tsquery (in PostgreSQL's input syntax) matching any of `terms`: stems already
    computed here (the same Snowball stemmer as the `english` configuration), a phrase as
    its stems at their distances, e.g. `'runner' <2> 'knee' | 'patellofemor' <-> 'pain'`.
    With `weights` (e.g. A, or AB), only words of those weights match: `'knee':AB`."""
    label = f":{weights}" if weights else ""
    alternatives = []
    for term in terms:
        text = f"'{term.stems[0]}'{label}"
        for (previous, offset), stem in zip(
            itertools.pairwise(term.offsets), term.stems[1:], strict=True
        ):
            gap = offset - previous
            text += f" {'<->' if gap == 1 else f'<{gap}>'} '{stem}'{label}"
        alternatives.append(f"({text})" if len(term.stems) > 1 else text)
    return " | ".join(dict.fromkeys(alternatives))


class _TsQuery(Func):
    """A tsquery, from its text in PostgreSQL's input syntax (tsquery_text,
    corrections_tsquery: stems only, letters and digits, so nothing to escape)."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, text: str):
        super().__init__(Value(text))


class _Matches(Func):
    """vector @@ query."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _pg_match(parsed: ParsedQuery) -> Q:
    """The WHERE of a query: any alternative in the vector, or, for a typo, one of the stems
    it is read as in the names (weights A and B of the same vector)."""
    match = Q(_Matches(F("search_vector"), _TsQuery(tsquery_text(parsed.terms))))
    for concept in parsed.concepts:
        if concept.fuzzy:
            match |= Q(_Matches(F("search_vector"),
                                _TsQuery(corrections_tsquery(concept, "AB"))))
    return match


def corrections_tsquery(concept: Concept, weights: str = "") -> str:
    """The tsquery (input syntax) matching any stem a typo is read as (ranking.py
    `typo_corrections`: stems of letters and digits, nothing to escape)."""
    label = f":{weights}" if weights else ""
    return " | ".join(f"'{stem}'{label}" for stem, _ in concept.corrections)


@lru_cache(maxsize=1024)
def _at_least(parsed: ParsedQuery, k: int) -> str:
    """The tsquery matching rows that contain at least `k` of the query's concepts."""
    return _at_least_of(tuple(f"({tsquery_text(c.terms)})" for c in parsed.concepts), k)


def _at_least_of(groups: tuple[str, ...], k: int) -> str:
    """At least `k` of `groups` (tsqueries), written as "the first and k - 1 of the rest, or
    k of the rest": never longer than the OR of every k-combination, and a row without the
    first group skips its whole branch. For five concepts a GIN probe of "at least 2" cost
    18-27 % less, of "at least 3" 35-47 % less (at 100,000 items)."""
    if k == 1:
        return " | ".join(groups)
    if k == len(groups):
        return " & ".join(groups)
    return (f"({groups[0]} & ({_at_least_of(groups[1:], k - 1)}))"
            f" | ({_at_least_of(groups[1:], k)})")


def _pg_factors(table: str) -> tuple[str, str]:
    """The length damping of a row's name and of its whole text (SQL over `table`'s sizes),
    in double precision throughout, as the SQLite engine computes it (`1.0` is a numeric
    literal, and numeric division cost about 1 µs a row and concept)."""
    name_factor = (
        f"power(LEAST(1::float8, {NAME_LEXEMES}::float8"
        f" / GREATEST({table}.search_name_size, 1)), {LENGTH_DAMPING}::float8)"
    )
    body_factor = (
        f"power(LEAST(1::float8, {BODY_LEXEMES}::float8"
        f" / GREATEST({table}.search_size, 1)), {LENGTH_DAMPING}::float8)"
    )
    return name_factor, body_factor


def _pg_correction_sql(concept: Concept, table: str) -> str:
    """SQL over `table`: the similarity to a typo of the best stem it is read as that the
    row's names hold (ranking.typo_corrections), 0 when they hold none."""
    whens = " ".join(f"WHEN {table}.search_names_vector @@ '{stem}'::tsquery"
                     f" THEN {float(closeness)!r}::float8"
                     for stem, closeness in concept.corrections)
    return f"CASE {whens} ELSE 0::float8 END"


def _pg_names_part_sql(concept: Concept, table: str, close: str | None,
                       similarity: str | None = None) -> tuple[str, list]:
    """What one concept scores in a row's names (SQL over `table`, and its params): in the
    title (A), in another name (B), or a name close to it (`close`: the SQL condition, for a
    typo; `similarity`: its similarity when already computed, else it is computed here:
    `_pg_correction_sql`); 0 when none of these."""
    name_factor, _ = _pg_factors(table)
    names_vector = f"{table}.search_names_vector"
    # The A test (weight labels, dearer) only for the rows whose names hold the concept.
    sql = (f"CASE WHEN {names_vector} @@ %s::tsquery THEN CASE WHEN {names_vector} @@"
           f" %s::tsquery THEN {FIELD_SCORES['A']}::float8 * {name_factor}"
           f" ELSE {FIELD_SCORES['B']}::float8 END")
    params = [tsquery_text(concept.terms), tsquery_text(concept.terms, "A")]
    if close and similarity:
        sql += f" WHEN {close} THEN {FUZZY_FACTOR}::float8 * {similarity}"
    elif close:
        sql += (f" WHEN {close} THEN {FUZZY_FACTOR}::float8"
                f" * {_pg_correction_sql(concept, table)}")
    return sql + " ELSE 0::float8 END", params


def _pg_prose_part_sql(concept: Concept, table: str,
                       in_text: bool | None = None) -> tuple[str, list]:
    """What one concept scores in a row's prose (SQL over `table`, and its params): 0 for
    a row of a type without prose (indexing.NAMES_ONLY: its text is its names, so a concept
    not in its names is not in its text either; no check of the text, the same number).
    With `in_text` the caller knows whether the row's text holds the concept (a names tier
    of known counts): the same arithmetic without the check."""
    _, body_factor = _pg_factors(table)
    score = f"{FIELD_SCORES['C']}::float8 * {body_factor}"
    if in_text is not None:
        return (score if in_text else "0::float8"), []
    names_only = _pg_names_only_sql(table)
    # Asked first: a warning sign's text is checked for no concept.
    skip = f"WHEN {names_only} THEN 0::float8 " if names_only else ""
    return (f"CASE {skip}WHEN {table}.search_vector @@ %s::tsquery THEN {score}"
            " ELSE 0::float8 END"), [tsquery_text(concept.terms)]


def _pg_names_only_sql(table: str) -> str | None:
    """SQL over `table`: the row is of a type without prose (indexing.NAMES_ONLY), None
    when there is no such type. The predicate of the names' partial GIN index of those
    rows (migration 0020), which a condition must imply for the planner to read it."""
    if not NAMES_ONLY:
        return None
    types = ", ".join(f"'{type_}'" for type_ in sorted(NAMES_ONLY))
    return f"{table}.type IN ({types})"


def _pg_mean_sql(parts: list[str]) -> str:
    """The mean of the concepts' parts, summed in concept order (so every path that scores a
    row computes the very same number)."""
    return f"({' + '.join(parts)}) / {float(len(parts))}::float8"


def _pg_base_score_sql(parsed: ParsedQuery, table: str, close: dict[int, str],
                       similarity: dict[int, str] | None = None,
                       in_text: bool | None = None) -> tuple[str, list]:
    """A row's score before the title tie-break (SQL over `table`'s columns, and its params):
    the mean over concepts of how well each matched (see ranking.py), in double
    precision: its names part when that is not 0, else its prose part. `close` holds, for
    each typo concept (by index), the SQL condition that the row has a name close to it, and
    `similarity` (when given) the SQL of that word similarity already computed. `in_text`:
    the caller knows that every concept not in the row's names is in its text (True) or
    that none is (False): no check of the text, the very same number."""
    parts, params = [], []
    for index, concept in enumerate(parsed.concepts):
        names, names_params = _pg_names_part_sql(
            concept, table, close.get(index), (similarity or {}).get(index)
        )
        prose, prose_params = _pg_prose_part_sql(concept, table, in_text)
        # A names part is never 0 when it matched (the factors are positive).
        parts.append(f"COALESCE(NULLIF({names}, 0::float8), {prose})")
        params += [*names_params, *prose_params]
    return _pg_mean_sql(parts), params


#: ts_headline's options: the snippet's shape and the sentinels that become <mark>.
_HEADLINE_OPTIONS = (
    f'StartSel="{START_MARK}", StopSel="{STOP_MARK}", MaxWords={SNIPPET_WORDS}, '
    f"MinWords={SNIPPET_MIN_WORDS}, ShortWord=2"
)


def _headline_query(stems: Sequence[str]) -> str:
    """The tsquery ts_headline marks: every stem of the query, alone (no phrases). It marks
    the same words (each word matching any of the query's stems, as the SQLite engine does),
    but with a phrase (a synonym such as "physical therapy") ts_headline searched every
    stretch of a text for one holding it: 0.7 ms a row, 15 ms a page."""
    return " | ".join(f"'{stem}'" for stem in stems)


def _pg_typos_only(parsed: ParsedQuery, querysets: list[QuerySet], *,
                   names_first: bool = False) -> ParsedQuery:
    """`parsed` with typo matching only for the words that no row of `querysets` contains,
    each read as the known words close to it (SearchWord, through its trigram index;
    ranking.typo_corrections). One query (index probes and vocabulary lookups), only when
    the query has such long words. With `names_first` (querysets whose names vector is
    GIN-indexed: SearchEntry), a word is probed in the names first: a common word is found
    there in a shorter posting list than the whole text's (a GIN probe reads it whole)."""
    from content.models import SearchWord

    candidates = [i for i, c in enumerate(parsed.concepts) if c.fuzzy]
    if not candidates:
        return parsed
    vocabulary = connection.ops.quote_name(SearchWord._meta.db_table)
    vectors = ("search_names_vector", "search_vector") if names_first else ("search_vector",)
    probed, columns, params, close_params = [], [], [], []
    for i in candidates:
        probes, concept_query = [], tsquery_text(parsed.concepts[i].terms)
        for queryset in querysets:
            for vector in vectors:
                probe = (
                    queryset.filter(_Matches(F(vector), _TsQuery(concept_query)))
                    .order_by()
                    .values("pk")[:1]
                )
                sql, probe_params = probe.query.get_compiler(connection=connection).as_sql()
                probes.append(f"EXISTS ({sql})")
                params.extend(probe_params)
        probed.append(f"({' OR '.join(probes)}) AS known_{i}")
        # The close words only for a typo (a CASE's branches are evaluated lazily).
        columns.append(f"known_{i}, CASE WHEN known_{i} THEN NULL ELSE (SELECT json_agg("
                       f"json_build_array(word, word_similarity(%s, word))) FROM {vocabulary}"
                       f" WHERE word %%> %s) END")
        close_params += [parsed.concepts[i].fuzzy, parsed.concepts[i].fuzzy]
    with connection.cursor() as cursor:
        # OFFSET 0: the probes are evaluated once, not once per reference.
        cursor.execute(f"SELECT {', '.join(columns)} FROM (SELECT {', '.join(probed)}"
                       " OFFSET 0) AS probes", [*close_params, *params])
        found = cursor.fetchone()
    known, corrections = set(), {}
    for position, i in enumerate(candidates):
        if found[2 * position]:
            known.add(i)
        else:
            corrections[i] = typo_corrections(found[2 * position + 1] or ())
    return parsed.typos_only(known, corrections)
