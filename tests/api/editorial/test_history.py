"""Editorial reads: detail, list, revisions, one revision, diff, reviews; and write errors."""

import datetime as dt

import pytest
import time_machine

from content.models import Document, Revision
from content.services.versioning import document_create, revision_create
from tests.api.editorial.conftest import PAYLOADS

T0 = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
BASE = "/api/v1/editorial/articles/hip-and-knee/"


@pytest.fixture
def article(editor):
    with time_machine.travel(T0, tick=False):
        first = document_create(type_="article", data=PAYLOADS["articles"][0], author=editor,
                                change_note="First draft")
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        revision_create(
            document=first.document, author=editor, expected_revision=1,
            change_note="Add causes",
            data={"sections": [
                {"kind": "introduction", "heading": "Introduction", "body": "<p>Hello.</p>"},
                {"kind": "causes", "heading": "Causes", "items": [
                    {"group": "causes", "title": "Arthritis", "text": "Wear and tear."}]},
            ]},
        )
    return first.document


@pytest.mark.django_db
def test_editorial_detail_is_the_latest_draft_with_state(article, editor_client,
                                                         django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = editor_client.get(BASE)
    assert response.status_code == 200
    assert response["ETag"] == '"rev-2"'
    assert response.json() == {
        "slug": "hip-and-knee",
        "title": "Hip and knee",
        "summary": "How they connect.",
        "language": "en",
        "conditions": [],
        "sections": [
            {"kind": "introduction", "heading": "Introduction", "position": 1,
             "health_aspect": "OverviewHealthAspect",
             "blocks": [{"type": "paragraph", "body": "<p>Hello.</p>"}],
             "body": "<p>Hello.</p>", "groups": [], "items": [], "timeline": None},
            {"kind": "causes", "heading": "Causes", "position": 2,
             "health_aspect": "CausesHealthAspect",
             "blocks": [{"type": "list", "group": "causes", "heading": None, "items": [
                 {"title": "Arthritis", "text": "Wear and tear.", "entity": None}]}],
             "body": "", "groups": [],
             "items": [{"group": "causes", "title": "Arthritis", "text": "Wear and tear.",
                        "entity": None}], "timeline": None},
        ],
        "type": "article",
        "url": "http://testserver/api/v1/editorial/articles/hip-and-knee/",
        "status": "draft",
        "latest_revision": 2,
        "live_revision": None,
        "has_unpublished_changes": True,
        "scheduled_revision": None,
        "go_live_at": None,
        "expire_at": None,
        "scheduled_expire_at": None,
        "first_published_at": None,
        "last_published_at": None,
        "latest_review": None,
    }


@pytest.mark.django_db
def test_editorial_list_queries_do_not_grow_with_rows(editor, editor_client,
                                                     django_assert_num_queries):
    for n in range(3):
        document_create(type_="symptom", author=editor, data={
            "slug": f"s{n}", "name": f"S{n}", "description": "d", "frequency": "common"})
    with django_assert_num_queries(5) as few:
        response = editor_client.get("/api/v1/editorial/symptoms/")
    assert response.json()["count"] == 3
    for n in range(3, 9):
        document_create(type_="symptom", author=editor, data={
            "slug": f"s{n}", "name": f"S{n}", "description": "d", "frequency": "common"})
    with django_assert_num_queries(len(few.captured_queries)):
        response = editor_client.get("/api/v1/editorial/symptoms/?status=draft")
    assert [r["slug"] for r in response.json()["results"]] == [f"s{n}" for n in range(9)]

    response = editor_client.get("/api/v1/editorial/symptoms/?status=bogus")
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "status",
        "message": "Select one of: draft, scheduled, published, unpublished, expired.",
        "code": "invalid",
    }]


