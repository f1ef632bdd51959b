"""Section blocks through the editorial API (issue #20): an editor arranges a section's
paragraphs and lists, and the diff, the review, publishing, the public API, JSON-LD, the body
formats and search all read the same blocks."""

import datetime as dt

import pytest
import time_machine

pytestmark = pytest.mark.django_db

BASE = "/api/v1/editorial/articles/hip-and-knee/"
PUBLIC = "/api/v1/articles/hip-and-knee/"
T0 = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)

OPENING = {"type": "paragraph", "body": "<p>Some signs are common.</p>"}
COMMON = {"type": "list", "group": "common", "heading": "Common Symptoms",
          "items": [{"title": "Stiffness", "text": "Tight after rest.", "entity": None}]}
RARER = {"type": "list", "group": "less_common", "heading": "Less Common Symptoms",
         "items": [{"title": None, "text": "Clicking in the hip.", "entity": None},
                   {"title": "Leg Weakness", "text": "A weak leg.", "entity": None}]}
BETWEEN = {"type": "paragraph", "body": "<p>Others are <strong>rarer</strong>.</p>"}


def symptoms(*blocks) -> dict:
    return {"sections": [{"kind": "symptoms", "heading": "Symptoms", "blocks": list(blocks)}]}


@pytest.fixture
def article(editor_client):
    with time_machine.travel(T0, tick=False):
        response = editor_client.post("/api/v1/editorial/articles/", {
            "slug": "hip-and-knee", "title": "Hip and knee", "summary": "How they connect.",
            **symptoms(OPENING, COMMON, RARER)}, format="json")
    assert response.status_code == 201, response.json()
    return response


def test_an_editor_adds_a_paragraph_between_two_lists_and_moves_a_list_up(
        article, editor_client):
    assert article.json()["sections"][0]["blocks"] == [OPENING, COMMON, RARER]

    # The less common symptoms first, then a paragraph, then the common ones.
    response = editor_client.patch(BASE, symptoms(OPENING, RARER, BETWEEN, COMMON),
                                   format="json", HTTP_IF_MATCH='"rev-1"')

    assert response.status_code == 200, response.json()
    section = response.json()["sections"][0]
    assert section == {
        "kind": "symptoms", "heading": "Symptoms", "position": 1,
        "health_aspect": "SymptomsHealthAspect",
        "blocks": [OPENING, RARER, BETWEEN, COMMON],
        # The older fields, derived from the blocks (content/blocks.py).
        "body": "<p>Some signs are common.</p><p>Others are <strong>rarer</strong>.</p>",
        "groups": [{"group": "less_common", "heading": "Less Common Symptoms"},
                   {"group": "common", "heading": "Common Symptoms"}],
        "items": [{"group": "less_common", **RARER["items"][0]},
                  {"group": "less_common", **RARER["items"][1]},
                  {"group": "common", **COMMON["items"][0]}],
        "timeline": None,
    }
    diff = editor_client.get(f"{BASE}revisions/2/diff/").json()["changes"]
    assert [change["path"] for change in diff][:3] == [
        "sections[0].blocks[1].group", "sections[0].blocks[1].heading",
        "sections[0].blocks[1].items[0].title"]


def test_items_of_a_list_are_reordered_by_sending_them_in_the_new_order(article, editor_client):
    reordered = {**RARER, "items": RARER["items"][::-1]}

    response = editor_client.patch(BASE, symptoms(OPENING, COMMON, reordered), format="json",
                                   HTTP_IF_MATCH='"rev-1"')

    assert response.status_code == 200, response.json()
    assert [i["text"] for i in response.json()["sections"][0]["items"]] == [
        "Tight after rest.", "A weak leg.", "Clicking in the hip."]


