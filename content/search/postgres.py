"""The PostgreSQL engine: the ranking rules (ranking.py) in SQL over `SearchEntry`.

An OR-query built from the user's words and their synonyms (one `tsquery`: stems computed in
query.py, phrases as `<N>` distances, `:A` weight labels for the name checks), `@@` on the
GIN-indexed vectors, pg_trgm's `%>` (trigram-indexed) and `word_similarity` on the names,
`similarity` for the title; scored, ordered and paged in one statement with the total and
`ts_headline` snippets for that page only (the prose read from the live tables for those
rows). A page within the first PRUNE_DEPTH scores only the rows that can reach it
(`PostgresResults._pruned_hits`): every names match, and for prose-only matches, whose score
depends only on how many concepts they hold and their length, the shortest few with at least
k concepts for each k; an exact bound then drops the names matches that cannot reach the page
(tests/search/test_pruning.py checks pages against scoring every match). Lists' `search=`
filters a list's own table through its stored vector (`postgres_filter`). `ts_rank`
(`SearchRank`) is not used: the score replaces it, and computing it for every match of a
broad query cost more than the whole rest of the query (bench/search_bench.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQueryField
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value

from content.choices import ContentType
from content.search.indexing import NAMES_ONLY
from content.search.query import CONFIG, MAX_QUERY_LENGTH, Concept, ParsedQuery, Term
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
    TIE_SHARE,
    SearchHit,
    SearchResults,
    live_model,
    snippet_render,
)

#: Pages ending at most this deep score only the rows that can reach them (see
#: PostgresResults._pruned_hits); deeper pages score every match.
PRUNE_DEPTH = 200
#: How many of the shortest entries a prose tier reads in size order before it asks the GIN
#: index instead (see PostgresResults._pruned_hits).
TIER_SCAN = 1000
#: ts_headline reads at most this many characters of a long text (about 80 words, over twice
#: a snippet), from a quarter of it before its first match: parsing a whole 15,000-character
#: article for each result of a page cost more than the search itself, and 1,200 characters
#: cost 3-4 ms more per page than 480 (bench/search_bench.py).
SNIPPET_SOURCE = 480


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
    """A tsquery literal (stems only: letters and digits, so nothing to escape)."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, terms: Iterable[Term]):
        super().__init__(Value(tsquery_text(terms)))


class _Matches(Func):
    """vector @@ query."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _pg_match(parsed: ParsedQuery) -> Q:
    """The WHERE of a query: any alternative in the vector, or a name close to a user word."""
    match = Q(_Matches(F("search_vector"), _TsQuery(parsed.terms)))
    for concept in parsed.concepts:
        if concept.fuzzy:
            match |= Q(TrigramWordSimilar(F("search_names"), Value(concept.fuzzy)))
    return match


@lru_cache(maxsize=1024)
def _at_least(parsed: ParsedQuery, k: int) -> str:
    """The tsquery matching rows that contain at least `k` of the query's concepts."""
    groups = [f"({tsquery_text(concept.terms)})" for concept in parsed.concepts]
    return " | ".join(
        f"({' & '.join(combination)})" for combination in itertools.combinations(groups, k)
    )


def _pg_factors(table: str) -> tuple[str, str]:
    """The length damping of a row's name and of its whole text (SQL over `table`'s sizes)."""
    name_factor = (
        f"power(LEAST(1.0, {NAME_LEXEMES}.0 / GREATEST({table}.search_name_size, 1))::float8,"
        f" {LENGTH_DAMPING}::float8)"
    )
    body_factor = (
        f"power(LEAST(1.0, {BODY_LEXEMES}.0 / GREATEST({table}.search_size, 1))::float8,"
        f" {LENGTH_DAMPING}::float8)"
    )
    return name_factor, body_factor


