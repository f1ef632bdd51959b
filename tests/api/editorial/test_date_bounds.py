"""Editor-supplied dates over HTTP: a next review at most 5 years ahead, a schedule in the
future and at most 10 years ahead; anything else is a 400 problem naming the field and the
limit, and nothing is stored. (A review due on 9999-12-31 used to be accepted, and once
published its detail and every list showing it answered 500.)"""

import datetime as dt

import pytest

from content.models import Document, EditorialEvent, Review
from tests.api.editorial.conftest import PAYLOADS

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CREATE, _ = PAYLOADS["symptoms"]
SLUG = CREATE["slug"]
DETAIL = f"/api/v1/editorial/symptoms/{SLUG}/"

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(T0, tick=False)]


def invalid(*errors) -> dict:
    return {
        "type": "urn:hipknee:problem:invalid",
        "title": "The content is not valid.",
        "status": 400,
        "detail": f"{len(errors)} field(s) are not valid; see errors.",
        "code": "invalid",
        "errors": [{"field": f, "message": m, "code": c} for f, m, c in errors],
    }


@pytest.fixture
def draft(editor_client):
    assert editor_client.post("/api/v1/editorial/symptoms/", CREATE,
                              format="json").status_code == 201


@pytest.mark.parametrize(
    ("due", "message", "code"),
    [
        ("9999-12-31", "The next review must be due at most 5 years ahead: on or before "
         "2031-03-02.", "max_value"),
        ("2031-03-03", "The next review must be due at most 5 years ahead: on or before "
         "2031-03-02.", "max_value"),
        ("2026-03-02", "The next review must be due after today.", "invalid"),
        ("0001-01-01", "The next review must be due after today.", "invalid"),
    ],
)
def test_a_next_review_date_outside_the_window_is_400_and_records_nothing(
    draft, reviewer_client, due, message, code
):
    response = reviewer_client.post(f"{DETAIL}reviews/", {
        "revision": 1, "decision": "approved", "next_review_due": due}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == invalid(("next_review_due", message, code))
    assert not Review.objects.exists()
    assert list(EditorialEvent.objects.values_list("action", flat=True)) == ["created"]


def test_a_next_review_date_at_the_edge_is_published_and_read_back(
    api_client, draft, reviewer_client, publisher_client
):
    response = reviewer_client.post(f"{DETAIL}reviews/", {
        "revision": 1, "decision": "approved", "next_review_due": "2031-03-02"}, format="json")
    assert response.status_code == 201
    assert response.json()["next_review_due"] == "2031-03-02"
    assert publisher_client.post(f"{DETAIL}publish/", {}, format="json").status_code == 200
    public = api_client.get(f"/api/v1/symptoms/{SLUG}/")
    assert public.status_code == 200
    assert public.json()["review"]["next_review_due"] == "2031-03-02"
    assert api_client.get("/api/v1/symptoms/").status_code == 200


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"go_live_at": "9999-12-31T00:00:00Z", "expire_at": "9999-12-31T23:59:59Z"}, [
            ("go_live_at", "go_live_at must be at most 10 years ahead: on or before "
             "2036-03-02T09:00:00+00:00.", "max_value"),
            ("expire_at", "expire_at must be at most 10 years ahead: on or before "
             "2036-03-02T09:00:00+00:00.", "max_value"),
        ]),
        ({"expire_at": "2036-03-02T09:00:01Z"}, [
            ("expire_at", "expire_at must be at most 10 years ahead: on or before "
             "2036-03-02T09:00:00+00:00.", "max_value"),
        ]),
        ({"go_live_at": "2026-03-02T08:59:00Z"}, [
            ("go_live_at", "go_live_at must be in the future; to publish now, send no "
             "go_live_at.", "min_value"),
        ]),
        ({"go_live_at": "2026-03-03T09:00:00Z", "expire_at": "2026-03-03T08:00:00Z"}, [
            ("expire_at", "expire_at must be after the go-live time.", "invalid"),
        ]),
    ],
)
def test_a_schedule_outside_its_window_is_400_and_changes_nothing(
    api_client, draft, reviewer_client, publisher_client, body, errors
):
    reviewer_client.post(f"{DETAIL}reviews/", {"revision": 1, "decision": "approved"},
                         format="json")
    response = publisher_client.post(f"{DETAIL}publish/", {"revision": 1, **body},
                                     format="json")
    assert response.status_code == 400
    assert response.json() == invalid(*errors)
    document = Document.objects.get()
    assert (document.status, document.scheduled_revision, document.go_live_at,
            document.expire_at) == ("draft", None, None, None)
    assert api_client.get(f"/api/v1/symptoms/{SLUG}/").status_code == 404


def test_a_schedule_at_the_edge_of_its_window_is_accepted(draft, reviewer_client,
                                                          publisher_client):
    reviewer_client.post(f"{DETAIL}reviews/", {"revision": 1, "decision": "approved"},
                         format="json")
    response = publisher_client.post(f"{DETAIL}publish/", {
        "go_live_at": "2036-03-01T09:00:00Z", "expire_at": "2036-03-02T09:00:00Z"},
        format="json")
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("status", "go_live_at", "scheduled_expire_at")} == {
        "status": "scheduled", "go_live_at": "2036-03-01T09:00:00+00:00",
        "scheduled_expire_at": "2036-03-02T09:00:00+00:00"}


def test_the_schema_states_the_date_limits():
    from content.api.editorial.serializers import PublishSerializer, ReviewCreateSerializer

    assert "at most 5 years ahead" in ReviewCreateSerializer().fields["next_review_due"].help_text
    fields = PublishSerializer().fields
    assert "at most 10 years ahead" in fields["go_live_at"].help_text
    assert "at most 10 years ahead" in fields["expire_at"].help_text