@pytest.mark.django_db
def test_revisions_newest_first_and_one_snapshot(article, editor_client):
    response = editor_client.get(f"{BASE}revisions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = Revision.objects.get(number=1)
    assert body["results"][1] == {
        "number": 1,
        "url": "http://testserver/api/v1/editorial/articles/hip-and-knee/revisions/1/",
        "content_hash": first.content_hash,
        "schema_version": 2,
        "parent": None,
        "reverted_from": None,
        "author": {"username": "eddie", "name": "eddie", "credentials": ""},
        "created_at": "2026-02-01T12:00:00+00:00",
        "change_note": "First draft",
        "is_live": False,
        "is_approved": False,
    }
    assert [r["number"] for r in body["results"]] == [2, 1]
    assert body["results"][0]["parent"] == 1

    response = editor_client.get(f"{BASE}revisions/1/")
    assert response.status_code == 200
    assert response.json()["content"] == first.content
    assert editor_client.get(f"{BASE}revisions/9/").status_code == 404


@pytest.mark.django_db
def test_diff_between_revisions(article, editor_client):
    response = editor_client.get(f"{BASE}revisions/2/diff/")
    assert response.status_code == 200
    assert response.json() == {
        "from": 1,
        "to": 2,
        "changes": [{
            "path": "sections[1]",
            "before": None,
            "after": {"kind": "causes", "heading": "Causes", "position": 2,
                      "health_aspect": "CausesHealthAspect",
                      "blocks": [{"type": "list", "group": "causes", "heading": None,
                                  "items": [{"title": "Arthritis", "text": "Wear and tear.",
                                             "entity": None}]}],
                      "body": "", "groups": [],
                      "items": [{"group": "causes", "title": "Arthritis",
                                 "text": "Wear and tear.", "entity": None}],
                      "timeline": None},
        }],
    }
    reverse = editor_client.get(f"{BASE}revisions/1/diff/?against=2").json()
    assert (reverse["from"], reverse["to"], reverse["changes"][0]["after"]) == (2, 1, None)

    first = editor_client.get(f"{BASE}revisions/1/diff/").json()
    assert first["from"] is None
    assert first["changes"][0] == {"path": "slug", "before": None, "after": "hip-and-knee"}

    for bad, message in (("x", "Enter a revision number (a whole number ≥ 1)."),
                         ("9", "There is no revision 9.")):
        response = editor_client.get(f"{BASE}revisions/2/diff/?against={bad}")
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"field": "against", "message": message, "code": "invalid"}]


@pytest.mark.django_db
def test_write_errors_are_problem_json_and_save_nothing(article, editor_client):
    cases = [
        ({"sections": [{"kind": "nope", "heading": "x"}]}, "sections[0].kind"),
        ({"title": 42}, "title"),
        ({"conditions": [{"type": "condition", "slug": "missing"}]}, "conditions[0]"),
        ({"change_note": "x" * 501}, "change_note"),
        ({"change_note": [None]}, "change_note"),  # found by schemathesis: was a 500
    ]
    for body, field in cases:
        response = editor_client.patch(BASE, body, format="json", HTTP_IF_MATCH='"rev-2"')
        assert response.status_code == 400, body
        assert response["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]
    response = editor_client.generic("PATCH", BASE, "{not json", content_type="application/json",
                                     HTTP_IF_MATCH='"rev-2"')
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"
    response = editor_client.patch(BASE, ["a list"], format="json", HTTP_IF_MATCH='"rev-2"')
    assert response.status_code == 400
    response = editor_client.patch(BASE, {"title": "x"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 428
    assert Revision.objects.count() == 2


@pytest.mark.django_db
def test_duplicate_slug_names_the_field(article, editor_client):
    response = editor_client.post("/api/v1/editorial/articles/", PAYLOADS["articles"][0],
                                  format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "slug", "message": "A article with this slug already exists.", "code": "unique"}]
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_reviews_are_listed_and_bound_to_the_revision(article, reviewer_client, editor_client):
    response = reviewer_client.post(f"{BASE}reviews/", {
        "revision": 2, "decision": "approved", "comment": "Fine.",
        "next_review_due": "2030-01-01"}, format="json")
    assert response.status_code == 201
    review = response.json()
    assert review["revision"] == 2
    assert review["decision"] == "approved"
    assert editor_client.get(f"{BASE}reviews/").json()["results"] == [review]
    detail = editor_client.get(BASE).json()
    assert detail["latest_review"] == review
    assert editor_client.get(f"{BASE}revisions/").json()["results"][0]["is_approved"] is True

    for body, field in (({"revision": 9, "decision": "approved"}, "revision"),
                        ({"revision": 2, "decision": "maybe"}, "decision"),
                        ({"revision": 2, "decision": "approved",
                          "next_review_due": "2020-01-01"}, "next_review_due")):
        response = reviewer_client.post(f"{BASE}reviews/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"] == field
