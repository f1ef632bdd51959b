"""GET /api/v1/articles/, /{slug}/ and /{slug}/sections/{kind}/."""

import datetime as dt

import pytest

from content.choices import BodyRegion, ItemGroup, SectionKind
from tests.factories import (
    NOW,
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

NOT_REVIEWED = {
    "status": "not_reviewed",
    "last_reviewed": None,
    "next_review_due": None,
    "reviewed_by": None,
}
TIMELINE = [
    {"phase": "initial", "min": 4, "max": 6, "unit": "week"},
    {"phase": "full", "min": 3, "max": 6, "unit": "month"},
]


def hip_knee_article(**kwargs):
    """An article with two sections, items, an entity link and a reviewed live revision."""
    bursitis = ConditionFactory(
        slug="hip-bursitis", name="Hip bursitis", body_region=BodyRegion.HIP
    )
    withdrawn = ConditionFactory(slug="withdrawn-condition", name="Withdrawn", live=False)
    referred = CauseFactory(slug="referred-pain", name="Referred Pain")
    expired_cause = CauseFactory(
        slug="expired-cause", name="Expired", expire_at=NOW + dt.timedelta(days=1)
    )
    article = ArticleFactory(
        slug="hip-problems-and-knee-pain",
        title="Can Hip Problems Cause Knee Pain?",
        summary="Hip problems can place undue stress on your knees.",
        conditions=[bursitis, withdrawn],
        version=3,
        reading_grade=6.5,
        last_reviewed=dt.date(2026, 1, 14),
        next_review_due=dt.date(2027, 1, 14),
        reviewed_by_name="Dr Rita Shah",
        reviewed_by_credentials="MBBS, FRCS (Orth)",
        **kwargs,
    )
    causes = SectionFactory(
        article=article,
        kind=SectionKind.CAUSES,
        heading="Causes",
        position=1,
        body="<p>Hip issues can contribute to knee pain.</p>",
        groups=[{"group": "causes", "heading": "Here are several potential causes"}],
    )
    SectionItemFactory(
        section=causes,
        position=1,
        group=ItemGroup.CAUSES,
        title="Referred Pain",
        text="Bursitis can cause referred pain.",
        cause=referred,
    )
    SectionItemFactory(
        section=causes,
        position=2,
        group=ItemGroup.CAUSES,
        title="Expired",
        text="A link to an expired cause.",
        cause=expired_cause,
    )
    recovery = SectionFactory(
        article=article,
        kind=SectionKind.RECOVERY,
        heading="Recovery",
        position=2,
        # Published rows store their blocks' layout (content/blocks.py): the closing
        # paragraph stands after the list. The causes section above stores none, as rows
        # written before blocks: it reads as its paragraphs, then its lists.
        blocks=[
            {"type": "paragraph", "body": "<p>Initial recovery may take 4 to 6 weeks.</p>"},
            {"type": "list", "group": "tips", "heading": "Consider the following tips"},
            {"type": "paragraph", "body": "<p>Be patient.</p>"},
        ],
        body="<p>Initial recovery may take 4 to 6 weeks.</p><p>Be patient.</p>",
        groups=[{"group": "tips", "heading": "Consider the following tips"}],
        timeline=TIMELINE,
    )
    SectionItemFactory(
        section=recovery, position=1, group=ItemGroup.TIPS, title=None, text="Rest well."
    )
    return article


CAUSES_SECTION = {
    "kind": "causes",
    "heading": "Causes",
    "position": 1,
    "health_aspect": "CausesHealthAspect",
    "blocks": [
        {"type": "paragraph", "body": "<p>Hip issues can contribute to knee pain.</p>"},
        {
            "type": "list",
            "group": "causes",
            "heading": "Here are several potential causes",
            "items": [
                {
                    "title": "Referred Pain",
                    "text": "Bursitis can cause referred pain.",
                    "entity": {
                        "type": "cause",
                        "slug": "referred-pain",
                        "url": "http://testserver/api/v1/causes/referred-pain/",
                    },
                },
                {"title": "Expired", "text": "A link to an expired cause.", "entity": None},
            ],
        },
    ],
    "body": "<p>Hip issues can contribute to knee pain.</p>",
    "groups": [{"group": "causes", "heading": "Here are several potential causes"}],
    "items": [
        {
            "group": "causes",
            "title": "Referred Pain",
            "text": "Bursitis can cause referred pain.",
            "entity": {
                "type": "cause",
                "slug": "referred-pain",
                "url": "http://testserver/api/v1/causes/referred-pain/",
            },
        },
        {
            "group": "causes",
            "title": "Expired",
            "text": "A link to an expired cause.",
            "entity": None,
        },
    ],
    "timeline": None,
}
RECOVERY_SECTION = {
    "kind": "recovery",
    "heading": "Recovery",
    "position": 2,
    "health_aspect": "PrognosisHealthAspect",
    "blocks": [
        {"type": "paragraph", "body": "<p>Initial recovery may take 4 to 6 weeks.</p>"},
        {
            "type": "list",
            "group": "tips",
            "heading": "Consider the following tips",
            "items": [{"title": None, "text": "Rest well.", "entity": None}],
        },
        {"type": "paragraph", "body": "<p>Be patient.</p>"},
    ],
    "body": "<p>Initial recovery may take 4 to 6 weeks.</p><p>Be patient.</p>",
    "groups": [{"group": "tips", "heading": "Consider the following tips"}],
    "items": [{"group": "tips", "title": None, "text": "Rest well.", "entity": None}],
    "timeline": TIMELINE,
}
ARTICLE_LIST_ITEM = {
    "slug": "hip-problems-and-knee-pain",
    "url": "http://testserver/api/v1/articles/hip-problems-and-knee-pain/",
    "title": "Can Hip Problems Cause Knee Pain?",
    "summary": "Hip problems can place undue stress on your knees.",
    "language": "en",
    "conditions": [
        {
            "type": "condition",
            "slug": "hip-bursitis",
            "name": "Hip bursitis",
            "url": "http://testserver/api/v1/conditions/hip-bursitis/",
        }
    ],
    "reading_grade": 6.5,
    "version": 3,
    "first_published_at": "2026-01-15T09:30:00+00:00",
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "reviewed",
        "last_reviewed": "2026-01-14",
        "next_review_due": "2027-01-14",
        "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS, FRCS (Orth)"},
    },
}


