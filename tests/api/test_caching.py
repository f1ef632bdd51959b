"""HTTP caching of the public API (content/api/caching.py): validators and Cache-Control on
every public endpoint, 304s, query counts with and without the representation cache, and no
stale body after a publish, an unpublish, an expiry or a review falling overdue."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from content.caching import VERSION_KEY
from content.caching import versions as caching
from content.choices import ContentType, ItemGroup, SectionKind
from content.services.publishing import document_unpublish, publish_due, revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.editorial_steps import Staff
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
    UserFactory,
    WarningSignFactory,
)
from tests.redis_outage import redis_cache_settings

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
UPDATED = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)  # the factories' updated_at
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=300"
STRONG_ETAG = re.compile(r'^"[0-9a-f]{32}"$')

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]

#: Every public GET endpoint with content, and whether it has a Last-Modified.
ENDPOINTS = [
    ("/api/v1/articles/", True),
    ("/api/v1/articles/?condition=hip-oa", True),
    ("/api/v1/articles/hip-and-knee/", True),
    ("/api/v1/articles/hip-and-knee/sections/symptoms/", True),
    ("/api/v1/conditions/", True),
    ("/api/v1/conditions/hip-oa/", True),
    ("/api/v1/causes/", True),
    ("/api/v1/causes/arthritis/", True),
    ("/api/v1/symptoms/", True),
    ("/api/v1/symptoms/?frequency=common", True),
    ("/api/v1/symptoms/stiffness/", True),
    ("/api/v1/warning-signs/", True),
    ("/api/v1/warning-signs/recent-fall/", True),
    ("/api/v1/treatments/", True),
    ("/api/v1/treatments/ice/", True),
    ("/api/v1/search/?q=symptom", False),
    ("/api/v1/symptoms/?search=symptom", True),
    ("/api/v1/", False),
]


@pytest.fixture
def content():
    """One published row of every type, linked together, written straight to the live tables."""
    condition = ConditionFactory(slug="hip-oa")
    CauseFactory(slug="arthritis", conditions=[condition])
    symptom = SymptomFactory(slug="stiffness")
    WarningSignFactory(slug="recent-fall")
    TreatmentFactory(slug="ice")
    article = ArticleFactory(slug="hip-and-knee", conditions=[condition])
    section = SectionFactory(article=article, kind=SectionKind.SYMPTOMS, position=1)
    SectionItemFactory(section=section, group=ItemGroup.COMMON, symptom=symptom)


@pytest.fixture
def response_cache(settings, monkeypatch):
    """The response cache on (as in production), its version in the (local-memory) cache and
    checked against the database's (HIPKNEE_CONTENT_VERSION_CHECK, as in production)."""
    settings.HIPKNEE_RESPONSE_CACHE = True
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    # The database's version is read once per cache number (a clock that stands still: no
    # second passes), as a burst of requests within a second reads it.
    monkeypatch.setattr(caching._database_check, "clock", lambda: 1000.0)
    cache.clear()
    yield settings
    cache.clear()


@pytest.mark.parametrize(("path", "dated"), ENDPOINTS)
def test_every_public_200_carries_a_strong_etag_and_cache_control(
    api_client, content, path, dated
):
    response = api_client.get(path)

    assert response.status_code == 200
    assert STRONG_ETAG.match(response["ETag"])
    assert response["Cache-Control"] == CACHE_CONTROL
    # Accept where a detail of the type also speaks JSON-LD; Cookie for session sign-in
    # (staff rate limits); Origin for CORS.
    negotiated = path.startswith(("/api/v1/articles/", "/api/v1/conditions/"))
    assert response["Vary"] == ("Accept, " if negotiated else "") + "Cookie, origin"
    if dated:
        assert response["Last-Modified"] == http_date(UPDATED.timestamp())
    else:
        assert "Last-Modified" not in response


@pytest.mark.parametrize(("path", "dated"), ENDPOINTS)
def test_if_none_match_with_the_current_etag_is_304_without_a_body(
    api_client, content, path, dated
):
    first = api_client.get(path)

    again = api_client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert "Content-Type" not in again
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == CACHE_CONTROL
    assert again.get("Last-Modified") == first.get("Last-Modified")


@pytest.mark.parametrize(("path", "dated"), ENDPOINTS)
def test_head_answers_with_the_validators_of_get(api_client, content, path, dated):
    get = api_client.get(path)

    head = api_client.head(path)
    revalidated = api_client.head(path, HTTP_IF_NONE_MATCH=get["ETag"])

    assert (head.status_code, head.content, head["ETag"]) == (200, b"", get["ETag"])
    assert head["Content-Length"] == get["Content-Length"]
    assert (revalidated.status_code, revalidated.content) == (304, b"")


