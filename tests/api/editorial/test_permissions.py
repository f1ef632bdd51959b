"""Roles: anonymous → 401, no editorial role → 403, each action needs its role."""

import pytest

from content.models import Revision
from content.services.versioning import document_create
from tests.api.editorial.conftest import PAYLOADS, token_client
from tests.factories import UserFactory

DETAIL = "/api/v1/editorial/conditions/hip-bursitis/"


@pytest.fixture
def draft(editor):
    return document_create(type_="condition", data=PAYLOADS["conditions"][0], author=editor)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/editorial/conditions/", DETAIL, f"{DETAIL}revisions/", f"{DETAIL}revisions/1/",
    f"{DETAIL}revisions/1/diff/", f"{DETAIL}events/", f"{DETAIL}reviews/",
])
def test_anonymous_reads_of_drafts_get_401(api_client, draft, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "type": "urn:hipknee:problem:not-authenticated",
        "title": "Authentication is required.",
        "status": 401,
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


@pytest.mark.django_db
def test_a_user_without_a_role_sees_nothing_editorial(draft):
    client = token_client(UserFactory(username="nobody"))
    for path in (DETAIL, f"{DETAIL}revisions/1/", "/api/v1/editorial/conditions/"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["detail"] == (
            "This needs an editorial role (editors, medical_reviewers or publishers).")


@pytest.mark.django_db
def test_a_bad_token_is_401(api_client, draft):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get(DETAIL)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


@pytest.mark.django_db
def test_each_action_needs_its_role(draft, editor_client, reviewer_client, publisher_client):
    # Reviewers and publishers may read but not edit.
    for client in (reviewer_client, publisher_client):
        assert client.get(DETAIL).status_code == 200
        response = client.patch(DETAIL, {"name": "X"}, format="json", HTTP_IF_MATCH='"rev-1"')
        assert response.status_code == 403
        assert response.json()["detail"] == "This action needs the 'editors' role."
    # Editors and reviewers cannot publish; editors and publishers cannot review.
    for client in (editor_client, reviewer_client):
        response = client.post(f"{DETAIL}publish/", {}, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "This action needs the 'publishers' role."
    for client in (editor_client, publisher_client):
        response = client.post(f"{DETAIL}reviews/", {"revision": 1, "decision": "approved"},
                               format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "This action needs the 'medical_reviewers' role."
    assert Revision.objects.count() == 1


@pytest.mark.django_db
def test_a_reviewer_cannot_approve_their_own_revision(reviewer, reviewer_client, editor):
    from django.contrib.auth.models import Group

    from content.choices import Role

    reviewer.groups.add(Group.objects.get_or_create(name=Role.EDITORS)[0])
    response = reviewer_client.post("/api/v1/editorial/conditions/",
                                    PAYLOADS["conditions"][0], format="json")
    assert response.status_code == 201
    response = reviewer_client.post(f"{DETAIL}reviews/", {"revision": 1, "decision": "approved"},
                                    format="json")
    assert response.status_code == 403
    assert response.json() == {
        "type": "urn:hipknee:problem:self-approval",
        "title": "You cannot approve your own revision.",
        "status": 403,
        "detail": "You authored this revision; another medical reviewer must approve it.",
        "code": "self_approval",
    }
