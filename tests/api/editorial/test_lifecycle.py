"""The whole editorial lifecycle over HTTP, for every content type.

create → edit → conflict → refuse unreviewed publish → self-approval refused → review →
publish → edit again (public unchanged) → schedule → publish_due → expire → revert →
unpublish, asserting stored revisions and the public payload after each step.
"""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from content.choices import EditorialAction
from content.models import LIVE_MODELS, EditorialEvent, Revision
from content.services.publishing import publish_due
from content.types import registry
from tests.api.editorial.conftest import PAYLOADS

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
#: A third value per type, for the draft after the published revision 2.
SECOND_EDITS = {
    "conditions": {"description": "Inflammation of the bursa on the outer hip."},
    "causes": {"name": "Pain referred from the hip"},
    "symptoms": {"description": "A feeling of tightness in the joint."},
    "warning-signs": {"text": "Numbness or tingling down the leg."},
    "treatments": {"caution": "See a registered practitioner first."},
    "articles": {"summary": "How hip problems cause knee pain."},
}
PUBLIC_PATHS = {
    "articles": "articles", "conditions": "conditions", "causes": "causes",
    "symptoms": "symptoms", "warning-signs": "warning-signs", "treatments": "treatments",
}


def url(type_path: str, slug: str = "", suffix: str = "") -> str:
    base = f"/api/v1/editorial/{type_path}/"
    return f"{base}{slug}/{suffix}" if slug else base


def public(api_client, type_path: str, slug: str):
    return api_client.get(f"/api/v1/{PUBLIC_PATHS[type_path]}/{slug}/")


