"""POST /api/v1/editorial/{type}/{slug}/submit/: an editor submits the latest revision for
medical review with a note, as the admin's "Submit for review" does (review_request)."""

import datetime as dt

import pytest
import time_machine

from content.choices import EditorialAction
from content.models import EditorialEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
URL = "/api/v1/editorial/symptoms/stiffness/"
STIFFNESS = {"slug": "stiffness", "name": "Stiffness", "description": "Tightness.",
             "frequency": "common"}


@pytest.fixture
def draft(editor_client):
    with time_machine.travel(T0, tick=False):
        response = editor_client.post("/api/v1/editorial/symptoms/", STIFFNESS, format="json")
    assert response.status_code == 201, response.content


def test_an_editor_submits_the_latest_revision_with_a_note(editor_client, editor, draft):
    with time_machine.travel(T0, tick=False):
        response = editor_client.post(f"{URL}submit/", {"comment": "Please check the wording."},
                                      format="json")
        detail = editor_client.get(URL)

    assert response.status_code == 200, response.content
    assert response.json() == detail.json()
    event = EditorialEvent.objects.get(action=EditorialAction.REVIEW_REQUESTED)
    assert (event.actor, event.revision.number, event.detail) == (
        editor, 1, {"comment": "Please check the wording."})
    events = editor_client.get(f"{URL}events/").json()["results"]
    assert events[0]["action"] == "review_requested"


def test_submitting_twice_or_an_older_revision_is_409(editor_client, draft):
    editor_client.post(f"{URL}submit/", {}, format="json")
    again = editor_client.post(f"{URL}submit/", {"revision": 1}, format="json")
    editor_client.patch(URL, {"name": "Joint stiffness"}, format="json", HTTP_IF_MATCH='"rev-1"')
    older = editor_client.post(f"{URL}submit/", {"revision": 1}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert again.json()["detail"] == "Revision 1 is already awaiting review."
    assert (older.status_code, older.json()["detail"]) == (
        409, "Revision 1 is not the latest revision; submit the latest one.")


def test_only_editors_submit_and_a_missing_revision_is_400(
    editor_client, publisher_client, draft
):
    refused = publisher_client.post(f"{URL}submit/", {}, format="json")
    missing = editor_client.post(f"{URL}submit/", {"revision": 9}, format="json")
    too_long = editor_client.post(f"{URL}submit/", {"comment": "x" * 5001}, format="json")

    assert refused.status_code == 403
    assert (missing.status_code, missing.json()["errors"]) == (400, [
        {"field": "revision", "message": "There is no revision 9.", "code": "invalid"}])
    assert (too_long.status_code, too_long.json()["errors"][0]["field"]) == (400, "comment")
    assert not EditorialEvent.objects.filter(action=EditorialAction.REVIEW_REQUESTED).exists()
