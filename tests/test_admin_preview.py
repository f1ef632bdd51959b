"""The public preview (content/preview.py, content/admin/preview.py): a draft rendered by
the API's own code exactly as the API serves it once published, with nothing kept."""

import datetime as dt

import pytest

from content.choices import ContentType, ReviewDecision, Role
from content.models import Article, Change, Section
from content.preview import revision_preview
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.roles import role_groups_ensure
from content.services.versioning import document_create, revision_create
from tests.factories import UserFactory

ARTICLE = {
    "slug": "hip-and-knee", "title": "Hip and knee", "summary": "How they connect.",
    "conditions": [{"type": "condition", "slug": "hip-bursitis"}],
    "sections": [{"kind": "introduction", "heading": "Introduction",
                  "body": "<p>Your hip and knee work together.</p>",
                  "items": [{"group": "why_it_matters", "text": "It guides treatment."}]}],
}


@pytest.fixture
def people(db):
    role_groups_ensure()
    return {
        "editor": UserFactory(username="eddie", roles=[Role.EDITORS], is_staff=True),
        "reviewer": UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS]),
        "publisher": UserFactory(username="paul", roles=[Role.PUBLISHERS]),
    }


def publish(revision, people):
    review_submit(revision=revision, reviewer=people["reviewer"],
                  decision=ReviewDecision.APPROVED,
                  next_review_due=dt.date.today() + dt.timedelta(days=100))
    return revision_publish(revision=revision, user=people["publisher"])


@pytest.fixture
def live_article(people):
    publish(document_create(type_=ContentType.CONDITION, data={
        "slug": "hip-bursitis", "name": "Hip bursitis", "body_region": "hip"},
        author=people["editor"]), people)
    revision = document_create(type_=ContentType.ARTICLE, data=ARTICLE, author=people["editor"])
    publish(revision, people)
    return revision.document


def test_a_draft_is_previewed_as_the_api_will_serve_it_and_nothing_is_kept(
    people, live_article, api_client
):
    draft = revision_create(
        document=live_article, author=people["editor"], expected_revision=1,
        data={"sections": [{**ARTICLE["sections"][0],
                            "body": "<p>Hip pain can show up in the knee.</p>"}]})
    changes = Change.objects.count()

    preview = revision_preview(draft, origin="http://testserver")

    assert preview["error"] is None
    assert preview["detail"]["sections"][0]["body"] == "<p>Hip pain can show up in the knee.</p>"
    assert preview["detail"]["version"] == 2
    # Nothing was kept: the live tables, the change feed and the public API are as before.
    assert Section.objects.get().body == "<p>Your hip and knee work together.</p>"
    assert Article.objects.get().version == 1
    assert Change.objects.count() == changes
    before = api_client.get("/api/v1/articles/hip-and-knee/").json()
    assert before["sections"][0]["body"] == "<p>Your hip and knee work together.</p>"

    # Once published, the API serves what the preview showed (but the review block and time).
    publish(draft, people)
    served = api_client.get("/api/v1/articles/hip-and-knee/").json()
    ignore = {"review", "updated_at"}
    assert {k: v for k, v in served.items() if k not in ignore} == {
        k: v for k, v in preview["detail"].items() if k not in ignore}


def test_the_admin_preview_page_shows_the_draft(people, live_article, client):
    revision_create(
        document=live_article, author=people["editor"], expected_revision=1,
        data={"sections": [{**ARTICLE["sections"][0],
                            "body": "<p>Hip pain <script>x</script>shows up.</p>"}]})
    client.force_login(people["editor"])

    change = client.get(f"/admin/content/document/{live_article.pk}/change/")
    assert f'href="/admin/content/document/{live_article.pk}/preview/"' in change.content.decode()
    response = client.get(f"/admin/content/document/{live_article.pk}/preview/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<p>Hip pain shows up.</p>" in html
    assert "<script>" not in html
    assert "It guides treatment." in html
    first = client.get(f"/admin/content/document/{live_article.pk}/preview/?revision=1")
    assert "<p>Your hip and knee work together.</p>" in first.content.decode()
    assert client.get(
        f"/admin/content/document/{live_article.pk}/preview/?revision=9").status_code == 404


def test_a_draft_linking_to_unpublished_items_says_why_it_cannot_be_previewed(people, client):
    document_create(type_=ContentType.CONDITION, data={
        "slug": "hip-bursitis", "name": "Hip bursitis", "body_region": "hip"},
        author=people["editor"])
    revision = document_create(type_=ContentType.ARTICLE, data=ARTICLE, author=people["editor"])

    preview = revision_preview(revision)

    assert preview["detail"] is None
    assert "hip-bursitis" in preview["error"]
    assert Article.objects.count() == 0
