"""The public preview (content/preview.py, content/admin/preview.py): a draft, or the change
form's unsaved edit, rendered by the API's own code exactly as the API serves it once
published, with nothing kept; the one admin page that may be framed, by this site only."""

import datetime as dt
import html
import json
import re

import pytest
import time_machine

from content.api.security import HTML_POLICY
from content.choices import ContentType, ReviewDecision, Role
from content.models import Article, Change, Document, Revision, Section
from content.preview import edit_preview, revision_preview
from content.readability import snapshot_readability
from content.selectors import revision_content
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.roles import role_groups_ensure
from content.services.versioning import document_create, revision_create
from tests.factories import EditorProfileFactory, UserFactory
from tests.test_admin import form_data

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


# --- the preview beside the change form: framing, payload, unsaved edits --------------------

T0 = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def preview_json(response) -> dict:
    """The JSON the preview page shows as what the API would serve."""
    match = re.search(r'<pre id="preview-json">(.*?)</pre>', response.content.decode(), re.S)
    assert match, "the preview shows no JSON"
    return json.loads(html.unescape(match[1]))


def test_only_the_preview_may_be_framed_and_only_by_this_site(people, live_article, client):
    client.force_login(people["editor"])
    base = f"/admin/content/document/{live_article.pk}"
    change = client.get(f"{base}/change/")
    data = form_data(change)

    for response in (client.get(f"{base}/preview/"), client.get(f"{base}/preview/?frame=1"),
                     client.post(f"{base}/preview/", data)):
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        # The page policy with one difference: pages of this site may frame it.
        assert response["Content-Security-Policy"] == HTML_POLICY.replace(
            "frame-ancestors 'none'", "frame-ancestors 'self'")
    # Every other page keeps DENY; the change form may frame only this site (default-src
    # 'self' is its frame-src, and the preview is the one page that lets itself be framed).
    for path in (f"{base}/change/", f"{base}/history/", "/admin/content/document/",
                 "/admin/content/document/my-work/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["Content-Security-Policy"] == HTML_POLICY, path
    assert "default-src 'self'" in HTML_POLICY and "frame-src" not in HTML_POLICY
    # Without a session, the preview is the login redirect, which nobody may frame.
    client.logout()
    response = client.get(f"{base}/preview/?frame=1")
    assert response.status_code == 302
    assert response["X-Frame-Options"] == "DENY"


def test_the_change_form_shows_the_preview_panel_with_a_refresh_for_editors(
    people, live_article, client
):
    preview = f"/admin/content/document/{live_article.pk}/preview/"
    client.force_login(people["editor"])
    html_ = client.get(f"/admin/content/document/{live_article.pk}/change/").content.decode()
    assert '<details class="preview-panel" id="preview-panel" open>' in html_
    assert (f'<iframe name="public-preview-frame" id="public-preview-frame" '
            f'src="{preview}?frame=1"') in html_
    assert (f'<button type="submit" form="document_form" formaction="{preview}" '
            'formmethod="post" formtarget="public-preview-frame" name="_preview"') in html_
    assert "content/preview_panel.js" in html_

    # A reviewer cannot edit: the panel shows the latest revision, with nothing to post.
    reviewer = UserFactory(username="rhea", roles=[Role.MEDICAL_REVIEWERS], is_staff=True)
    client.force_login(reviewer)
    html_ = client.get(f"/admin/content/document/{live_article.pk}/change/").content.decode()
    assert f'src="{preview}?frame=1"' in html_
    assert 'id="preview-refresh"' not in html_
    response = client.post(preview, {"title": "Nope"})
    assert response.status_code == 403


def test_the_framed_preview_has_no_admin_header_and_keeps_messages(people, live_article,
                                                                    client):
    client.force_login(people["editor"])
    framed = client.get(f"/admin/content/document/{live_article.pk}/preview/?frame=1")
    page = client.get(f"/admin/content/document/{live_article.pk}/preview/")

    assert 'id="header"' not in framed.content.decode()
    assert 'id="header"' in page.content.decode()
    assert 'class="popup ' in framed.content.decode()
    assert "<h1>Hip and knee</h1>" in framed.content.decode()


def test_the_preview_payload_equals_the_public_api_for_the_same_revision(
    people, live_article, client, api_client
):
    EditorProfileFactory(user=people["reviewer"], display_name="Dr Rita Shah",
                         credentials="MBBS")
    with time_machine.travel(T0, tick=False):
        draft = revision_create(
            document=live_article, author=people["editor"], expected_revision=1,
            data={"title": "Hip and knee pain", "sections": [
                {**ARTICLE["sections"][0], "body": "<p>Hip pain can show up in the knee.</p>"}]})
        review_submit(revision=draft, reviewer=people["reviewer"],
                      decision=ReviewDecision.APPROVED,
                      next_review_due=dt.date(2027, 6, 1))
        client.force_login(people["editor"])
        response = client.get(f"/admin/content/document/{live_article.pk}/preview/?frame=1")
        assert response.status_code == 200
        previewed = preview_json(response)
        # Nothing of it reached the public API.
        assert api_client.get("/api/v1/articles/hip-and-knee/").json()["version"] == 1

        revision_publish(revision=draft, user=people["publisher"])
        served = api_client.get("/api/v1/articles/hip-and-knee/").json()

    assert previewed == served  # the whole payload, review block and times included
    assert served["version"] == 2 and served["title"] == "Hip and knee pain"
    assert served["review"]["reviewed_by"] == {"name": "Dr Rita Shah", "credentials": "MBBS"}


def test_refresh_previews_the_unsaved_edit_and_saves_nothing(people, live_article, client):
    client.force_login(people["editor"])
    change = client.get(f"/admin/content/document/{live_article.pk}/change/")
    data = {**form_data(change), "title": "Hip and knee, unsaved",
            "sections-0-body": "<p>Unsaved <script>x</script>words.</p>", "_preview": "1"}
    revisions, changes = Revision.objects.count(), Change.objects.count()

    with time_machine.travel(T0, tick=False):
        response = client.post(f"/admin/content/document/{live_article.pk}/preview/", data)
        previewed = preview_json(response)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>Your unsaved edit</strong>, as the public API would serve it if it were " \
           "saved (as revision 2) and published now." in body
    # What the sanitiser will remove is said, as on save.
    assert "Section 1 (Introduction): the sanitiser removed &lt;script&gt; (1)" in body
    # The unsaved text's reading figures, as the form shows a saved revision's.
    grade = re.search(r'<div id="preview-readability">.*?class="fk-grade">([\d.]+)<', body,
                      re.S)[1]
    assert (previewed["title"], previewed["version"]) == ("Hip and knee, unsaved", 2)
    assert previewed["sections"][0]["body"] == "<p>Unsaved words.</p>"
    # Nothing was kept anywhere.
    assert (Revision.objects.count(), Change.objects.count()) == (revisions, changes)
    assert Article.objects.get().title == "Hip and knee"

    # Saved as it was previewed, the revision previews exactly as the unsaved edit did.
    data.pop("_preview")
    client.post(f"/admin/content/document/{live_article.pk}/change/", {**data, "_save": "1"})
    assert Revision.objects.count() == revisions + 1
    with time_machine.travel(T0, tick=False):
        saved = preview_json(client.get(
            f"/admin/content/document/{live_article.pk}/preview/?revision=2"))
    assert saved == previewed
    figures = snapshot_readability(ContentType.ARTICLE, revision_content(
        Revision.objects.get(document=live_article, number=2)))["overall"]
    assert float(grade) == figures["flesch_kincaid_grade"]
    assert figures != snapshot_readability(ContentType.ARTICLE, ARTICLE)["overall"]


def test_refresh_without_changes_previews_the_revision_being_edited(people, live_article,
                                                                    client):
    client.force_login(people["editor"])
    change = client.get(f"/admin/content/document/{live_article.pk}/change/")

    response = client.post(f"/admin/content/document/{live_article.pk}/preview/",
                           form_data(change))

    assert "<strong>Revision 1</strong> (your form has no unsaved changes)" in \
        response.content.decode()
    assert preview_json(response)["version"] == 1


def test_refresh_shows_what_a_save_would_refuse_and_saves_nothing(people, live_article,
                                                                  client):
    client.force_login(people["editor"])
    change = client.get(f"/admin/content/document/{live_article.pk}/change/")
    url = f"/admin/content/document/{live_article.pk}/preview/"
    revisions = Revision.objects.count()

    empty_title = client.post(url, {**form_data(change), "title": ""})
    bidi = client.post(url, {**form_data(change), "summary": "Hip \u202eand knee."})

    assert empty_title.status_code == bidi.status_code == 200
    assert re.search(r'id="preview-error">The form has errors, so it cannot be previewed\. '
                     r"Nothing was saved\.\s*<ul><li><code>Title</code>: This field is "
                     r"required\.</li></ul>", empty_title.content.decode())
    assert 'id="public-preview"' not in empty_title.content.decode()
    assert re.search(r'id="preview-error">.*<code>summary</code>: .*', bidi.content.decode(),
                     re.S)
    assert 'id="public-preview"' not in bidi.content.decode()
    assert Revision.objects.count() == revisions


def test_edit_preview_of_a_link_to_an_unknown_item_is_refused_like_a_save(people,
                                                                          live_article):
    latest = live_article.latest_revision
    preview = edit_preview(
        document=live_article, base=latest,
        data={"conditions": [{"type": "condition", "slug": "no-such-thing"}]})

    assert preview["detail"] is None
    assert preview["errors"] == [{
        "field": "conditions[0]", "message": "There is no condition with slug 'no-such-thing'.",
        "code": "does_not_exist"}]


def test_the_preview_lists_every_public_field_as_a_reader_meets_it(people, live_article,
                                                                    client):
    client.force_login(people["editor"])
    condition = Document.objects.get(type=ContentType.CONDITION)

    response = client.get(f"/admin/content/document/{condition.pk}/preview/?frame=1")

    body = response.content.decode()
    assert "<h1>Hip bursitis</h1>" in body
    # Links by their names, empty lists as a dash, never a Python repr.
    assert "<dt>articles</dt><dd>Hip and knee</dd>" in body
    assert "<dt>also_known_as</dt><dd>—</dd>" in body
    assert "[{" not in body.split('<pre id="preview-json">')[0]


def test_refresh_previews_an_unsaved_edit_of_any_type(people, live_article, client):
    client.force_login(people["editor"])
    condition = Document.objects.get(type=ContentType.CONDITION)
    change = client.get(f"/admin/content/document/{condition.pk}/change/")

    response = client.post(f"/admin/content/document/{condition.pk}/preview/", {
        **form_data(change), "description": "Swelling of a small sac of fluid in the hip."})

    previewed = preview_json(response)
    assert previewed["description"] == "Swelling of a small sac of fluid in the hip."
    assert previewed["version"] == 2
    assert "<dd>Swelling of a small sac of fluid in the hip.</dd>" in response.content.decode()
    assert Revision.objects.filter(document=condition).count() == 1


def test_the_admin_preview_shows_a_sections_blocks_in_reading_order(people, live_article, client):
    """A paragraph after a list stands after it in the preview (issue #20)."""
    section = {k: v for k, v in ARTICLE["sections"][0].items()
               if k not in ("body", "groups", "items")}
    revision_create(document=live_article, author=people["editor"], expected_revision=1,
                    data={"sections": [{**section, "blocks": [
                        {"type": "paragraph", "body": "<p>Opening.</p>"},
                        {"type": "list", "group": "why_it_matters", "heading": "Why",
                         "items": [{"title": None, "text": "It guides treatment."}]},
                        {"type": "paragraph", "body": "<p>Closing.</p>"},
                    ]}]})
    client.force_login(people["editor"])

    page = client.get(f"/admin/content/document/{live_article.pk}/preview/").content.decode()
    html = page[page.index('<article id="public-preview"'):page.index("</article>")]

    order = [html.index(text) for text in
             ("<p>Opening.</p>", "<h3>Why</h3>", "It guides treatment.", "<p>Closing.</p>")]
    assert order == sorted(order)