def test_detail_returns_the_whole_article(api_client, django_assert_num_queries):
    hip_knee_article()

    with django_assert_num_queries(4 + CACHE_MISS + STORED_LOOKUP):
        response = api_client.get("/api/v1/articles/hip-problems-and-knee-pain/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "slug": "hip-problems-and-knee-pain",
        "url": "http://testserver/api/v1/articles/hip-problems-and-knee-pain/",
        "title": "Can Hip Problems Cause Knee Pain?",
        "summary": "Hip problems can place undue stress on your knees.",
        "language": "en",
        "conditions": [
            {
                "type": "condition",
                "slug": "hip-bursitis",
                "name": "Hip bursitis",
                "url": "http://testserver/api/v1/conditions/hip-bursitis/",
            }
        ],
        "reading_grade": 6.5,
        "sections": [CAUSES_SECTION, RECOVERY_SECTION],
        "version": 3,
        "first_published_at": "2026-01-15T09:30:00+00:00",
        "updated_at": "2026-01-15T09:30:00+00:00",
        "review": {
            "status": "reviewed",
            "last_reviewed": "2026-01-14",
            "next_review_due": "2027-01-14",
            "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS, FRCS (Orth)"},
        },
    }


def test_list_returns_articles_without_sections(api_client, django_assert_num_queries):
    hip_knee_article()

    with django_assert_num_queries(3 + CACHE_MISS):
        response = api_client.get("/api/v1/articles/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [ARTICLE_LIST_ITEM],
    }


