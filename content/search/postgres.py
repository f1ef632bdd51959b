"""The PostgreSQL engine: the ranking rules (ranking.py) in SQL over `SearchEntry`.

An OR-query built from the user's words and their synonyms (one `tsquery`: stems computed in
query.py, phrases as `<N>` distances, `:A` weight labels for the name checks), `@@` on the
GIN-indexed vectors, a typo read as the known words close to it (pg_trgm's `%>` on the
vocabulary, `SearchWord`) and found by their stems in the names, `similarity` for the title;
scored, ordered and paged in one statement with the total and `ts_headline` snippets for that
page only (the prose read from the live tables for those rows). A page within the first
PRUNE_DEPTH scores only the rows that can reach it (`PostgresResults._pruned_hits`): every
names match, and for prose-only matches, whose score depends only on how many concepts they
hold and their length, the shortest few with at least k concepts for each k; an exact bound
then drops the names matches that cannot reach the page (tests/search/test_pruning.py checks
pages against scoring every match). Lists' `search=` filters a list's own table through its
stored vector (`postgres_filter`). The tsqueries and the score as SQL text are
postgres_sql.py's. Each statement runs under PLANNER_SETTINGS. `ts_rank` (`SearchRank`) is
not used: the score replaces it, and computing it for every match of a broad query cost more
than the whole rest of the query (bench/search_bench.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from content.search.indexing import NAMES_ONLY
from content.search.postgres_sql import (
    _HEADLINE_OPTIONS,
    _at_least,
    _headline_query,
    _pg_base_score_sql,
    _pg_correction_sql,
    _pg_factors,
    _pg_mean_sql,
    _pg_names_only_sql,
    _pg_prose_part_sql,
    _pg_typos_only,
    corrections_tsquery,
    tsquery_text,
)
from content.search.query import CONFIG, MAX_QUERY_LENGTH
from content.search.ranking import (
    FIELD_SCORES,
    TIE_SHARE,
    SearchHit,
    SearchResults,
    live_model,
    snippet_render,
)
from content.types import registry

#: Pages ending at most this deep score only the rows that can reach them (see
#: PostgresResults._pruned_hits); deeper pages score every match.
PRUNE_DEPTH = 200
#: Matches counted exactly, at most (settings.SEARCH_EXACT_COUNT_UP_TO overrides it): beyond
#: this, the count is an estimate (PostgresResults._count_ctes), and reading it costs about
#: the same for 2,000 matches as for 90,000.
EXACT_COUNT_UP_TO = 1000
#: About how many entries the estimate samples.
COUNT_SAMPLE_ROWS = 2000
#: When at least this share of the sampled entries match, the exact count reads the entries
#: in primary key order (it meets the bound within 1,000 / DENSE_SHARE of them), otherwise
#: through the GIN index.
DENSE_SHARE = 0.2
#: How many of the shortest entries a prose tier reads in size order before it asks the GIN
#: index instead (see PostgresResults._pruned_hits).
TIER_SCAN = 1000
#: ts_headline reads at most this many characters of a long text (about 80 words, over twice
#: a snippet), from a quarter of it before its first match: parsing a whole 15,000-character
#: article for each result of a page cost more than the search itself, and 1,200 characters
#: cost 3-4 ms more per page than 480 (bench/search_bench.py).
SNIPPET_SOURCE = 480
#: The planner's settings for a search statement (set for its transaction only):
#: - no sequential scan: a broad tsquery (a common word, or a phrase of two common words) is
#:   estimated to match so many rows that the bounded count's LIMIT makes reading the table
#:   in order look cheaper than the GIN index, and "ibuprofen" (whose synonyms hold "pain
#:   relief") read 50,000 entries to find 1,001 matches (46 ms instead of 5);
#: - no parallel workers: the tiers' gated subqueries were planned as parallel scans, and
#:   launching two workers for a subquery that then reads nothing cost 8 ms each, three or
#:   four times a query (and a 2-core server has no core to spare for them);
#: - no JIT compilation: a statement of some 40 CTEs whose estimated cost passes
#:   `jit_above_cost` (the estimates of broad tsqueries are rough; a disabled sequential scan
#:   adds to them) had 589 expressions compiled by LLVM, about 430 ms, for a search that then
#:   ran in 55 ms ("can hip problems cause knee pain" at 100,000 items): the tail of the
#:   bench's p95 and p99 was this.
PLANNER_SETTINGS = {
    "enable_seqscan": "off",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


def exact_count_limit() -> int:
    """How many matches a search counts exactly, at most (then it estimates)."""
    return getattr(settings, "SEARCH_EXACT_COUNT_UP_TO", EXACT_COUNT_UP_TO)


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
                self.parsed = _pg_typos_only(self.parsed, [self._entries()], names_first=True)

    def _entries(self) -> QuerySet:
        """The entries a public client may see, of the types asked for."""
        from content.models import SearchEntry

        entries = SearchEntry.objects.published()
        if set(self.types) != set(registry.names()):
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
        """Indexes of the concepts matched by similarity (typos read as known words)."""
        return [i for i, concept in enumerate(self.parsed.concepts) if concept.corrections]

    def _close_ctes(self) -> tuple[list[str], list]:
        """For each typo: the ids of the visible entries whose names hold a stem it is read
        as (ranking.typo_corrections), through the names' GIN index, and the similarity
        their best such stem scores, as a CTE (`close_<concept>`). The first page's
        `names_close` reads the similarity from here; the count alone and pages past
        PRUNE_DEPTH compute it again where they score (`_pg_correction_sql`: a CASE over
        a few stems)."""
        table, (visible, visible_params) = self._table, self._visible()
        ctes, params = [], []
        for index in self._typos():
            concept = self.parsed.concepts[index]
            ctes.append(f"close_{index} AS MATERIALIZED (SELECT {table}.id,"
                        f" {_pg_correction_sql(concept, table)} AS similarity FROM {table}"
                        f" WHERE {visible} AND {table}.search_names_vector @@ %s::tsquery)")
            params += [*visible_params, corrections_tsquery(concept)]
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
        GIN index, the second (only with typos) `_close_only_sql`."""
        table, (visible, visible_params) = self._table, self._visible()
        sql = (f"SELECT {columns} FROM {table} WHERE {visible}"
               f" AND {table}.search_vector @@ %s::tsquery")
        every = [*params, *visible_params, tsquery_text(self.parsed.terms)]
        close_only, close_params = self._close_only_sql(columns, params)
        return sql + close_only, every + close_params

    def _close_only_sql(self, columns: str, params: Sequence = ()) -> tuple[str, list]:
        """` UNION ALL` the `columns` (with their `params`) of the entries whose names are
        close to a typo and that hold none of the query's words ("" without typos)."""
        close, table = self._close_ids(), self._table
        if not close:
            return "", []
        return (f" UNION ALL SELECT {columns} FROM {table} WHERE {table}.id IN ({close})"
                f" AND NOT {table}.search_vector @@ %s::tsquery",
                [*params, tsquery_text(self.parsed.terms)])

    def _count_ctes(self, known: str | None = None) -> tuple[list[str], list]:
        """The CTE `counted` (needs the close CTEs): `total`, the number of matches, exact up
        to exact_count_limit(): only that many and one more are read; beyond it, `estimated`
        is true and `total` is the matches in a sample of the table's blocks (TABLESAMPLE
        SYSTEM, the same blocks every time: about COUNT_SAMPLE_ROWS entries) scaled up by
        the share sampled, and at least the bound plus one. The sample also chooses how the
        exact count reads the matches (in key order when they are dense, else through the
        GIN index), and when it alone holds more matches than the bound (a broad query), no
        exact count is read at all. Nor is it when `known`, a CTE of distinct matches the
        statement reads anyway (the page's hits), already holds more than the bound: then
        `total` is at least its size ("exercise" at 100,000 items: 3,626 in its names tier;
        1,001 matches read again through the GIN index cost 10 ms)."""
        from content.models import SearchEntry

        bound = exact_count_limit()
        table, (visible, visible_params) = self._table, self._visible()
        close_only, params = self._close_only_sql("1")
        matches = f"SELECT 1 FROM matched{close_only}"
        # How many entries `known` holds (0 without it): when over the bound, at least that
        # many match.
        known_sql = f"SELECT COUNT(*) AS n FROM {known}" if known else "SELECT 0 AS n"
        matched = f"{table}.search_vector @@ %s::tsquery"
        close = self._close_ids()
        if close:
            matched = f"({matched} OR {table}.id IN ({close}))"
        ctes = [
            # The share of blocks sampled: about COUNT_SAMPLE_ROWS rows of the table as the
            # planner last measured it (scaled to its current size); all when unknown.
            "size AS MATERIALIZED (SELECT LEAST(100, COALESCE(%s * 100.0 / NULLIF(CASE WHEN"
            " reltuples > 0 AND relpages > 0 THEN reltuples / relpages * (pg_relation_size(oid)"
            " / current_setting('block_size')::float8) END, 0), 100))::float8 AS percent"
            " FROM pg_class WHERE oid = %s::regclass)",
            f"sample AS MATERIALIZED (SELECT COUNT(*) FILTER (WHERE {visible} AND {matched})"
            f" AS matched, COUNT(*) AS sampled FROM {table}"
            " TABLESAMPLE SYSTEM ((SELECT percent FROM size)) REPEATABLE (0))",
            f"known AS MATERIALIZED ({known_sql})",
            # Counted in primary key order when the sample says that at least DENSE_SHARE of
            # the entries match (the bound is then reached within a few thousand entries),
            # through the GIN index otherwise (the planner's estimate of a broad tsquery is
            # too rough to choose: see PLANNER_SETTINGS). Both stop at the bound plus one.
            # Neither runs when the sample alone holds more matches than the bound (its rows
            # are rows of the table: a broad query's sample proves the count is over it), nor
            # when `known` does.
            f"exact_dense AS MATERIALIZED (SELECT COUNT(*) AS n FROM (SELECT 1 FROM {table}"
            f" WHERE (SELECT matched > 0 AND matched >= %s * sampled AND matched <= %s"
            f" FROM sample) AND (SELECT n <= %s FROM known) AND {visible} AND {matched}"
            f" ORDER BY {table}.id LIMIT %s) AS matches)",
            f"exact AS MATERIALIZED (SELECT COUNT(*) AS n FROM ({matches} LIMIT %s) AS matches"
            " WHERE NOT (SELECT (matched > 0 AND matched >= %s * sampled) OR matched > %s"
            " FROM sample) AND (SELECT n <= %s FROM known)"
            " UNION ALL SELECT n FROM exact_dense WHERE n > 0"
            " UNION ALL SELECT %s FROM sample WHERE matched > %s"
            " UNION ALL SELECT n FROM known WHERE n > %s)",
            # Each block is sampled with probability percent / 100: matched * 100 / percent
            # is an unbiased estimate (exact when the whole table was read).
            "counted AS MATERIALIZED (SELECT CASE WHEN exact.n <= %s THEN exact.n"
            " ELSE GREATEST(exact.n, (SELECT round(sample.matched * 100 / size.percent)"
            " FROM sample, size))::bigint END AS total, exact.n > %s AS estimated"
            " FROM (SELECT MAX(n) AS n FROM exact) AS exact)",
        ]
        query = tsquery_text(self.parsed.terms)
        params = [
            COUNT_SAMPLE_ROWS, SearchEntry._meta.db_table,
            *visible_params, query,
            DENSE_SHARE, bound, bound, *visible_params, query, bound + 1,
            *params, bound + 1, DENSE_SHARE, bound, bound, bound + 1, bound, bound,
            bound, bound,
        ]
        return ctes, params

    def _in_names_sql(self) -> tuple[str, list]:
        """SQL (and params): the entry matches in its names (a word, or a name close to a
        typo)."""
        sql = f"{self._table}.search_names_vector @@ %s::tsquery"
        close = self._close_ids()
        if close:
            sql = f"({sql} OR {self._table}.id IN ({close}))"
        return sql, [tsquery_text(self.parsed.terms)]

    def _hit_columns(self, base: str) -> str:
        """The columns of a hit: its entry's id, and `base`, its score before the tie-break.
        Only these two: the rest of an entry is read for the few hits that can reach the
        page (`ranked` in _fetch), not copied through the CTEs for thousands of them."""
        return f"{self._table}.id, {base} AS hit_base"

    def _every_hit(self) -> tuple[list[str], list]:
        """The hits CTE of every match, scored."""
        table = self._table
        base, base_params = _pg_base_score_sql(self.parsed, table, self._close())
        sql, params = self._matches_sql(self._hit_columns(base), base_params)
        return [f"hits AS MATERIALIZED ({sql})"], params

    def _pruned_hits(self, depth: int) -> tuple[list[str], list]:
        """The hits CTE of the rows that can rank among the first `depth`, scored, and the
        CTEs it reads: tiers of matches, read best bound first, each only while its rows
        can still reach the page. Exact: a row left out is ranked after `depth` others.

        - Names tiers of the rows with prose, `names_<j>_<m>`: the matches with exactly j
          of the query's n concepts in their names and m in all (through the GIN indexes of
          both vectors), scored exactly; such a row scores at most (j x 1.0 + (m - j) x 0.6)
          / n, plus the title tie-break. With three concepts or more, one tier, `names_2_up`,
          first, holds every match with two or more in its names instead of the j >= 2
          tiers (each asked both GIN indexes for "at least k of n" afresh, 4-14 ms a tier),
          scored in two stages (`_names_up_tier`). The entries whose names are close to a
          typo are scored first.
        - Names tiers of the rows without prose (indexing.NAMES_ONLY), `names_only_<j>`:
          exactly j concepts in their names, scored by their names alone, at most j / n.
          Each kind reads its own partial GIN index of the names (migration 0020): warning
          signs' names, whole sentences, held most of the common words' postings.
        - Prose tiers, `tier_<k>`: the other matches score exactly 0.6 x (prose length
          factor) x k / n, k of the query's n concepts being in their prose: for a given k,
          the shorter the better, ties broken by size, type and slug as the full order does.
          So only the first `depth` by (size, type, slug) with at least k concepts can rank:
          one index-ordered probe per k; each row is known to score at least its k's value.
        - `best_<t>`: the `depth` best scores (or lower bounds) of distinct rows known after
          tier t. When there are `depth` of them, the least is a score `depth` rows reach
          (theta), so a later tier whose bound is below it does not run.
        A broad query's page so reads the few tiers that can hold its best rows, never every
        match. tests/search/test_pruning.py checks pages against scoring every match."""
        table, (visible, visible_params) = self._table, self._visible()
        n = len(self.parsed.concepts)
        _, body_factor = _pg_factors(table)
        # The names tiers never hold a close entry (those are names_close's): scored
        # without the typo parts, which are 0 for them.
        # A tier of rows whose text holds all n concepts (m == n), or only those of their
        # names (m == j), is scored without checking the text for each concept (in_text):
        # the same number, without up to n - j reads of a long row's vector (`names_1_5` of
        # "knee hip pain stiffness swelling": 304 rows, 6 ms of checks).
        scores = {in_text: _pg_base_score_sql(self.parsed, table, {}, in_text=in_text)
                  for in_text in (None, True, False)}
        in_names, in_names_params = self._in_names_sql()
        close_ids = self._close_ids()
        prose_share = FIELD_SCORES["C"] / n  # what each concept in the prose adds, at most
        names_only = _pg_names_only_sql(table)
        # (bound, kind, j, m): names tiers bound above prose tiers of as many concepts.
        if n >= 3:  # one tier of the entries holding two or more concepts in their names
            plan = [(1 + TIE_SHARE, "names", 2, None)]
            plan += [((1 + (m - 1) * FIELD_SCORES["C"]) / n + TIE_SHARE, "names", 1, m)
                     for m in range(1, n + 1)]
        else:
            plan = [((j + (m - j) * FIELD_SCORES["C"]) / n + TIE_SHARE, "names", j, m)
                    for j in range(1, n + 1) for m in range(j, n + 1)]
        if names_only:  # rows without prose: j in their names, nothing more in their text
            plan += [(j / n + TIE_SHARE, "names_only", j, j) for j in range(1, n + 1)]
        plan += [(prose_share * k, "prose", 0, k) for k in range(1, n + 1)]
        plan.sort(key=lambda tier: (-tier[0], tier[1], -tier[2]))
        ctes, params, names_tiers, prose_tiers = [], [], [], []
        best: str | None = None  # the CTE of the best rows known so far
        order = f"{table}.search_size, {table}.type, {table}.slug"
        # With a synonym phrase, a GIN probe's candidates are checked row by row (the words'
        # positions): "all n" evaluated afresh by each tier that needs it cost those checks
        # twice.
        shared_all = n >= 2 and any(len(term.stems) > 1 for concept in self.parsed.concepts
                                    for term in concept.terms)
        if shared_all:
            # The entries holding every concept in their text, read through the GIN index
            # once for both tiers that need them when they are few (`names_1_<n>` and
            # `tier_<n>`, each evaluating the same "all n" afresh: 15 ms a tier for
            # "physiotherapy exercises for my hip" at 100,000 items). `all_sparse`: fewer
            # than `depth` of the TIER_SCAN shortest entries hold them all (else there are
            # many, and `names_1_<n>` reads its own through both GIN indexes, while
            # `tier_<n>` finds its rows among the shortest).
            ctes.append(
                f"text_all AS MATERIALIZED (SELECT {table}.id, {table}.search_size,"
                f" {table}.type, {table}.slug, {table}.search_names_vector,"
                f" {table}.search_name_size FROM {table}"
                f" WHERE {visible} AND {table}.search_vector @@ %s::tsquery)")
            ctes.append(
                f"all_sparse AS MATERIALIZED (SELECT COUNT(*) < %s AS sparse FROM"
                f" (SELECT 1 FROM (SELECT {table}.search_vector FROM {table} WHERE {visible}"
                f" ORDER BY {order} LIMIT {TIER_SCAN}) AS {table}"
                f" WHERE {table}.search_vector @@ %s::tsquery LIMIT %s) AS held)")
            params += [*visible_params, _at_least(self.parsed, n),
                       depth, *visible_params, _at_least(self.parsed, n), depth]

        def gate(bound: float) -> str:
            """SQL (then AND): the tier may still reach the page."""
            if best is None:
                return ""
            return (f"(SELECT CASE WHEN COUNT(*) >= {int(depth)} THEN MIN(bound)"
                    f" ELSE 0::float8 END FROM {best}) <= {bound + self._EPSILON}::float8 AND ")

        def exactly(vector: str, k: int) -> tuple[str, list]:
            """SQL (and params): `vector` holds exactly k of the query's concepts."""
            sql, sql_params = f"{table}.{vector} @@ %s::tsquery", [_at_least(self.parsed, k)]
            if k < n:
                sql += f" AND NOT ({table}.{vector} @@ %s::tsquery)"
                sql_params.append(_at_least(self.parsed, k + 1))
            return sql, sql_params

        def know(tier: str, rows: str) -> None:
            """Add best_<tier>: the best rows known, with `rows` (id, bound) of `tier`."""
            nonlocal best
            if best:  # a row may be in both: its best bound
                ctes.append(f"best_{tier} AS MATERIALIZED (SELECT id, MAX(bound) AS bound FROM"
                            f" (SELECT id, bound FROM {best} UNION ALL {rows}) AS known"
                            " GROUP BY id ORDER BY bound DESC LIMIT %s)")
            else:  # one tier's rows are distinct
                ctes.append(f"best_{tier} AS MATERIALIZED (SELECT id, bound FROM ({rows})"
                            " AS known ORDER BY bound DESC LIMIT %s)")
            params.append(depth)
            best = f"best_{tier}"

        if close_ids:  # the close CTEs hold visible entries only
            # Each close entry with the similarity its close CTE computed.
            typos = self._typos()
            close_base, close_params = _pg_base_score_sql(
                self.parsed, table, {i: f"close_{i}.id IS NOT NULL" for i in typos},
                {i: f"close_{i}.similarity" for i in typos},
            )
            joins = "".join(f" LEFT JOIN close_{i} ON close_{i}.id = {table}.id"
                            for i in typos)
            ctes.append(f"names_close AS MATERIALIZED (SELECT"
                        f" {self._hit_columns(close_base)} FROM ({close_ids}) AS close_ids"
                        f" JOIN {table} ON {table}.id = close_ids.id{joins})")
            params += close_params
            names_tiers.append("names_close")
            know("names_close", "SELECT id, hit_base AS bound FROM names_close")
        # Each prose row's entry is read by its primary key (OFFSET 0 keeps the planner from
        # hashing the whole table instead).
        entry = (f"CROSS JOIN LATERAL (SELECT * FROM {table} WHERE {table}.id = {{cte}}.id"
                 f" OFFSET 0) AS {table}")
        # The factor of a CTE row's size, written as the one of a table row.
        cte_factor = body_factor.replace(f"{table}.search_size", "{cte}.search_size")
        for position, (bound, kind, j, m) in enumerate(plan):
            last = position == len(plan) - 1
            if kind in ("names", "names_only"):
                if kind == "names_only":  # their text holds nothing more than their names
                    name, kind_sql, in_text = f"names_only_{j}", f"{names_only} AND ", False
                    in_j, in_j_params = exactly("search_names_vector", j)
                elif m is None:  # j or more in the names, whatever the text holds
                    name, in_text = f"names_{j}_up", None
                    in_j, in_j_params = (f"{table}.search_names_vector @@ %s::tsquery",
                                         [_at_least(self.parsed, j)])
                else:
                    name = f"names_{j}_{m}"
                    in_text = True if m == n else False if m == j else None
                    in_j, in_j_params = exactly("search_names_vector", j)
                if kind == "names":  # the names tiers of rows without prose are names_only's
                    kind_sql = f"NOT ({names_only}) AND " if names_only else ""
                # No check of the text for the `_up` tier (any count will do), nor when the
                # names hold all n concepts (the text holds the names), nor for rows without
                # prose.
                in_m, in_m_params = (("true", []) if m is None or j == n or kind == "names_only"
                                     else exactly("search_vector", m))
                if m is None:
                    self._names_up_tier(ctes, params, name, depth, scores, (
                        f"{gate(bound)}{visible} AND {kind_sql}{in_j}",
                        [*visible_params, *in_j_params]))
                else:
                    tier_base, tier_params = scores[in_text]
                    shared = kind == "names" and shared_all and j == 1 and m == n
                    close = f" AND {table}.id NOT IN ({close_ids})" if close_ids else ""
                    sql = (f"SELECT {self._hit_columns(tier_base)} FROM {table}"
                           f" WHERE {gate(bound)}"
                           + ("NOT (SELECT sparse FROM all_sparse) AND " if shared else "")
                           + f"{visible} AND {kind_sql}{in_j} AND {in_m}{close}")
                    params += [*tier_params, *visible_params, *in_j_params, *in_m_params]
                    if shared:  # the same rows, from text_all when they are few
                        sql += (f" UNION ALL SELECT {self._hit_columns(tier_base)}"
                                f" FROM text_all AS {table} WHERE {gate(bound)}"
                                f"(SELECT sparse FROM all_sparse) AND {kind_sql}{in_j}{close}")
                        params += [*tier_params, *in_j_params]
                    ctes.append(f"{name} AS MATERIALIZED ({sql})")
                names_tiers.append(name)
                if not last:
                    know(name, f"SELECT id, hit_base AS bound FROM {name}")
                continue
            k, name = m, f"tier_{m}"
            tier_gate = gate(bound)
            # The shortest entries first, through the size index, but only the first
            # TIER_SCAN of them: when fewer than `depth` of those hold k concepts (rare
            # words), all the entries holding them, through the GIN index.
            holds = f"{table}.search_vector @@ %s::tsquery AND NOT ({in_names})"
            holds_params = [_at_least(self.parsed, k), *in_names_params]
            ctes.append(
                f"{name}_head AS MATERIALIZED (SELECT {table}.id, {table}.search_size"
                f" FROM (SELECT {table}.id, {table}.search_size, {table}.type, {table}.slug,"
                f" {table}.search_vector, {table}.search_names_vector FROM {table}"
                f" WHERE {tier_gate}{visible} ORDER BY {order} LIMIT {TIER_SCAN}) AS {table}"
                f" WHERE {holds} ORDER BY {order} LIMIT %s)"
            )
            params += [*visible_params, *holds_params, depth]
            if k == 1:  # every match: read from `matched`, which the exact count reads too
                source, condition, condition_params = (
                    f"matched AS {table}", f"NOT ({in_names})", in_names_params)
            elif k == n and shared_all:  # every concept: `text_all`, as names_1_<n> may
                source, condition, condition_params = (
                    f"text_all AS {table}", f"NOT ({in_names})", in_names_params)
            else:
                source, condition, condition_params = (
                    table, f"{visible} AND {holds}", [*visible_params, *holds_params])
            ctes.append(
                f"{name} AS MATERIALIZED (SELECT id, search_size, {k} AS k"
                f" FROM {name}_head UNION (SELECT {table}.id, {table}.search_size, {k} AS k"
                f" FROM {source} WHERE {tier_gate}(SELECT COUNT(*) FROM {name}_head) < %s"
                f" AND {condition}"
                # Not in index order (+ 0): the GIN index finds them, then they are sorted.
                f" ORDER BY {table}.search_size + 0, {table}.type, {table}.slug LIMIT %s))"
            )
            params += [depth, *condition_params, depth]
            prose_tiers.append(name)
            if not last:
                know(name, f"SELECT {name}.id, {FIELD_SCORES['C']}::float8 *"
                           f" {cte_factor.format(cte=name)} * {k} / {float(n)}::float8"
                           f" AS bound FROM {name}")
        ctes.append(
            "prose AS MATERIALIZED (SELECT id, search_size, MAX(k) AS k FROM ("
            + " UNION ALL ".join(f"SELECT * FROM {tier}" for tier in prose_tiers)
            + ") AS tiers GROUP BY id, search_size)"
        )
        prose_scores = []
        for concept in self.parsed.concepts:
            part, part_params = _pg_prose_part_sql(concept, table)
            prose_scores.append(part)  # their names part is 0
            params += part_params
        ctes.append(
            "hits AS MATERIALIZED ("
            + " UNION ALL ".join(f"SELECT id, hit_base FROM {tier}" for tier in names_tiers)
            + f" UNION ALL SELECT {self._hit_columns(_pg_mean_sql(prose_scores))}"
            f" FROM prose {entry.format(cte='prose')})"
        )
        return ctes, params

    def _names_up_tier(self, ctes: list[str], params: list, name: str, depth: int,
                       scores: dict, where: tuple[str, list]) -> None:
        """Add the CTE `name` (and `<name>_names`): the entries matching `where` (SQL, then
        params: rows with prose, j or more concepts in their names), scored, but only those
        that can reach the first `depth` places. Their names are scored first: a lower
        bound (the text only adds), and with every concept not in the names in the text
        (at the row's length factor) an upper one. Only the rows whose upper bound reaches
        the `depth`-th best lower bound, less the title tie-break's reach, are scored (their
        text checked): a row left out scores less than `depth` others do, by more than any
        tie-break. "can hip problems cause knee pain" at 100,000 items: most of the 861 such
        rows are articles, whose long texts (vectors of about 7 KB, each check a walk
        through one) cannot reach the page with two or three concepts in their names."""
        table, close_ids = self._table, self._close_ids()
        sql, where_params = where
        (lower, lower_params), (upper, upper_params) = scores[False], scores[True]
        if close_ids:
            sql += f" AND {table}.id NOT IN ({close_ids})"
        ctes.append(f"{name}_names AS MATERIALIZED (SELECT {table}.id, {lower} AS lower,"
                    f" {upper} AS upper FROM {table} WHERE {sql})")
        params += [*lower_params, *upper_params, *where_params]
        full, full_params = scores[None]
        reach = TIE_SHARE * 1.000001 + self._EPSILON
        ctes.append(
            f"{name} AS MATERIALIZED (SELECT {self._hit_columns(full)}"
            f" FROM {name}_names AS known CROSS JOIN LATERAL (SELECT * FROM {table}"
            f" WHERE {table}.id = known.id OFFSET 0) AS {table}"
            f" WHERE known.upper >= (SELECT CASE WHEN COUNT(*) >= %s"
            f" THEN MIN(lower) - {reach}::float8 ELSE '-infinity'::float8 END FROM"
            f" (SELECT lower FROM {name}_names ORDER BY lower DESC LIMIT %s) AS top))"
        )
        params += [*full_params, depth, depth]

    @staticmethod
    def _execute(sql: str, params: list) -> list[tuple]:
        """Run one search statement under PLANNER_SETTINGS (SET LOCAL: its transaction only;
        one more statement, and no savepoint)."""
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(PLANNER_SETTINGS)),
                [value for setting in PLANNER_SETTINGS.items() for value in setting],
            )
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _with(self, *ctes: str) -> tuple[str, list]:
        """The WITH clause of a statement: the close CTEs, `matched`, then `ctes` (SQL,
        params). `matched` is every visible entry holding a word of the query, read through
        the vector's GIN index only as far as a reader asks (a CTE is computed on demand,
        and one nobody reads costs nothing): the exact count reads at most its bound from
        it and the prose tier of one concept all of it, the same rows read and rechecked
        once instead of twice (a synonym phrase such as "physical therapy" has every entry
        holding both words rechecked: 3,700 of them, 15 ms, for the 89 matches of
        "physio" at 100,000 items)."""
        close, params = self._close_ctes()
        table, (visible, visible_params) = self._table, self._visible()
        matched = (f"matched AS MATERIALIZED (SELECT {table}.id, {table}.search_size,"
                   f" {table}.type, {table}.slug, {table}.search_names_vector FROM {table}"
                   f" WHERE {visible} AND {table}.search_vector @@ %s::tsquery)")
        params = [*params, *visible_params, tsquery_text(self.parsed.terms)]
        return f"WITH {', '.join([*close, matched, *ctes])}", params

    def _fetch_count(self) -> tuple[int, bool]:
        self._prepare()
        ctes, params = self._count_ctes()
        with_, with_params = self._with(*ctes)
        return self._execute(f"{with_} SELECT total, estimated FROM counted",
                             [*with_params, *params])[0]

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

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int, bool]:
        self._prepare()
        pruned = stop is not None and stop <= PRUNE_DEPTH
        if pruned:  # the page from its candidates only, and a bounded count
            hits, hits_params = self._pruned_hits(stop)
            count, count_params = self._count_ctes(known="hits")
            total = "(SELECT total FROM counted), (SELECT estimated FROM counted)"
        else:  # every match is scored: counted exactly as well
            hits, hits_params = self._every_hit()
            count, count_params = [], []
            total = "(SELECT COUNT(*) FROM hits), false"
        order = "hit_score DESC, hit_size, hit_type, hit_slug"
        stems = sorted({stem for term in self.parsed.terms for stem in term.stems})
        first_match = ", ".join(["NULLIF(strpos(page.lowered, %s), 0)"] * len(stems))
        # The tie-break adds at most TIE_SHARE: a row whose score before it is lower than the
        # stop-th best by more than that cannot reach the page, so it is not computed.
        # Only those rows' entries are read (by primary key: OFFSET 0 keeps the planner from
        # joining the whole table).
        table = self._table
        with_, with_params = self._with(*hits, *count, f"""ranked AS (
                SELECT {table}.type::text AS hit_type, {table}.row_id AS hit_pk,
                       {table}.slug AS hit_slug, {table}.title AS hit_title,
                       {table}.search_size AS hit_size, {table}.search_names AS hit_names,
                       hits.hit_base + CASE WHEN {table}.search_names_vector @@ %s::tsquery
                           THEN {TIE_SHARE}::float8
                                * similarity(split_part({table}.search_names, E'\\n', 1), %s)
                           ELSE 0::float8 END AS hit_score
                FROM hits CROSS JOIN LATERAL (SELECT * FROM {table}
                                              WHERE {table}.id = hits.id OFFSET 0) AS {table}
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
                   {total},
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
            *with_params, *hits_params, *count_params,
            tsquery_text(self.parsed.terms, "A"), self.parsed.text[:MAX_QUERY_LENGTH], stop,
            CONFIG, *stems, _headline_query(stems), _HEADLINE_OPTIONS,
            None if stop is None else stop - start, start,
        ]
        rows = self._execute(sql, params)
        hits = [
            SearchHit(type=t, pk=pk, slug=slug, title=title, score=score,
                      snippet=snippet_render(snippet))
            for t, pk, slug, title, score, _, _, snippet in rows
        ]
        return hits, rows[0][5] if rows else 0, rows[0][6] if rows else False

