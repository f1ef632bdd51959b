"""Renderings stored at publish time (content/caching/renderings.py): stored byte for byte
as the API renders them, served in one query, replaced or deleted with everything they show."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.caching import renderings
from content.choices import ContentType, ReviewDecision
from content.models import Change, Rendering
from content.services.publishing import document_unpublish, revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.editorial_steps import Staff
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ARTICLE_PATH = "/api/v1/articles/hip-and-knee/"
SECTION_PATHS = [f"{ARTICLE_PATH}sections/symptoms/", f"{ARTICLE_PATH}sections/conclusion/"]

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]


def article(**changes) -> dict:
    return {
        "slug": "hip-and-knee",
        "title": "Hip and knee",
        "summary": "How they connect.",
        "conditions": [{"type": "condition", "slug": "hip-oa"}],
        "sections": [
            {"kind": "symptoms", "heading": "Symptoms", "body": "<p>What you feel.</p>",
             "items": [{"group": "common", "title": "Stiffness", "text": "In the morning.",
                        "entity": {"type": "symptom", "slug": "stiffness"}}]},
            {"kind": "conclusion", "heading": "Conclusion", "body": "<p>Act early.</p>",
             "items": []},
        ],
        **changes,
    }


class Desk:
    """Editorial actions through the services, each committed (on-commit callbacks run)."""

    def __init__(self, capture):
        self.staff = Staff()
        self.capture = capture

    def _go_live(self, type_, data, **kwargs):
        with self.capture(execute=True):
            revision = document_create(type_=type_, data=data, author=self.staff.editor)
            self.staff.approve(revision)
            return revision_publish(revision=revision, user=self.staff.publisher, **kwargs)

    def publish(self, type_, slug, **kwargs):
        bodies = {
            ContentType.SYMPTOM: {"name": "Stiffness", "description": "Tight joints.",
                                  "frequency": "common"},
            ContentType.CONDITION: {"name": "Hip osteoarthritis", "body_region": "hip",
                                    "description": "Wear of the joint."},
        }
        return self._go_live(type_, {"slug": slug, **bodies[type_]}, **kwargs)

    def publish_article(self, **kwargs):
        return self._go_live(ContentType.ARTICLE, article(), **kwargs)

    def publish_cause(self, slug, conditions):
        data = {"slug": slug, "name": "Arthritis", "description": "Wear and tear.",
                "conditions": [{"type": "condition", "slug": c} for c in conditions]}
        return self._go_live(ContentType.CAUSE, data)

    def update(self, document, data, *, expected):
        with self.capture(execute=True):
            revision = revision_create(document=document, data=data, author=self.staff.editor,
                                       expected_revision=expected)
            self.staff.approve(revision)
            return revision_publish(revision=revision, user=self.staff.publisher)

    def unpublish(self, document):
        with self.capture(execute=True):
            return document_unpublish(document=document, user=self.staff.publisher)


@pytest.fixture
def stored(settings):
    settings.HIPKNEE_STORED_RENDERINGS = True
    return settings


@pytest.fixture
def desk(stored, django_capture_on_commit_callbacks):
    return Desk(django_capture_on_commit_callbacks)


@pytest.fixture
def newsroom(desk):
    """A published condition, symptom and an article naming both."""
    desk.publish(ContentType.CONDITION, "hip-oa")
    desk.publish(ContentType.SYMPTOM, "stiffness")
    desk.publish_article()
    return desk


def live_render(client, path, settings, **headers):
    """What the API answers for `path` when it renders (no stored body, no cache)."""
    settings.HIPKNEE_STORED_RENDERINGS = settings.HIPKNEE_RESPONSE_CACHE = False
    try:
        return client.get(path, **headers)
    finally:
        settings.HIPKNEE_STORED_RENDERINGS = settings.HIPKNEE_RESPONSE_CACHE = True


PATHS = [
    ARTICLE_PATH, *SECTION_PATHS, "/api/v1/conditions/hip-oa/", "/api/v1/symptoms/stiffness/",
]


def test_publishing_stores_every_detail_and_section_it_makes_visible(newsroom):
    assert sorted(Rendering.objects.values_list("path", flat=True)) == sorted(PATHS)
    body = bytes(Rendering.objects.get(path="/api/v1/symptoms/stiffness/").body)
    assert body.startswith(b'{"slug":"stiffness","url":"http://\\u0000/api/v1/symptoms/')


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("host", ["testserver", "api.example.org"])
def test_a_stored_body_is_served_in_one_query_besides_the_caches_exactly_as_the_api_renders_it(
    api_client, newsroom, settings, path, host
):
    settings.ALLOWED_HOSTS = ["testserver", "api.example.org"]
    with CaptureQueriesContext(connection) as queries:
        served = api_client.get(path, HTTP_HOST=host)
    sql = [query["sql"] for query in queries]  # before another request clears the log
    rendered = live_render(api_client, path, settings, HTTP_HOST=host)

    # The response cache's two (the content version first; when the content next changes by
    # the clock, to store the body in the cache too) around the one that finds the body.
    assert len(sql) == 1 + CACHE_MISS
    assert ["content_rendering" in query for query in sql] == [False, True, False]
    assert b"\\u0000" not in served.content
    assert served.status_code == rendered.status_code == 200
    assert served.content == rendered.content
    if not path.endswith("/conclusion/"):  # the conclusion links to nothing
        assert f"http://{host}/api/v1/".encode() in served.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Allow"):
        assert served[header] == rendered[header], header


def test_other_representations_and_query_strings_are_rendered(api_client, newsroom, settings):
    for path, headers in [
        (ARTICLE_PATH, {"HTTP_ACCEPT": "application/ld+json"}),
        (f"{ARTICLE_PATH}?body_format=text", {}),
        (f"{ARTICLE_PATH}?format=json", {}),
        ("/api/v1/symptoms/", {}),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(path, **headers)
        assert response.status_code == 200
        assert not any("content_rendering" in q["sql"] for q in queries), path


def test_a_new_revision_replaces_the_stored_body(api_client, newsroom, settings):
    document = Rendering.objects.get(path="/api/v1/symptoms/stiffness/")
    symptom = Change.objects.filter(slug="stiffness").first().document

    newsroom.update(symptom, {"name": "Joint stiffness"}, expected=1)
    served = api_client.get("/api/v1/symptoms/stiffness/")

    assert served.json()["name"] == "Joint stiffness"
    assert served.json()["version"] == 2
    assert served.content == live_render(api_client, "/api/v1/symptoms/stiffness/",
                                         settings).content
    assert Rendering.objects.get(path="/api/v1/symptoms/stiffness/").pk != document.pk


def test_unpublishing_deletes_its_body_and_re_renders_everything_that_showed_it(
    api_client, newsroom, settings
):
    symptom = Change.objects.filter(slug="stiffness").first().document

    newsroom.unpublish(symptom)
    detail = api_client.get("/api/v1/symptoms/stiffness/")
    item = api_client.get(SECTION_PATHS[0]).json()["items"][0]

    assert detail.status_code == 404
    assert not Rendering.objects.filter(path="/api/v1/symptoms/stiffness/").exists()
    assert item["entity"] is None
    assert Rendering.objects.filter(path=SECTION_PATHS[0]).exists()
    for path in [ARTICLE_PATH, *SECTION_PATHS]:
        assert api_client.get(path).content == live_render(api_client, path, settings).content


def test_a_renamed_condition_reaches_the_articles_and_causes_that_name_it(
    api_client, newsroom, settings
):
    newsroom.publish_cause("arthritis", ["hip-oa"])
    condition = Change.objects.filter(slug="hip-oa").first().document

    newsroom.update(condition, {"name": "Osteoarthritis of the hip"}, expected=1)

    assert api_client.get(ARTICLE_PATH).json()["conditions"][0]["name"] == (
        "Osteoarthritis of the hip"
    )
    assert api_client.get("/api/v1/causes/arthritis/").json()["conditions"][0]["name"] == (
        "Osteoarthritis of the hip"
    )
    for path in [ARTICLE_PATH, "/api/v1/causes/arthritis/", "/api/v1/conditions/hip-oa/"]:
        assert api_client.get(path).content == live_render(api_client, path, settings).content


def test_a_cause_that_now_names_a_condition_reaches_that_conditions_body(
    api_client, newsroom, settings
):
    assert api_client.get("/api/v1/conditions/hip-oa/").json()["causes"] == []

    newsroom.publish_cause("arthritis", ["hip-oa"])
    causes = api_client.get("/api/v1/conditions/hip-oa/").json()["causes"]

    assert [cause["slug"] for cause in causes] == ["arthritis"]
    assert Rendering.objects.filter(path="/api/v1/conditions/hip-oa/").exists()


def test_a_stored_body_is_not_served_from_the_second_something_it_shows_expires(
    api_client, desk, settings
):
    expire_at = T0 + dt.timedelta(hours=1)
    desk.publish(ContentType.CONDITION, "hip-oa")
    desk.publish(ContentType.SYMPTOM, "stiffness", expire_at=expire_at)
    desk.publish_article()
    assert Rendering.objects.get(path=ARTICLE_PATH).valid_until == expire_at

    with time_machine.travel(expire_at - dt.timedelta(microseconds=1), tick=False):
        before = api_client.get(SECTION_PATHS[0]).json()["items"][0]["entity"]
    with time_machine.travel(expire_at, tick=False), CaptureQueriesContext(connection) as q:
        after = api_client.get(SECTION_PATHS[0]).json()["items"][0]["entity"]

    assert before["slug"] == "stiffness"
    assert after is None
    # The content version, the stored body (refused), the section's three, and when the
    # content next changes by the clock (a new moment: the cached one has come).
    assert len(q) == 3 + CACHE_MISS + STORED_LOOKUP


def test_a_stored_body_is_not_served_once_its_review_falls_overdue(api_client, desk):
    with desk.capture(execute=True):
        revision = document_create(
            type_=ContentType.SYMPTOM, author=desk.staff.editor,
            data={"slug": "stiffness", "name": "Stiffness", "description": "Tight.",
                  "frequency": "common"},
        )
        review_submit(revision=revision, reviewer=desk.staff.reviewer,
                      decision=ReviewDecision.APPROVED, next_review_due=dt.date(2026, 3, 3))
        revision_publish(revision=revision, user=desk.staff.publisher)

    assert Rendering.objects.get().valid_until == dt.datetime(2026, 3, 4, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 3, 4, tzinfo=dt.UTC), tick=False):
        review = api_client.get("/api/v1/symptoms/stiffness/").json()["review"]
    assert review["status"] == "overdue"


def test_a_body_rendered_by_other_code_is_never_served(api_client, newsroom):
    Rendering.objects.update(code="another-release")

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/symptoms/stiffness/")

    assert response.status_code == 200
    # The stored body is refused (1), then the symptom is rendered (its row and its
    # conditions: 2), and the cache's two.
    assert len(queries) == 2 + CACHE_MISS + STORED_LOOKUP


def test_a_publish_that_commits_while_rendering_wins(newsroom, monkeypatch):
    """A body read before a publish committed is never stored after that publish."""
    Rendering.objects.all().delete()
    original = renderings._renderer
    symptom = Change.objects.filter(slug="stiffness").first().document

    def meanwhile(type_, pk):
        bodies = original(type_, pk)
        Change.objects.create(document=symptom, type="symptom", slug="stiffness",
                              action="updated", at=T0, version=1)
        return bodies

    monkeypatch.setattr(renderings, "_renderer", meanwhile)
    stored = renderings.renderings_render([(ContentType.SYMPTOM, 1)])

    assert stored == 0
    assert not Rendering.objects.exists()


def test_refresh_renderings_stores_what_is_missing_and_forgets_what_is_stale(newsroom):
    Rendering.objects.filter(path="/api/v1/symptoms/stiffness/").delete()
    Rendering.objects.filter(path=ARTICLE_PATH).update(code="another-release")
    out = io.StringIO()

    call_command("refresh_renderings", stdout=out)
    again = io.StringIO()
    call_command("refresh_renderings", stdout=again)

    # Every path of a row is rendered together: the article's 3 bodies go and come back.
    assert out.getvalue() == "2 item(s) rendered, 3 stale rendering(s) removed.\n"
    assert again.getvalue() == "0 item(s) rendered, 0 stale rendering(s) removed.\n"
    assert sorted(Rendering.objects.values_list("path", flat=True)) == sorted(PATHS)


def test_nothing_is_stored_when_stored_renderings_are_off(desk, settings):
    settings.HIPKNEE_STORED_RENDERINGS = False

    desk.publish(ContentType.SYMPTOM, "stiffness")

    assert not Rendering.objects.exists()


def test_dependents_is_dependencies_read_the_other_way():
    """One rule: a row names another among its dependencies exactly when that one names it
    among its dependents. Checked on the seed, whose article links every type and whose causes
    name conditions (the data the rule is about, not a fixture of expectations)."""
    from content.models import LIVE_MODELS

    call_command("load_seed_content", stdout=io.StringIO())
    rows = [(type_, pk) for type_, model in LIVE_MODELS.items()
            for pk in model.objects.values_list("pk", flat=True)]
    forward = {(row, shown) for row in rows for shown in renderings.dependencies(*row)}
    backward = {(showing, row) for row in rows for showing in renderings.dependents(*row)}

    assert forward == backward
    assert {shown[0] for _, shown in forward} == set(LIVE_MODELS)