def test_list_filters_by_the_highest_reading_grade(api_client):
    ArticleFactory(slug="plain", reading_grade=6.5)
    ArticleFactory(slug="at-target", reading_grade=8.0)
    ArticleFactory(slug="dense", reading_grade=11.2)
    ArticleFactory(slug="not-measured", reading_grade=None)

    response = api_client.get("/api/v1/articles/?max_reading_grade=8&ordering=title")

    assert response.status_code == 200
    assert sorted(a["slug"] for a in response.json()["results"]) == ["at-target", "plain"]
    refused = api_client.get("/api/v1/articles/?max_reading_grade=easy")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "max_reading_grade"


def test_list_query_count_does_not_grow_with_rows_or_page_size(
    api_client, django_assert_num_queries
):
    conditions = ConditionFactory.create_batch(3)
    for _ in range(3):
        ArticleFactory(conditions=conditions)
    with django_assert_num_queries(3 + CACHE_MISS):
        assert len(api_client.get("/api/v1/articles/?page_size=2").json()["results"]) == 2

    for _ in range(40):
        ArticleFactory(conditions=conditions)
    with django_assert_num_queries(3 + CACHE_MISS):
        assert len(api_client.get("/api/v1/articles/?page_size=100").json()["results"]) == 43


def test_detail_query_count_does_not_grow_with_sections_or_items(
    api_client, django_assert_num_queries
):
    article = ArticleFactory(slug="big", conditions=ConditionFactory.create_batch(5))
    for position, kind in enumerate(SectionKind.values, start=1):
        section = SectionFactory(article=article, kind=kind, position=position)
        for n in range(1, 6):
            SectionItemFactory(
                section=section, position=n, group=ItemGroup.TIPS, symptom=SymptomFactory()
            )

    with django_assert_num_queries(4 + CACHE_MISS + STORED_LOOKUP):
        response = api_client.get("/api/v1/articles/big/")

    assert [s["kind"] for s in response.json()["sections"]] == SectionKind.values
    assert all(len(s["items"]) == 5 for s in response.json()["sections"])


def test_item_entities_of_every_type_link_to_their_details(api_client):
    article = ArticleFactory(slug="links")
    section = SectionFactory(article=article, kind=SectionKind.TREATMENT, position=1)
    SectionItemFactory(
        section=section, position=1, group=ItemGroup.CONVENTIONAL, text="Physio.",
        treatment=TreatmentFactory(slug="physical-therapy"),
    )
    SectionItemFactory(
        section=section, position=2, group=ItemGroup.CONVENTIONAL, text="Bursitis.",
        condition=ConditionFactory(slug="hip-bursitis"),
    )
    SectionItemFactory(
        section=section, position=3, group=ItemGroup.CONVENTIONAL, text="Unpublished.",
        treatment=TreatmentFactory(slug="withdrawn", live=False),
    )

    response = api_client.get("/api/v1/articles/links/")

    assert [item["entity"] for item in response.json()["sections"][0]["items"]] == [
        {
            "type": "treatment",
            "slug": "physical-therapy",
            "url": "http://testserver/api/v1/treatments/physical-therapy/",
        },
        {
            "type": "condition",
            "slug": "hip-bursitis",
            "url": "http://testserver/api/v1/conditions/hip-bursitis/",
        },
        None,
    ]


def test_section_endpoint_returns_one_whole_section(api_client, django_assert_num_queries):
    hip_knee_article()

    with django_assert_num_queries(3 + CACHE_MISS + STORED_LOOKUP):
        response = api_client.get(
            "/api/v1/articles/hip-problems-and-knee-pain/sections/causes/"
        )

    assert response.status_code == 200
    assert response.json() == CAUSES_SECTION


def test_section_endpoint_serves_the_recovery_timeline(api_client):
    hip_knee_article()

    response = api_client.get("/api/v1/articles/hip-problems-and-knee-pain/sections/recovery/")

    assert response.status_code == 200
    assert response.json() == RECOVERY_SECTION


