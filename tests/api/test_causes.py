"""GET /api/v1/causes/ and /{slug}/."""

import datetime as dt

import pytest

from content.choices import ItemGroup, SectionKind
from tests.factories import (
    NOW,
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

PREVIOUS_INJURIES = {
    "slug": "previous-injuries",
    "url": "http://testserver/api/v1/causes/previous-injuries/",
    "name": "Previous Injuries",
    "description": "A history of hip injuries can change joint mechanics.",
    "conditions": [
        {
            "type": "condition",
            "slug": "hip-dislocation",
            "name": "Hip dislocation",
            "url": "http://testserver/api/v1/conditions/hip-dislocation/",
        },
        {
            "type": "condition",
            "slug": "hip-fracture",
            "name": "Hip fracture",
            "url": "http://testserver/api/v1/conditions/hip-fracture/",
        },
    ],
    "version": 1,
    "first_published_at": "2026-01-15T09:30:00+00:00",
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "reviewed",
        "last_reviewed": "2026-01-10",
        "next_review_due": "2026-07-10",
        "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS"},
    },
}


def make_previous_injuries():
    return CauseFactory(
        slug="previous-injuries",
        name="Previous Injuries",
        description="A history of hip injuries can change joint mechanics.",
        last_reviewed=dt.date(2026, 1, 10),
        next_review_due=dt.date(2026, 7, 10),
        reviewed_by_name="Dr Rita Shah",
        reviewed_by_credentials="MBBS",
        conditions=[
            ConditionFactory(slug="hip-fracture", name="Hip fracture"),
            ConditionFactory(slug="hip-dislocation", name="Hip dislocation"),
            ConditionFactory(slug="withdrawn", name="Withdrawn", live=False),
            ConditionFactory(slug="expired", name="Expired", expire_at=NOW),
        ],
    )


def slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"/api/v1/causes/{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["results"]]


def test_detail_returns_the_whole_cause(api_client, django_assert_num_queries):
    make_previous_injuries()

    with django_assert_num_queries(2 + CACHE_MISS + STORED_LOOKUP):
        response = api_client.get("/api/v1/causes/previous-injuries/")

    assert response.status_code == 200
    assert response.json() == PREVIOUS_INJURIES


def test_list_returns_whole_causes(api_client, django_assert_num_queries):
    make_previous_injuries()

    with django_assert_num_queries(3 + CACHE_MISS):
        response = api_client.get("/api/v1/causes/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1, "next": None, "previous": None, "results": [PREVIOUS_INJURIES]
    }


def test_condition_filter_lists_causes_naming_a_published_condition(api_client):
    fracture = ConditionFactory(slug="hip-fracture")
    withdrawn = ConditionFactory(slug="withdrawn", live=False)
    CauseFactory(slug="previous-injuries", name="A", conditions=[fracture])
    CauseFactory(slug="arthritis", name="B", conditions=[fracture, withdrawn])
    CauseFactory(slug="overuse", name="C", conditions=[withdrawn])
    CauseFactory(slug="unpublished", name="D", conditions=[fracture], live=False)

    assert slugs(api_client, "?condition=hip-fracture") == ["previous-injuries", "arthritis"]
    assert slugs(api_client, "?condition=withdrawn") == []
    assert slugs(api_client, "?condition=no-such-condition") == []
    assert slugs(api_client, "?condition=withdrawn&condition=hip-fracture") == [
        "previous-injuries", "arthritis"]


def test_article_filter_lists_causes_the_article_links_to(api_client):
    referred = CauseFactory(slug="referred-pain", name="Referred Pain")
    arthritis = CauseFactory(slug="arthritis", name="Arthritis")
    CauseFactory(slug="unlinked", name="Unlinked")
    article = ArticleFactory(slug="hip-knee")
    section = SectionFactory(article=article, kind=SectionKind.CAUSES)
    for position, cause in enumerate([referred, arthritis], start=1):
        SectionItemFactory(
            section=section, position=position, group=ItemGroup.CAUSES, cause=cause
        )
    withdrawn = ArticleFactory(slug="withdrawn", live=False)
    SectionItemFactory(
        section=SectionFactory(article=withdrawn, kind=SectionKind.CAUSES),
        group=ItemGroup.CAUSES,
        cause=referred,
    )

    assert slugs(api_client, "?article=hip-knee") == ["arthritis", "referred-pain"]
    assert slugs(api_client, "?article=withdrawn") == []
    assert slugs(api_client, "?article=no-such-article") == []


def test_search_filter(api_client):
    CauseFactory(slug="arthritis", name="Arthritis", description="Inflammation of joints.")
    CauseFactory(slug="overuse", name="Overuse", description="Repetitive strain.")

    assert slugs(api_client, "?search=inflammation") == ["arthritis"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["b", "c", "a"]),
        ("-name", ["a", "b", "c"]),
        ("updated_at", ["c", "a", "b"]),
        ("-updated_at", ["a", "b", "c"]),
    ],
)
def test_ordering(api_client, ordering, expected):
    CauseFactory(slug="c", name="Alpha", updated_at=NOW - dt.timedelta(days=1))
    CauseFactory(slug="b", name="Alpha", updated_at=NOW)
    CauseFactory(slug="a", name="Beta", updated_at=NOW)

    assert slugs(api_client, f"?ordering={ordering}") == expected
