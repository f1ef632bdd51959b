"""GET /api/v1/warning-signs/ and /{slug}/."""

import datetime as dt

import pytest

from content.choices import ItemGroup, SectionKind, Urgency
from tests.factories import (
    NOW,
    ArticleFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    WarningSignFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

RECENT_FALL = {
    "slug": "recent-fall-or-trauma",
    "url": "http://testserver/api/v1/warning-signs/recent-fall-or-trauma/",
    "text": "If you have recently experienced a fall or trauma to the hip or knee.",
    "urgency": "immediate",
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


def make_recent_fall():
    conditions = [
        ConditionFactory(slug="hip-osteoarthritis", name="Hip osteoarthritis"),
        ConditionFactory(slug="withdrawn-condition", live=False),
    ]
    return WarningSignFactory(
        slug="recent-fall-or-trauma",
        text="If you have recently experienced a fall or trauma to the hip or knee.",
        urgency=Urgency.IMMEDIATE,
        conditions=conditions,
    )


def slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"/api/v1/warning-signs/{query}")
    assert response.status_code == 200, response.json()
    return [row["slug"] for row in response.json()["results"]]


def test_detail_returns_the_whole_warning_sign(api_client, django_assert_num_queries):
    make_recent_fall()

    with django_assert_num_queries(2 + CACHE_MISS + STORED_LOOKUP):  # row, conditions
        response = api_client.get("/api/v1/warning-signs/recent-fall-or-trauma/")

    assert response.status_code == 200
    assert response.json() == RECENT_FALL


def test_list_returns_whole_warning_signs(api_client, django_assert_num_queries):
    make_recent_fall()

    with django_assert_num_queries(3 + CACHE_MISS):  # count, page, conditions
        response = api_client.get("/api/v1/warning-signs/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1, "next": None, "previous": None, "results": [RECENT_FALL]
    }


def test_urgency_filter(api_client):
    WarningSignFactory(slug="persistent-pain", urgency=Urgency.SEE_A_DOCTOR)
    WarningSignFactory(slug="recent-fall", urgency=Urgency.IMMEDIATE)
    WarningSignFactory(slug="hidden", urgency=Urgency.IMMEDIATE, expire_at=NOW)

    assert slugs(api_client, "?urgency=see_a_doctor") == ["persistent-pain"]
    assert slugs(api_client, "?urgency=immediate") == ["recent-fall"]

    response = api_client.get("/api/v1/warning-signs/?urgency=urgent")
    assert response.status_code == 400
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": "urgency: “urgent” is not one of: see_a_doctor, immediate.",
        "code": "invalid",
        "errors": [
            {
                "field": "urgency",
                "message": "“urgent” is not one of: see_a_doctor, immediate.",
                "code": "invalid_choice",
            }
        ],
    }


def test_article_filter_lists_warning_signs_the_article_links_to(api_client):
    fall = WarningSignFactory(slug="recent-fall")
    WarningSignFactory(slug="unlinked")
    article = ArticleFactory(slug="hip-knee")
    section = SectionFactory(article=article, kind=SectionKind.WHEN_TO_SEE_A_DOCTOR)
    SectionItemFactory(section=section, group=ItemGroup.IMMEDIATE, warning_sign=fall)

    assert slugs(api_client, "?article=hip-knee") == ["recent-fall"]
    assert slugs(api_client, "?article=no-such-article") == []


def test_warning_signs_have_no_search_filter_so_search_is_400(api_client):
    WarningSignFactory(slug="a", text="Numbness.")

    response = api_client.get("/api/v1/warning-signs/?search=fever&urgncy=immediate")

    assert response.status_code == 400
    message = ("Unknown query parameter; this endpoint takes: `urgency`, `condition`, "
               "`article`, `ordering`, `page`, `page_size`, `format`.")
    assert response.json()["errors"] == [
        {"field": "search", "message": message, "code": "unknown_parameter"},
        {"field": "urgncy", "message": message, "code": "unknown_parameter"},
    ]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["a", "b", "c"]),
        ("slug", ["a", "b", "c"]),
        ("-slug", ["c", "b", "a"]),
        ("updated_at", ["c", "a", "b"]),
        ("-updated_at", ["a", "b", "c"]),
    ],
)
def test_ordering_defaults_to_slug(api_client, ordering, expected):
    WarningSignFactory(slug="c", text="Alpha", updated_at=NOW - dt.timedelta(days=1))
    WarningSignFactory(slug="b", text="Beta", updated_at=NOW)
    WarningSignFactory(slug="a", text="Gamma", updated_at=NOW)

    assert slugs(api_client, f"?ordering={ordering}") == expected


def test_ordering_by_name_is_refused_because_warning_signs_have_none(api_client):
    response = api_client.get("/api/v1/warning-signs/?ordering=name")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "ordering",
            "message": "“name” is not one of: slug, -slug, updated_at, -updated_at.",
            "code": "invalid_choice",
        }
    ]