def test_the_blocks_are_what_is_reviewed_published_and_served(
        article, editor_client, reviewer_client, publisher_client, api_client):
    editor_client.patch(BASE, symptoms(OPENING, RARER, BETWEEN, COMMON), format="json",
                        HTTP_IF_MATCH='"rev-1"')
    assert reviewer_client.post(f"{BASE}reviews/", {"revision": 2, "decision": "approved"},
                                format="json").status_code == 201
    response = publisher_client.post(f"{BASE}publish/", {"revision": 2}, format="json")
    assert response.status_code == 200, response.json()

    public = api_client.get(f"{PUBLIC}sections/symptoms/").json()
    as_text = api_client.get(f"{PUBLIC}sections/symptoms/", {"body_format": "text"}).json()
    jsonld = api_client.get(PUBLIC, HTTP_ACCEPT="application/ld+json").json()

    assert public["blocks"] == [OPENING, RARER, BETWEEN, COMMON]
    assert public["body"] == (
        "<p>Some signs are common.</p><p>Others are <strong>rarer</strong>.</p>")
    assert [b.get("body") for b in as_text["blocks"]] == [
        "Some signs are common.", None, "Others are rarer.", None]
    assert jsonld["hasPart"][0]["text"] == (
        "Some signs are common.\n\n"
        "Less Common Symptoms:\n\n- Clicking in the hip.\n- Leg Weakness: A weak leg.\n\n"
        "Others are rarer.\n\n"
        "Common Symptoms:\n\n- Stiffness: Tight after rest."
    )
    hits = api_client.get("/api/v1/search/", {"q": "rarer"}).json()["results"]
    assert [hit["slug"] for hit in hits] == ["hip-and-knee"]


def test_older_fields_may_come_along_only_if_they_agree_with_the_blocks(article, editor_client):
    section = article.json()["sections"][0]
    same = {**section, "blocks": [OPENING, COMMON, RARER, BETWEEN],
            "body": section["body"]}  # the body read before the new paragraph

    response = editor_client.patch(BASE, {"sections": [same]}, format="json",
                                   HTTP_IF_MATCH='"rev-1"')

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "sections[0].body",
        "message": "`body` disagrees with `blocks`: send the blocks alone (the older fields "
                   "are derived from them).",
        "code": "conflict",
    }]
    # Sent back whole with a body that says what the blocks say, it is taken.
    same["body"] = "<p>Some signs are common.</p><p>Others are <strong>rarer</strong>.</p>"
    response = editor_client.patch(BASE, {"sections": [same]}, format="json",
                                   HTTP_IF_MATCH='"rev-1"')
    assert response.status_code == 200, response.json()


def test_blocks_are_validated_with_their_paths(editor_client, article):
    response = editor_client.patch(BASE, symptoms(
        {"type": "quote", "body": "<p>x</p>"},
        {"type": "paragraph", "body": "  "},
        {"type": "list", "group": "tips", "items": []},
        COMMON, COMMON,
        {"type": "list", "group": "common", "heading": "<b>x</b>", "items": [{"text": ""}]},
    ), format="json", HTTP_IF_MATCH='"rev-1"')

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "sections[0].blocks[0].type",
         "message": "'quote' is not a valid choice; expected one of: paragraph, list.",
         "code": "invalid_choice"},
        {"field": "sections[0].blocks[1].body", "message": "This field may not be blank.",
         "code": "blank"},
        {"field": "sections[0].blocks[2].group",
         "message": "'tips' is not a valid choice; expected one of: common, less_common.",
         "code": "invalid_choice"},
        {"field": "sections[0].blocks[4].group",
         "message": "Each group may be listed once per section.", "code": "duplicate"},
        {"field": "sections[0].blocks[5].heading",
         "message": "This is a plain-text field: HTML markup is not allowed.", "code": "markup"},
        {"field": "sections[0].blocks[5].group",
         "message": "Each group may be listed once per section.", "code": "duplicate"},
    ]


def test_a_paragraph_block_of_several_paragraphs_is_cut_into_one_block_each(
        editor_client, article):
    response = editor_client.patch(BASE, symptoms(
        {"type": "paragraph", "body": "<p>One.</p>\n<h3>Two</h3><p>Three.</p>"}, COMMON,
    ), format="json", HTTP_IF_MATCH='"rev-1"')

    assert response.status_code == 200, response.json()
    assert response.json()["sections"][0]["blocks"] == [
        {"type": "paragraph", "body": "<p>One.</p>"},
        {"type": "paragraph", "body": "<h3>Two</h3>"},
        {"type": "paragraph", "body": "<p>Three.</p>"},
        COMMON,
    ]
