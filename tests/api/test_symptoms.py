"""GET /api/v1/symptoms/ and /{slug}/."""

import datetime as dt

import pytest

from content.choices import ItemGroup, SectionKind, SymptomFrequency
from tests.factories import (
    NOW,
    ArticleFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

STIFFNESS = {
    "slug": "stiffness",
    "url": "http://testserver/api/v1/symptoms/stiffness/",
    "name": "Stiffness",
    "description": "A feeling of tightness in the knee.",
    "frequency": "common",
    "codes": [],
    "conditions": [
        {
            "type": "condition",
            "slug": "hip-osteoarthritis",
            "name": "Hip osteoarthritis",
            "url": "http://testserver/api/v1/conditions/hip-osteoarthritis/",
        }
    ],
    "version": 4,
    "first_published_at": "2026-01-15T09:30:00+00:00",
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "overdue",
        "last_reviewed": "2025-01-10",
        "next_review_due": "2026-01-10",
        "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS"},
    },
}


def make_stiffness():
    conditions = [
        ConditionFactory(slug="hip-osteoarthritis", name="Hip osteoarthritis"),
        ConditionFactory(slug="withdrawn-condition", live=False),
    ]
    return SymptomFactory(
        slug="stiffness",
        name="Stiffness",
        description="A feeling of tightness in the knee.",
        frequency=SymptomFrequency.COMMON,
        version=4,
        last_reviewed=dt.date(2025, 1, 10),
        next_review_due=dt.date(2026, 1, 10),
        reviewed_by_name="Dr Rita Shah",
        reviewed_by_credentials="MBBS",
        conditions=conditions,
    )


def slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"/api/v1/symptoms/{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["results"]]


def test_detail_returns_the_whole_symptom(api_client, django_assert_num_queries):
    make_stiffness()

    with django_assert_num_queries(2 + CACHE_MISS + STORED_LOOKUP):  # row, conditions
        response = api_client.get("/api/v1/symptoms/stiffness/")

    assert response.status_code == 200
    assert response.json() == STIFFNESS


def test_list_returns_whole_symptoms(api_client, django_assert_num_queries):
    make_stiffness()

    with django_assert_num_queries(3 + CACHE_MISS):  # count, page, conditions
        response = api_client.get("/api/v1/symptoms/")

    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [STIFFNESS]}


def test_frequency_filter(api_client):
    SymptomFactory(slug="knee-pain", name="Knee pain", frequency=SymptomFrequency.COMMON)
    SymptomFactory(slug="hip-pain", name="Hip pain", frequency=SymptomFrequency.LESS_COMMON)
    SymptomFactory(slug="hidden", frequency=SymptomFrequency.COMMON, live=False)

    assert slugs(api_client, "?frequency=common") == ["knee-pain"]
    assert slugs(api_client, "?frequency=less_common") == ["hip-pain"]

    response = api_client.get("/api/v1/symptoms/?frequency=rare")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": "frequency: “rare” is not one of: common, less_common.",
        "code": "invalid",
        "errors": [
            {
                "field": "frequency",
                "message": "“rare” is not one of: common, less_common.",
                "code": "invalid_choice",
            }
        ],
    }


def test_several_invalid_filters_are_all_named(api_client):
    response = api_client.get("/api/v1/symptoms/?frequency=rare&ordering=size&article=A%20B")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "frequency",
            "message": "“rare” is not one of: common, less_common.",
            "code": "invalid_choice",
        },
        {
            "field": "article",
            "message": "Enter a slug: lowercase letters and digits separated by hyphens, "
            "e.g. hip-bursitis.",
            "code": "invalid_slug",
        },
        {
            "field": "ordering",
            "message": "“size” is not one of: name, -name, updated_at, -updated_at.",
            "code": "invalid_choice",
        },
    ]


def test_article_filter_lists_symptoms_the_article_links_to(api_client):
    knee = SymptomFactory(slug="knee-pain", name="Knee pain")
    hidden = SymptomFactory(slug="hidden", name="Hidden", live=False)
    SymptomFactory(slug="unlinked", name="Unlinked")
    article = ArticleFactory(slug="hip-knee")
    section = SectionFactory(article=article, kind=SectionKind.SYMPTOMS)
    SectionItemFactory(section=section, position=1, group=ItemGroup.COMMON, symptom=knee)
    SectionItemFactory(section=section, position=2, group=ItemGroup.COMMON, symptom=hidden)

    assert slugs(api_client, "?article=hip-knee") == ["knee-pain"]
    assert slugs(api_client, "?article=hip-knee&frequency=less_common") == []
    assert slugs(api_client, "?article=no-such-article") == []


def test_search_filter(api_client):
    SymptomFactory(slug="swelling", name="Swelling", description="Puffiness around the knee.")
    SymptomFactory(slug="stiffness", name="Stiffness", description="Tightness.")

    assert slugs(api_client, "?search=puffiness") == ["swelling"]


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
    SymptomFactory(slug="c", name="Alpha", updated_at=NOW - dt.timedelta(days=1))
    SymptomFactory(slug="b", name="Alpha", updated_at=NOW)
    SymptomFactory(slug="a", name="Beta", updated_at=NOW)

    assert slugs(api_client, f"?ordering={ordering}") == expected