def test_if_none_match_uses_the_weak_comparison_and_accepts_a_list_or_a_star(
    api_client, content
):
    path = "/api/v1/symptoms/stiffness/"
    etag = api_client.get(path)["ETag"]

    statuses = [
        api_client.get(path, HTTP_IF_NONE_MATCH=value).status_code
        for value in [f"W/{etag}", f'"other", {etag}', "*", '"other"', etag.upper()]
    ]

    assert statuses == [304, 304, 304, 200, 200]


def test_if_modified_since_is_304_from_last_modified_on_and_ignored_beside_if_none_match(
    api_client, content
):
    path = "/api/v1/articles/hip-and-knee/"
    at = UPDATED.timestamp()

    statuses = [
        api_client.get(path, HTTP_IF_MODIFIED_SINCE=http_date(at)).status_code,
        api_client.get(path, HTTP_IF_MODIFIED_SINCE=http_date(at + 3600)).status_code,
        api_client.get(path, HTTP_IF_MODIFIED_SINCE=http_date(at - 1)).status_code,
        api_client.get(path, HTTP_IF_MODIFIED_SINCE="yesterday").status_code,
        api_client.get(
            path, HTTP_IF_MODIFIED_SINCE=http_date(at), HTTP_IF_NONE_MATCH='"other"'
        ).status_code,
    ]

    assert statuses == [304, 304, 200, 200, 200]


def test_a_list_is_last_modified_when_its_newest_row_on_the_page_went_live(api_client):
    SymptomFactory(slug="a", updated_at=UPDATED)
    SymptomFactory(slug="b", updated_at=UPDATED + dt.timedelta(days=3))
    SymptomFactory(slug="c", updated_at=UPDATED + dt.timedelta(days=1))

    whole = api_client.get("/api/v1/symptoms/?ordering=name")
    first_page = api_client.get("/api/v1/symptoms/?page_size=1&ordering=updated_at")

    assert whole["Last-Modified"] == http_date((UPDATED + dt.timedelta(days=3)).timestamp())
    assert first_page["Last-Modified"] == http_date(UPDATED.timestamp())


def test_an_empty_page_has_an_etag_but_no_last_modified(api_client):
    response = api_client.get("/api/v1/symptoms/")

    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert STRONG_ETAG.match(response["ETag"])
    assert "Last-Modified" not in response


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/symptoms/nope/", 404),
        ("/api/v1/articles/hip-and-knee/sections/history/", 404),
        ("/api/v1/symptoms/?frequency=rare", 400),
        ("/api/v1/articles/?page=9", 404),
    ],
)
def test_errors_are_never_stored(api_client, content, response_cache, path, status):
    response = api_client.get(path, HTTP_IF_NONE_MATCH="*")

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response
    assert "Last-Modified" not in response


def test_the_etag_follows_the_body_across_hosts_and_query_strings(api_client, content):
    detail = "/api/v1/symptoms/stiffness/"

    here = api_client.get(detail)
    there = api_client.get(detail, HTTP_HOST="localhost")
    again = api_client.get(detail)
    same_body = api_client.get(f"{detail}?format=json")

    assert there.json()["url"] == "http://localhost/api/v1/symptoms/stiffness/"
    assert here["ETag"] != there["ETag"]
    assert here["ETag"] == again["ETag"] == same_body["ETag"]


@pytest.mark.parametrize(
    ("path", "headers", "content_type"),
    [
        ("/api/v1/articles/hip-and-knee/", {}, "application/json"),
        ("/api/v1/articles/hip-and-knee/", {"HTTP_ACCEPT": "application/ld+json"},
         "application/ld+json"),
        ("/api/v1/articles/hip-and-knee/?format=jsonld", {}, "application/ld+json"),
        ("/api/v1/articles/hip-and-knee/?body_format=text", {}, "application/json"),
        ("/api/v1/conditions/hip-oa/", {"HTTP_ACCEPT": "application/ld+json"},
         "application/ld+json"),
    ],
)
def test_each_representation_is_cached_under_its_own_key_and_etag(
    api_client, content, response_cache, django_assert_num_queries, path, headers,
    content_type,
):
    plain = api_client.get(path.split("?")[0])

    rendered = api_client.get(path, **headers)
    with django_assert_num_queries(0):
        hit = api_client.get(path, **headers)
    with django_assert_num_queries(0):
        not_modified = api_client.get(path, HTTP_IF_NONE_MATCH=hit["ETag"], **headers)

    assert (rendered.status_code, hit["Content-Type"]) == (200, content_type)
    assert hit.content == rendered.content
    assert hit["ETag"] == rendered["ETag"]
    assert hit["Vary"] == "Accept, Cookie, origin"
    assert not_modified.status_code == 304
    if "?" in path or headers:  # another representation than the plain JSON
        assert hit.content != plain.content
        assert hit["ETag"] != plain["ETag"]


