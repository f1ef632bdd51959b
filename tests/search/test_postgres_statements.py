"""content/search/postgres.py: how a search's statements run on PostgreSQL.

- Each statement runs under the engine's planner settings, set for its transaction only
  (no sequential scan, no parallel workers, no JIT: see PLANNER_SETTINGS), one statement before it.
- ts_headline is given every stem of the query alone (no phrases): it marks the same words as
  the SQLite engine does, and does not search each text for a synonym phrase.
- The exact count is the same whichever way the sample sends it (key order when the matches
  are dense, the GIN index when they are sparse).
- "At least k of the concepts" is written as "the first and k - 1 of the rest, or k of the
  rest", and means exactly that.
- The names' partial GIN indexes (migration 0020) hold the rows of the types without prose and
  the others, as the engine's tiers read them.
- An entry's text vector is kept in its row up to a page's size, not in TOAST (migration 0021).
"""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.models import Synonym
from content.search import NAMES_ONLY, search
from content.search.postgres import DENSE_SHARE, PLANNER_SETTINGS
from content.search.postgres_sql import _at_least_of, _headline_query
from content.types import registry
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL engine's statements"
)


def test_at_least_k_is_the_first_and_k_minus_1_of_the_rest_or_k_of_the_rest():
    assert _at_least_of(("a", "b", "c"), 1) == "a | b | c"
    assert _at_least_of(("a", "b", "c"), 2) == "(a & (b | c)) | (b & c)"
    assert _at_least_of(("a", "b", "c"), 3) == "a & b & c"


@postgres_only
def test_at_least_k_matches_exactly_the_texts_holding_k_of_the_groups(db):
    words = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")
    groups = tuple(f"('{w}' | 'x{w}')" for w in words)  # groups of alternatives, as concepts
    cases = [(k, held) for k in range(1, len(words) + 1)
             for held in itertools.product([False, True], repeat=len(words))]
    values = ", ".join(["(%s, %s::tsquery)"] * len(cases))
    params = []
    for k, held in cases:
        params += [" ".join(w for w, h in zip(words, held, strict=True) if h) or "none",
                   _at_least_of(groups, k)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT to_tsvector('simple', t) @@ q FROM (VALUES {values}) AS c(t, q)",
                       params)
        matched = [row[0] for row in cursor.fetchall()]
    assert matched == [sum(held) >= k for k, held in cases]


def test_the_headline_query_is_every_stem_alone():
    assert _headline_query(["physic", "therapi", "physio"]) == "'physic' | 'therapi' | 'physio'"


def test_a_synonym_phrase_is_marked_word_by_word_on_either_backend(db):
    """Both words of the synonym "physical therapy" are marked where they stand apart, as
    the SQLite engine marks them; the phrase itself is what matched."""
    Synonym.objects.create(name="physio", terms=["physio", "physical therapy"])
    TreatmentFactory(
        slug="therapy",
        name="Physical therapy",
        description="A physical therapist plans therapy and physical exercise with you.",
    )

    (hit,) = search("physio")[0:20]

    assert hit.slug == "therapy"
    assert hit.snippet == (
        "A <mark>physical</mark> therapist plans <mark>therapy</mark> and"
        " <mark>physical</mark> exercise with you."
    )


@postgres_only
def test_each_statement_runs_under_the_planner_settings(db):
    SymptomFactory(slug="knee-pain", name="Knee pain", description="Pain around the knee.")
    results = search("knee pain")
    results.window(0, 20)
    with CaptureQueriesContext(connection) as captured:
        assert results.count() == 1
        assert [h.slug for h in results[0:20]] == ["knee-pain"]

    sqls = [q["sql"] for q in captured.captured_queries]
    assert len(sqls) == 2  # the settings, then the page with its count
    assert sqls[0].startswith("SELECT set_config(")
    for name, value in PLANNER_SETTINGS.items():
        assert f"'{name}', '{value}', true" in sqls[0]
    assert PLANNER_SETTINGS == {
        "enable_seqscan": "off", "max_parallel_workers_per_gather": "0", "jit": "off",
    }


@postgres_only
def test_the_exact_count_is_the_same_for_dense_and_sparse_matches(db, settings):
    settings.SEARCH_EXACT_COUNT_UP_TO = 30
    for n in range(40):
        SymptomFactory(slug=f"knee-{n}", name=f"Knee trouble {n}",
                       description="Knee " + ("swelling" if n < 12 else "stiffness") + ".")
    SymptomFactory(slug="hip", name="Hip trouble", description="Hip.")

    # "knee" is in nearly every entry (dense: counted in key order), "swelling" in few
    # (sparse: through the GIN index); both are exact up to the bound, then estimated.
    assert DENSE_SHARE <= 0.5
    swelling = search("swelling")
    assert (swelling.count(), swelling.count_is_estimate) == (12, False)
    knee = search("knee")
    assert knee.count() >= 31 and knee.count_is_estimate is True
    settings.SEARCH_EXACT_COUNT_UP_TO = 100
    knee = search("knee")
    assert (knee.count(), knee.count_is_estimate) == (40, False)