def revisions_of(type_path: str, slug: str) -> list[int]:
    return list(
        Revision.objects.filter(document__slug=slug).order_by("number").values_list(
            "number", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("type_path", list(PAYLOADS))
def test_full_lifecycle_over_http(
    type_path, api_client, editor_client, reviewer_client, publisher_client, reviewer
):
    create, edit = PAYLOADS[type_path]
    slug = create["slug"]
    live_model = LIVE_MODELS[registry.by_path(type_path).name]

    with time_machine.travel(T0, tick=False):
        # Create: draft revision 1, invisible to the public.
        response = editor_client.post(url(type_path), create, format="json")
        assert response.status_code == 201, response.json()
        assert response["ETag"] == '"rev-1"'
        assert response["Location"] == f"http://testserver{url(type_path, slug)}"
        body = response.json()
        assert body["status"] == "draft"
        assert body["latest_revision"] == 1
        assert body["live_revision"] is None
        assert body["has_unpublished_changes"] is True
        assert public(api_client, type_path, slug).status_code == 404
        assert not live_model.objects.exists()

        # Edit without If-Match: 428; with a stale one: 412; nothing saved either time.
        response = editor_client.patch(url(type_path, slug), edit, format="json")
        assert response.status_code == 428
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "precondition_required"
        response = editor_client.patch(url(type_path, slug), edit, format="json",
                                       HTTP_IF_MATCH='"rev-7"')
        assert response.status_code == 412
        assert response.json()["code"] == "stale_revision"
        assert revisions_of(type_path, slug) == [1]

        # Edit with the right ETag: revision 2.
        response = editor_client.patch(
            url(type_path, slug), {**edit, "change_note": "Clearer wording"}, format="json",
            HTTP_IF_MATCH='"rev-1"')
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"rev-2"'
        for key, value in edit.items():
            assert response.json()[key] == value
        assert revisions_of(type_path, slug) == [1, 2]
        rev2 = Revision.objects.get(document__slug=slug, number=2)
        assert rev2.parent.number == 1
        assert rev2.change_note == "Clearer wording"
        assert rev2.author.username == "eddie"

        # Publishing an unreviewed revision is refused.
        response = publisher_client.post(url(type_path, slug, "publish/"), {"revision": 2},
                                         format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "review_required"
        assert not live_model.objects.exists()

        # Changes requested, then approved.
        response = reviewer_client.post(url(type_path, slug, "reviews/"), {
            "revision": 2, "decision": "changes_requested", "comment": "Cite a source."},
            format="json")
        assert response.status_code == 201
        response = reviewer_client.post(url(type_path, slug, "reviews/"), {
            "revision": 2, "decision": "approved", "comment": "Accurate.",
            "next_review_due": "2027-03-01"}, format="json")
        assert response.status_code == 201
        assert response.json()["reviewer"] == {
            "username": "rita", "name": "Dr Rita Shah", "credentials": "MBBS, FRCS (Orth)"}
        assert response.json()["content_hash"] == rev2.content_hash

        # Publish revision 2: the public API now serves it with the review block.
        response = publisher_client.post(url(type_path, slug, "publish/"), {"revision": 2},
                                         format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "published"
        assert response.json()["live_revision"] == 2
        assert response.json()["has_unpublished_changes"] is False
        live = public(api_client, type_path, slug)
        assert live.status_code == 200
        assert live.json()["version"] == 2
        assert live.json()["updated_at"] == "2026-03-02T09:00:00+00:00"
        assert live.json()["review"] == {
            "status": "reviewed",
            "last_reviewed": "2026-03-02",
            "next_review_due": "2027-03-01",
            "reviewed_by": {"name": "Dr Rita Shah", "credentials": "MBBS, FRCS (Orth)"},
        }
        for key, value in edit.items():
            assert live.json()[key] == value

    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        # An edit that changes nothing is refused and stores nothing.
        response = editor_client.patch(url(type_path, slug), {"change_note": "No-op edit"},
                                       format="json", HTTP_IF_MATCH='"rev-2"')
        assert response.status_code == 409
        assert response.json() == {
            "type": "urn:hipknee:problem:no-changes",
            "title": "Nothing changed.",
            "status": 409,
            "detail": "Revision 2 already has this content, so no revision was saved.",
            "code": "no_changes",
        }
        assert revisions_of(type_path, slug) == [1, 2]

        # A new draft does not change what the public sees.
        response = editor_client.patch(
            url(type_path, slug), {**SECOND_EDITS[type_path], "change_note": "Second edit"},
            format="json", HTTP_IF_MATCH='"rev-2"')
        assert response.status_code == 200
        assert response.json()["has_unpublished_changes"] is True
        assert public(api_client, type_path, slug).json()["version"] == 2

        # Revision 3 is approved and scheduled for tomorrow, expiring the day after.
        reviewer_client.post(url(type_path, slug, "reviews/"),
                             {"revision": 3, "decision": "approved"}, format="json")
        go_live = T0 + dt.timedelta(days=2)
        expire = T0 + dt.timedelta(days=3)
        response = publisher_client.post(url(type_path, slug, "publish/"), {
            "revision": 3, "go_live_at": go_live.isoformat(), "expire_at": expire.isoformat()},
            format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["scheduled_revision"] == 3
        assert response.json()["go_live_at"] == "2026-03-04T09:00:00+00:00"
        assert response.json()["scheduled_expire_at"] == "2026-03-05T09:00:00+00:00"
        assert response.json()["expire_at"] is None  # revision 2, live now, never expires
        assert response.json()["live_revision"] == 2
        assert public(api_client, type_path, slug).json()["version"] == 2

    with time_machine.travel(go_live + dt.timedelta(seconds=30), tick=False):
        report = publish_due()
        assert [d.slug for d in report.published] == [slug]
        assert report.overdue == []
        assert public(api_client, type_path, slug).json()["version"] == 3

    with time_machine.travel(expire - dt.timedelta(seconds=1), tick=False):
        assert public(api_client, type_path, slug).status_code == 200
    with time_machine.travel(expire, tick=False):
        # Expired at the second, whether or not publish_scheduled ran.
        assert public(api_client, type_path, slug).status_code == 404
        assert editor_client.get(url(type_path, slug)).json()["status"] == "expired"
        assert editor_client.get(url(type_path, slug)).json()["live_revision"] is None

    with time_machine.travel(expire + dt.timedelta(hours=1), tick=False):
        # Revert to revision 1: a new draft revision 4 with revision 1's content.
        response = editor_client.post(url(type_path, slug, "revisions/1/revert/"),
                                      format="json", HTTP_IF_MATCH='"rev-3"')
        assert response.status_code == 201, response.json()
        assert response.json()["latest_revision"] == 4
        rev4 = Revision.objects.get(document__slug=slug, number=4)
        assert rev4.content == Revision.objects.get(document__slug=slug, number=1).content
        assert rev4.parent.number == 3
        assert rev4.reverted_from.number == 1

        # Republish 2 (still approved) then unpublish: gone from the public API.
        assert publisher_client.post(url(type_path, slug, "publish/"), {"revision": 2},
                                     format="json").status_code == 200
        assert public(api_client, type_path, slug).json()["version"] == 2
        response = publisher_client.post(url(type_path, slug, "unpublish/"))
        assert response.status_code == 200
        assert response.json()["status"] == "unpublished"
        assert response.json()["live_revision"] is None
        assert public(api_client, type_path, slug).status_code == 404
        assert revisions_of(type_path, slug) == [1, 2, 3, 4]

        call_command("publish_scheduled", stdout=io.StringIO())
        actions = list(
            EditorialEvent.objects.filter(document__slug=slug).order_by("at", "id")
            .values_list("action", "revision__number")
        )
        assert actions == [
            (EditorialAction.CREATED, 1),
            (EditorialAction.EDITED, 2),
            (EditorialAction.CHANGES_REQUESTED, 2),
            (EditorialAction.APPROVED, 2),
            (EditorialAction.PUBLISHED, 2),
            (EditorialAction.EDITED, 3),
            (EditorialAction.APPROVED, 3),
            (EditorialAction.SCHEDULED, 3),
            (EditorialAction.PUBLISHED, 3),
            (EditorialAction.EXPIRED, 3),
            (EditorialAction.REVERTED, 4),
            (EditorialAction.PUBLISHED, 2),
            (EditorialAction.UNPUBLISHED, 2),
        ]
        events = editor_client.get(url(type_path, slug, "events/")).json()
        assert events["count"] == 13
        assert events["results"][0] == {
            "actor": "paul", "action": "unpublished", "revision": 2,
            "at": "2026-03-05T10:00:00+00:00", "detail": {},
        }


@pytest.mark.django_db
def test_cancelling_a_schedule_over_http(
    api_client, editor_client, reviewer_client, publisher_client
):
    create, _ = PAYLOADS["symptoms"]
    slug = create["slug"]
    with time_machine.travel(T0, tick=False):
        assert editor_client.post(url("symptoms"), create, format="json").status_code == 201
        assert reviewer_client.post(url("symptoms", slug, "reviews/"), {
            "revision": 1, "decision": "approved"}, format="json").status_code == 201
        scheduled = publisher_client.post(url("symptoms", slug, "publish/"), {
            "go_live_at": "2026-03-03T09:00:00Z"}, format="json")
        assert scheduled.json()["status"] == "scheduled"

        refused = editor_client.post(url("symptoms", slug, "cancel-schedule/"))
        assert (refused.status_code, refused["Content-Type"]) == (403, "application/problem+json")
        response = publisher_client.post(url("symptoms", slug, "cancel-schedule/"))
        assert response.status_code == 200
        body = response.json()
        assert {k: body[k] for k in ("status", "live_revision", "scheduled_revision",
                                     "go_live_at", "scheduled_expire_at")} == {
            "status": "draft", "live_revision": None, "scheduled_revision": None,
            "go_live_at": None, "scheduled_expire_at": None}
        again = publisher_client.post(url("symptoms", slug, "cancel-schedule/"))
        assert again.status_code == 409
        assert again.json()["detail"] == (
            "Nothing is scheduled, so there is no schedule to cancel.")
        events = publisher_client.get(url("symptoms", slug, "events/")).json()["results"]
        assert events[0] == {"actor": "paul", "action": "schedule_cancelled", "revision": 1,
                             "at": "2026-03-02T09:00:00+00:00",
                             "detail": {"go_live_at": "2026-03-03T09:00:00+00:00"}}
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert publish_due().published == []
        assert public(api_client, "symptoms", slug).status_code == 404
