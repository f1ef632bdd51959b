"""The editors' workspace (content/admin/workspace.py, content.selectors.work_lists): the
"My work" page per role, its links, and its counts on the admin index."""

import datetime as dt

import pytest
import time_machine

from content.choices import ContentType, ReviewDecision, Role
from content.models import Document
from content.selectors import work_list_counts, work_lists
from content.services.publishing import revision_publish
from content.services.reviews import review_request, review_submit
from content.services.roles import role_groups_ensure
from content.services.versioning import document_create
from tests.factories import UserFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _symptom(slug: str) -> dict:
    return {"slug": slug, "name": slug.replace("-", " ").capitalize(),
            "description": f"About {slug}.", "frequency": "common"}


@pytest.fixture
def people(db):
    role_groups_ensure()
    return {
        "eddie": UserFactory(username="eddie", roles=[Role.EDITORS], is_staff=True),
        "erin": UserFactory(username="erin", roles=[Role.EDITORS], is_staff=True),
        "rita": UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS], is_staff=True),
        # Writes and reviews: her own text never waits for her review.
        "both": UserFactory(username="both", roles=[Role.EDITORS, Role.MEDICAL_REVIEWERS],
                            is_staff=True),
        "paul": UserFactory(username="paul", roles=[Role.PUBLISHERS], is_staff=True),
    }


@pytest.fixture
def work(people):
    """One item in each list (and some in none), built through the services."""
    eddie, erin, rita, both, paul = (people[n] for n in ("eddie", "erin", "rita", "both",
                                                          "paul"))

    def create(slug, author):
        return document_create(type_=ContentType.SYMPTOM, data=_symptom(slug),
                               author=author)

    def approve(revision, due=None):
        review_submit(revision=revision, reviewer=rita, decision=ReviewDecision.APPROVED,
                      next_review_due=due)

    with time_machine.travel(T0 - dt.timedelta(days=60), tick=False):
        overdue = create("overdue", erin)
        approve(overdue, due=(T0 - dt.timedelta(days=30)).date())
        revision_publish(revision=overdue, user=paul)
    with time_machine.travel(T0, tick=False):
        create("eddie-draft", eddie)
        sent_back = create("sent-back", eddie)
        review_request(revision=sent_back, user=eddie)
        review_submit(revision=sent_back, reviewer=rita,
                      decision=ReviewDecision.CHANGES_REQUESTED, comment="Simpler words.")
        review_request(revision=create("erin-submitted", erin), user=erin)
        review_request(revision=create("both-submitted", both), user=both)
        approve(create("approved", erin))
        scheduled = create("scheduled", erin)
        approve(scheduled)
        revision_publish(revision=scheduled, user=paul, go_live_at=T0 + dt.timedelta(days=3))
        for slug, days in (("expiring", 5), ("expiring-later", 20)):
            revision = create(slug, erin)
            approve(revision)
            revision_publish(revision=revision, user=paul, expire_at=T0 + dt.timedelta(days=days))
    return people


def slugs(response, name: str) -> list[str]:
    section = next(s for s in response.context["sections"] if s["list"].name == name)
    return [row["document"].slug for row in section["rows"]]


def page(client, user):
    client.force_login(user)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        return client.get("/admin/content/document/my-work/")


def test_editors_see_their_drafts_and_what_came_back(client, work):
    response = page(client, work["eddie"])

    assert response.status_code == 200
    assert [s["list"].name for s in response.context["sections"]] == [
        "my_drafts", "changes_requested"]
    assert slugs(response, "my_drafts") == ["eddie-draft", "sent-back"]
    assert slugs(response, "changes_requested") == ["sent-back"]


def test_reviewers_see_what_waits_for_them_but_not_their_own_text(client, work):
    response = page(client, work["rita"])
    assert [s["list"].name for s in response.context["sections"]] == [
        "awaiting_my_review", "review_overdue"]
    assert slugs(response, "awaiting_my_review") == ["both-submitted", "erin-submitted"]
    assert slugs(response, "review_overdue") == ["overdue"]

    mixed = page(client, work["both"])
    assert slugs(mixed, "awaiting_my_review") == ["erin-submitted"]
    assert slugs(mixed, "my_drafts") == ["both-submitted"]


def test_publishers_see_approved_scheduled_and_expiring_items(client, work):
    response = page(client, work["paul"])

    assert [s["list"].name for s in response.context["sections"]] == [
        "approved_unpublished", "scheduled", "expiring"]
    assert slugs(response, "approved_unpublished") == ["approved"]
    assert slugs(response, "scheduled") == ["scheduled"]
    assert slugs(response, "expiring") == ["expiring"]


def test_each_row_links_to_its_item(client, work):
    response = page(client, work["paul"])

    document = Document.objects.get(slug="scheduled")
    html = response.content.decode()
    assert f'href="/admin/content/document/{document.pk}/change/"' in html
    assert "goes live" in html


def test_the_lists_follow_the_roles_rules_the_services_enforce(work):
    """The reviewer's list leaves out exactly what review_submit would refuse as self-approval."""
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        counts = work_list_counts(work_lists(work["both"]))
    assert counts == {"my_drafts": 1, "changes_requested": 0, "awaiting_my_review": 1,
                      "review_overdue": 1}


def test_the_index_shows_the_counts_in_one_query(client, work, django_assert_num_queries):
    client.force_login(work["paul"])
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        response = client.get("/admin/")
        html = response.content.decode()
        assert 'id="my-work-count-approved_unpublished"' in html
        assert [(e["name"], e["count"]) for e in response.context["lists"]] == [
            ("approved_unpublished", 1), ("scheduled", 1), ("expiring", 1)]
        with django_assert_num_queries(1):
            work_list_counts(work_lists(work["paul"]))


def test_the_page_reads_a_constant_number_of_queries(client, work, django_assert_num_queries):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    # session, user, and one query per list (seven lists)
    with (time_machine.travel(T0 + dt.timedelta(hours=1), tick=False),
          django_assert_num_queries(2 + 7)):
        response = client.get("/admin/content/document/my-work/")
    assert len(response.context["sections"]) == 7


def test_people_without_a_role_get_no_page(client, db):
    client.force_login(UserFactory(username="nobody", is_staff=True))
    assert client.get("/admin/content/document/my-work/").status_code == 403