def _pg_names_part_sql(concept: Concept, table: str, close: str | None) -> tuple[str, list]:
    """What one concept scores in a row's names (SQL over `table`, and its params): in the
    title (A), in another name (B), or a name close to it (`close`: the SQL condition, for a
    typo); 0 when none of these."""
    name_factor, _ = _pg_factors(table)
    names_vector = f"{table}.search_names_vector"
    # The A test (weight labels, dearer) only for the rows whose names hold the concept.
    sql = (f"CASE WHEN {names_vector} @@ %s::tsquery THEN CASE WHEN {names_vector} @@"
           f" %s::tsquery THEN {FIELD_SCORES['A']}::float8 * {name_factor}"
           f" ELSE {FIELD_SCORES['B']}::float8 END")
    params = [tsquery_text(concept.terms), tsquery_text(concept.terms, "A")]
    if close:
        sql += (f" WHEN {close} THEN {FUZZY_FACTOR}::float8 * word_similarity(%s,"
                f" {table}.search_names)")
        params.append(concept.fuzzy)
    return sql + " ELSE 0::float8 END", params


def _pg_prose_part_sql(concept: Concept, table: str) -> tuple[str, list]:
    """What one concept scores in a row's prose (SQL over `table`, and its params)."""
    _, body_factor = _pg_factors(table)
    return (f"CASE WHEN {table}.search_vector @@ %s::tsquery THEN {FIELD_SCORES['C']}::float8"
            f" * {body_factor} ELSE 0::float8 END"), [tsquery_text(concept.terms)]


def _pg_mean_sql(parts: list[str]) -> str:
    """The mean of the concepts' parts, summed in concept order (so every path that scores a
    row computes the very same number)."""
    return f"({' + '.join(parts)}) / {float(len(parts))}::float8"


def _pg_base_score_sql(parsed: ParsedQuery, table: str,
                       close: dict[int, str]) -> tuple[str, list]:
    """A row's score before the title tie-break (SQL over `table`'s columns, and its params):
    the mean over concepts of how well each matched (see the module docstring), in double
    precision: its names part when that is not 0, else its prose part. `close` holds, for
    each typo concept (by index), the SQL condition that the row has a name close to it."""
    parts, params = [], []
    for index, concept in enumerate(parsed.concepts):
        names, names_params = _pg_names_part_sql(concept, table, close.get(index))
        prose, prose_params = _pg_prose_part_sql(concept, table)
        # A names part is never 0 when it matched (the factors are positive).
        parts.append(f"COALESCE(NULLIF({names}, 0::float8), {prose})")
        params += [*names_params, *prose_params]
    return _pg_mean_sql(parts), params


#: ts_headline's options: the snippet's shape and the sentinels that become <mark>.
_HEADLINE_OPTIONS = (
    f'StartSel="{START_MARK}", StopSel="{STOP_MARK}", MaxWords={SNIPPET_WORDS}, '
    f"MinWords={SNIPPET_MIN_WORDS}, ShortWord=2"
)


