"""content/search.py on PostgreSQL: a page scored from its candidates only (`_pruned_hits`)
is exactly the page of scoring every match, with the same total.

Generated content (bench/search_bench.py's generator: names and prose drawn from the seed's
vocabulary, so common words match most rows and rare ones few) and the judged queries plus
broad, long and misspelt ones. The SQLite engine has no pruned path (it scores every row in
Python), so there is nothing to compare there.
"""

from pathlib import Path

import pytest
from django.db import connection

from bench.search_bench import BROAD, generate
from bench.search_eval import load_judgements
from content.search import PRUNE_DEPTH, search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the pruned page query is PostgreSQL's; SQLite scores every row in Python",
    ),
]

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
EXTRA = [
    "knee hip pain stiffness swelling weakness clicking locking",  # eight concepts
    "stiff knee in the morning",
    "osteoarthritus hip",  # a typo beside a common word
    "runner's knee physio",  # synonym phrases
    "problems muscles treatment",  # words that generated names are made of
]
PAGES = [(0, 20), (0, 5), (20, 40), (37, 57), (PRUNE_DEPTH - 20, PRUNE_DEPTH)]


@pytest.fixture
def generated(db):
    """Generated content and the seed's synonym sets, inside the test's transaction."""
    from content.management.commands.load_seed_content import seed_synonyms

    seed_synonyms(FIXTURES)
    return generate(600)


def _queries() -> list[str]:
    return list(dict.fromkeys([j.q for j in load_judgements()] + BROAD + EXTRA))


def test_a_pruned_page_is_the_page_of_every_match_scored(generated):
    queries = _queries()
    assert len(queries) >= 60
    for query in queries:
        everything, total, estimated = search(query)._fetch(0, None)
        assert (total, estimated) == (len(everything), False)
        for start, stop in PAGES:
            page, page_total, page_estimated = search(query)._fetch(start, stop)
            expected = everything[start:stop]
            where = (query, start, stop)
            assert [(h.type, h.slug) for h in page] == [(h.type, h.slug) for h in expected], where
            assert [h.score for h in page] == pytest.approx([h.score for h in expected]), where
            assert [h.snippet for h in page] == [h.snippet for h in expected], where
            assert page_total == (total if page else 0), where
            assert page_estimated is False, where  # fewer matches than the exact bound


def test_the_generated_content_is_broad_enough_to_prune(generated):
    """The comparison means something: broad queries match far more rows than a page."""
    assert search("knee pain").count() > 5 * 20
    assert search("jumper's knee").count() < 20  # a synonym phrase: few rows


def test_beyond_a_small_bound_the_count_is_flagged_and_the_pages_unchanged(
    generated, settings, monkeypatch
):
    settings.SEARCH_EXACT_COUNT_UP_TO = 50
    # The sample is the whole table (as on a table without statistics, but whatever another
    # test or autovacuum left in pg_class): the estimate is then the exact count.
    monkeypatch.setattr("content.search.postgres.COUNT_SAMPLE_ROWS", 10**9)
    for query in _queries():
        everything, total, _ = search(query)._fetch(0, None)  # deep: counted exactly
        page, page_total, estimated = search(query)._fetch(0, 20)
        where = (query, total)
        assert [(h.type, h.slug) for h in page] == [(h.type, h.slug) for h in everything[:20]]
        assert estimated is (total > 50), where
        # Below the bound exact; above it at least the bound plus one (and, the whole table
        # being the sample, exact again).
        assert page_total == total, where
