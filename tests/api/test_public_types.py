"""What holds for every public type: visibility, pagination, HEAD and constant query counts."""

import datetime as dt

import pytest

from content.choices import ItemGroup, SectionKind
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

T0 = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]

#: path -> (factory, queries of a list page, queries of a detail)
TYPES = {
    "articles": (ArticleFactory, 3, 4),
    "conditions": (ConditionFactory, 7, 6),
    "causes": (CauseFactory, 3, 2),
    "symptoms": (SymptomFactory, 3, 2),
    "warning-signs": (WarningSignFactory, 3, 2),
    "treatments": (TreatmentFactory, 3, 2),
}


def make_rows(path: str, count: int) -> None:
    """`count` published rows of a type, each with published relations to load."""
    factory = TYPES[path][0]
    for _ in range(count):
        if path == "articles":
            factory(conditions=ConditionFactory.create_batch(2))
        elif path == "conditions":
            condition = factory()
            for linked in (CauseFactory, SymptomFactory, WarningSignFactory, TreatmentFactory):
                linked.create_batch(2, conditions=[condition])
        else:
            factory(conditions=ConditionFactory.create_batch(2))


@pytest.mark.parametrize("path", TYPES)
def test_list_query_count_does_not_grow_with_rows_or_page_size(
    api_client, django_assert_num_queries, path
):
    queries = TYPES[path][1] + CACHE_MISS  # each request is the first after rows were written
    make_rows(path, 3)
    with django_assert_num_queries(queries):
        response = api_client.get(f"/api/v1/{path}/?page_size=2")
    assert len(response.json()["results"]) == 2

    make_rows(path, 60)
    with django_assert_num_queries(queries):
        response = api_client.get(f"/api/v1/{path}/?page_size=100")
    assert len(response.json()["results"]) == 63


@pytest.mark.parametrize("path", TYPES)
def test_detail_query_count_is_constant(api_client, django_assert_num_queries, path):
    factory, _, rendering = TYPES[path]
    queries = rendering + CACHE_MISS + STORED_LOOKUP
    row = factory(slug="one")
    if path == "articles":  # the two extra queries load sections, then their items
        SectionItemFactory(section__article=row, symptom=SymptomFactory())
    make_rows(path, 1)

    with django_assert_num_queries(queries):
        response = api_client.get(f"/api/v1/{path}/one/")

    assert response.status_code == 200