def test_section_endpoint_refuses_an_unknown_kind(api_client):
    hip_knee_article()

    response = api_client.get("/api/v1/articles/hip-problems-and-knee-pain/sections/prognosis/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": "There is no section kind 'prognosis'; the kinds are: introduction, causes, "
        "symptoms, when_to_see_a_doctor, treatment, recovery, conclusion.",
        "code": "not_found",
    }


def test_section_endpoint_is_404_for_a_kind_the_article_lacks(api_client):
    hip_knee_article()

    response = api_client.get(
        "/api/v1/articles/hip-problems-and-knee-pain/sections/conclusion/"
    )

    assert response.status_code == 404
    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": "The article 'hip-problems-and-knee-pain' has no conclusion section.",
        "code": "not_found",
    }


@pytest.mark.parametrize(
    "changes",
    [{"live": False}, {"expire_at": NOW}],
    ids=["unpublished", "expired"],
)
def test_section_endpoint_hides_an_unpublished_or_expired_article(api_client, changes):
    hip_knee_article(**changes)

    response = api_client.get("/api/v1/articles/hip-problems-and-knee-pain/sections/causes/")

    assert response.status_code == 404
    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": "There is no published article 'hip-problems-and-knee-pain'.",
        "code": "not_found",
    }


def test_head_answers_like_get_without_a_body(api_client):
    hip_knee_article()

    for path in [
        "/api/v1/articles/",
        "/api/v1/articles/hip-problems-and-knee-pain/",
        "/api/v1/articles/hip-problems-and-knee-pain/sections/recovery/",
    ]:
        get = api_client.get(path)
        head = api_client.head(path)
        assert (head.status_code, head["Content-Type"]) == (200, "application/json"), path
        assert head.content == b"", path
        assert head["Content-Length"] == get["Content-Length"], path


def test_review_status_is_overdue_once_next_review_due_has_passed(api_client, time_machine):
    hip_knee_article()
    time_machine.move_to(dt.datetime(2027, 1, 14, 23, 59, tzinfo=dt.UTC), tick=False)
    assert api_client.get("/api/v1/articles/").json()["results"][0]["review"]["status"] == (
        "reviewed"
    )

    time_machine.move_to(dt.datetime(2027, 1, 15, 0, 0, tzinfo=dt.UTC), tick=False)
    response = api_client.get("/api/v1/articles/hip-problems-and-knee-pain/")

    assert response.json()["review"] == {
        "status": "overdue",
        "last_reviewed": "2026-01-14",
        "next_review_due": "2027-01-14",
        "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS, FRCS (Orth)"},
    }


def test_reviewer_without_credentials_shows_null_credentials(api_client):
    ArticleFactory(
        slug="a", last_reviewed=dt.date(2026, 1, 14), next_review_due=dt.date(2027, 1, 14),
        reviewed_by_name="Dr Rita Shah", reviewed_by_credentials="",
    )

    response = api_client.get("/api/v1/articles/a/")

    assert response.json()["review"]["reviewed_by"] == {"name": "Dr Rita Shah",
                                                        "credentials": None}


def list_slugs(api_client, query: str = "") -> list[str]:
    response = api_client.get(f"/api/v1/articles/{query}")
    assert response.status_code == 200, response.json()
    return [article["slug"] for article in response.json()["results"]]


def test_unpublished_and_expired_articles_are_never_visible(api_client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC), tick=False)
    ArticleFactory(slug="live", title="B")
    ArticleFactory(slug="unpublished", title="C", live=False)
    ArticleFactory(
        slug="expiring", title="A", expire_at=dt.datetime(2026, 3, 1, 12, 0, 1, tzinfo=dt.UTC)
    )
    ArticleFactory(
        slug="expired", title="D", expire_at=dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    )

    assert list_slugs(api_client) == ["expiring", "live"]
    assert api_client.get("/api/v1/articles/").json()["count"] == 2
    assert api_client.get("/api/v1/articles/expiring/").status_code == 200
    for slug in ["unpublished", "expired"]:
        response = api_client.get(f"/api/v1/articles/{slug}/")
        assert response.status_code == 404
        assert response.json()["detail"] == f"There is no published article '{slug}'."

    time_machine.move_to(dt.datetime(2026, 3, 1, 12, 0, 1, tzinfo=dt.UTC), tick=False)

    assert list_slugs(api_client) == ["live"]
    assert api_client.get("/api/v1/articles/").json()["count"] == 1
    assert api_client.get("/api/v1/articles/expiring/").status_code == 404


