"""Dates at the end of the calendar, stored without the services' bounds (a row written
before them, by a shell or a data migration), never break a public read: the detail, the
lists, JSON-LD, the representation cache and the bodies rendered at publish time.

Every place a review date becomes a moment goes through content/dates.py `overdue_from`;
before it, `date.max + 1 day` raised OverflowError and each of these answered 500.
"""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.utils.http import http_date

from content import caching  # the package: its interface
from content.caching import next_public_change
from content.choices import ContentType, ReviewDecision, Role
from content.models import Condition, Rendering, Review
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create
from tests.factories import ArticleFactory, ConditionFactory, UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
UPDATED = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)  # the factories' updated_at
END_OF_TIME = dt.datetime.max.replace(tzinfo=dt.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]

REVIEW = {
    "status": "reviewed",
    "last_reviewed": "2026-03-01",
    "next_review_due": "9999-12-31",
    "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS, FRCS"},
}


@pytest.fixture
def far_dates():
    """A condition and an article due for review on date.max; the article also expires at
    datetime.max. Written straight to the live tables, past every bound."""
    reviewed = {"last_reviewed": dt.date(2026, 3, 1), "next_review_due": dt.date.max,
                "reviewed_by_name": "Dr Rita Shah", "reviewed_by_credentials": "MBBS, FRCS"}
    hip = ConditionFactory(slug="hip-oa", name="Hip osteoarthritis", **reviewed)
    ArticleFactory(slug="hip-and-knee", title="Hip and knee", conditions=[hip],
                   expire_at=END_OF_TIME, **reviewed)


@pytest.mark.parametrize("cached", [False, True], ids=["uncached", "response-cache"])
def test_detail_list_and_json_ld_answer_200_for_a_review_due_on_date_max(
    api_client, far_dates, settings, cached
):
    if cached:
        settings.HIPKNEE_RESPONSE_CACHE = True
        settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
        cache.clear()
    for path in ["/api/v1/articles/hip-and-knee/", "/api/v1/conditions/hip-oa/"]:
        response = api_client.get(path)
        assert response.status_code == 200, path
        assert response.json()["review"] == REVIEW
        # It never falls overdue, so Last-Modified stays when it went live.
        assert response["Last-Modified"] == http_date(UPDATED.timestamp())
    for path in ["/api/v1/articles/", "/api/v1/conditions/"]:
        response = api_client.get(path)
        assert response.status_code == 200, path
        assert [row["review"] for row in response.json()["results"]] == [REVIEW]
        assert response["Last-Modified"] == http_date(UPDATED.timestamp())
    for path in ["/api/v1/articles/hip-and-knee/", "/api/v1/conditions/hip-oa/"]:
        response = api_client.get(path, HTTP_ACCEPT="application/ld+json")
        assert response.status_code == 200, path
        assert response.json()["lastReviewed"] == "2026-03-01"
    if cached:
        cache.clear()


def test_the_next_public_change_ignores_a_review_that_never_falls_overdue(far_dates):
    assert next_public_change(T0) == END_OF_TIME  # the article's expiry; no review date
    Condition.objects.update(next_review_due=dt.date(9999, 12, 30))
    assert next_public_change(T0) == dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def test_a_body_rendered_at_publish_time_for_a_review_due_on_date_max_is_stored_and_served(
    api_client, settings, django_capture_on_commit_callbacks
):
    settings.HIPKNEE_STORED_RENDERINGS = True
    editor, reviewer, publisher = (UserFactory(username=n, roles=[r]) for n, r in (
        ("eddie", Role.EDITORS), ("rita", Role.MEDICAL_REVIEWERS), ("paul", Role.PUBLISHERS)))
    with django_capture_on_commit_callbacks(execute=True):
        revision = document_create(
            type_=ContentType.CONDITION, author=editor,
            data={"slug": "hip-oa", "name": "Hip osteoarthritis", "body_region": "hip"},
        )
        review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
        Review.objects.update(next_review_due=dt.date.max)  # past the bound, as a shell could
        revision_publish(revision=revision, user=publisher)

    rendering = Rendering.objects.get(path="/api/v1/conditions/hip-oa/")
    assert rendering.valid_until is None  # no expiry, and the review never falls overdue
    response = api_client.get("/api/v1/conditions/hip-oa/")
    assert response.status_code == 200
    assert response.content == bytes(rendering.body).replace(b"http://\\u0000",
                                                            b"http://testserver")
    review = response.json()["review"]
    assert {key: review[key] for key in ("status", "last_reviewed", "next_review_due")} == {
        "status": "reviewed", "last_reviewed": "2026-03-02", "next_review_due": "9999-12-31"}


def test_a_review_due_the_day_before_date_max_falls_overdue_on_the_last_day(
    api_client, far_dates
):
    Condition.objects.update(next_review_due=dt.date(9999, 12, 30))
    with time_machine.travel(dt.datetime(9999, 12, 31, 12, 0, tzinfo=dt.UTC), tick=False):
        caching.local_clear()
        response = api_client.get("/api/v1/conditions/hip-oa/")
    assert response.status_code == 200
    assert response.json()["review"]["status"] == "overdue"
    assert response["Last-Modified"] == "Fri, 31 Dec 9999 00:00:00 GMT"
