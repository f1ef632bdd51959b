"""Four eyes over HTTP: an edit or revert that changes nothing is refused (409 no_changes,
nothing stored), and no one approves text they wrote, even when someone else saved it again."""

import datetime as dt

import pytest
import time_machine

from content.choices import ReviewDecision, Role
from content.models import EditorialEvent, Review, Revision
from tests.api.editorial.conftest import PAYLOADS, token_client
from tests.factories import UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
CREATE, EDIT = PAYLOADS["conditions"]
SLUG = CREATE["slug"]
DETAIL = f"/api/v1/editorial/conditions/{SLUG}/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ada_client(db):
    """An editor who is also a medical reviewer."""
    return token_client(UserFactory(username="ada",
                                    roles=[Role.EDITORS, Role.MEDICAL_REVIEWERS]))


def numbers() -> list[int]:
    return list(Revision.objects.order_by("number").values_list("number", flat=True))


def approved_flags(client) -> dict[int, bool]:
    rows = client.get(f"{DETAIL}revisions/").json()["results"]
    return {row["number"]: row["is_approved"] for row in rows}


def test_an_edit_that_changes_nothing_is_409_and_stores_nothing(editor_client, clock):
    assert editor_client.post("/api/v1/editorial/conditions/", CREATE,
                              format="json").status_code == 201
    for body in ({}, {"change_note": "Just checking"}, {"name": CREATE["name"]}):
        response = editor_client.patch(DETAIL, body, format="json", HTTP_IF_MATCH='"rev-1"')
        assert response.status_code == 409, body
        assert response["Content-Type"] == "application/problem+json"
        assert response.json() == {
            "type": "urn:hipknee:problem:no-changes",
            "title": "Nothing changed.",
            "status": 409,
            "detail": "Revision 1 already has this content, so no revision was saved.",
            "code": "no_changes",
        }
    assert numbers() == [1]
    assert EditorialEvent.objects.count() == 1  # created
    assert editor_client.get(DETAIL)["ETag"] == '"rev-1"'


def test_a_revert_to_the_content_the_latest_revision_has_is_409(editor_client, clock):
    editor_client.post("/api/v1/editorial/conditions/", CREATE, format="json")
    editor_client.patch(DETAIL, EDIT, format="json", HTTP_IF_MATCH='"rev-1"')

    response = editor_client.post(f"{DETAIL}revisions/2/revert/", format="json",
                                  HTTP_IF_MATCH='"rev-2"')
    assert response.status_code == 409
    assert response.json() == {
        "type": "urn:hipknee:problem:no-changes",
        "title": "Nothing changed.",
        "status": 409,
        "detail": "Revision 2 already has the content of revision 2, so there is nothing to "
        "revert and no revision was saved.",
        "code": "no_changes",
    }
    assert numbers() == [1, 2]

    response = editor_client.post(f"{DETAIL}revisions/1/revert/", format="json",
                                  HTTP_IF_MATCH='"rev-2"')
    assert response.status_code == 201
    response = editor_client.post(f"{DETAIL}revisions/1/revert/", format="json",
                                  HTTP_IF_MATCH='"rev-3"')
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Revision 3 already has the content of revision 1, so there is nothing to revert and "
        "no revision was saved.")
    assert numbers() == [1, 2, 3]
    assert list(EditorialEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "created", "edited", "reverted"]


def test_the_author_of_the_text_cannot_approve_it_after_a_colleague_saved_it_again(
    api_client, ada_client, editor_client, reviewer_client, publisher_client, clock
):
    # Ada writes X (revision 1); Eddie changes it (2), then reverts to X (3): his revision,
    # her text.
    assert ada_client.post("/api/v1/editorial/conditions/", CREATE,
                           format="json").status_code == 201
    clock.shift(MINUTE)
    assert editor_client.patch(DETAIL, EDIT, format="json",
                               HTTP_IF_MATCH='"rev-1"').status_code == 200
    clock.shift(MINUTE)
    response = editor_client.post(f"{DETAIL}revisions/1/revert/", format="json",
                                  HTTP_IF_MATCH='"rev-2"')
    assert response.status_code == 201
    assert response.json()["latest_revision"] == 3
    clock.shift(MINUTE)

    # Ada may not approve revision 3, and nothing is recorded.
    response = ada_client.post(f"{DETAIL}reviews/", {"revision": 3, "decision": "approved"},
                               format="json")
    assert response.status_code == 403
    assert response.json() == {
        "type": "urn:hipknee:problem:self-approval",
        "title": "You cannot approve your own revision.",
        "status": 403,
        "detail": "You authored this content in revision 1, and no other medical reviewer has "
        "approved it since; another medical reviewer must approve revision 3.",
        "code": "self_approval",
    }
    assert not Review.objects.exists()

    # So it cannot be published.
    response = publisher_client.post(f"{DETAIL}publish/", {"revision": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "review_required"
    assert api_client.get(f"/api/v1/conditions/{SLUG}/").status_code == 404

    # Rita, who wrote none of it, approves it; then it goes live.
    response = reviewer_client.post(f"{DETAIL}reviews/", {"revision": 3, "decision": "approved"},
                                    format="json")
    assert response.status_code == 201
    response = publisher_client.post(f"{DETAIL}publish/", {"revision": 3}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["live_revision"]) == ("published", 3)
    assert api_client.get(f"/api/v1/conditions/{SLUG}/").json()["version"] == 3
    assert approved_flags(editor_client) == {3: True, 2: False, 1: False}


def test_an_approval_by_an_author_of_the_text_stored_earlier_counts_nowhere(
    ada_client, editor_client, publisher_client, clock
):
    """An approval recorded before this rule, by the author of the text, is not approved
    in the history and cannot be published on."""
    ada_client.post("/api/v1/editorial/conditions/", CREATE, format="json")
    clock.shift(MINUTE)
    editor_client.patch(DETAIL, EDIT, format="json", HTTP_IF_MATCH='"rev-1"')
    clock.shift(MINUTE)
    editor_client.post(f"{DETAIL}revisions/1/revert/", format="json", HTTP_IF_MATCH='"rev-2"')
    clock.shift(MINUTE)
    third = Revision.objects.get(number=3)
    Review.objects.create(revision=third, content_hash=third.content_hash,
                          reviewer=ada_client.user, decision=ReviewDecision.APPROVED,
                          next_review_due=dt.date(2027, 3, 1))

    assert approved_flags(editor_client) == {3: False, 2: False, 1: False}
    response = publisher_client.post(f"{DETAIL}publish/", {"revision": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Revision 3 has no medical approval of its exact content; a medical reviewer who did "
        "not author it must approve it first.")