def test_a_draft_created_through_the_services_is_not_visible(api_client):
    from content.choices import ContentType
    from content.services.versioning import document_create

    document_create(
        type_=ContentType.ARTICLE,
        data={
            "slug": "draft-article",
            "title": "A draft",
            "summary": "Not yet published.",
            "language": "en",
            "conditions": [],
            "sections": [],
        },
        author=None,
    )

    assert list_slugs(api_client) == []
    assert api_client.get("/api/v1/articles/draft-article/").status_code == 404


def test_search_filter_narrows_the_list(api_client):
    ArticleFactory(slug="fracture", title="Recovering from a hip fracture")
    ArticleFactory(slug="runners", title="Knee pain in runners")

    assert list_slugs(api_client, "?search=fracture") == ["fracture"]
    assert list_slugs(api_client, "?search=") == ["runners", "fracture"]
    assert list_slugs(api_client, "?search=zebra") == []


def test_condition_filter_lists_articles_naming_a_published_condition(api_client):
    bursitis = ConditionFactory(slug="hip-bursitis")
    withdrawn = ConditionFactory(slug="withdrawn", live=False)
    ArticleFactory(slug="a-bursitis", title="A", conditions=[bursitis])
    ArticleFactory(slug="b-both", title="B", conditions=[bursitis, withdrawn])
    ArticleFactory(slug="c-withdrawn", title="C", conditions=[withdrawn])
    ArticleFactory(slug="d-unpublished", title="D", conditions=[bursitis], live=False)

    assert list_slugs(api_client, "?condition=hip-bursitis") == [
        "a-bursitis", "b-both"
    ]
    assert list_slugs(api_client, "?condition=withdrawn") == []
    assert list_slugs(api_client, "?condition=no-such-condition") == []


def test_several_conditions_list_articles_naming_any_of_them_once(api_client):
    bursitis, fracture = ConditionFactory(slug="hip-bursitis"), ConditionFactory(slug="fracture")
    ArticleFactory(slug="a-bursitis", title="A", conditions=[bursitis])
    ArticleFactory(slug="b-both", title="B", conditions=[bursitis, fracture])
    ArticleFactory(slug="c-fracture", title="C", conditions=[fracture])
    ArticleFactory(slug="d-neither", title="D")

    assert list_slugs(api_client, "?condition=hip-bursitis&condition=fracture") == [
        "a-bursitis", "b-both", "c-fracture"]
    assert list_slugs(api_client, "?condition=fracture&condition=no-such-condition") == [
        "b-both", "c-fracture"]
    response = api_client.get("/api/v1/articles/?condition=fracture&condition=Not_A_Slug")
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, "invalid_slug")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-15T09:30:00%2B00:00", ["at", "after"]),
        ("2026-01-15T09:30:00Z", ["at", "after"]),
        ("2026-01-15T09:30:00", ["at", "after"]),  # naive: UTC
        ("2026-01-15T10:30:00%2B01:00", ["at", "after"]),
        ("2026-01-15T10:30:00+01:00", ["at", "after"]),  # unencoded '+' arrives as a space
        ("2026-01-15T09:30:00.000001Z", ["after"]),
        ("2026-01-15", ["before", "at", "after"]),  # 00:00 UTC that day
        ("2026-01-16", ["after"]),
        ("2026-01-17", []),
    ],
)
def test_updated_since_accepts_dates_and_date_times_inclusively(api_client, value, expected):
    ArticleFactory(slug="before", title="1", updated_at=NOW - dt.timedelta(hours=1))
    ArticleFactory(slug="at", title="2", updated_at=NOW)
    ArticleFactory(slug="after", title="3", updated_at=NOW + dt.timedelta(days=1))

    assert list_slugs(api_client, f"?updated_since={value}") == expected


