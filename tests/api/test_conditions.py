"""GET /api/v1/conditions/ and /{slug}/."""

import datetime as dt

import pytest

from content.choices import BodyRegion
from tests.factories import (
    NOW,
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

PFPS = {
    "slug": "patellofemoral-pain-syndrome",
    "url": "http://testserver/api/v1/conditions/patellofemoral-pain-syndrome/",
    "name": "Patellofemoral pain syndrome",
    "also_known_as": ["runner’s knee"],
    "body_region": "knee",
    "description": "Pain around the kneecap.",
    "codes": [],
    "causes": [
        {
            "type": "cause",
            "slug": "muscle-weakness-or-imbalance",
            "name": "Muscle Weakness or Imbalance",
            "url": "http://testserver/api/v1/causes/muscle-weakness-or-imbalance/",
        }
    ],
    "articles": [
        {
            "type": "article",
            "slug": "hip-problems-and-knee-pain",
            "name": "Can Hip Problems Cause Knee Pain?",
            "url": "http://testserver/api/v1/articles/hip-problems-and-knee-pain/",
        }
    ],
    "symptoms": [
        {
            "type": "symptom",
            "slug": "knee-pain",
            "name": "Knee Pain",
            "url": "http://testserver/api/v1/symptoms/knee-pain/",
        }
    ],
    "warning_signs": [
        {
            "type": "warning_sign",
            "slug": "severe-knee-pain",
            "name": "Severe or persistent knee pain.",
            "url": "http://testserver/api/v1/warning-signs/severe-knee-pain/",
        }
    ],
    "treatments": [
        {
            "type": "treatment",
            "slug": "orthotics",
            "name": "Orthotics",
            "url": "http://testserver/api/v1/treatments/orthotics/",
        },
        {
            "type": "treatment",
            "slug": "physical-therapy",
            "name": "Physical Therapy",
            "url": "http://testserver/api/v1/treatments/physical-therapy/",
        },
    ],
    "version": 2,
    "first_published_at": "2026-01-15T09:30:00+00:00",
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "not_reviewed",
        "last_reviewed": None,
        "next_review_due": None,
        "reviewed_by": None,
    },
}


def make_pfps():
    condition = ConditionFactory(
        slug="patellofemoral-pain-syndrome",
        name="Patellofemoral pain syndrome",
        also_known_as=["runner’s knee"],
        body_region=BodyRegion.KNEE,
        description="Pain around the kneecap.",
        version=2,
    )
    CauseFactory(
        slug="muscle-weakness-or-imbalance",
        name="Muscle Weakness or Imbalance",
        conditions=[condition],
    )
    CauseFactory(slug="withdrawn-cause", conditions=[condition], live=False)
    CauseFactory(slug="expired-cause", conditions=[condition], expire_at=NOW)
    ArticleFactory(slug="hip-problems-and-knee-pain", title="Can Hip Problems Cause Knee Pain?",
                   conditions=[condition])
    ArticleFactory(slug="withdrawn-article", conditions=[condition], live=False)
    ArticleFactory(slug="expired-article", conditions=[condition], expire_at=NOW)
    SymptomFactory(slug="knee-pain", name="Knee Pain", conditions=[condition])
    SymptomFactory(slug="withdrawn-symptom", conditions=[condition], live=False)
    SymptomFactory(slug="unrelated-symptom")
    WarningSignFactory(slug="severe-knee-pain", text="Severe or persistent knee pain.",
                       conditions=[condition])
    WarningSignFactory(slug="expired-sign", conditions=[condition], expire_at=NOW)
    TreatmentFactory(slug="physical-therapy", name="Physical Therapy", conditions=[condition])
    TreatmentFactory(slug="orthotics", name="Orthotics", conditions=[condition])
    TreatmentFactory(slug="withdrawn-treatment", conditions=[condition], live=False)
    return condition


def slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"/api/v1/conditions/{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["results"]]


def test_detail_returns_the_whole_condition(api_client, django_assert_num_queries):
    make_pfps()

    # The row, then the published articles, causes, symptoms, warning signs and treatments.
    with django_assert_num_queries(6 + CACHE_MISS + STORED_LOOKUP):
        response = api_client.get("/api/v1/conditions/patellofemoral-pain-syndrome/")

    assert response.status_code == 200
    assert response.json() == PFPS


def test_list_returns_whole_conditions(api_client, django_assert_num_queries):
    make_pfps()

    with django_assert_num_queries(7 + CACHE_MISS):  # count, page and the five relations
        response = api_client.get("/api/v1/conditions/")

    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [PFPS]}


def test_body_region_filter(api_client):
    ConditionFactory(slug="hip-bursitis", name="Hip bursitis", body_region=BodyRegion.HIP)
    ConditionFactory(slug="knee-oa", name="Knee osteoarthritis", body_region=BodyRegion.KNEE)
    ConditionFactory(slug="hidden-hip", body_region=BodyRegion.HIP, live=False)

    assert slugs(api_client, "?body_region=hip") == ["hip-bursitis"]
    assert slugs(api_client, "?body_region=knee") == ["knee-oa"]

    response = api_client.get("/api/v1/conditions/?body_region=ankle")
    assert response.status_code == 400
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": "body_region: “ankle” is not one of: hip, knee.",
        "code": "invalid",
        "errors": [
            {
                "field": "body_region",
                "message": "“ankle” is not one of: hip, knee.",
                "code": "invalid_choice",
            }
        ],
    }


def test_article_filter_lists_the_conditions_a_published_article_names(api_client):
    bursitis = ConditionFactory(slug="hip-bursitis", name="Hip bursitis")
    oa = ConditionFactory(slug="knee-oa", name="Knee osteoarthritis")
    ConditionFactory(slug="unrelated", name="Unrelated")
    hidden = ConditionFactory(slug="hidden", name="Hidden", live=False)
    ArticleFactory(slug="hip-knee", conditions=[bursitis, oa, hidden])
    ArticleFactory(slug="withdrawn", conditions=[bursitis], live=False)

    assert slugs(api_client, "?article=hip-knee") == ["hip-bursitis", "knee-oa"]
    assert slugs(api_client, "?article=withdrawn") == []
    assert slugs(api_client, "?article=no-such-article") == []
    assert api_client.get("/api/v1/conditions/?article=Hip_Knee").status_code == 400


def test_search_filter(api_client):
    ConditionFactory(slug="hip-bursitis", name="Hip bursitis")
    ConditionFactory(slug="knee-oa", name="Knee osteoarthritis")

    assert slugs(api_client, "?search=bursitis") == ["hip-bursitis"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["b", "c", "a"]),
        ("name", ["b", "c", "a"]),
        ("-name", ["a", "b", "c"]),
        ("updated_at", ["c", "a", "b"]),
        ("-updated_at", ["a", "b", "c"]),
    ],
)
def test_ordering(api_client, ordering, expected):
    ConditionFactory(slug="c", name="Alpha", updated_at=NOW - dt.timedelta(days=1))
    ConditionFactory(slug="b", name="Alpha", updated_at=NOW)
    ConditionFactory(slug="a", name="Beta", updated_at=NOW)

    assert slugs(api_client, f"?ordering={ordering}") == expected