# The response cache: query counts.

#: path -> queries to render it (the view's own queries).
RENDER_QUERIES = {
    "/api/v1/": 0,
    "/api/v1/articles/": 3,
    "/api/v1/articles/?condition=hip-oa": 3,
    "/api/v1/articles/hip-and-knee/": 4,
    "/api/v1/articles/hip-and-knee/sections/symptoms/": 3,
    "/api/v1/conditions/": 7,
    "/api/v1/conditions/hip-oa/": 6,
    "/api/v1/causes/": 3,
    "/api/v1/causes/arthritis/": 2,
    "/api/v1/symptoms/": 3,
    "/api/v1/symptoms/?frequency=common": 3,
    "/api/v1/symptoms/stiffness/": 2,
    "/api/v1/warning-signs/": 3,
    "/api/v1/warning-signs/recent-fall/": 2,
    "/api/v1/treatments/": 3,
    "/api/v1/treatments/ice/": 2,
    # Search: counted by its own tests (tests/search/); here, whatever rendering costs.
    "/api/v1/search/?q=symptom": None,
    "/api/v1/symptoms/?search=symptom": None,
}
#: Paths whose plain JSON is stored at publish time (a detail or section without a query
#: string): looked up in the database before rendering (content/caching/renderings.py).
STORED_PATHS = {
    "/api/v1/articles/hip-and-knee/", "/api/v1/articles/hip-and-knee/sections/symptoms/",
    "/api/v1/conditions/hip-oa/", "/api/v1/causes/arthritis/", "/api/v1/symptoms/stiffness/",
    "/api/v1/warning-signs/recent-fall/", "/api/v1/treatments/ice/",
}


@pytest.mark.parametrize("path", RENDER_QUERIES)
def test_a_cached_response_costs_no_query_and_a_304_none_either(
    api_client, content, response_cache, django_assert_num_queries, path
):
    rendering = RENDER_QUERIES[path]
    if rendering is None:
        response_cache.HIPKNEE_RESPONSE_CACHE = False
        with CaptureQueriesContext(connection) as queries:
            api_client.get(path)
        rendering = len(queries)
        response_cache.HIPKNEE_RESPONSE_CACHE = True
    # The first response under a content version also reads the database's version beside the
    # cache's (HIPKNEE_CONTENT_VERSION_CHECK: once per cache version) and looks up when time
    # alone will next change the content (one query each); a detail or section first looks for
    # a body stored at publish time (one more; the rows here were written straight to the live
    # tables, so none is). Later ones render with the view's queries alone.
    with django_assert_num_queries(rendering + 2 + (path in STORED_PATHS)):
        first = api_client.get(path)
    with django_assert_num_queries(rendering):
        other = api_client.get(f"{path}{'&' if '?' in path else '?'}format=json")

    with django_assert_num_queries(0):
        hit = api_client.get(path)
    with django_assert_num_queries(0):
        not_modified = api_client.get(path, HTTP_IF_NONE_MATCH=hit["ETag"])
    with django_assert_num_queries(0):
        head = api_client.head(path)

    assert first.status_code == other.status_code == hit.status_code == 200
    assert hit.content == first.content == other.content
    assert hit["ETag"] == first["ETag"]
    assert hit["Content-Type"] == "application/json"
    assert hit["Cache-Control"] == CACHE_CONTROL
    assert hit.get("Last-Modified") == first.get("Last-Modified")
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified["ETag"] == hit["ETag"]
    assert (head.status_code, head.content, head["ETag"]) == (200, b"", hit["ETag"])


def test_with_a_process_local_cache_the_version_is_one_query(
    api_client, content, response_cache, django_assert_num_queries
):
    response_cache.HIPKNEE_CONTENT_VERSION_SOURCE = "database"
    path = "/api/v1/articles/hip-and-knee/"
    # Rendering (4), the body stored at publish time, looked up first (1; none is stored), the
    # version, read once for the middleware and the view (1), and when time next changes the
    # content (1).
    with django_assert_num_queries(7):
        api_client.get(path)

    with django_assert_num_queries(1):
        hit = api_client.get(path)
    with django_assert_num_queries(1):
        not_modified = api_client.get(path, HTTP_IF_NONE_MATCH=hit["ETag"])

    assert hit.status_code == 200
    assert not_modified.status_code == 304


