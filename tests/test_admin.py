"""The editors' admin (content/admin/): drafts as revisions, stale saves, roles, workflow.

Each test builds its own content through the services and drives the admin with Django's
test client, then asserts what was stored (revisions, reviews, events), what the live
tables hold and what the public API serves.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission

from content.choices import ContentType, EditorialAction, ReviewDecision, Role
from content.models import Article, Document, EditorialEvent, Review, Revision, Section
from content.roles import ROLE_PERMISSIONS
from content.services.publishing import revision_publish
from content.services.reviews import review_request, review_submit
from content.services.roles import role_groups_ensure
from content.services.versioning import document_create, revision_content, revision_create
from content.snapshots import sanitise_removed
from tests.factories import EditorProfileFactory, UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ARTICLE = "hip-and-knee"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def groups(db):
    return role_groups_ensure()


def staff(username: str, *roles, name: str | None = None, credentials: str = ""):
    user = UserFactory(username=username, roles=list(roles), is_staff=True)
    if name:
        EditorProfileFactory(user=user, display_name=name, credentials=credentials)
    return user


@pytest.fixture
def editor(groups):
    return staff("eddie", Role.EDITORS, name="Eddie Editor")


@pytest.fixture
def reviewer(groups):
    return staff("rita", Role.MEDICAL_REVIEWERS, name="Dr Rita Shah", credentials="MBBS, FRCS")


@pytest.fixture
def publisher(groups):
    return staff("paul", Role.PUBLISHERS, name="Paul Publisher")


def client_for(client, user):
    client.force_login(user)
    return client


def go_live(type_: str, data: dict, reviewer, publisher) -> Document:
    """Create, approve and publish an item through the services."""
    revision = document_create(type_=type_, data=data, author=None)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED,
                  next_review_due=dt.date(2027, 3, 1))
    return revision_publish(revision=revision, user=publisher)


ARTICLE_DATA = {
    "slug": ARTICLE,
    "title": "Hip and knee",
    "summary": "How hip problems cause knee pain.",
    "conditions": [{"type": "condition", "slug": "hip-bursitis"}],
    "sections": [
        {
            "kind": "introduction",
            "heading": "Introduction",
            "body": "<p>Your hip and knee work together.</p>",
            "groups": [{"group": "why_it_matters", "heading": "Why it matters"}],
            "items": [{"group": "why_it_matters", "title": None, "text": "It guides treatment."}],
        },
        {
            "kind": "symptoms",
            "heading": "Symptoms",
            "body": "<p>Look out for these.</p>",
            "items": [
                {"group": "common", "title": "Stiffness", "text": "A tight knee.",
                 "entity": {"type": "symptom", "slug": "stiffness"}},
                {"group": "less_common", "title": "Clicking", "text": "A clicking hip."},
            ],
        },
    ],
}


@pytest.fixture
def article(reviewer, publisher) -> Document:
    """A live article (revision 1) with two sections, and the entities it links to."""
    importer = staff("importer", Role.MEDICAL_REVIEWERS)
    with time_machine.travel(T0 - dt.timedelta(days=30), tick=False):
        go_live(ContentType.CONDITION, {"slug": "hip-bursitis", "name": "Hip bursitis",
                                        "body_region": "hip"}, importer, publisher)
        go_live(ContentType.SYMPTOM, {"slug": "stiffness", "name": "Stiffness",
                                      "description": "Tightness.", "frequency": "common"},
                importer, publisher)
        return go_live(ContentType.ARTICLE, ARTICLE_DATA, importer, publisher)


def change_url(document: Document) -> str:
    return f"/admin/content/document/{document.pk}/change/"


def form_data(response) -> dict:
    """The POST a browser would send for the edit form as rendered (all initial values)."""
    editor = response.context["editor"]
    data: dict = {}

    def collect(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else (
                value if isinstance(value, list) else str(value))

    collect(editor.form)
    if editor.sections is not None:
        management = editor.sections.management_form
        data.update({f"sections-{k}": v for k, v in management.initial.items()})
        for section in editor.sections:
            collect(section)
            data.update({f"{section.items.prefix}-{k}": v
                         for k, v in section.items.management_form.initial.items()})
            for item in section.items:
                collect(item)
    return data


def live_bodies() -> dict[str, str]:
    return dict(Section.objects.values_list("kind", "body"))


# --- permissions ------------------------------------------------------------------------------


def test_groups_migration_gives_each_role_its_permissions(db):
    role_groups_ensure()
    for role, names in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(names), role


def test_migration_mapping_equals_the_role_permissions_in_code():
    from importlib import import_module

    groups = import_module("content.migrations.0004_editorial_groups").ROLE_PERMISSIONS
    added = import_module("content.migrations.0011_editors_edit_synonyms").ADDED
    assert {role: {f"content.{c}" for c in (*codenames, *added.get(role, ()))}
            for role, codenames in groups.items()} == {
        str(role): set(names) for role, names in ROLE_PERMISSIONS.items()
    }


def test_users_without_a_role_see_nothing_editorial(client, article, groups):
    nobody = UserFactory(username="nobody", is_staff=True)
    # Even a model permission given directly does not open the editorial screens.
    nobody.user_permissions.add(Permission.objects.get(codename="view_document"))
    client_for(client, nobody)

    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"/admin/content/document/" not in index.content
    base = f"/admin/content/document/{article.pk}"
    for url in ("/admin/content/document/", f"{base}/change/", f"{base}/history/",
                f"{base}/compare/?from=1&to=1", "/admin/content/document/add/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["status"] == 403
    response = client.post(f"{base}/change/", {"_workflow": "publish", "publish-revision": 1})
    assert response.status_code == 403
    response = client.post(f"{base}/revert/", {"revision": 1, "expected_revision": 1})
    assert response.status_code == 403
    assert Revision.objects.filter(document=article).count() == 1


def test_anonymous_users_are_sent_to_the_login_page(client, article):
    response = client.get(change_url(article))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_index_shows_documents_to_every_role(client, editor, reviewer, publisher):
    for user in (editor, reviewer, publisher):
        response = client_for(client, user).get("/admin/")
        assert b'href="/admin/content/document/"' in response.content, user.username


def test_reviewer_sees_the_draft_read_only_and_cannot_save(
    client, article, reviewer, django_assert_num_queries
):
    client_for(client, reviewer)
    with django_assert_num_queries(10):  # the 10th: did this reviewer author this content?
        response = client.get(change_url(article))
    assert response.status_code == 200
    assert response.context["editor"] is None
    assert response.context["preview"] == {
        "fields": [("Title", "Hip and knee"), ("Summary", "How hip problems cause knee pain."),
                   ("Language", "en"), ("Conditions", "Hip bursitis")],
        "sections": [
            {"position": 1, "kind": "Introduction", "heading": "Introduction", "timeline": [],
             "blocks": [  # in reading order (content/blocks.py)
                 {"paragraph": "<p>Your hip and knee work together.</p>"},
                 {"group": "why_it_matters", "heading": "Why it matters", "items": [
                     {"title": None, "text": "It guides treatment.", "link": None,
                      "link_type": None}]}]},
            {"position": 2, "kind": "Symptoms", "heading": "Symptoms", "timeline": [],
             "blocks": [
                 {"paragraph": "<p>Look out for these.</p>"},
                 {"group": "common", "heading": "", "items": [
                     {"title": "Stiffness", "text": "A tight knee.", "link": "Stiffness",
                      "link_type": "symptom"}]},
                 {"group": "less_common", "heading": "", "items": [
                     {"title": "Clicking", "text": "A clicking hip.", "link": None,
                      "link_type": None}]}]},
        ],
    }
    content = response.content.decode()
    assert 'id="document_form"' not in content
    assert "read only: editing needs the editors role" in content
    assert "<strong>Stiffness</strong>: A tight knee. <small>→ symptom: Stiffness</small>" \
        in content

    data = {"expected_revision": 1, "title": "Changed by a reviewer"}
    assert client.post(change_url(article), data).status_code == 403
    assert Revision.objects.filter(document=article).count() == 1


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.EDITORS, "review"),
        (Role.EDITORS, "publish"),
        (Role.EDITORS, "unpublish"),
        (Role.MEDICAL_REVIEWERS, "submit"),
        (Role.MEDICAL_REVIEWERS, "publish"),
        (Role.PUBLISHERS, "submit"),
        (Role.PUBLISHERS, "review"),
        (Role.PUBLISHERS, "not-an-action"),
    ],
)
def test_workflow_buttons_need_their_role(client, article, groups, role, action):
    client_for(client, staff("someone", role))
    response = client.post(change_url(article), {
        "_workflow": action, "submit-revision": 1, "review-revision": 1,
        "review-decision": "approved", "publish-revision": 1,
    })
    assert response.status_code == 403
    assert Review.objects.filter(revision__document=article).count() == 1  # the fixture's
    assert EditorialEvent.objects.filter(document=article).count() == 3  # the fixture's


def test_each_role_sees_only_its_own_workflow_buttons(client, article, editor, reviewer,
                                                      publisher):
    expected = {
        editor: {"submit"},
        reviewer: {"review"},
        publisher: {"unpublish"},  # publishing waits for an approval
    }
    revision_create(document=article, data={"title": "Hip and knee pain"}, author=editor,
                    expected_revision=1)
    for user, buttons in expected.items():
        content = client_for(client, user).get(change_url(article)).content.decode()
        shown = set(re.findall(r'name="_workflow" value="([a-z]+)"', content)) - {"schedule"}
        assert shown == buttons, user.username


# --- change list ------------------------------------------------------------------------------


def test_change_list_shows_every_type_with_status_revisions_and_review(
    client, article, editor, reviewer, django_assert_num_queries
):
    revision_create(document=article, data={"title": "Hip and knee pain"}, author=editor,
                    expected_revision=1)
    review_request(revision=article.revisions.get(number=2), user=editor)
    document_create(type_=ContentType.WARNING_SIGN, author=editor,
                    data={"slug": "numb-leg", "text": "A numb leg.", "urgency": "immediate"})
    client_for(client, editor)

    # session, user, roles, 2 counts (filtered and total), 1 page of annotated documents,
    # and 2 for the type/status filters' choices
    with time_machine.travel(T0, tick=False), django_assert_num_queries(8):
        response = client.get("/admin/content/document/")

    assert response.status_code == 200
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
            r"<t[hd] class=\"field-[a-z_]+[^\"]*\"[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S)
        if "field-type" in row
    ]
    assert rows == [
        ["Hip and knee pain", "Article", ARTICLE, "Published", "2 (draft)", "1",
         "Awaiting medical review", "1 Mar 2027"],
        ["Hip bursitis", "Condition", "hip-bursitis", "Published", "1", "1", "Approved",
         "1 Mar 2027"],
        ["Stiffness", "Symptom", "stiffness", "Published", "1", "1", "Approved", "1 Mar 2027"],
        ["A numb leg.", "Warning sign", "numb-leg", "Draft (never published)", "1", "—",
         "Not submitted for review", "—"],
    ]


def test_change_list_highlights_overdue_reviews_and_filters_them(client, article, editor):
    with time_machine.travel(dt.datetime(2027, 3, 5, tzinfo=dt.UTC), tick=False):
        client_for(client, editor)
        response = client.get("/admin/content/document/?due=overdue&type=article")
    content = response.content.decode()
    assert '<strong class="review-overdue" style="color:#ba2121">1 Mar 2027 (overdue)</strong>' \
        in content
    assert list(response.context["cl"].result_list) == [article]

    with time_machine.travel(T0, tick=False):
        response = client.get("/admin/content/document/?due=overdue")
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("q=bursitis", ["hip-bursitis"]),  # name of the latest revision
        ("q=knee+pain", [ARTICLE]),  # title of the latest (draft) revision
        ("q=stiff", ["stiffness"]),  # slug and name
        ("q=numb", ["numb-leg"]),  # a warning sign's text
        ("type=symptom", ["stiffness"]),
        ("status=draft", ["numb-leg"]),
        ("status=published", [ARTICLE, "hip-bursitis", "stiffness"]),
        ("review=awaiting_review", [ARTICLE]),
        ("review=approved", ["hip-bursitis", "stiffness"]),
        ("review=not_submitted", ["numb-leg"]),
        ("review=changes_requested", []),
        ("due=never", []),
    ],
)
def test_change_list_search_and_filters(client, article, editor, query, slugs):
    revision_create(document=article, data={"title": "Hip and knee pain"}, author=editor,
                    expected_revision=1)
    review_request(revision=article.revisions.get(number=2), user=editor)
    document_create(type_=ContentType.WARNING_SIGN, author=editor,
                    data={"slug": "numb-leg", "text": "A numb leg.", "urgency": "immediate"})
    response = client_for(client, editor).get(f"/admin/content/document/?{query}")
    assert response.status_code == 200
    assert [d.slug for d in response.context["cl"].result_list] == slugs


# --- the change form: editing the latest revision ---------------------------------------------


def test_change_form_edits_the_latest_draft_not_the_live_row(
    client, article, editor, django_assert_num_queries
):
    revision_create(
        document=article, author=editor, expected_revision=1,
        data={"sections": [{**ARTICLE_DATA["sections"][0], "heading": "Draft heading"},
                           ARTICLE_DATA["sections"][1]]},
    )
    client_for(client, editor)
    with time_machine.travel(T0, tick=False), django_assert_num_queries(9):
        response = client.get(change_url(article))

    assert response.status_code == 200
    editor_forms = response.context["editor"]
    assert editor_forms.form["expected_revision"].value() == 2
    assert editor_forms.form["title"].value() == "Hip and knee"
    assert editor_forms.form["conditions"].value() == ["hip-bursitis"]
    assert [s["heading"].value() for s in editor_forms.sections][:2] == [
        "Draft heading", "Symptoms"]
    symptoms = editor_forms.sections.forms[1]
    assert [(i["ORDER"].value(), i["group"].value(), i["title"].value(), i["entity"].value())
            for i in symptoms.items] == [
        (1, "common", "Stiffness", "symptom:stiffness"),
        (2, "less_common", "Clicking", ""),
        (None, None, None, None),  # a blank row to add an item
    ]
    assert [line.html for line in response.context["banner"]] == [
        "<strong>Unpublished changes</strong>: revision 2 is a draft; the public API still "
        "serves revision 1.",
        "<strong>Not submitted</strong>: revision 2 has not been submitted for medical review.",
    ]
    assert Section.objects.get(kind="introduction").heading == "Introduction"


def test_saving_creates_a_draft_revision_and_never_touches_live_tables(
    client, api_client, article, editor
):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    public_before = api_client.get(f"/api/v1/articles/{ARTICLE}/").json()
    data["sections-0-body"] = "<p>Your hip and knee work as a team.</p>"
    data["sections-1-items-1-text"] = "A clicking or popping hip."
    data["change_note"] = "Plainer intro"

    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), data)

    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    revision = Revision.objects.get(document=article, number=2)
    assert revision.author == editor
    assert revision.change_note == "Plainer intro"
    assert revision.parent.number == 1
    assert revision_content(revision) == {
        **ARTICLE_DATA,
        "language": "en",
        "sections": [
            {**ARTICLE_DATA["sections"][0], "position": 1, "health_aspect": "OverviewHealthAspect",
             "blocks": [
                 {"type": "paragraph", "body": "<p>Your hip and knee work as a team.</p>"},
                 {"type": "list", "group": "why_it_matters", "heading": "Why it matters",
                  "items": [{"title": None, "text": "It guides treatment.", "entity": None}]},
             ],
             "body": "<p>Your hip and knee work as a team.</p>", "timeline": None,
             "items": [{**ARTICLE_DATA["sections"][0]["items"][0], "entity": None}]},
            {**ARTICLE_DATA["sections"][1], "position": 2, "health_aspect": "SymptomsHealthAspect",
             "blocks": [
                 {"type": "paragraph", "body": "<p>Look out for these.</p>"},
                 {"type": "list", "group": "common", "heading": None,
                  "items": [{"title": "Stiffness", "text": "A tight knee.",
                             "entity": {"type": "symptom", "slug": "stiffness"}}]},
                 {"type": "list", "group": "less_common", "heading": None,
                  "items": [{"title": "Clicking", "text": "A clicking or popping hip.",
                             "entity": None}]},
             ],
             "groups": [], "timeline": None,
             "items": [ARTICLE_DATA["sections"][1]["items"][0],
                       {"group": "less_common", "title": "Clicking",
                        "text": "A clicking or popping hip.", "entity": None}]},
        ],
    }
    article.refresh_from_db()
    assert (article.latest_revision.number, article.live_revision.number) == (2, 1)
    assert EditorialEvent.objects.filter(document=article, revision=revision).get().action == \
        EditorialAction.EDITED
    assert live_bodies() == {"introduction": "<p>Your hip and knee work together.</p>",
                             "symptoms": "<p>Look out for these.</p>"}
    assert api_client.get(f"/api/v1/articles/{ARTICLE}/").json() == public_before

    page = client.get(change_url(article))
    assert [str(m) for m in page.context["messages"]] == [
        "Saved as draft revision 2. The public API still serves what was live before: a "
        "medical reviewer must approve this revision and a publisher must publish it."
    ]
    assert "Unpublished changes" in page.context["banner"][0].html


def test_section_body_is_sanitised_on_save(client, article, editor):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    data["sections-0-body"] = (
        '<p onclick="steal()">Safe <a href="javascript:alert(1)">link</a></p>'
        "<script>alert(1)</script>"
    )
    response = client.post(change_url(article), data, follow=True)
    content = revision_content(article.revisions.get(number=2))
    assert content["sections"][0]["body"] == '<p>Safe <a rel="noopener noreferrer">link</a></p>'
    # The editor is told what the sanitiser removed, section by section.
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "Section 1 (Introduction): the sanitiser removed <script> (1), href on <a> (1), "
        "onclick on <p> (1) from the body")
    assert "&lt;script&gt; (1)" in response.content.decode()


def test_the_sanitiser_reports_each_tag_and_attribute_it_removes():
    assert sanitise_removed(
        '<p onclick="x()" class="c">Hi<script>alert(1)</script><div>d</div><div>e</div>'
        '<a href="https://example.org" title="t">ok</a><br/></p>'
    ) == ["<div> (2)", "<script> (1)", "class on <p> (1)", "onclick on <p> (1)"]
    assert sanitise_removed('<p>Kept <a href="https://example.org">as is</a></p>') == []
    assert sanitise_removed("") == []


def test_sections_and_items_reorder_by_position_and_can_be_removed_or_added(
    client, article, editor
):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    data.update({
        "sections-0-ORDER": "2", "sections-1-ORDER": "1",  # symptoms first
        # The symptoms' lists swap places: an item's position orders it within its list,
        # the order of blocks orders the lists (issue #20).
        "sections-1-layout": "¶, less_common, common",
        "sections-0-items-0-DELETE": "on",  # remove the introduction's only item
        # fill the blank section row: a conclusion with one item
        "sections-2-kind": "conclusion", "sections-2-heading": "Conclusion",
        "sections-2-body": "<p>See a doctor early.</p>",
        "sections-2-items-0-group": "next_steps", "sections-2-items-0-text": "Book a visit.",
    })
    assert client.post(change_url(article), data).status_code == 302
    content = revision_content(article.revisions.get(number=2))
    assert [(s["position"], s["kind"], [i["text"] for i in s["items"]])
            for s in content["sections"]] == [
        (1, "symptoms", ["A clicking hip.", "A tight knee."]),
        (2, "introduction", []),
        (3, "conclusion", ["Book a visit."]),
    ]


def test_an_editor_adds_a_paragraph_between_two_lists_and_moves_lists_and_items(
    client, article, editor
):
    """Order of blocks (issue #20): “¶” takes the body's next paragraph, a group's name its
    list; items keep their positions within their list (the ↑/↓ buttons rewrite both)."""
    client_for(client, editor)
    page = client.get(change_url(article))
    data = form_data(page)
    assert (data["sections-0-layout"], data["sections-1-layout"]) == (
        "¶, why_it_matters", "¶, common, less_common")
    assert 'data-block-order="1"' in page.content.decode()
    assert "content/block_order.js" in page.content.decode()
    data.update({
        "sections-1-body": "<p>Look out for these.</p><p>Some are rarer.</p>",
        "sections-1-layout": "¶, less_common, ¶, common",  # a list moved up, a paragraph between
        "sections-1-items-2-group": "less_common", "sections-1-items-2-text": "A weak leg.",
        "sections-1-items-2-ORDER": "1",  # first among the less common ones
    })

    assert client.post(change_url(article), data).status_code == 302

    section = revision_content(article.revisions.get(number=2))["sections"][1]
    assert section["blocks"] == [
        {"type": "paragraph", "body": "<p>Look out for these.</p>"},
        {"type": "list", "group": "less_common", "heading": None, "items": [
            {"title": None, "text": "A weak leg.", "entity": None},
            {"title": "Clicking", "text": "A clicking hip.", "entity": None}]},
        {"type": "paragraph", "body": "<p>Some are rarer.</p>"},
        {"type": "list", "group": "common", "heading": None, "items": [
            {"title": "Stiffness", "text": "A tight knee.",
             "entity": {"type": "symptom", "slug": "stiffness"}}]},
    ]
    assert client.get(change_url(article)).context["editor"].sections.forms[1][
        "layout"].value() == "¶, less_common, ¶, common"


def test_an_unknown_or_repeated_block_in_the_order_is_an_error_on_the_field(
    client, article, editor
):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    data["sections-0-layout"] = "¶, why_it_matters, quote"
    data["sections-1-layout"] = "common, common"

    response = client.post(change_url(article), data)

    sections = response.context["editor"].sections.forms
    assert sections[0].errors == {"layout": [
        "Write “¶” or a group's name (why_it_matters, causes, common, less_common, "
        "see_a_doctor, immediate, conventional, alternative, home_remedy, rehabilitation, "
        "tips, next_steps), not “quote”."]}
    assert sections[1].errors == {"layout": ["Name each list once."]}
    assert Revision.objects.filter(document=article).count() == 1


def test_more_rows_adds_blank_rows_without_saving(client, article, editor):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    data["sections-0-body"] = "<p>Typed but not saved yet.</p>"
    response = client.post(change_url(article), {**data, "_more": "sections-1-items"})
    assert response.status_code == 200
    editor_forms = response.context["editor"]
    assert len(editor_forms.sections.forms[1].items.forms) == 6  # 2 items + 1 + 3 blank rows
    assert editor_forms.sections.forms[0]["body"].value() == "<p>Typed but not saved yet.</p>"
    response = client.post(change_url(article), {**data, "_more": "sections"})
    assert len(response.context["editor"].sections.forms) == 4
    assert len(response.context["editor"].sections.forms[3].items.forms) == 3
    assert Revision.objects.filter(document=article).count() == 1


def test_a_stale_save_is_refused_and_the_input_kept(client, article, editor):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    other = staff("olga", Role.EDITORS, name="Olga Other")
    revision_create(document=article, data={"title": "Saved first"}, author=other,
                    expected_revision=1)
    data["sections-0-body"] = "<p>My careful rewrite.</p>"

    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert response.context["stale"]["expected"] == 1
    assert response.context["stale"]["latest"].number == 2
    assert response.context["stale"]["changes"] == [
        {"path": "title", "before": "Hip and knee", "after": "Saved first"}]
    content = response.content.decode()
    assert "Not saved: this item changed while you were editing." in content
    assert "Olga Other saved revision\n  2" in content
    assert content.index('id="stale-error"') < content.index('id="document_form"')
    kept = response.context["editor"]
    assert kept.sections.forms[0]["body"].value() == "<p>My careful rewrite.</p>"
    assert kept.form["expected_revision"].value() == "1"  # saving again is refused again
    assert Revision.objects.filter(document=article).count() == 2
    assert client.post(change_url(article), data).context["stale"]["latest"].number == 2
    assert Revision.objects.filter(document=article).count() == 2


def test_saving_without_changes_creates_no_revision(client, article, editor):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    response = client.post(change_url(article), {**data, "change_note": "Just looking"},
                           follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Revision 1 already has this content, so no revision was saved."
    ]
    assert Revision.objects.filter(document=article).count() == 1


def test_saving_keeps_the_stored_order_of_references(client, article, editor):
    go_live(ContentType.CONDITION, {"slug": "knee-oa", "name": "Knee osteoarthritis",
                                    "body_region": "knee"}, staff("ivy", Role.MEDICAL_REVIEWERS),
            staff("pat", Role.PUBLISHERS))
    cause = document_create(type_=ContentType.CAUSE, author=editor, data={
        "slug": "overuse", "name": "Overuse", "description": "Too much running.",
        "conditions": [{"type": "condition", "slug": "knee-oa"},
                       {"type": "condition", "slug": "hip-bursitis"}],
    }).document
    client_for(client, editor)
    data = form_data(client.get(change_url(cause)))
    assert data["conditions"] == ["knee-oa", "hip-bursitis"]
    data["conditions"] = ["hip-bursitis", "knee-oa"]  # browsers send them in page order
    response = client.post(change_url(cause), data, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Revision 1 already has this content, so no revision was saved."
    ]
    data["description"] = "Too much running, too soon."
    client.post(change_url(cause), data)
    assert [ref["slug"] for ref in revision_content(cause.revisions.get(number=2))[
        "conditions"]] == ["knee-oa", "hip-bursitis"]


def test_content_errors_are_shown_on_their_fields(client, article, editor):
    client_for(client, editor)
    data = form_data(client.get(change_url(article)))
    data["sections-1-items-0-text"] = "Use <b>bold</b> here"
    data["sections-1-items-1-group"] = "why_it_matters"  # not a group of a symptoms section
    data["sections-0-group_heading_why_it_matters"] = "Why " * 80
    data["sections-0-body"] = "<p>Kept on screen.</p>"

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    sections = response.context["editor"].sections.forms
    assert sections[0].errors == {"group_heading_why_it_matters": [
        "Ensure this value has at most 300 characters (it has 319)."]}
    data["sections-0-group_heading_why_it_matters"] = "Why it matters"
    response = client.post(change_url(article), data)
    sections = response.context["editor"].sections.forms
    items = sections[1].items.forms
    assert items[0].errors == {
        "text": ["This is a plain-text field: HTML markup is not allowed."]}
    assert items[1].errors == {"group": [
        "'why_it_matters' is not a valid choice; expected one of: common, less_common."]}
    assert sections[0]["body"].value() == "<p>Kept on screen.</p>"
    assert "Please correct the errors below. Nothing was saved." in response.content.decode()
    assert Revision.objects.filter(document=article).count() == 1


@pytest.mark.parametrize(
    ("type_", "data", "edits", "expected"),
    [
        (ContentType.CONDITION,
         {"slug": "hip-flexor", "name": "Hip flexor strain", "body_region": "hip"},
         {"also_known_as": "pulled hip flexor\r\n\r\nhip strain", "description": "A\r\nstrain."},
         {"also_known_as": ["pulled hip flexor", "hip strain"], "description": "A\nstrain."}),
        (ContentType.TREATMENT,
         {"slug": "ice", "name": "Ice", "description": "Cold packs.", "category": "home_remedy"},
         {"examples": "frozen peas\nice pack", "caution": "  "},
         {"examples": ["frozen peas", "ice pack"], "caution": None}),
        (ContentType.WARNING_SIGN,
         {"slug": "fever", "text": "Fever with a hot joint.", "urgency": "see_a_doctor"},
         {"urgency": "immediate"}, {"urgency": "immediate"}),
        (ContentType.SYMPTOM,
         {"slug": "limp", "name": "Limp", "description": "Uneven walk.", "frequency": "common"},
         {"frequency": "less_common"}, {"frequency": "less_common"}),
        (ContentType.CAUSE,
         {"slug": "overuse", "name": "Overuse", "description": "Too much running."},
         {"conditions": ["hip-bursitis"]},
         {"conditions": [{"type": "condition", "slug": "hip-bursitis"}]}),
    ],
)
def test_every_type_is_edited_through_its_own_form(client, article, editor, type_, data,
                                                   edits, expected):
    document = document_create(type_=type_, data=data, author=editor).document
    client_for(client, editor)
    form = form_data(client.get(change_url(document)))
    assert client.post(change_url(document), {**form, **edits}).status_code == 302
    content = revision_content(document.revisions.get(number=2))
    assert {key: content[key] for key in expected} == expected


def test_add_view_creates_a_draft_through_document_create(client, groups, editor):
    client_for(client, editor)
    assert b'href="?type=warning_sign"' in client.get("/admin/content/document/add/").content
    response = client.post("/admin/content/document/add/?type=warning_sign", {
        "type": "warning_sign", "slug": "hot-swollen-joint", "text": "A hot, swollen joint.",
        "urgency": "immediate", "change_note": "New red flag",
    })
    document = Document.objects.get(slug="hot-swollen-joint")
    assert response.status_code == 302
    assert response["Location"] == change_url(document)
    assert (document.type, document.status, document.live_revision) == (
        "warning_sign", "draft", None)
    assert revision_content(document.latest_revision) == {
        "slug": "hot-swollen-joint", "text": "A hot, swollen joint.", "urgency": "immediate",
        "conditions": []}
    response = client.post("/admin/content/document/add/?type=warning_sign", {
        "type": "warning_sign", "slug": "hot-swollen-joint", "text": "Again.",
        "urgency": "immediate",
    })
    assert response.context["editor"].form.errors == {
        "slug": ["A warning_sign with this slug already exists."]}


def test_add_view_creates_an_article_with_sections(client, article, editor):
    client_for(client, editor)
    page = client.get("/admin/content/document/add/?type=article")
    assert page.status_code == 200
    data = form_data(page)
    assert (data["sections-TOTAL_FORMS"], data["sections-0-items-TOTAL_FORMS"]) == (1, 3)
    data.update({
        "type": "article", "slug": "knee-first", "title": "Knee first",
        "summary": "Start at the knee.", "conditions": ["hip-bursitis"],
        "sections-0-kind": "introduction", "sections-0-heading": "Introduction",
        "sections-0-body": "<p>Hello.</p>",
        "sections-0-items-0-group": "why_it_matters", "sections-0-items-0-text": "It helps.",
        "sections-0-items-0-entity": "symptom:stiffness",
    })
    response = client.post("/admin/content/document/add/?type=article", data)
    document = Document.objects.get(slug="knee-first")
    assert response["Location"] == change_url(document)
    assert revision_content(document.latest_revision) == {
        "slug": "knee-first", "title": "Knee first", "summary": "Start at the knee.",
        "language": "en", "conditions": [{"type": "condition", "slug": "hip-bursitis"}],
        "sections": [{
            "kind": "introduction", "heading": "Introduction", "position": 1,
            "health_aspect": "OverviewHealthAspect",
            "blocks": [
                {"type": "paragraph", "body": "<p>Hello.</p>"},
                {"type": "list", "group": "why_it_matters", "heading": None,
                 "items": [{"title": None, "text": "It helps.",
                            "entity": {"type": "symptom", "slug": "stiffness"}}]},
            ],
            "body": "<p>Hello.</p>", "groups": [], "timeline": None,
            "items": [{"group": "why_it_matters", "title": None, "text": "It helps.",
                       "entity": {"type": "symptom", "slug": "stiffness"}}],
        }],
    }
    assert not Article.objects.filter(slug="knee-first").exists()


# --- workflow ---------------------------------------------------------------------------------


def edited(article, editor) -> Revision:
    return revision_create(
        document=article, author=editor, expected_revision=1,
        data={"sections": [{**ARTICLE_DATA["sections"][0],
                            "body": "<p>Hips and knees are a team.</p>"},
                           ARTICLE_DATA["sections"][1]]},
    )


def test_submit_for_review_records_the_request(client, article, editor):
    revision = edited(article, editor)
    client_for(client, editor)
    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), {
            "_workflow": "submit", "submit-revision": 2, "submit-comment": "Intro reworded",
        }, follow=True)
    event = EditorialEvent.objects.get(action=EditorialAction.REVIEW_REQUESTED)
    assert (event.document, event.revision, event.actor, event.at, event.detail) == (
        article, revision, editor, T0, {"comment": "Intro reworded"})
    assert [str(m) for m in response.context["messages"]] == [
        "Revision 2 was submitted for medical review."]
    assert response.context["banner"][1].html == (
        "<strong>Awaiting review</strong>: Eddie Editor submitted revision 2 for medical "
        "review at 2 Mar 2026, 09:00 UTC. Note: “Intro reworded”"
    )
    response = client.post(change_url(article), {"_workflow": "submit", "submit-revision": 2})
    assert response.context["workflow_error"] == "Revision 2 is already awaiting review."
    assert EditorialEvent.objects.filter(action=EditorialAction.REVIEW_REQUESTED).count() == 1


def test_reviewer_approves_and_publisher_publishes_to_the_public_api(
    client, api_client, article, editor, reviewer, publisher
):
    edited(article, editor)
    client_for(client, reviewer)
    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), {
            "_workflow": "review", "review-revision": 2, "review-decision": "approved",
            "review-comment": "Accurate.", "review-next_review_due": "2027-03-02",
        }, follow=True)
    review = Review.objects.get(reviewer=reviewer)
    assert (review.revision.number, review.decision, review.comment, review.next_review_due,
            review.content_hash) == (2, "approved", "Accurate.", dt.date(2027, 3, 2),
                                     article.revisions.get(number=2).content_hash)
    assert [str(m) for m in response.context["messages"]] == [
        "You approved revision 2; next review due 2 Mar 2027."]
    assert response.context["banner"][1].html == (
        "<strong>Approved</strong>: Dr Rita Shah, MBBS, FRCS approved revision 2 on "
        "2 Mar 2026, 09:00 UTC; next review due 2 Mar 2027."
    )
    assert live_bodies()["introduction"] == "<p>Your hip and knee work together.</p>"

    client_for(client, publisher)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        response = client.post(change_url(article),
                               {"_workflow": "publish", "publish-revision": 2}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Revision 2 is live: the public API serves it now."]
    assert response.context["banner"][0].html == (
        "<strong>Live</strong>: revision 2 has been served by the public API since "
        "2 Mar 2026, 10:00 UTC."
    )
    assert EditorialEvent.objects.filter(document=article, revision__number=2,
                                         actor=publisher).get().action == \
        EditorialAction.PUBLISHED

    response = api_client.get(f"/api/v1/articles/{ARTICLE}/sections/introduction/")
    assert response.status_code == 200
    assert response.json() == {
        "kind": "introduction",
        "heading": "Introduction",
        "position": 1,
        "health_aspect": "OverviewHealthAspect",
        "blocks": [
            {"type": "paragraph", "body": "<p>Hips and knees are a team.</p>"},
            {"type": "list", "group": "why_it_matters", "heading": "Why it matters",
             "items": [{"title": None, "text": "It guides treatment.", "entity": None}]},
        ],
        "body": "<p>Hips and knees are a team.</p>",
        "groups": [{"group": "why_it_matters", "heading": "Why it matters"}],
        "timeline": None,
        "items": [{"group": "why_it_matters", "title": None, "text": "It guides treatment.",
                   "entity": None}],
    }
    detail = api_client.get(f"/api/v1/articles/{ARTICLE}/").json()
    assert (detail["version"], detail["review"]) == (2, {
        "status": "reviewed", "last_reviewed": "2026-03-02", "next_review_due": "2027-03-02",
        "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS, FRCS"},
    })


def test_a_reviewer_cannot_approve_their_own_revision(client, article, groups):
    author = staff("ada", Role.EDITORS, Role.MEDICAL_REVIEWERS)
    edited(article, author)
    client_for(client, author)
    response = client.post(change_url(article), {
        "_workflow": "review", "review-revision": 2, "review-decision": "approved",
        "review-comment": "Looks right to me",
    })
    assert response.status_code == 200
    assert response.context["workflow_error"] == (
        "You authored this revision; another medical reviewer must approve it.")
    assert '<p class="errornote" id="workflow-error" role="alert">You authored this revision' \
        in response.content.decode()
    assert response.context["workflow_forms"]["review"]["comment"].value() == \
        "Looks right to me"
    assert not Review.objects.filter(reviewer=author).exists()


def test_request_changes_keeps_the_comment_and_blocks_publishing(
    client, article, editor, reviewer, publisher
):
    edited(article, editor)
    client_for(client, reviewer)
    with time_machine.travel(T0, tick=False):
        client.post(change_url(article), {
            "_workflow": "review", "review-revision": 2, "review-decision": "changes_requested",
            "review-comment": "Cite the source.",
        })
    assert Review.objects.get(reviewer=reviewer).decision == ReviewDecision.CHANGES_REQUESTED
    assert EditorialEvent.objects.filter(action=EditorialAction.CHANGES_REQUESTED).count() == 1

    client_for(client, publisher)
    page = client.get(change_url(article))
    assert page.context["banner"][1].html == (
        "<strong>Changes requested</strong> by Dr Rita Shah, MBBS, FRCS on "
        "2 Mar 2026, 09:00 UTC: “Cite the source.”"
    )
    assert b'value="publish"' not in page.content
    response = client.post(change_url(article), {"_workflow": "publish", "publish-revision": 2})
    assert response.context["workflow_error"] == (
        "Revision 2 has no medical approval of its exact content; a medical reviewer who "
        "did not author it must approve it first."
    )
    article.refresh_from_db()
    assert article.live_revision.number == 1


def test_a_review_date_in_the_past_is_shown_on_its_field(client, article, editor, reviewer):
    edited(article, editor)
    client_for(client, reviewer)
    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), {
            "_workflow": "review", "review-revision": 2, "review-decision": "approved",
            "review-next_review_due": "2026-01-01",
        })
    assert response.context["workflow_forms"]["review"].errors == {
        "next_review_due": ["The next review must be due after today."]}
    assert not Review.objects.filter(reviewer=reviewer).exists()


def test_a_review_date_beyond_five_years_is_shown_on_its_field(client, article, editor,
                                                               reviewer):
    edited(article, editor)
    client_for(client, reviewer)
    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), {
            "_workflow": "review", "review-revision": 2, "review-decision": "approved",
            "review-next_review_due": "9999-12-31",
        })
    assert response.context["workflow_forms"]["review"].errors == {
        "next_review_due": [
            "The next review must be due at most 5 years ahead: on or before 2031-03-02."]}
    assert not Review.objects.filter(reviewer=reviewer).exists()


def test_a_reviewer_cannot_approve_text_they_wrote_that_a_colleague_saved_again(
    client, article, editor, groups
):
    ada = staff("ada", Role.EDITORS, Role.MEDICAL_REVIEWERS, name="Dr Ada Byron")
    with time_machine.travel(T0, tick=False) as clock:
        mine = revision_create(document=article, author=ada, expected_revision=1,
                               data={"title": "Hip and knee pain"})
        clock.shift(dt.timedelta(minutes=1))
        revision_create(document=article, author=editor, expected_revision=2,
                        data={"title": "Hips and knees"})
        clock.shift(dt.timedelta(minutes=1))
        client_for(client, editor)
        client.post(f"/admin/content/document/{article.pk}/revert/",
                    {"revision": 2, "expected_revision": 3})
        fourth = article.revisions.get(number=4)
        assert (fourth.author, fourth.content_hash) == (editor, mine.content_hash)
        clock.shift(dt.timedelta(minutes=1))

        client_for(client, ada)
        page = client.get(change_url(article))
        assert page.context["authored_latest"] is True
        assert b"You authored the content of revision 4" in page.content
        response = client.post(change_url(article), {
            "_workflow": "review", "review-revision": 4, "review-decision": "approved"})
    assert response.context["workflow_error"] == (
        "You authored this content in revision 2, and no other medical reviewer has approved "
        "it since; another medical reviewer must approve revision 4.")
    assert not Review.objects.filter(reviewer=ada).exists()


def test_a_schedule_beyond_ten_years_is_shown_on_its_field(client, article, editor, reviewer,
                                                          publisher):
    revision = edited(article, editor)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    client_for(client, publisher)
    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), {
            "_workflow": "schedule", "publish-revision": 2,
            "publish-go_live_at": "9999-12-31T00:00", "publish-expire_at": "9999-12-31T12:00"})
    assert response.context["workflow_forms"]["publish"].errors == {
        "go_live_at": ["go_live_at must be at most 10 years ahead: on or before "
                       "2036-03-02T09:00:00+00:00."],
        "expire_at": ["expire_at must be at most 10 years ahead: on or before "
                      "2036-03-02T09:00:00+00:00."],
    }
    article.refresh_from_db()
    assert (article.live_revision.number, article.scheduled_revision) == (1, None)


def test_schedule_then_unpublish(client, api_client, article, editor, reviewer, publisher):
    revision = edited(article, editor)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    client_for(client, publisher)
    with time_machine.travel(T0, tick=False):
        response = client.post(change_url(article), {
            "_workflow": "schedule", "publish-revision": 2,
            "publish-go_live_at": "2026-03-03T08:00", "publish-expire_at": "2026-09-01T00:00",
        }, follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            "Revision 2 is scheduled to go live at 3 Mar 2026, 08:00 UTC."]
        assert response.context["banner"][1].html == (
            "<strong>Scheduled</strong>: revision 2 goes live at 3 Mar 2026, 08:00 UTC, "
            "expiring at 1 Sep 2026, 00:00 UTC."
        )
        article.refresh_from_db()
        assert (article.scheduled_revision.number, article.go_live_at) == (
            2, dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC))
        assert live_bodies()["introduction"] == "<p>Your hip and knee work together.</p>"

        response = client.post(change_url(article), {"_workflow": "unpublish"}, follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            "Unpublished: the public API no longer shows this item. Its history is kept."]
    article.refresh_from_db()
    assert (article.status, article.live_revision, article.scheduled_revision) == (
        "unpublished", None, None)
    assert api_client.get(f"/api/v1/articles/{ARTICLE}/").status_code == 404
    assert list(EditorialEvent.objects.filter(document=article, actor=publisher, at__gte=T0)
                .order_by("id").values_list("action", flat=True)) == ["scheduled", "unpublished"]


def test_schedule_then_cancel_the_schedule(client, article, editor, reviewer, publisher):
    revision = edited(article, editor)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    client_for(client, publisher)
    with time_machine.travel(T0, tick=False):
        scheduled = client.post(change_url(article), {
            "_workflow": "schedule", "publish-revision": 2,
            "publish-go_live_at": "2026-03-03T08:00"}, follow=True)
        assert b'id="workflow-cancel-schedule"' in scheduled.content
        assert b"Revision 2 will not go live at 3 Mar 2026, 08:00 UTC; revision 1 stays live." \
            in scheduled.content

        response = client.post(change_url(article), {"_workflow": "cancel_schedule"},
                               follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "The schedule of revision 2 is cancelled; nothing else changed."]
    assert b'id="workflow-cancel-schedule"' not in response.content
    article.refresh_from_db()
    assert (article.status, article.live_revision.number, article.scheduled_revision) == (
        "published", 1, None)
    assert live_bodies()["introduction"] == "<p>Your hip and knee work together.</p>"
    assert list(EditorialEvent.objects.filter(document=article, actor=publisher, at__gte=T0)
                .order_by("id").values_list("action", flat=True)) == [
        "scheduled", "schedule_cancelled"]


def test_only_publishers_may_cancel_a_schedule(client, article, editor):
    client_for(client, editor)
    response = client.post(change_url(article), {"_workflow": "cancel_schedule"})
    assert response.status_code == 403


def test_schedule_needs_a_future_time(client, article, editor, reviewer, publisher):
    revision = edited(article, editor)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    client_for(client, publisher)
    with time_machine.travel(T0, tick=False):
        missing = client.post(change_url(article),
                              {"_workflow": "schedule", "publish-revision": 2})
        past = client.post(change_url(article), {
            "_workflow": "schedule", "publish-revision": 2,
            "publish-go_live_at": "2026-03-01T08:00"})
    assert missing.context["workflow_forms"]["publish"].errors == {
        "go_live_at": ["Choose when it should go live."]}
    assert past.context["workflow_forms"]["publish"].errors == {
        "go_live_at": ["Choose a time in the future, or use Publish now."]}
    article.refresh_from_db()
    assert (article.live_revision.number, article.scheduled_revision) == (1, None)


# --- history, compare, revert -----------------------------------------------------------------


def test_history_lists_revisions_with_markers_and_audit_trail(
    client, article, editor, reviewer, django_assert_num_queries
):
    with time_machine.travel(T0, tick=False):
        revision = edited(article, editor)
        review_request(revision=revision, user=editor)
    client_for(client, editor)
    with django_assert_num_queries(9):
        response = client.get(f"/admin/content/document/{article.pk}/history/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["revision"].number, r["author"], r["is_latest"], r["is_live"], r["state"],
             [(e["action"], e["actor"]) for e in r["events"]]) for r in rows] == [
        (2, "Eddie Editor", True, False, "Awaiting medical review",
         [("Edited", "Eddie Editor"), ("Submitted for review", "Eddie Editor")]),
        (1, "the system", False, True, "Approved",
         [("Created", "the system"), ("Approved", "importer"), ("Published", "Paul Publisher")]),
    ]
    content = response.content.decode()
    assert '<span class="badge live">live</span>' in content
    assert 'form="revert-1"' in content and 'form="revert-2"' not in content


def test_compare_shows_changes_field_by_field_sections_included(
    client, article, editor, reviewer, django_assert_num_queries
):
    edited(article, editor)
    client_for(client, reviewer)
    with django_assert_num_queries(7):
        response = client.get(f"/admin/content/document/{article.pk}/compare/?from=1&to=2")
    assert response.status_code == 200
    assert [(r["label"], r["path"], str(r["before"]), str(r["after"]))
            for r in response.context["rows"]] == [
        # The blocks' change, once: the body derived from them is not repeated.
        ("Section 1 (Introduction) › block 1 › body", "sections[0].blocks[0].body",
         "&lt;p&gt;<del>Your hip</del> and <del>knee</del> <del>work</del> "
         "<del>together</del>.&lt;/p&gt;",
         "&lt;p&gt;<ins>Hips</ins> and <ins>knees</ins> <ins>are</ins> <ins>a team</ins>"
         ".&lt;/p&gt;"),
    ]
    assert not response.context["can_revert"]  # reviewers do not revert
    response = client.get(f"/admin/content/document/{article.pk}/compare/?from=2&to=9")
    assert response.status_code == 404


def test_revert_creates_a_new_draft_with_the_old_content(client, article, editor):
    edited(article, editor)
    client_for(client, editor)
    with time_machine.travel(T0, tick=False):
        response = client.post(f"/admin/content/document/{article.pk}/revert/",
                               {"revision": 1, "expected_revision": 2}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Saved draft revision 3 with the content of revision 1. It goes live only after "
        "review and publishing."]
    revision = article.revisions.get(number=3)
    assert (revision.reverted_from.number, revision.parent.number, revision.author,
            revision.content_hash) == (1, 2, editor, article.revisions.get(number=1).content_hash)
    assert EditorialEvent.objects.get(revision=revision).action == EditorialAction.REVERTED
    article.refresh_from_db()
    assert article.live_revision.number == 1


def test_a_stale_revert_is_refused(client, article, editor):
    edited(article, editor)
    client_for(client, editor)
    response = client.post(f"/admin/content/document/{article.pk}/revert/",
                           {"revision": 1, "expected_revision": 1}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Not reverted: revision 2 was saved after you loaded this page (you saw revision 1). "
        "Check the history and try again."]
    assert article.revisions.count() == 2
    assert client.get(f"/admin/content/document/{article.pk}/revert/").status_code == 405


def test_a_revert_to_the_content_the_latest_revision_has_stores_nothing(client, article,
                                                                        editor):
    edited(article, editor)
    client_for(client, editor)
    client.post(f"/admin/content/document/{article.pk}/revert/",
                {"revision": 1, "expected_revision": 2}, follow=True)
    response = client.post(f"/admin/content/document/{article.pk}/revert/",
                           {"revision": 1, "expected_revision": 3}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Not reverted: Revision 3 already has the content of revision 1, so there is nothing "
        "to revert and no revision was saved."]
    assert article.revisions.count() == 3


def test_the_admin_registers_no_other_path_to_content():
    from django.contrib import admin

    from content.models import (
        Cause,
        Condition,
        EditorialEvent,
        SectionItem,
        Symptom,
        Treatment,
        WarningSign,
    )

    for model in (Article, Section, SectionItem, Condition, Cause, Symptom, WarningSign,
                  Treatment, Revision, Review, EditorialEvent):
        assert not admin.site.is_registered(model), model
