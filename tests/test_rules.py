"""The rules of content/rules.py: each pure function agrees with its Q, the faces agree with
the publish decision under random editorial histories, and no face does what a service
refuses (content/services/permissions.py)."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content import rules
from content.choices import EditorialStatus, ReviewDecision, RevisionReviewState, Role
from content.exceptions import ActionForbidden, NoChanges, ReviewRequired, SelfApproval
from content.models import Document, Revision
from content.selectors import documents_with_review_state
from content.services.publishing import revision_publish
from content.services.reviews import review_request, review_submit
from content.services.versioning import document_create, revision_create
from tests.api.editorial.conftest import token_client
from tests.factories import UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SYMPTOM = {"slug": "stiffness", "name": "Stiffness", "description": "Tight.",
           "frequency": "common"}
DETAIL = "/api/v1/editorial/symptoms/stiffness/"


# --- each function agrees with its Q --------------------------------------------------------


@pytest.mark.django_db
def test_document_status_and_its_q_agree_at_every_moment():
    people = UserFactory(username="sys")  # noqa: F841 - a user row, as in real data
    rows = [
        Document.objects.create(type="symptom", slug=f"d{i}", status=status, expire_at=expire)
        for i, (status, expire) in enumerate([
            (EditorialStatus.PUBLISHED, None),
            (EditorialStatus.PUBLISHED, T0),
            (EditorialStatus.PUBLISHED, T0 + dt.timedelta(days=1)),
            (EditorialStatus.EXPIRED, T0),
            (EditorialStatus.DRAFT, None),
            (EditorialStatus.UNPUBLISHED, T0 - dt.timedelta(days=1)),
        ])
    ]
    for now in (T0 - dt.timedelta(seconds=1), T0, T0 + dt.timedelta(days=2)):
        for value in EditorialStatus.values:
            expected = {d.slug for d in rows
                        if rules.document_status(status=d.status, expire_at=d.expire_at,
                                                 now=now) == value}
            assert set(Document.objects.with_status(value, now).values_list(
                "slug", flat=True)) == expected, (now, value)
        assert set(Document.objects.expired_unrecorded(now).values_list("slug", flat=True)) == {
            d.slug for d in rows
            if rules.is_expired(status=d.status, expire_at=d.expire_at, now=now)}


def test_review_overdue_function_and_q_agree_on_the_day_boundary():
    due = dt.date(2026, 3, 1)
    for now, overdue in ((dt.datetime(2026, 3, 1, 23, 59, tzinfo=dt.UTC), False),
                         (dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC), True)):
        assert rules.is_review_overdue(due, now) is overdue
        q_overdue = due < rules.overdue_q(now).children[0][1]
        assert q_overdue is overdue
    assert rules.is_review_overdue(dt.date.max, dt.datetime.max.replace(tzinfo=dt.UTC)) is False
    assert rules.review_status(last_reviewed=None, next_review_due=due) == "not_reviewed"


# --- the faces agree with the publish decision under random histories -------------------------

STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.sampled_from(["eddie", "ada"])),
        st.tuples(st.just("review"), st.sampled_from(["rita", "ada"]),
                  st.sampled_from(ReviewDecision.values)),
        st.tuples(st.just("submit"), st.sampled_from(["eddie", "ada"])),
        st.tuples(st.just("publish")),
        st.tuples(st.just("clock"), st.integers(min_value=1, max_value=400)),
    ),
    min_size=1, max_size=8,
)


class _Rollback(Exception):
    pass


def _publishable(revision, publisher) -> bool:
    try:
        with transaction.atomic():
            revision_publish(revision=revision, user=publisher)
            raise _Rollback
    except _Rollback:
        return True
    except ReviewRequired:
        return False


def _check_agreement(clients, publisher, document):
    document.refresh_from_db()
    latest = Revision.objects.select_related("document").get(pk=document.latest_revision_id)
    detail = clients.get(DETAIL).json()
    listed = {row["slug"]: row for row in clients.get("/api/v1/editorial/symptoms/").json()[
        "results"]}["stiffness"]
    revisions = clients.get(f"{DETAIL}revisions/").json()["results"]
    admin_row = documents_with_review_state(Document.objects.filter(pk=document.pk)).get()
    admin_state = rules.review_state_of(admin_row.review_decision, admin_row.reviewed_at,
                                        admin_row.review_requested_at)
    admin_approved = documents_with_review_state(Document.objects.filter(pk=document.pk)).filter(
        rules.review_state_q(RevisionReviewState.APPROVED)).exists()
    decision = (detail["latest_review"] or {}).get("decision")
    answers = {
        "detail": decision == ReviewDecision.APPROVED,
        "list": (listed["latest_review"] or {}).get("decision") == ReviewDecision.APPROVED,
        "revisions": next(r["is_approved"] for r in revisions if r["number"] == latest.number),
        "admin_column": admin_state == RevisionReviewState.APPROVED,
        "admin_filter": admin_approved,
        "publish": _publishable(latest, publisher),
    }
    assert len(set(answers.values())) == 1, answers
    status = rules.document_status(status=document.status, expire_at=document.expire_at)
    assert detail["status"] == listed["status"] == status
    assert Document.objects.with_status(status).filter(pk=document.pk).exists()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_editorial_list_detail_admin_and_publish_always_agree(steps):
    with transaction.atomic(), time_machine.travel(T0, tick=False) as clock:
        users = {
            "eddie": UserFactory(username="eddie", roles=[Role.EDITORS]),
            "ada": UserFactory(username="ada", roles=[Role.EDITORS, Role.MEDICAL_REVIEWERS]),
            "rita": UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS]),
            "paul": UserFactory(username="paul", roles=[Role.PUBLISHERS]),
        }
        client = token_client(users["paul"])
        document = document_create(type_="symptom", data=SYMPTOM, author=users["eddie"]).document
        edits = 0
        for step in steps:
            clock.shift(dt.timedelta(minutes=1))
            document.refresh_from_db()
            latest = Revision.objects.select_related("document").get(
                pk=document.latest_revision_id)
            try:
                if step[0] == "edit":
                    edits += 1
                    revision_create(document=document, data={"description": f"Edit {edits}."},
                                    author=users[step[1]], expected_revision=latest.number)
                elif step[0] == "review":
                    review_submit(revision=latest, reviewer=users[step[1]], decision=step[2])
                elif step[0] == "submit":
                    review_request(revision=latest, user=users[step[1]])
                elif step[0] == "publish":
                    revision_publish(revision=latest, user=users["paul"])
                else:
                    clock.shift(dt.timedelta(days=step[1]))
            except (SelfApproval, ReviewRequired, NoChanges):
                pass
            except Exception as error:  # an InvalidTransition of review_request is fine too
                if getattr(error, "code", None) != "invalid_transition":
                    raise
            _check_agreement(client, users["paul"], document)
        transaction.set_rollback(True)


# --- no face does what the service refuses ----------------------------------------------------


@pytest.mark.django_db
def test_services_refuse_a_user_without_the_role_and_so_do_the_api_and_the_admin(client):
    editor = UserFactory(username="eddie", roles=[Role.EDITORS])
    reviewer = UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS])
    revision = document_create(type_="symptom", data=SYMPTOM, author=editor)
    review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    # The service itself: an editor may not publish, a reviewer may not edit.
    with pytest.raises(ActionForbidden) as error:
        revision_publish(revision=revision, user=editor)
    assert error.value.detail == "This action needs the 'publishers' role."
    with pytest.raises(ActionForbidden):
        revision_create(document=revision.document, data={"name": "X"}, author=reviewer,
                        expected_revision=1)
    with pytest.raises(ActionForbidden):
        review_request(revision=revision, user=reviewer)
    # The API: the same refusal as problem+json.
    response = token_client(editor).post(f"{DETAIL}publish/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "type": "urn:hipknee:problem:permission-denied",
        "title": "You do not have permission to do this.",
        "status": 403,
        "detail": "This action needs the 'publishers' role.",
        "code": "permission_denied",
    }
    # The admin: the workflow button is refused and nothing goes live.
    editor.is_staff = True
    editor.save()
    client.force_login(editor)
    response = client.post(f"/admin/content/document/{revision.document_id}/change/",
                           {"_workflow": "publish", "publish-revision": "1"})
    assert response.status_code == 403
    revision.document.refresh_from_db()
    assert revision.document.status == EditorialStatus.DRAFT
    assert revision.document.live_revision_id is None


@pytest.mark.django_db
def test_an_authors_own_changes_requested_does_not_show_as_the_latest_review():
    """Where the copies disagreed the service's rule wins: the detail showed the author's own
    review while publish ignored it; now the detail shows the review publish decides on."""
    ada = UserFactory(username="ada", roles=[Role.EDITORS, Role.MEDICAL_REVIEWERS])
    rita = UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS])
    paul = UserFactory(username="paul", roles=[Role.PUBLISHERS])
    with time_machine.travel(T0, tick=False) as clock:
        revision = document_create(type_="symptom", data=SYMPTOM, author=ada)
        clock.shift(dt.timedelta(minutes=1))
        review_submit(revision=revision, reviewer=rita, decision=ReviewDecision.APPROVED)
        clock.shift(dt.timedelta(minutes=1))
        review_submit(revision=revision, reviewer=ada, decision=ReviewDecision.CHANGES_REQUESTED)
        detail = token_client(paul).get(DETAIL).json()
        assert detail["latest_review"]["decision"] == ReviewDecision.APPROVED
        assert detail["latest_review"]["reviewer"]["username"] == "rita"
        assert token_client(paul).post(f"{DETAIL}publish/", {}, format="json").status_code == 200


@pytest.mark.django_db
def test_the_editorial_status_filter_derives_expiry_like_the_admin():
    paul = UserFactory(username="paul", roles=[Role.PUBLISHERS])
    revision = document_create(type_="symptom", data={**SYMPTOM, "slug": "gone"}, author=None)
    Document.objects.filter(pk=revision.document_id).update(
        status=EditorialStatus.PUBLISHED, expire_at=T0)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        client = token_client(paul)
        expired = client.get("/api/v1/editorial/symptoms/?status=expired")
        published = client.get("/api/v1/editorial/symptoms/?status=published")
    assert expired.status_code == 200
    assert [row["slug"] for row in expired.json()["results"]] == ["gone"]
    assert published.json()["results"] == []