def test_an_unreachable_cache_still_serves_every_response(
    api_client, content, response_cache, monkeypatch
):
    expected = api_client.get("/api/v1/symptoms/stiffness/").content
    cache.clear()

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    response = api_client.get("/api/v1/symptoms/stiffness/")

    assert response.status_code == 200
    assert response.content == expected
    assert STRONG_ETAG.match(response["ETag"])


# The representation cache never serves what is no longer true.

ARTICLE = {
    "slug": "hip-and-knee",
    "title": "Hip and knee",
    "summary": "How they connect.",
    "conditions": [],
    "sections": [
        {
            "kind": "symptoms",
            "heading": "Symptoms",
            "body": "<p>What you may feel.</p>",
            "items": [
                {
                    "group": "common",
                    "title": "Stiffness",
                    "text": "Tight in the morning.",
                    "entity": {"type": "symptom", "slug": "stiffness"},
                }
            ],
        }
    ],
}


class Newsroom:
    """Staff (tests/editorial_steps.py) whose every action commits, so that on-commit
    callbacks (the content version bump) run as they do outside a test transaction."""

    def __init__(self, capture):
        self.staff = Staff()
        self.capture = capture

    def __getattr__(self, name):
        attribute = getattr(self.staff, name)
        if not callable(attribute):
            return attribute

        def committed(*args, **kwargs):
            with self.capture(execute=True):
                return attribute(*args, **kwargs)

        return committed

    def article(self, **kwargs):
        with self.capture(execute=True):
            revision = document_create(
                type_=ContentType.ARTICLE, data=ARTICLE, author=self.staff.editor
            )
            self.staff.approve(revision)
            return self.staff.publish(revision, **kwargs)


@pytest.fixture
def newsroom(django_capture_on_commit_callbacks):
    return Newsroom(django_capture_on_commit_callbacks)


