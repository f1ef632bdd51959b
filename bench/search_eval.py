"""Search relevance against the judged set: MRR@10 and top-3 hit rate (`make eval-search`).

    DATABASE_URL=… .venv/bin/python bench/search_eval.py [--verbose]

Creates a throwaway database with Django's test-database machinery (SQLite: a temporary file;
PostgreSQL: `test_<name>_search_eval`), migrates it, loads the seed content and its synonyms
(`load_seed_content`), runs every query of tests/search/judgements.yaml through the search
engine and prints, per query, the rank of the best-ranked expected result; then MRR@10 (mean
reciprocal rank of the first expected result within the top 10, 0 when none is) and the
top-3 hit rate (share of queries with an expected result in the top 3). The database is
dropped at the end. tests/search/test_judgements.py asserts the same judgements.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = ROOT / "tests" / "search" / "judgements.yaml"
#: Results looked at per query.
DEPTH = 10


@dataclass(frozen=True)
class Judgement:
    q: str
    expect: tuple[tuple[str, str], ...]  # (type, slug), in order of preference
    within: int
    why: str


@dataclass(frozen=True)
class Outcome:
    judgement: Judgement
    ranked: tuple[tuple[str, str], ...]  # the top DEPTH results

    @property
    def rank(self) -> int | None:
        """1-based rank of the best-ranked expected result within the top DEPTH, or None."""
        for position, result in enumerate(self.ranked, start=1):
            if result in self.judgement.expect:
                return position
        return None

    @property
    def passed(self) -> bool:
        return self.rank is not None and self.rank <= self.judgement.within


def load_judgements(path: Path = JUDGEMENTS) -> list[Judgement]:
    """The judged queries of `path`."""
    judgements = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        expect = tuple(tuple(item.split("/", 1)) for item in entry["expect"])
        judgements.append(
            Judgement(q=entry["q"], expect=expect, within=entry.get("within", 3),
                      why=entry.get("why", ""))
        )
    return judgements


def evaluate(judgements: list[Judgement]) -> list[Outcome]:
    """Run every judged query through the search engine (the database must hold the seed)."""
    from content.search import search

    return [
        Outcome(j, tuple((hit.type, hit.slug) for hit in search(j.q)[0:DEPTH]))
        for j in judgements
    ]


def mrr(outcomes: list[Outcome]) -> float:
    """Mean reciprocal rank of the first expected result within the top DEPTH."""
    return sum(1 / o.rank for o in outcomes if o.rank) / len(outcomes)


def hit_rate(outcomes: list[Outcome], k: int = 3) -> float:
    """Share of queries with an expected result in the top k."""
    return sum(1 for o in outcomes if o.rank and o.rank <= k) / len(outcomes)


def report(outcomes: list[Outcome], vendor: str, *, verbose: bool = False) -> str:
    lines = [f"Search relevance on {vendor}: {len(outcomes)} judged queries"]
    for o in outcomes:
        flag = "ok  " if o.passed else "MISS"
        rank = o.rank or "-"
        lines.append(f"  {flag} rank {rank!s:>2} (want <= {o.judgement.within})  {o.judgement.q}")
        if verbose or not o.passed:
            for position, (type_, slug) in enumerate(o.ranked[:5], start=1):
                lines.append(f"        {position}. {type_}/{slug}")
    lines.append(f"MRR@{DEPTH}: {mrr(outcomes):.3f}   top-3 hit rate: {hit_rate(outcomes):.3f}"
                 f"   judgements met: {sum(o.passed for o in outcomes)}/{len(outcomes)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="show every query's top 5")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hipknee_api.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor == "postgresql":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            f"test_{connection.settings_dict['NAME']}_search_eval"
        )
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        call_command("load_seed_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
        outcomes = evaluate(load_judgements())
        print(report(outcomes, connection.vendor, verbose=args.verbose))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0


if __name__ == "__main__":
    sys.exit(main())
