"""GET /api/v1/treatments/ and /{slug}/."""

import datetime as dt

import pytest

from content.choices import ItemGroup, SectionKind, TreatmentCategory
from tests.factories import (
    NOW,
    ArticleFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    TreatmentFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

SUPPLEMENTS = {
    "slug": "supplements",
    "url": "http://testserver/api/v1/treatments/supplements/",
    "name": "Supplements",
    "description": "Some people find relief with glucosamine and chondroitin.",
    "category": "home_remedy",
    "examples": ["glucosamine", "chondroitin"],
    "caution": "Consult your doctor before starting any new supplement.",
    "codes": [],
    "conditions": [
        {
            "type": "condition",
            "slug": "hip-osteoarthritis",
            "name": "Hip osteoarthritis",
            "url": "http://testserver/api/v1/conditions/hip-osteoarthritis/",
        }
    ],
    "version": 1,
    "first_published_at": "2026-01-15T09:30:00+00:00",
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "not_reviewed",
        "last_reviewed": None,
        "next_review_due": None,
        "reviewed_by": None,
    },
}


def make_supplements():
    conditions = [
        ConditionFactory(slug="hip-osteoarthritis", name="Hip osteoarthritis"),
        ConditionFactory(slug="withdrawn-condition", live=False),
    ]
    return TreatmentFactory(
        slug="supplements",
        name="Supplements",
        description="Some people find relief with glucosamine and chondroitin.",
        category=TreatmentCategory.HOME_REMEDY,
        examples=["glucosamine", "chondroitin"],
        caution="Consult your doctor before starting any new supplement.",
        conditions=conditions,
    )


def slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"/api/v1/treatments/{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["results"]]


def test_detail_returns_the_whole_treatment(api_client, django_assert_num_queries):
    make_supplements()

    with django_assert_num_queries(2 + CACHE_MISS + STORED_LOOKUP):  # row, conditions
        response = api_client.get("/api/v1/treatments/supplements/")

    assert response.status_code == 200
    assert response.json() == SUPPLEMENTS


def test_list_returns_whole_treatments(api_client, django_assert_num_queries):
    make_supplements()
    TreatmentFactory(slug="surgery", name="Surgery", description="Arthroscopy.", caution=None)

    with django_assert_num_queries(3 + CACHE_MISS):  # count, page, conditions
        response = api_client.get("/api/v1/treatments/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            SUPPLEMENTS,
            {
                "slug": "surgery",
                "url": "http://testserver/api/v1/treatments/surgery/",
                "name": "Surgery",
                "description": "Arthroscopy.",
                "category": "conventional",
                "examples": [],
                "caution": None,
                "codes": [],
                "conditions": [],
                "version": 1,
                "first_published_at": "2026-01-15T09:30:00+00:00",
                "updated_at": "2026-01-15T09:30:00+00:00",
                "review": SUPPLEMENTS["review"],
            },
        ],
    }


def test_category_filter(api_client):
    TreatmentFactory(slug="surgery", category=TreatmentCategory.CONVENTIONAL)
    TreatmentFactory(slug="acupuncture", category=TreatmentCategory.ALTERNATIVE)
    TreatmentFactory(slug="ice", category=TreatmentCategory.HOME_REMEDY)

    assert slugs(api_client, "?category=conventional") == ["surgery"]
    assert slugs(api_client, "?category=alternative") == ["acupuncture"]
    assert slugs(api_client, "?category=home_remedy") == ["ice"]

    response = api_client.get("/api/v1/treatments/?category=herbal")
    assert response.status_code == 400
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": "category: “herbal” is not one of: conventional, alternative, home_remedy.",
        "code": "invalid",
        "errors": [
            {
                "field": "category",
                "message": "“herbal” is not one of: conventional, alternative, home_remedy.",
                "code": "invalid_choice",
            }
        ],
    }


def test_article_filter_lists_treatments_the_article_links_to(api_client):
    physio = TreatmentFactory(slug="physical-therapy", name="Physical Therapy")
    TreatmentFactory(slug="unlinked")
    article = ArticleFactory(slug="hip-knee")
    for position, kind in enumerate([SectionKind.TREATMENT, SectionKind.RECOVERY], start=1):
        SectionItemFactory(
            section=SectionFactory(article=article, kind=kind, position=position),
            group=ItemGroup.CONVENTIONAL,
            treatment=physio,
        )

    assert slugs(api_client, "?article=hip-knee") == ["physical-therapy"]
    assert api_client.get("/api/v1/treatments/?article=hip-knee").json()["count"] == 1


def test_search_filter(api_client):
    TreatmentFactory(slug="medications", name="Medications", examples=["ibuprofen"],
                     description="Pain relievers such as ibuprofen.")
    TreatmentFactory(slug="surgery", name="Surgery", description="Arthroscopy.")

    assert slugs(api_client, "?search=ibuprofen") == ["medications"]


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
    TreatmentFactory(slug="c", name="Alpha", updated_at=NOW - dt.timedelta(days=1))
    TreatmentFactory(slug="b", name="Alpha", updated_at=NOW)
    TreatmentFactory(slug="a", name="Beta", updated_at=NOW)

    assert slugs(api_client, f"?ordering={ordering}") == expected