def _pg_typos_only(parsed: ParsedQuery, querysets: list[QuerySet]) -> ParsedQuery:
    """`parsed` with typo matching only for the words that no row of `querysets` contains
    (one query of index probes, only when the query has such long words)."""
    candidates = [i for i, c in enumerate(parsed.concepts) if c.fuzzy]
    if not candidates:
        return parsed
    columns, params = [], []
    for i in candidates:
        probes = []
        for queryset in querysets:
            probe = (
                queryset.filter(_Matches(F("search_vector"), _TsQuery(parsed.concepts[i].terms)))
                .order_by()
                .values("pk")[:1]
            )
            sql, probe_params = probe.query.get_compiler(connection=connection).as_sql()
            probes.append(f"EXISTS ({sql})")
            params.extend(probe_params)
        columns.append(f"({' OR '.join(probes)})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        found = cursor.fetchone()
    return parsed.typos_only(i for i, hit in zip(candidates, found, strict=True) if hit)


class PostgresResults(SearchResults):
    """Ranked hits read from SearchEntry, every type in one table: a page and the total in
    one query; the count alone, when asked first, in another. Before either, one query of
    index probes finds which long words are typos, when the query has any (_pg_typos_only).

    A page ending within PRUNE_DEPTH scores only the rows that can reach it (`_pruned_hits`),
    a deeper one every match; then the title tie-break (a trigram similarity) is added only
    to rows whose score before it is within TIE_SHARE of the page's last, and the page's
    snippets are marked. The SQL is written here rather than through the ORM (building dozens
    of querysets per request cost more than running them); the visibility rule is still the
    ORM's (`SearchEntry.objects.published()`), compiled once per query."""

    #: Added to an upper bound before it is compared, so that rounding never prunes a tie.
    _EPSILON = 1e-9

    def _prepare(self) -> None:
        if not getattr(self, "_prepared", False):
            self._prepared = True
            if any(concept.fuzzy for concept in self.parsed.concepts):
                self.parsed = _pg_typos_only(self.parsed, [self._entries()])

    def _entries(self) -> QuerySet:
        """The entries a public client may see, of the types asked for."""
        from content.models import SearchEntry

        entries = SearchEntry.objects.published()
        if set(self.types) != set(ContentType.values):
            entries = entries.filter(type__in=self.types)
        return entries

    @property
    def _table(self) -> str:
        from content.models import SearchEntry

        return connection.ops.quote_name(SearchEntry._meta.db_table)

    def _visible(self) -> tuple[str, list]:
        """`_entries()`'s condition as SQL and params, compiled once per query."""
        if not hasattr(self, "_compiled_visible"):
            query = self._entries().query
            self._compiled_visible = query.get_compiler(connection=connection).compile(
                query.where
            )
        return self._compiled_visible

    def _typos(self) -> list[int]:
        """Indexes of the concepts matched by similarity (typos)."""
        return [i for i, concept in enumerate(self.parsed.concepts) if concept.fuzzy]

    def _close_ctes(self) -> tuple[list[str], list]:
        """For each typo: the ids of the visible entries whose names are close to it, as a CTE
        (`close_<concept>`) read once through the trigram index, rather than the similarity
        computed row by row wherever it is needed."""
        table, (visible, visible_params) = self._table, self._visible()
        ctes, params = [], []
        for index in self._typos():
            ctes.append(f"close_{index} AS MATERIALIZED (SELECT {table}.id FROM {table}"
                        f" WHERE {visible} AND {table}.search_names %%> %s)")
            params += [*visible_params, self.parsed.concepts[index].fuzzy]
        return ctes, params

    def _close(self) -> dict[int, str]:
        """Typo concept index -> SQL: the entry has a name close to it."""
        return {i: f"{self._table}.id IN (SELECT id FROM close_{i})" for i in self._typos()}

    def _close_ids(self) -> str | None:
        """SQL: the ids of the entries with a name close to one of the query's typos (None
        without typos)."""
        typos = self._typos()
        if not typos:
            return None
        return " UNION ".join(f"SELECT id FROM close_{i}" for i in typos)

    def _matches_sql(self, columns: str, params: Sequence = ()) -> tuple[str, list]:
        """`columns` (with their `params`) of every visible entry that matches (a word in
        its vector, or a name close to a typo): two disjoint branches, the first through the
        GIN index, the second (only with typos) the close names that hold none of the words."""
        table, (visible, visible_params) = self._table, self._visible()
        query = tsquery_text(self.parsed.terms)
        sql = (f"SELECT {columns} FROM {table} WHERE {visible}"
               f" AND {table}.search_vector @@ %s::tsquery")
        every = [*params, *visible_params, query]
        close = self._close_ids()
        if close:
            sql += (f" UNION ALL SELECT {columns} FROM {table} WHERE {table}.id IN ({close})"
                    f" AND NOT {table}.search_vector @@ %s::tsquery")
            every += [*params, query]
        return sql, every

    def _count_sql(self) -> tuple[str, list]:
        """The number of matches (SQL, params; needs the close CTEs)."""
        sql, params = self._matches_sql(f"{self._table}.id")
        return f"(SELECT COUNT(*) FROM ({sql}) AS matches)", params

    def _in_names_sql(self) -> tuple[str, list]:
        """SQL (and params): the entry matches in its names (a word, or a name close to a
        typo)."""
        sql = f"{self._table}.search_names_vector @@ %s::tsquery"
        close = self._close_ids()
        if close:
            sql = f"({sql} OR {self._table}.id IN ({close}))"
        return sql, [tsquery_text(self.parsed.terms)]

    def _hit_columns(self, base: str) -> str:
        """The columns of a hit: its entry's, and `base`, its score before the tie-break."""
        table = self._table
        return (f"{table}.type::text AS hit_type, {table}.row_id AS hit_pk,"
                f" {table}.slug AS hit_slug, {table}.title AS hit_title, {base} AS hit_base,"
                f" {table}.search_size AS hit_size, {table}.search_names AS hit_names,"
                f" {table}.search_names_vector AS hit_names_vector")

    def _every_hit(self) -> tuple[list[str], list]:
        """The hits CTE of every match, scored."""
        table = self._table
        base, base_params = _pg_base_score_sql(self.parsed, table, self._close())
        sql, params = self._matches_sql(self._hit_columns(base), base_params)
        return [f"hits AS MATERIALIZED ({sql})"], params

    def _pruned_hits(self, depth: int) -> tuple[list[str], list]:
        """The hits CTE of the rows that can rank among the first `depth`, scored, and the
        CTEs it reads. Exact: a row left out is ranked after `depth` others.

        - `names`: every names match (a word in its names, or a name close to a typo), with
          what each concept scores in its names (n0, n1, …). Its prose can add at most
          0.6 x its prose length factor for each concept not in its names: an upper bound.
        - `prose`: the other matches score exactly 0.6 x (prose length factor) x k / n, k of
          the query's n concepts being in their prose: for a given k, the shorter the better,
          ties broken by size, type and slug as the full order does. So only the first
          `depth` by (size, type, slug) with at least k concepts can rank, for each k: one
          index-ordered probe per k; each row is known to score at least its k's value.
        - `theta`: the `depth`-th best of those lower bounds (a names match scores at least
          its names part), 0 with fewer rows: `depth` rows score at least theta, so a names
          match whose upper bound is below it cannot rank and is not scored.
        tests/search/test_pruning.py checks pages against scoring every match."""
        table, (visible, visible_params) = self._table, self._visible()
        concepts, close = self.parsed.concepts, self._close()
        n = len(concepts)
        _, body_factor = _pg_factors(table)
        # Every match once, with what scoring its names needs when it matched in its names
        # (the names vector is NULL when not): read under the table's name, so the names
        # parts are the same SQL as everywhere.
        in_names, in_names_params = self._in_names_sql()
        fuzzy = f", {table}.search_names" if close else ""
        matches, params = self._matches_sql(
            f"{table}.id, {table}.type, {table}.search_size, {table}.search_name_size,"
            f" CASE WHEN {in_names} THEN COALESCE({table}.search_names_vector, ''::tsvector)"
            f" END AS search_names_vector{fuzzy}",
            in_names_params,
        )
        parts = []
        for index, concept in enumerate(concepts):
            part, part_params = _pg_names_part_sql(concept, table, close.get(index))
            parts.append(f"{part} AS n{index}")
            params += part_params
        names = (f"names AS MATERIALIZED (SELECT {table}.id, {table}.type, {table}.search_size,"
                 f" {', '.join(parts)} FROM matches AS {table}"
                 f" WHERE {table}.search_names_vector IS NOT NULL)")
        # Each kept row's entry is read by its primary key (OFFSET 0 keeps the planner from
        # hashing the whole table instead).
        entry = (f"CROSS JOIN LATERAL (SELECT * FROM {table} WHERE {table}.id = {{cte}}.id"
                 f" OFFSET 0) AS {table}")
        names_sum = " + ".join(f"names.n{i}" for i in range(n))
        in_names_count = " + ".join(f"(names.n{i} > 0)::int" for i in range(n))
        # The factor of a CTE row's size, written as the one of a table row.
        cte_factor = body_factor.replace(f"{table}.search_size", "{cte}.search_size")
        prose_share = FIELD_SCORES["C"] / n  # what each concept in the prose adds, at most
        names_top = (f"names_top AS MATERIALIZED (SELECT ({names_sum}) / {float(n)}::float8"
                     " AS bound FROM names ORDER BY bound DESC LIMIT %s)")
        params.append(depth)
        ctes, tiers = [f"matches AS MATERIALIZED ({matches})", names, names_top], []
        for k in range(n, 0, -1):
            # Tier k runs only when a row of exactly k concepts could still reach the page.
            gate = (f"(SELECT theta FROM theta_{k + 1}) <= {prose_share * k + self._EPSILON}"
                    "::float8 AND " if tiers else "")
            # The shortest entries first, through the size index, but only the first
            # TIER_SCAN of them: when fewer than `depth` of those hold k concepts (rare
            # words), all the entries holding them, through the GIN index.
            order = f"{table}.search_size, {table}.type, {table}.slug"
            holds = (f"{table}.search_vector @@ %s::tsquery AND NOT ({in_names})")
            holds_params = [_at_least(self.parsed, k), *in_names_params]
            ctes.append(
                f"tier_{k}_head AS MATERIALIZED (SELECT {table}.id, {table}.search_size"
                f" FROM (SELECT {table}.id, {table}.search_size, {table}.type, {table}.slug,"
                f" {table}.search_vector, {table}.search_names_vector FROM {table}"
                f" WHERE {gate}{visible} ORDER BY {order} LIMIT {TIER_SCAN}) AS {table}"
                f" WHERE {holds} ORDER BY {order} LIMIT %s)"
            )
            params += [*visible_params, *holds_params, depth]
            ctes.append(
                f"tier_{k} AS MATERIALIZED (SELECT id, search_size, {k} AS k"
                f" FROM tier_{k}_head UNION (SELECT {table}.id, {table}.search_size, {k} AS k"
                f" FROM {table} WHERE {gate}(SELECT COUNT(*) FROM tier_{k}_head) < %s"
                f" AND {visible} AND {holds}"
                # Not in index order (+ 0): the GIN index finds them, then they are sorted.
                f" ORDER BY {table}.search_size + 0, {table}.type, {table}.slug LIMIT %s))"
            )
            params += [depth, *visible_params, *holds_params, depth]
            tiers.append(f"tier_{k}")
            rows = " UNION ALL ".join(
                f"SELECT {tier}.id, {FIELD_SCORES['C']}::float8 *"
                f" {cte_factor.format(cte=tier)} * {tier}.k / {float(n)}::float8 AS bound"
                f" FROM {tier}" for tier in tiers
            )
            ctes.append(
                f"theta_{k} AS (SELECT CASE WHEN COUNT(*) >= %s THEN MIN(bound)"
                " ELSE 0::float8 END AS theta FROM (SELECT bound FROM ("
                "SELECT bound FROM names_top"
                f" UNION ALL SELECT MAX(bound) FROM ({rows}) AS tiers GROUP BY id"
                ") AS bounds ORDER BY bound DESC LIMIT %s) AS top)"
            )
            params += [depth, depth]
        ctes.append(
            "prose AS MATERIALIZED (SELECT id, search_size, MAX(k) AS k FROM ("
            + " UNION ALL ".join(f"SELECT * FROM {tier}" for tier in tiers)
            + ") AS tiers GROUP BY id, search_size)"
        )

        names_scores, prose_scores = [], []
        for index, concept in enumerate(concepts):
            part, part_params = _pg_prose_part_sql(concept, table)
            names_scores.append(f"COALESCE(NULLIF(names.n{index}, 0::float8), {part})")
            params += part_params
        for concept in concepts:
            part, part_params = _pg_prose_part_sql(concept, table)
            prose_scores.append(part)  # their names part is 0
            params += part_params
        names_only = ", ".join(f"'{type_}'" for type_ in sorted(NAMES_ONLY))
        prose_cap = (f"CASE WHEN names.type IN ({names_only}) THEN 0::float8"
                     f" ELSE {FIELD_SCORES['C']}::float8 * {cte_factor.format(cte='names')} END")
        bound = (f"({names_sum} + ({n} - ({in_names_count})) * {prose_cap})"
                 f" / {float(n)}::float8")
        ctes.append(
            f"hits AS MATERIALIZED ("
            f"SELECT {self._hit_columns(_pg_mean_sql(names_scores))}"
            f" FROM (SELECT * FROM names WHERE {bound} + {TIE_SHARE + self._EPSILON}::float8"
            f" >= (SELECT theta FROM theta_1)) AS names {entry.format(cte='names')}"
            f" UNION ALL SELECT {self._hit_columns(_pg_mean_sql(prose_scores))}"
            f" FROM prose {entry.format(cte='prose')})"
        )
        return ctes, params

    def _execute(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _with(self, *ctes: str) -> tuple[str, list]:
        """The WITH clause of a statement: the close CTEs, then `ctes` (SQL, params)."""
        close, params = self._close_ctes()
        every = [*close, *ctes]
        return (f"WITH {', '.join(every)}" if every else ""), params

    def _fetch_count(self) -> int:
        sql, params = self._count_sql()
        with_, with_params = self._with()
        return self._execute(f"{with_} SELECT {sql}", [*with_params, *params])[0][0]

    def _body_sql(self, alias: str) -> str:
        """The page row's prose, read from its live table (only for the page)."""
        quote = connection.ops.quote_name
        whens = " ".join(
            f"WHEN '{type_}' THEN (SELECT text.search_body FROM {quote(model._meta.db_table)}"
            f" AS text WHERE text.{quote(model._meta.pk.column)} = {alias}.hit_pk)"
            for type_, model in ((t, live_model(t)) for t in self.types)
            if type_ not in NAMES_ONLY
        )
        return f"CASE {alias}.hit_type {whens} END" if whens else "NULL::text"

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int]:
        pruned = stop is not None and stop <= PRUNE_DEPTH
        if pruned:
            hits, hits_params = self._pruned_hits(stop)
            total, total_params = "(SELECT COUNT(*) FROM matches)", []
        else:
            hits, hits_params = self._every_hit()
            total, total_params = "(SELECT COUNT(*) FROM hits)", []
        order = "hit_score DESC, hit_size, hit_type, hit_slug"
        stems = sorted({stem for term in self.parsed.terms for stem in term.stems})
        first_match = ", ".join(["NULLIF(strpos(page.lowered, %s), 0)"] * len(stems))
        # The tie-break adds at most TIE_SHARE: a row whose score before it is lower than the
        # stop-th best by more than that cannot reach the page, so it is not computed.
        with_, with_params = self._with(*hits, f"""ranked AS (
                SELECT hits.hit_type, hits.hit_pk, hits.hit_slug, hits.hit_title, hits.hit_size,
                       hits.hit_names,
                       hits.hit_base + CASE WHEN hits.hit_names_vector @@ %s::tsquery
                           THEN {TIE_SHARE}::float8
                                * similarity(split_part(hits.hit_names, E'\\n', 1), %s)
                           ELSE 0::float8 END AS hit_score
                FROM hits
                WHERE hits.hit_base >= (
                    SELECT COALESCE(MIN(top.hit_base), 0) - {TIE_SHARE * 1.000001}
                    FROM (SELECT hit_base FROM hits ORDER BY hit_base DESC LIMIT %s) AS top)
            )""")
        # Each page row's prose is read, decompressed (`|| ''`) and lowercased once, in
        # subqueries kept apart by OFFSET 0: each use of a stored (TOASTed) value would
        # decompress it again, and the first-match search uses it once per query word.
        sql = f"""
            {with_}
            SELECT page.hit_type, page.hit_pk, page.hit_slug, page.hit_title, page.hit_score,
                   ({total}) AS total,
                   ts_headline(
                       %s::regconfig,
                       CASE WHEN length(page.source) <= {SNIPPET_SOURCE} THEN page.source
                            ELSE substr(page.source, GREATEST(1, COALESCE(LEAST({first_match}),
                                        1) - {SNIPPET_SOURCE // 4}), {SNIPPET_SOURCE}) END,
                       %s::tsquery, %s)
            FROM (
                SELECT page.*, lower(page.source) AS lowered FROM (
                    SELECT page.*,
                           COALESCE(NULLIF({self._body_sql("page")}, ''), page.hit_names)
                           || '' AS source
                    FROM (SELECT * FROM ranked ORDER BY {order} LIMIT %s OFFSET %s) AS page
                    OFFSET 0
                ) AS page
                OFFSET 0
            ) AS page
            ORDER BY {order}
        """
        params = [
            *with_params, *hits_params,
            tsquery_text(self.parsed.terms, "A"), self.parsed.text[:MAX_QUERY_LENGTH], stop,
            *total_params,
            CONFIG, *stems, tsquery_text(self.parsed.terms), _HEADLINE_OPTIONS,
            None if stop is None else stop - start, start,
        ]
        rows = self._execute(sql, params)
        hits = [
            SearchHit(type=t, pk=pk, slug=slug, title=title, score=score,
                      snippet=snippet_render(snippet))
            for t, pk, slug, title, score, _, snippet in rows
        ]
        return hits, rows[0][5] if rows else 0