@pytest.mark.parametrize(
    ("query", "field", "message", "code"),
    [
        (
            "updated_since=yesterday",
            "updated_since",
            "Enter an ISO 8601 date (2026-01-15) or date-time (2026-01-15T09:30:00+02:00).",
            "invalid",
        ),
        (
            "updated_since=2026-02-30",
            "updated_since",
            "Enter an ISO 8601 date (2026-01-15) or date-time (2026-01-15T09:30:00+02:00).",
            "invalid",
        ),
        (
            "updated_since=0001-01-01T00:00:00%2B05:00",
            "updated_since",
            "Enter an ISO 8601 date (2026-01-15) or date-time (2026-01-15T09:30:00+02:00).",
            "invalid",
        ),
        (
            "condition=Hip%20Bursitis",
            "condition",
            "Enter a slug: lowercase letters and digits separated by hyphens, e.g. hip-bursitis.",
            "invalid_slug",
        ),
        (
            "ordering=name",
            "ordering",
            "“name” is not one of: title, -title, updated_at, -updated_at.",
            "invalid_choice",
        ),
        (
            f"search={'knee ' * 41}",
            "search",
            "Ensure this value has at most 200 characters (it has 204).",
            "max_length",
        ),
    ],
)
def test_invalid_filter_values_are_400_naming_the_parameter(
    api_client, query, field, message, code
):
    ArticleFactory()

    response = api_client.get(f"/api/v1/articles/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": f"{field}: {message}",
        "code": "invalid",
        "errors": [{"field": field, "message": message, "code": code}],
    }


LIST_TAKES = ("this endpoint takes: `search`, `condition`, `updated_since`, "
              "`max_reading_grade`, `ordering`, `page`, `page_size`, `format`.")


def test_unknown_query_parameters_are_400_naming_them_and_what_is_taken(api_client):
    ArticleFactory(slug="a")

    response = api_client.get("/api/v1/articles/?frequency=rare&colour=blue&page=1")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    message = f"Unknown query parameter; {LIST_TAKES}"
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": f"frequency: {message}; colour: {message}",
        "code": "invalid",
        "errors": [
            {"field": "frequency", "message": message, "code": "unknown_parameter"},
            {"field": "colour", "message": message, "code": "unknown_parameter"},
        ],
    }


def test_a_detail_refuses_list_filters_and_takes_body_format(api_client):
    ArticleFactory(slug="a")

    refused = api_client.get("/api/v1/articles/a/?ordering=title")
    section = api_client.get("/api/v1/articles/a/sections/bogus/?search=zebra")
    taken = api_client.get("/api/v1/articles/a/?body_format=text&format=json")

    message = "Unknown query parameter; this endpoint takes: `body_format`, `format`."
    assert refused.status_code == section.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "ordering", "message": message, "code": "unknown_parameter"}]
    assert section.json()["errors"] == [
        {"field": "search", "message": message, "code": "unknown_parameter"}]
    assert (taken.status_code, taken.json()["slug"]) == (200, "a")


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["b-alpha", "c-alpha", "a-beta"]),
        ("title", ["b-alpha", "c-alpha", "a-beta"]),
        ("-title", ["a-beta", "b-alpha", "c-alpha"]),
        ("updated_at", ["c-alpha", "a-beta", "b-alpha"]),
        ("-updated_at", ["a-beta", "b-alpha", "c-alpha"]),
        ("-updated_at,-title", ["a-beta", "b-alpha", "c-alpha"]),
    ],
)
def test_ordering_is_deterministic_with_ties_broken_by_slug(api_client, ordering, expected):
    ArticleFactory(slug="c-alpha", title="Alpha", updated_at=NOW - dt.timedelta(days=1))
    ArticleFactory(slug="b-alpha", title="Alpha", updated_at=NOW)
    ArticleFactory(slug="a-beta", title="Beta", updated_at=NOW)

    assert list_slugs(api_client, f"?ordering={ordering}") == expected
