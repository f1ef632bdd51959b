"""GET /api/v1/search/: payload, validation, type filter, pagination, visibility, queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from content.choices import TreatmentCategory
from content.models import Synonym
from tests.factories import (
    NOW,
    ArticleFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)
from tests.query_costs import CACHE_MISS

#: Queries one search for "exercises" costs: the synonyms, then on PostgreSQL the index probes
#: that tell typos from known words (the query has a word of 5+ letters), the planner's
#: settings for the page's transaction (SET LOCAL) and the page with its count and snippets,
#: on SQLite the published rows' texts (ranked in Python).
SEARCH_QUERIES = 2 + 2 * (connection.vendor == "postgresql")

PROBLEM = "application/problem+json"


@pytest.fixture
def exercise(db):
    """Two published items about exercise, and one about something else."""
    TreatmentFactory(
        slug="gentle-exercise",
        name="Gentle exercise",
        description="Low-impact exercise such as swimming & cycling.",
        category=TreatmentCategory.HOME_REMEDY,
        examples=["swimming", "cycling"],
    )
    SymptomFactory(
        slug="pain-on-exertion",
        name="Pain on exertion",
        description="Knee pain when exercising or climbing stairs.",
    )
    ConditionFactory(slug="hip-bursitis", name="Hip bursitis", description="An inflamed bursa.")


def test_search_returns_ranked_typed_results_with_marked_snippets(
    api_client, exercise, django_assert_num_queries
):
    with django_assert_num_queries(SEARCH_QUERIES + CACHE_MISS):
        response = api_client.get("/api/v1/search/", {"q": "exercises"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "count_is_estimate": False,
        "next": None,
        "previous": None,
        "results": [
            {
                "type": "treatment",
                "slug": "gentle-exercise",
                "title": "Gentle exercise",
                "url": "http://testserver/api/v1/treatments/gentle-exercise/",
                "snippet": "Low-impact <mark>exercise</mark> such as swimming &amp; cycling.",
                "score": 1.0044,
            },
            {
                "type": "symptom",
                "slug": "pain-on-exertion",
                "title": "Pain on exertion",
                "url": "http://testserver/api/v1/symptoms/pain-on-exertion/",
                "snippet": "Knee pain when <mark>exercising</mark> or climbing stairs.",
                "score": 0.6,
            },
        ],
    }
    assert response["Cache-Control"].startswith("public, max-age=")
    assert response["ETag"]


def test_search_answers_head_and_conditional_get(api_client, exercise):
    first = api_client.get("/api/v1/search/", {"q": "exercise"})

    head = api_client.head("/api/v1/search/", {"q": "exercise"})
    again = api_client.get(
        "/api/v1/search/", {"q": "exercise"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )

    assert (head.status_code, head.content, head["ETag"]) == (200, b"", first["ETag"])
    assert (again.status_code, again.content) == (304, b"")


def test_query_that_matches_nothing_is_an_empty_page(api_client, exercise):
    response = api_client.get("/api/v1/search/", {"q": "zebra"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 0, "count_is_estimate": False, "next": None, "previous": None, "results": []
    }


def test_query_of_stop_words_only_is_an_empty_page(api_client, exercise):
    response = api_client.get("/api/v1/search/", {"q": "can't do it"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "message", "code"),
    [
        ({}, "This field is required.", "required"),
        ({"q": ""}, "This field may not be blank.", "blank"),
        ({"q": "   "}, "This field may not be blank.", "blank"),
        ({"q": "x" * 201}, "Ensure this field has no more than 200 characters.", "max_length"),
    ],
)
def test_missing_blank_or_overlong_q_is_400_naming_q(api_client, db, params, message, code):
    response = api_client.get("/api/v1/search/", params)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": f"q: {message}",
        "code": "invalid",
        "errors": [{"field": "q", "message": message, "code": code}],
    }


def test_unknown_type_is_400_naming_type_and_the_choices(api_client, db):
    response = api_client.get("/api/v1/search/", {"q": "knee", "type": "warning-sign"})

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    message = (
        '"warning-sign" is not a content type; expected one of: article, condition, cause, '
        "symptom, warning_sign, treatment."
    )
    assert response.json()["errors"] == [
        {"field": "type", "message": message, "code": "invalid_choice"}
    ]


def test_type_narrows_results_to_one_type(api_client, exercise):
    response = api_client.get("/api/v1/search/", {"q": "exercise", "type": "symptom"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [(r["type"], r["slug"]) for r in body["results"]] == [("symptom", "pain-on-exertion")]


@pytest.mark.parametrize(
    ("type_", "factory", "fields"),
    [
        ("article", ArticleFactory, {"title": "Knee care"}),
        ("condition", ConditionFactory, {"name": "Knee osteoarthritis"}),
        ("warning_sign", WarningSignFactory, {"text": "Sudden knee swelling."}),
        ("treatment", TreatmentFactory, {"name": "Knee brace"}),
    ],
)
def test_every_type_can_be_searched_and_filtered(api_client, db, type_, factory, fields):
    factory(slug="found", **fields)
    SymptomFactory(slug="other", name="Knee pain")

    response = api_client.get("/api/v1/search/", {"q": "knee", "type": type_})

    assert [(r["type"], r["slug"]) for r in response.json()["results"]] == [(type_, "found")]


def test_pages_are_linked_and_a_page_past_the_end_is_404(api_client, db):
    for n in range(5):
        SymptomFactory(slug=f"stiff-{n}", name="Stiffness", description="Stiff in the morning.")

    first = api_client.get("/api/v1/search/", {"q": "stiff", "page_size": 2})
    last = api_client.get("/api/v1/search/", {"q": "stiff", "page_size": 2, "page": 3})
    past = api_client.get("/api/v1/search/", {"q": "stiff", "page_size": 2, "page": 4})

    assert first.status_code == 200
    assert first.json()["count"] == 5
    assert [r["slug"] for r in first.json()["results"]] == ["stiff-0", "stiff-1"]
    assert first.json()["next"] == (
        "http://testserver/api/v1/search/?page=2&page_size=2&q=stiff"
    )
    assert first.json()["previous"] is None
    assert [r["slug"] for r in last.json()["results"]] == ["stiff-4"]
    assert last.json()["next"] is None
    assert past.status_code == 404
    assert past["Content-Type"] == PROBLEM


def test_page_size_is_capped_at_100(api_client, db):
    SymptomFactory(slug="stiffness", name="Stiffness")

    response = api_client.get("/api/v1/search/", {"q": "stiffness", "page_size": 1000})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "two"}, {"page_size": "0"}])
def test_malformed_page_parameters_are_400(api_client, db, params):
    response = api_client.get("/api/v1/search/", {"q": "knee", **params})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == next(iter(params))


@time_machine.travel(NOW, tick=False)
def test_unpublished_and_expired_content_is_never_found(api_client, db):
    ConditionFactory(slug="live", name="Knee pain")
    ConditionFactory(slug="unpublished", name="Knee pain", live=False)
    ConditionFactory(slug="expired", name="Knee pain", expire_at=NOW - dt.timedelta(seconds=1))
    ConditionFactory(slug="expiring", name="Knee pain", expire_at=NOW + dt.timedelta(days=1))

    response = api_client.get("/api/v1/search/", {"q": "knee pain"})

    assert sorted(r["slug"] for r in response.json()["results"]) == ["expiring", "live"]
    assert response.json()["count"] == 2


def test_expiry_takes_effect_at_the_second_it_passes(api_client, db):
    ConditionFactory(slug="expiring", name="Knee pain", expire_at=NOW + dt.timedelta(minutes=1))

    with time_machine.travel(NOW, tick=False):
        before = api_client.get("/api/v1/search/", {"q": "knee"}).json()["count"]
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        after = api_client.get("/api/v1/search/", {"q": "knee"}).json()["count"]

    assert (before, after) == (1, 0)


def test_article_text_in_sections_and_items_is_searchable(api_client, db):
    article = ArticleFactory(slug="hip-and-knee", title="Hip and knee", summary="An overview.")
    section = SectionFactory(article=article, body="<p>Rest &amp; <em>gentle</em> walking.</p>")
    SectionItemFactory(section=section, text="Try aquajogging twice a week.")

    walking = api_client.get("/api/v1/search/", {"q": "walk"}).json()
    jogging = api_client.get("/api/v1/search/", {"q": "aquajogging"}).json()

    assert [(r["slug"], r["snippet"]) for r in walking["results"]] == [
        ("hip-and-knee", "Rest &amp; gentle <mark>walking</mark>. Try aquajogging twice a week.")
    ]
    assert [r["slug"] for r in jogging["results"]] == ["hip-and-knee"]


def test_synonyms_find_what_the_content_calls_by_another_name(api_client, db):
    Synonym.objects.create(name="physio", terms=["physio", "physical therapy"])
    TreatmentFactory(slug="physical-therapy", name="Physical therapy", description="Exercises.")

    response = api_client.get("/api/v1/search/", {"q": "Physios"})

    assert [r["slug"] for r in response.json()["results"]] == ["physical-therapy"]


def test_search_is_ranked_not_strict_and(api_client, db):
    SymptomFactory(
        slug="reduced-range-of-motion",
        name="Reduced range of motion",
        description="Difficulty bending or straightening the knee fully.",
    )
    SymptomFactory(slug="knee-swelling", name="Swelling", description="A swollen knee.")
    SymptomFactory(slug="hip-pain", name="Hip pain", description="An ache in the hip.")

    response = api_client.get("/api/v1/search/", {"q": "can't bend my knee"})

    assert [r["slug"] for r in response.json()["results"]] == [
        "reduced-range-of-motion",
        "knee-swelling",
    ]


def test_lists_search_filter_uses_the_same_engine(api_client, db):
    Synonym.objects.create(name="runner's knee", terms=["runner's knee", "patellofemoral pain"])
    ConditionFactory(slug="pfps", name="Patellofemoral pain syndrome", body_region="knee")
    ConditionFactory(slug="other", name="Hip bursitis")

    response = api_client.get("/api/v1/conditions/", {"search": "runners knee"})

    assert response.status_code == 200
    assert [r["slug"] for r in response.json()["results"]] == ["pfps"]


@pytest.fixture
def five_knees(db):
    """Five published symptoms matching "knee"."""
    for n in range(5):
        SymptomFactory(slug=f"knee-{n}", name=f"Knee ache {n}", description="Aching.")


def test_the_count_is_exact_up_to_the_bound(api_client, five_knees, settings):
    settings.SEARCH_EXACT_COUNT_UP_TO = 5

    body = api_client.get("/api/v1/search/", {"q": "knee", "page_size": 2}).json()

    assert (body["count"], body["count_is_estimate"]) == (5, False)
    assert [r["slug"] for r in body["results"]] == ["knee-0", "knee-1"]


def test_beyond_the_bound_postgresql_estimates_the_count_and_says_so(
    api_client, five_knees, settings
):
    settings.SEARCH_EXACT_COUNT_UP_TO = 3

    response = api_client.get("/api/v1/search/", {"q": "knee", "page_size": 2})

    body = response.json()
    assert response.status_code == 200
    # PostgreSQL stops counting after the bound and estimates from a sample of the table
    # (the whole table while it has no statistics: then the estimate is exact); SQLite's
    # engine scores every row and always counts exactly.
    on_postgresql = connection.vendor == "postgresql"
    assert (body["count"], body["count_is_estimate"]) == (5, on_postgresql)
    assert [r["slug"] for r in body["results"]] == ["knee-0", "knee-1"]
    assert body["next"] == "http://testserver/api/v1/search/?page=2&page_size=2&q=knee"
