"""The judged relevance set (tests/search/judgements.yaml) against the seed content.

The one place where tests use the seed: relevance is judged on real content. Every judged
query must rank one of its expected results within its `within` (default the top 3).
"""

import io

import pytest
from django.core.management import call_command

from bench.search_eval import evaluate, hit_rate, load_judgements, mrr, report


def test_judged_set_is_big_enough_and_names_only_seed_content(db):
    call_command("load_seed_content", stdout=io.StringIO())
    from content.models import LIVE_MODELS

    judgements = load_judgements()
    assert len(judgements) >= 30
    seed = {(t, slug) for t, model in LIVE_MODELS.items()
            for slug in model.objects.values_list("slug", flat=True)}
    named = {item for j in judgements for item in j.expect}
    assert named - seed == set()


def test_every_judged_query_finds_an_expected_result_near_the_top(db):
    call_command("load_seed_content", stdout=io.StringIO())

    outcomes = evaluate(load_judgements())

    missed = [o for o in outcomes if not o.passed]
    assert missed == [], report(outcomes, "this database")
    assert mrr(outcomes) >= 0.9
    assert hit_rate(outcomes) == pytest.approx(1.0)