def test_a_new_revision_is_served_at_once_with_a_new_etag(
    api_client, response_cache, newsroom
):
    document = newsroom.go_live(ContentType.SYMPTOM, "stiffness")
    before = api_client.get("/api/v1/symptoms/stiffness/")
    listed = api_client.get("/api/v1/symptoms/")
    assert api_client.get("/api/v1/symptoms/stiffness/")["ETag"] == before["ETag"]

    newsroom.update(document)
    after = api_client.get("/api/v1/symptoms/stiffness/")
    relisted = api_client.get("/api/v1/symptoms/")

    assert (before.json()["version"], after.json()["version"]) == (1, 2)
    assert after.json()["name"] != before.json()["name"]
    assert after["ETag"] != before["ETag"]
    assert relisted.json()["results"][0]["version"] == 2
    assert relisted["ETag"] != listed["ETag"]
    revalidated = api_client.get("/api/v1/symptoms/stiffness/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert (revalidated.status_code, revalidated.json()["version"]) == (200, 2)


def test_an_unrelated_publish_leaves_the_etag_as_it_was(api_client, response_cache, newsroom):
    newsroom.go_live(ContentType.SYMPTOM, "stiffness")
    before = api_client.get("/api/v1/symptoms/stiffness/")

    newsroom.go_live(ContentType.WARNING_SIGN, "recent-fall")
    version_moved = cache.get(VERSION_KEY)
    after = api_client.get("/api/v1/symptoms/stiffness/", HTTP_IF_NONE_MATCH=before["ETag"])

    assert version_moved is not None
    assert after.status_code == 304
    assert after["ETag"] == before["ETag"]


def test_unpublishing_removes_the_item_from_every_cached_response_at_once(
    api_client, response_cache, newsroom
):
    symptom = newsroom.go_live(ContentType.SYMPTOM, "stiffness")
    newsroom.article()
    paths = ["/api/v1/symptoms/stiffness/", "/api/v1/symptoms/", "/api/v1/articles/hip-and-knee/"]
    cached = [api_client.get(path) for path in paths]
    item = cached[2].json()["sections"][0]["items"][0]
    assert item["entity"] == {
        "type": "symptom",
        "slug": "stiffness",
        "url": "http://testserver/api/v1/symptoms/stiffness/",
    }

    newsroom.unpublish(symptom)
    detail, listed, article = (api_client.get(path) for path in paths)

    assert detail.status_code == 404
    assert listed.json()["results"] == []
    assert article.json()["sections"][0]["items"][0]["entity"] is None
    assert article["ETag"] != cached[2]["ETag"]


def test_an_expired_item_is_never_served_from_the_cache_after_its_second(
    api_client, response_cache, newsroom
):
    expire_at = T0 + dt.timedelta(hours=1)
    newsroom.go_live(ContentType.SYMPTOM, "stiffness", expire_at=expire_at)
    newsroom.go_live(ContentType.SYMPTOM, "swelling")

    with time_machine.travel(expire_at - dt.timedelta(microseconds=1), tick=False):
        assert api_client.get("/api/v1/symptoms/stiffness/").status_code == 200
        assert api_client.get("/api/v1/symptoms/").json()["count"] == 2
        # Cached now; a second request is a hit.
        assert api_client.get("/api/v1/symptoms/").json()["count"] == 2

    with time_machine.travel(expire_at, tick=False):
        detail = api_client.get("/api/v1/symptoms/stiffness/")
        listed = api_client.get("/api/v1/symptoms/")

    assert detail.status_code == 404
    assert [row["slug"] for row in listed.json()["results"]] == ["swelling"]


def test_recording_the_expiry_later_changes_nothing_served(api_client, response_cache, newsroom):
    expire_at = T0 + dt.timedelta(hours=1)
    newsroom.go_live(ContentType.SYMPTOM, "stiffness", expire_at=expire_at)

    with time_machine.travel(expire_at + dt.timedelta(minutes=5), tick=False):
        before = api_client.get("/api/v1/symptoms/")
        with newsroom.capture(execute=True):
            report = publish_due()
        after = api_client.get("/api/v1/symptoms/", HTTP_IF_NONE_MATCH=before["ETag"])

    assert [d.slug for d in report.expired] == ["stiffness"]
    assert before.json()["results"] == []
    assert after.status_code == 304


def test_a_scheduled_publication_is_served_once_it_goes_live(
    api_client, response_cache, newsroom
):
    go_live_at = T0 + dt.timedelta(hours=1)
    revision = newsroom.create(ContentType.SYMPTOM, "stiffness")
    newsroom.approve(revision)
    newsroom.publish(revision, go_live_at=go_live_at)
    assert api_client.get("/api/v1/symptoms/").json()["count"] == 0

    with time_machine.travel(go_live_at, tick=False):
        assert api_client.get("/api/v1/symptoms/").json()["count"] == 0
        with newsroom.capture(execute=True):
            publish_due()
        listed = api_client.get("/api/v1/symptoms/")

    assert [row["slug"] for row in listed.json()["results"]] == ["stiffness"]


def test_a_review_falling_overdue_is_served_from_the_start_of_that_day(
    api_client, response_cache, newsroom
):
    revision = newsroom.create(ContentType.SYMPTOM, "stiffness")
    review_submit(
        revision=revision,
        reviewer=newsroom.reviewer,
        decision="approved",
        next_review_due=dt.date(2026, 3, 3),
    )
    newsroom.publish(revision)
    last_second = dt.datetime(2026, 3, 3, 23, 59, 59, 999999, tzinfo=dt.UTC)

    with time_machine.travel(last_second, tick=False):
        due = api_client.get("/api/v1/symptoms/stiffness/")
        assert due.json()["review"]["status"] == "reviewed"
    with time_machine.travel(last_second + dt.timedelta(microseconds=1), tick=False):
        overdue = api_client.get("/api/v1/symptoms/stiffness/", HTTP_IF_NONE_MATCH=due["ETag"])
        listed = api_client.get("/api/v1/symptoms/")

    assert overdue.status_code == 200
    assert overdue.json()["review"]["status"] == "overdue"
    assert overdue["Last-Modified"] == "Wed, 04 Mar 2026 00:00:00 GMT"
    assert listed.json()["results"][0]["review"]["status"] == "overdue"


def test_with_the_version_in_the_database_a_publish_is_seen_without_any_callback(
    api_client, response_cache
):
    """The process-local cache: another process's publish reaches this one through the
    database alone (the on-commit bump only ever reaches the publishing process)."""
    response_cache.HIPKNEE_CONTENT_VERSION_SOURCE = "database"
    staff = Staff()  # publishes without running on-commit callbacks
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    before = api_client.get("/api/v1/symptoms/stiffness/")

    staff.update(document)
    after = api_client.get("/api/v1/symptoms/stiffness/")
    staff.unpublish(document)
    gone = api_client.get("/api/v1/symptoms/stiffness/")

    assert (before.json()["version"], after.json()["version"]) == (1, 2)
    assert gone.status_code == 404


def test_an_edit_that_is_not_published_changes_nothing_served(
    api_client, response_cache, newsroom
):
    document = newsroom.go_live(ContentType.SYMPTOM, "stiffness")
    before = api_client.get("/api/v1/symptoms/stiffness/")

    with newsroom.capture(execute=True):
        revision_create(
            document=document, data={"name": "Draft name"}, author=newsroom.editor,
            expected_revision=1,
        )
    after = api_client.get("/api/v1/symptoms/stiffness/")

    assert after.content == before.content
    assert after.json()["name"] != "Draft name"


def test_publishing_through_the_service_moves_the_version_only_on_commit(
    response_cache, django_capture_on_commit_callbacks
):
    staff = Staff()
    revision = staff.create(ContentType.SYMPTOM, "stiffness")
    staff.approve(revision)
    cache.set(VERSION_KEY, 41, timeout=None)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revision_publish(revision=revision, user=staff.publisher)
    assert cache.get(VERSION_KEY) == 41
    for callback in callbacks:
        callback()
    assert cache.get(VERSION_KEY) == 42

    with django_capture_on_commit_callbacks(execute=True):
        document_unpublish(document=revision.document, user=staff.publisher)
    assert cache.get(VERSION_KEY) == 43


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_withdrawal_whose_cache_bump_was_lost_is_gone_after_the_database_check(
    api_client, response_cache, monkeypatch
):
    """Another process unpublished while it could not reach Redis: the version in the cache
    never moved, but this process reads the database's version within a second."""
    response_cache.HIPKNEE_CONTENT_VERSION_CHECK = 1
    clock = Clock()
    monkeypatch.setattr(caching._database_check, "clock", clock)
    staff = Staff()  # publishes without running on-commit callbacks: no bump
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    path = "/api/v1/symptoms/stiffness/"
    served = api_client.get(path)
    number = cache.get(VERSION_KEY)

    staff.unpublish(document)
    clock.now += 0.9
    within_the_check = api_client.get(path, HTTP_IF_NONE_MATCH=served["ETag"])
    clock.now += 0.1
    after_the_check = api_client.get(path)

    assert served.status_code == 200
    assert cache.get(VERSION_KEY) == number  # the cache's version never moved
    assert within_the_check.status_code == 304  # the documented bound: up to one second
    assert (after_the_check.status_code, after_the_check["Content-Type"]) == (
        404, "application/problem+json")
    assert after_the_check.json()["code"] == "not_found"


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.fixture
def hung_cache(response_cache, hung_redis):
    """The representation cache in a Redis that accepts connections and never answers, with
    the production defaults (0.1 s timeouts, breaker open 5 s, version checked against the
    database every second) and a rate limit on."""
    response_cache.CACHES = redis_cache_settings(hung_redis.url)
    response_cache.HIPKNEE_CONTENT_VERSION_SOURCE = ""
    response_cache.HIPKNEE_CONTENT_VERSION_CHECK = 1
    response_cache.HIPKNEE_THROTTLE_ANON = "100000/min"
    return hung_redis


@pytest.mark.solo
def test_with_redis_hung_reads_come_from_the_database_with_p99_under_150_ms(
    api_client, content, response_cache, request
):
    path = "/api/v1/articles/hip-and-knee/"
    expected = api_client.get(path)  # rendered with a working (local-memory) cache
    hung = request.getfixturevalue("hung_cache")

    started = time.monotonic()
    first, first_took = _timed(lambda: api_client.get(path))
    while time.monotonic() - started < 1:
        api_client.get(path)
    measured = [_timed(lambda: api_client.get(path)) for _ in range(200)]
    latencies = sorted(took for _, took in measured)
    p50, p99 = latencies[99], latencies[197]
    print(f"hung Redis, article detail after the first second: p50 {p50 * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms (first request {first_took * 1000:.0f} ms)")
    ready, alive = api_client.get("/readyz"), api_client.get("/healthz")

    assert first_took < 0.5  # one socket timeout (0.1 s), then the breaker answers
    assert p99 < 0.150
    assert {(r.status_code, r.content) for r, _ in [(first, 0), *measured]} == {
        (200, expected.content)
    }
    assert hung.accepted == 1  # asked once; not again while the breaker is open
    assert (ready.status_code, ready.json()["checks"]) == (503, {"database": "ok",
                                                                 "cache": "failed"})
    assert alive.status_code == 200


def test_with_redis_hung_a_withdrawal_is_served_at_once(api_client, response_cache, request):
    staff = Staff()
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    request.getfixturevalue("hung_cache")
    path = "/api/v1/symptoms/stiffness/"
    served = [api_client.get(path).status_code for _ in range(2)]  # the second from a copy

    staff.unpublish(document)
    gone = api_client.get(path)

    assert served == [200, 200]
    assert gone.status_code == 404


# CachedResponseMiddleware: anonymous reads answered before URL resolution and DRF.

PER_REQUEST = {"X-Request-ID"}


def _headers(response) -> dict:
    return {name: value for name, value in response.items() if name not in PER_REQUEST}


@pytest.fixture
def view_never_runs(monkeypatch):
    """Fail if a public view is entered at all."""

    def entered(self, request, *args, **kwargs):
        raise AssertionError(f"the view ran for {request.path}")

    from content.api import search, views

    for view in (views.PublishedViewSet, views.ApiIndexView, search.SearchView):
        monkeypatch.setattr(view, "initial", entered)


@pytest.mark.parametrize("path", [path for path, _ in ENDPOINTS])
def test_an_anonymous_hit_is_answered_without_the_view_and_exactly_as_the_view_would(
    api_client, content, response_cache, path, request
):
    rendered = api_client.get(path)
    staff = UserFactory(username="staffer")
    signed_in = APIClient()
    signed_in.force_authenticate(staff)
    through_the_view = signed_in.get(path)  # credentials: DRF's own cache lookup answers

    request.getfixturevalue("view_never_runs")
    hit = api_client.get(path)
    not_modified = api_client.get(path, HTTP_IF_NONE_MATCH=hit["ETag"])
    head = api_client.head(path)

    assert hit.status_code == through_the_view.status_code == 200
    assert hit.content == rendered.content == through_the_view.content
    assert _headers(hit) == _headers(rendered) == _headers(through_the_view)
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    # The validators, Vary and the security headers of the 200. (Content-Length: 0 is
    # Django's CommonMiddleware, as on every Django 304; clients read no body after a 304.)
    assert _headers(not_modified) == {
        **{
            name: value
            for name, value in _headers(hit).items()
            if name in {"ETag", "Cache-Control", "Last-Modified", "Vary", "X-Frame-Options",
                        "Content-Security-Policy", "X-Content-Type-Options",
                        "Referrer-Policy", "Cross-Origin-Opener-Policy"}
        },
        "Content-Length": "0",
    }
    assert (head.status_code, head.content, head["Content-Length"]) == (
        200, b"", hit["Content-Length"]
    )


def test_a_hit_with_an_api_key_is_answered_without_the_view_and_counted_against_the_key(
    api_client, content, response_cache, request, caplog
):
    response_cache.HIPKNEE_THROTTLE_KEY = "3/min"
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    cache.delete(f"throttle_key_{instance.prefix}")
    path = "/api/v1/articles/hip-and-knee/"
    caplog.set_level("INFO", logger="hipknee.access")
    rendered = api_client.get(path, HTTP_X_API_KEY=key)  # rendered by the view

    request.getfixturevalue("view_never_runs")
    hit = api_client.get(path, HTTP_X_API_KEY=key)
    not_modified = api_client.get(path, HTTP_X_API_KEY=key, HTTP_IF_NONE_MATCH=hit["ETag"])

    def quota(response):
        return {name: value for name, value in _headers(response).items()
                if name != "RateLimit-Remaining"}

    assert hit.content == rendered.content
    assert quota(hit) == quota(rendered)
    assert [rendered["RateLimit-Remaining"], hit["RateLimit-Remaining"],
            not_modified["RateLimit-Remaining"]] == ["2", "1", "0"]
    assert not_modified.status_code == 304
    assert [record.api_key for record in caplog.records
            if record.name == "hipknee.access"] == ["Acme Health app"] * 3


def test_a_revoked_or_exhausted_key_is_refused_by_the_view_not_answered_from_the_cache(
    api_client, content, response_cache
):
    response_cache.HIPKNEE_THROTTLE_KEY = "2/min"
    response_cache.HIPKNEE_API_KEY_CHECK = 0  # the key is looked up on every request
    instance, key = APIKey.objects.create_key(name="Acme Health app")
    cache.delete(f"throttle_key_{instance.prefix}")
    path = "/api/v1/articles/hip-and-knee/"
    answered = [api_client.get(path, HTTP_X_API_KEY=key).status_code for _ in range(3)]
    response_cache.HIPKNEE_THROTTLE_KEY = "100/min"
    APIKey.objects.filter(pk=instance.pk).update(revoked=True)

    revoked = api_client.get(path, HTTP_X_API_KEY=key)

    assert answered == [200, 200, 429]
    assert revoked.status_code == 401
    assert revoked["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ACCEPT": "application/ld+json"},
        {"HTTP_ACCEPT": "application/json, text/plain, */*"},
        {"HTTP_AUTHORIZATION": "Token not-a-token"},
        {"HTTP_X_API_KEY": "not.a-key"},
        {"HTTP_X_API_KEY": f"unknown0.{'a' * 32}"},
        {"HTTP_COOKIE": "sessionid=abc"},
    ],
)
def test_requests_the_view_might_answer_otherwise_go_through_the_view(
    api_client, content, response_cache, monkeypatch, headers
):
    path = "/api/v1/articles/hip-and-knee/"
    api_client.get(path)
    entered = []
    from content.api import views

    original = views.PublishedViewSet.initial

    def spy(self, request, *args, **kwargs):
        entered.append(request.path)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(views.PublishedViewSet, "initial", spy)
    response = api_client.get(path, **headers)

    assert entered == [path]
    assert response.status_code in {200, 401}