@pytest.mark.parametrize("path", TYPES)
def test_unpublished_and_expired_rows_are_invisible_at_the_second(
    api_client, time_machine, path
):
    factory = TYPES[path][0]
    factory(slug="live")
    factory(slug="unpublished", live=False)
    factory(slug="expires-next-second", expire_at=T0 + dt.timedelta(seconds=1))
    factory(slug="expired", expire_at=T0)

    def visible() -> list[str]:
        response = api_client.get(f"/api/v1/{path}/?ordering=updated_at")
        assert response.json()["count"] == len(response.json()["results"])
        return sorted(row["slug"] for row in response.json()["results"])

    assert visible() == ["expires-next-second", "live"]
    assert api_client.get(f"/api/v1/{path}/expires-next-second/").status_code == 200
    for slug in ["unpublished", "expired"]:
        response = api_client.get(f"/api/v1/{path}/{slug}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"

    time_machine.move_to(T0 + dt.timedelta(seconds=1), tick=False)

    assert visible() == ["live"]
    assert api_client.get(f"/api/v1/{path}/expires-next-second/").status_code == 404


def test_relations_and_entity_links_drop_items_at_the_second_they_expire(
    api_client, time_machine
):
    condition = ConditionFactory(slug="hip-bursitis", expire_at=T0 + dt.timedelta(seconds=1))
    cause = CauseFactory(slug="referred-pain", conditions=[condition],
                         expire_at=T0 + dt.timedelta(seconds=1))
    ConditionFactory(slug="stays")
    article = ArticleFactory(slug="a", conditions=[condition])
    SectionItemFactory(
        section=SectionFactory(article=article, kind=SectionKind.CAUSES),
        group=ItemGroup.CAUSES,
        cause=cause,
    )
    CauseFactory(slug="stays-too", conditions=[condition])

    def snapshot():
        article = api_client.get("/api/v1/articles/a/").json()
        return {
            "article.conditions": [c["slug"] for c in article["conditions"]],
            "entity": article["sections"][0]["items"][0]["entity"],
            "cause.conditions": [
                c["slug"] for c in api_client.get("/api/v1/causes/stays-too/").json()["conditions"]
            ],
            "condition.causes": [
                c["slug"] for c in api_client.get("/api/v1/conditions/?ordering=name").json()[
                    "results"][-1]["causes"]
            ],
            "causes?condition=": api_client.get(
                "/api/v1/causes/?condition=hip-bursitis").json()["count"],
            "articles?condition=": api_client.get(
                "/api/v1/articles/?condition=hip-bursitis").json()["count"],
        }

    before = snapshot()
    assert before["article.conditions"] == ["hip-bursitis"]
    assert before["entity"] == {
        "type": "cause",
        "slug": "referred-pain",
        "url": "http://testserver/api/v1/causes/referred-pain/",
    }
    assert before["cause.conditions"] == ["hip-bursitis"]
    assert before["causes?condition="] == 2
    assert before["articles?condition="] == 1

    time_machine.move_to(T0 + dt.timedelta(seconds=1), tick=False)

    assert snapshot() == {
        "article.conditions": [],
        "entity": None,
        "cause.conditions": [],
        "condition.causes": [],
        "causes?condition=": 0,
        "articles?condition=": 0,
    }


@pytest.mark.parametrize("path", TYPES)
def test_head_answers_like_get_without_a_body(api_client, path):
    TYPES[path][0](slug="one")

    for url in [f"/api/v1/{path}/", f"/api/v1/{path}/one/"]:
        get = api_client.get(url)
        head = api_client.head(url)
        assert head.status_code == 200, url
        assert head["Content-Type"] == "application/json"
        assert head["Content-Length"] == get["Content-Length"]
        assert head.content == b""

    head = api_client.head(f"/api/v1/{path}/missing/")
    assert head.status_code == 404
    assert head.content == b""


def test_pages_hold_20_by_default_and_link_to_each_other(api_client):
    for n in range(45):
        SymptomFactory(slug=f"s{n:02}", name=f"Symptom {n:02}")

    first = api_client.get("/api/v1/symptoms/").json()
    third = api_client.get("/api/v1/symptoms/?page=3").json()

    assert (first["count"], len(first["results"])) == (45, 20)
    assert first["next"] == "http://testserver/api/v1/symptoms/?page=2"
    assert first["previous"] is None
    assert [r["slug"] for r in first["results"]] == [f"s{n:02}" for n in range(20)]
    assert [r["slug"] for r in third["results"]] == [f"s{n:02}" for n in range(40, 45)]
    assert third["next"] is None
    assert third["previous"] == "http://testserver/api/v1/symptoms/?page=2"


def test_page_links_keep_the_filters(api_client):
    for n in range(3):
        SymptomFactory(slug=f"s{n}", name=f"Symptom {n}")

    response = api_client.get("/api/v1/symptoms/?frequency=common&page_size=1&page=2")

    assert response.json()["next"] == (
        "http://testserver/api/v1/symptoms/?frequency=common&page=3&page_size=1"
    )
    assert response.json()["previous"] == (
        "http://testserver/api/v1/symptoms/?frequency=common&page_size=1"
    )


def test_page_size_is_capped_at_100(api_client):
    for n in range(105):
        WarningSignFactory(slug=f"w{n:03}")

    response = api_client.get("/api/v1/warning-signs/?page_size=1000")

    assert response.status_code == 200
    assert (response.json()["count"], len(response.json()["results"])) == (105, 100)
    assert response.json()["next"] == (
        "http://testserver/api/v1/warning-signs/?page=2&page_size=1000"
    )


@pytest.mark.parametrize("page", ["2", "99999999999999999999999"])
def test_a_page_past_the_end_is_404(api_client, page):
    SymptomFactory()

    response = api_client.get(f"/api/v1/symptoms/?page={page}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:not-found",
        "title": "Not found.",
        "status": 404,
        "detail": f"Page {page} is past the end of the results.",
        "code": "not_found",
    }


def test_an_empty_list_is_one_empty_page(api_client):
    response = api_client.get("/api/v1/symptoms/")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page_size=0", "page_size"),
        ("page_size=abc", "page_size"),
        ("page_size=-5", "page_size"),
    ],
)
def test_malformed_page_parameters_are_400(api_client, query, field):
    SymptomFactory()

    response = api_client.get(f"/api/v1/symptoms/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": f"{field}: Enter a whole number of at least 1.",
        "code": "invalid",
        "errors": [
            {"field": field, "message": "Enter a whole number of at least 1.", "code": "invalid"}
        ],
    }


def make_matching_rows(path: str) -> None:
    """Three rows that every filter of `test_filters_add_no_queries` matches."""
    named = ConditionFactory(slug="c")
    if path == "articles":
        ArticleFactory.create_batch(3, conditions=[named, ConditionFactory()])
        return
    if path == "conditions":
        rows = [ConditionFactory(body_region="hip") for _ in range(3)]
        for row in rows:
            for linked in (CauseFactory, SymptomFactory, WarningSignFactory, TreatmentFactory):
                linked(conditions=[row])
        ArticleFactory(slug="a", conditions=rows)
        return
    factory, field, group, values = {
        "causes": (CauseFactory, "cause", ItemGroup.CAUSES, {"conditions": [named]}),
        "symptoms": (SymptomFactory, "symptom", ItemGroup.COMMON,
                     {"frequency": "common", "conditions": [named]}),
        "warning-signs": (WarningSignFactory, "warning_sign", ItemGroup.IMMEDIATE,
                          {"urgency": "immediate", "conditions": [named]}),
        "treatments": (TreatmentFactory, "treatment", ItemGroup.CONVENTIONAL,
                       {"category": "conventional", "conditions": [named]}),
    }[path]
    section = SectionFactory(article=ArticleFactory(slug="a"), kind=SectionKind.CAUSES)
    for position in range(1, 4):
        SectionItemFactory(section=section, position=position, group=group,
                           **{field: factory(**values)})


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("articles", "condition=c&updated_since=2026-01-01&ordering=-updated_at"),
        ("conditions", "body_region=hip&article=a&ordering=-name"),
        ("causes", "condition=c&article=a&ordering=updated_at"),
        ("symptoms", "frequency=common&condition=c&article=a&ordering=-name"),
        ("warning-signs", "urgency=immediate&condition=c&condition=d&article=a&ordering=-slug"),
        ("treatments", "category=conventional&condition=c&article=a&ordering=name"),
    ],
)
def test_filters_add_no_queries(api_client, django_assert_num_queries, path, query):
    make_matching_rows(path)

    with django_assert_num_queries(TYPES[path][1] + CACHE_MISS):
        response = api_client.get(f"/api/v1/{path}/?{query}")

    assert response.status_code == 200
    assert response.json()["count"] == 3