@postgres_only
def test_the_planner_settings_hold_for_the_statement_only(transactional_db):
    """Outside a transaction (as a request runs it), the settings end with the statement."""
    from content.search.postgres import PostgresResults

    names = list(PLANNER_SETTINGS)
    current = "SELECT " + ", ".join(["current_setting(%s)"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(current, names)
        before = cursor.fetchone()

    inside = PostgresResults._execute(current, names)

    assert inside == [tuple(PLANNER_SETTINGS.values())]
    with connection.cursor() as cursor:
        cursor.execute(current, names)
        assert cursor.fetchone() == before != inside[0]


def _scans_run(sql: str) -> dict[str, int]:
    """How many times each scan of content_searchentry in `sql`'s plan ran (EXPLAIN
    ANALYZE), by node type; the sample's scan aside."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()[0]
    runs: dict[str, int] = {}

    def walk(node: dict) -> None:
        if node.get("Relation Name") == "content_searchentry" and "Sample" not in node["Node Type"]:
            runs[node["Node Type"]] = runs.get(node["Node Type"], 0) + node["Actual Loops"]
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return runs


@postgres_only
def test_no_exact_count_is_read_when_the_sample_alone_holds_more_than_the_bound(db, settings):
    for n in range(40):
        SymptomFactory(slug=f"knee-{n}", name=f"Knee trouble {n}", description="Knee.")

    def count_statement(bound: int) -> tuple[str, tuple[int, bool]]:
        settings.SEARCH_EXACT_COUNT_UP_TO = bound
        results = search("knee")
        with CaptureQueriesContext(connection) as captured:
            counted = (results.count(), results.count_is_estimate)
        return captured.captured_queries[-1]["sql"], counted

    # A small table is sampled whole: 40 matches in the sample, over a bound of 30.
    sql, counted = count_statement(30)
    assert counted == (40, True)
    assert set(_scans_run(sql).values()) == {0}  # neither exact count read an entry

    sql, counted = count_statement(100)  # under the bound: counted exactly
    assert counted == (40, False)
    assert max(_scans_run(sql).values()) >= 1


@postgres_only
def test_no_exact_count_is_read_when_the_pages_hits_hold_more_than_the_bound(
    db, settings, monkeypatch
):
    """The hits a first page reads are distinct matches: more of them than the bound prove
    the count is over it, and the count is at least their number."""
    for n in range(40):
        SymptomFactory(slug=f"knee-{n}", name=f"Knee trouble {n}", description="Knee.")
    with connection.cursor() as cursor:  # the sample's size comes from the table's statistics
        cursor.execute("ANALYZE content_searchentry")
    monkeypatch.setattr("content.search.postgres.COUNT_SAMPLE_ROWS", 1)  # 1 of 41 rows

    def first_page(bound: int) -> tuple[int, bool]:
        settings.SEARCH_EXACT_COUNT_UP_TO = bound
        results = search("knee")
        results.window(0, 20)
        assert len(results[0:20]) == 20
        return results.count(), results.count_is_estimate

    # Every entry holds "knee" in its name: the names tier read for the page holds all 40.
    # Counted exactly, the count would stop at the bound plus one (31).
    assert first_page(30) == (40, True)
    assert first_page(100) == (40, False)
    assert first_page(39) == (40, True)
    assert first_page(40) == (40, False)


@postgres_only
def test_the_names_partial_indexes_hold_the_rows_without_prose_and_the_others(db):
    """Their predicates are frozen in the migration: they must still be the engine's."""
    for factory in (ArticleFactory, CauseFactory, ConditionFactory, SymptomFactory,
                    TreatmentFactory, WarningSignFactory):
        factory()
    held = {}
    with connection.cursor() as cursor:
        for index in ("content_searchentry_names_only_gin", "content_searchentry_names_prose_gin"):
            cursor.execute("SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
                           " WHERE indexrelid = %s::regclass", [index])
            (predicate,) = cursor.fetchone()
            cursor.execute(f"SELECT DISTINCT type FROM content_searchentry WHERE {predicate}")
            held[index] = {row[0] for row in cursor.fetchall()}
    assert held == {"content_searchentry_names_only_gin": set(NAMES_ONLY),
                    "content_searchentry_names_prose_gin": set(registry.names()) - NAMES_ONLY}


@postgres_only
def test_an_entrys_text_vector_is_kept_in_its_row_up_to_a_pages_size(db):
    """A vector of some 5 KB (a long article's) is in the heap row, not in TOAST; one too
    big for a page still goes to TOAST."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class"
                       " WHERE relname = 'content_searchentry'")
        (toast,) = cursor.fetchone()

    def toasted() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT chunk_id) FROM {toast}")
            return cursor.fetchone()[0]

    def article(words: int) -> int:
        body = " ".join(f"word{i}x" for i in range(words))
        section = SectionFactory(article=ArticleFactory(), body=f"<p>{body}</p>")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_column_size(search_vector) FROM content_searchentry"
                           " WHERE type = 'article' AND row_id = %s", [section.article_id])
            return cursor.fetchone()[0]

    assert 4000 < article(300) < 8000
    assert toasted() == 0
    assert article(900) > 8160
    assert toasted() > 0
