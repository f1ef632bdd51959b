"""What an edge cache is told about each public response (content/caching/edge.py): the
surrogate keys in three header forms (the items shown, linked entities, the collection, `all`),
and, with an edge configured, its own lifetime beside the browser's, bounded by the next
moment time alone changes the content, and stale-if-error."""

import datetime as dt

import pytest
import time_machine

from content.caching.edge import change_keys, edge_lifetime, response_keys
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

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BROWSER = "public, max-age=60, stale-while-revalidate=300"

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]


@pytest.fixture
def content():
    """An article naming a condition and linking a symptom and a warning sign; a cause of the
    condition; an unrelated treatment."""
    condition = ConditionFactory(slug="hip-oa")
    CauseFactory(slug="arthritis", conditions=[condition])
    symptom = SymptomFactory(slug="stiffness", name="Morning stiffness")
    sign = WarningSignFactory(slug="recent-fall")
    TreatmentFactory(slug="ice")
    article = ArticleFactory(slug="hip-and-knee", conditions=[condition])
    section = SectionFactory(article=article, kind=SectionKind.SYMPTOMS, position=1)
    SectionItemFactory(section=section, group=ItemGroup.COMMON, symptom=symptom)
    SectionItemFactory(section=section, group=ItemGroup.COMMON, warning_sign=sign)


@pytest.fixture
def edge(settings):
    settings.HIPKNEE_EDGE_PURGE_URL = "http://127.0.0.1:9/"
    return settings


def keys(response) -> list[str]:
    return response["xkey"].split(" ")


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/v1/articles/hip-and-knee/",
     ["all", "article:hip-and-knee", "condition:hip-oa", "symptom:stiffness",
      "warning_sign:recent-fall"]),
    ("/api/v1/articles/hip-and-knee/sections/symptoms/",
     ["all", "article:hip-and-knee", "symptom:stiffness", "warning_sign:recent-fall"]),
    ("/api/v1/conditions/hip-oa/",
     ["all", "condition:hip-oa", "article:hip-and-knee", "cause:arthritis"]),
    ("/api/v1/causes/arthritis/", ["all", "cause:arthritis", "condition:hip-oa"]),
    ("/api/v1/treatments/ice/", ["all", "treatment:ice"]),
    ("/api/v1/articles/", ["all", "list:article", "article:hip-and-knee", "condition:hip-oa"]),
    ("/api/v1/warning-signs/?urgency=see_a_doctor",
     ["all", "list:warning_sign", "warning_sign:recent-fall"]),
    ("/api/v1/search/?q=stiffness", ["all", "search", "symptom:stiffness"]),
    ("/api/v1/", ["all", "index"]),
])
def test_every_public_response_names_what_it_shows_in_three_header_forms(
    api_client, content, path, expected
):
    response = api_client.get(path)

    assert response.status_code == 200
    assert keys(response) == expected
    assert response["Surrogate-Key"] == " ".join(expected)
    assert response["Cache-Tag"] == ",".join(expected)


def test_the_cached_copy_and_jsonld_carry_the_same_keys(api_client, content):
    first = api_client.get("/api/v1/conditions/hip-oa/")
    cached = api_client.get("/api/v1/conditions/hip-oa/")
    jsonld = api_client.get("/api/v1/conditions/hip-oa/", HTTP_ACCEPT="application/ld+json")

    assert cached["xkey"] == first["xkey"]
    assert jsonld["Content-Type"].startswith("application/ld+json")
    assert set(keys(jsonld)) >= {"all", "condition:hip-oa", "cause:arthritis"}


def test_without_an_edge_the_cache_control_is_the_browsers_only(api_client, content):
    response = api_client.get("/api/v1/symptoms/stiffness/")

    assert response["Cache-Control"] == BROWSER
    assert "Surrogate-Control" not in response


def test_with_an_edge_it_may_keep_a_response_a_day_and_serve_it_stale_on_errors(
    api_client, content, edge
):
    response = api_client.get("/api/v1/symptoms/stiffness/")
    cached = api_client.get("/api/v1/symptoms/stiffness/")
    revalidated = api_client.get("/api/v1/symptoms/stiffness/",
                                 HTTP_IF_NONE_MATCH=response["ETag"])

    edge_part = "s-maxage=86400, stale-if-error=86400"
    for answer in (response, cached, revalidated):
        assert answer["Cache-Control"] == f"{BROWSER}, {edge_part}"
        assert answer["Surrogate-Control"] == "max-age=86400, stale-if-error=86400"
    assert revalidated.status_code == 304


def test_the_edge_lifetime_ends_when_an_item_expires(api_client, content, edge):
    SymptomFactory(slug="swelling", expire_at=T0 + dt.timedelta(minutes=10))

    response = api_client.get("/api/v1/treatments/ice/")

    assert response["Surrogate-Control"] == "max-age=600, stale-if-error=86400"
    assert response["Cache-Control"].endswith("s-maxage=600, stale-if-error=86400")


def test_the_edge_lifetime_ends_when_a_review_falls_overdue(api_client, content, edge):
    SymptomFactory(slug="swelling", next_review_due=T0.date())  # overdue from midnight

    response = api_client.get("/api/v1/treatments/ice/")

    assert response["Surrogate-Control"] == "max-age=54000, stale-if-error=86400"  # 15 h


def test_with_the_response_cache_off_the_lifetime_is_still_bounded(
    api_client, content, edge
):
    edge.HIPKNEE_RESPONSE_CACHE = False
    SymptomFactory(slug="swelling", expire_at=T0 + dt.timedelta(seconds=90))

    response = api_client.get("/api/v1/symptoms/")

    assert response["Surrogate-Control"] == "max-age=90, stale-if-error=86400"


def test_errors_carry_no_keys_and_are_not_stored(api_client, content, edge):
    response = api_client.get("/api/v1/symptoms/nothing-here/")

    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert "xkey" not in response


def test_a_purge_names_the_item_its_lists_search_and_lookup():
    assert change_keys("warning_sign", "recent-fall") == [
        "warning_sign:recent-fall", "list:warning_sign", "search", "lookup"]


def test_keys_are_read_from_links_whatever_the_origin():
    body = (b'{"url":"http://\\u0000/api/v1/symptoms/a/","x":"https://h/api/v1/treatments/b/",'
            b'"editorial":"/api/v1/editorial/symptoms/c/","next":"/api/v1/symptoms/?page=2"}')

    assert response_keys("/api/v1/lookup/", body) == [
        "all", "lookup", "symptom:a", "treatment:b"]


def test_the_lifetime_is_never_negative_nor_longer_than_configured(settings):
    assert edge_lifetime(float("inf"), now=0) == 86400
    assert edge_lifetime(30.5, now=0) == 30
    assert edge_lifetime(10, now=20) == 0
    with time_machine.travel(T0):
        settings.HIPKNEE_EDGE_MAX_AGE = 5
        assert edge_lifetime(float("inf")) == 5