def test_an_unknown_host_is_refused_by_django_not_answered_from_the_cache(
    api_client, content, response_cache
):
    api_client.get("/api/v1/symptoms/stiffness/")

    response = api_client.get("/api/v1/symptoms/stiffness/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_rate_limits_apply_to_answers_from_the_cache(api_client, content, response_cache):
    response_cache.HIPKNEE_THROTTLE_ANON = "3/min"
    address = "203.0.113.77"
    cache.delete(f"throttle_anon_{address}")
    path = "/api/v1/symptoms/stiffness/"

    answers = [api_client.get(path, REMOTE_ADDR=address) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[3]["Content-Type"] == "application/problem+json"
    assert answers[3]["Retry-After"] == "60"
    assert answers[3]["Cache-Control"] == "no-store"


def test_a_hit_reads_only_the_version_when_this_process_holds_a_copy_of_that_version(
    api_client, content, response_cache, monkeypatch
):
    """With a shared cache the body of a hit comes from this process's own copy: one small
    read of the version instead of the version and a body of tens of kilobytes."""
    from content.caching import versions as content_caching

    api_client.get("/api/v1/articles/hip-and-knee/")  # rendered, stored, kept locally
    reads = []
    real_get, real_get_many = cache.get, cache.get_many
    monkeypatch.setattr(cache, "get", lambda key, *a, **k: reads.append(("get", key))
                        or real_get(key, *a, **k))
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: reads.append(("get_many",
                        tuple(keys))) or real_get_many(keys, *a, **k))

    hit = api_client.get("/api/v1/articles/hip-and-knee/")

    assert hit.status_code == 200
    assert reads == [("get", VERSION_KEY)]
    reads.clear()
    content_caching.local_clear()
    assert api_client.get("/api/v1/articles/hip-and-knee/").content == hit.content
    name, keys = reads[0]  # (local memory's get_many then calls get for each key)
    assert (name, keys[0], len(keys)) == ("get_many", VERSION_KEY, 2)


def test_a_local_copy_rendered_under_another_version_is_never_served(
    api_client, response_cache, newsroom
):
    document = newsroom.go_live(ContentType.SYMPTOM, "stiffness")
    before = api_client.get("/api/v1/symptoms/stiffness/")
    assert api_client.get("/api/v1/symptoms/stiffness/").content == before.content

    # Another process publishes: only the shared version moves; this process's copy stays.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)):
        newsroom.update(document)
    after = api_client.get("/api/v1/symptoms/stiffness/")

    assert after.json()["version"] == 2
    assert after["ETag"] != before["ETag"]


def test_local_copies_are_bounded_and_can_be_turned_off(api_client, content, response_cache):
    from content.caching import versions as content_caching

    response_cache.HIPKNEE_LOCAL_CACHE_ENTRIES = 2
    for path in ("/api/v1/symptoms/", "/api/v1/causes/", "/api/v1/treatments/"):
        api_client.get(path)
    assert len(content_caching._local) == 2

    content_caching.local_clear()
    response_cache.HIPKNEE_LOCAL_CACHE_ENTRIES = 0
    api_client.get("/api/v1/symptoms/")
    assert len(content_caching._local) == 0


def test_a_copy_rendered_by_another_process_under_the_new_version_is_taken_from_the_cache(
    api_client, content, response_cache
):
    import copy

    from content.caching import versions as content_caching

    api_client.get("/api/v1/symptoms/stiffness/")
    (key, mine), = content_caching._local.items()
    # Another process publishes, then renders and stores this URL under the new version.
    cache.incr(VERSION_KEY)
    theirs = copy.copy(mine)
    theirs.version = content_caching.content_version()
    theirs.body = b'{"from": "the other process"}'
    cache.set(key, theirs)

    served = api_client.get("/api/v1/symptoms/stiffness/")

    assert served.content == b'{"from": "the other process"}'
    assert content_caching._local[key] is not mine
