"""The audit trail: editorial events, and row history of the state tables named by user."""

import pytest

from content.choices import ReviewDecision, Role
from content.models import Document, Review
from content.services.publishing import document_unpublish, revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.factories import UserFactory


@pytest.mark.django_db
def test_row_history_names_who_moved_each_pointer():
    editor, reviewer, publisher = (UserFactory(username=n, roles=[r]) for n, r in (
        ("ed", Role.EDITORS), ("rita", Role.MEDICAL_REVIEWERS), ("paul", Role.PUBLISHERS)))
    first = document_create(type_="symptom", author=editor, data={
        "slug": "stiffness", "name": "Stiffness", "description": "Tight.", "frequency": "common"})
    second = revision_create(document=first.document, author=editor, expected_revision=1,
                             data={"description": "Tight knee."})
    review_submit(revision=second, reviewer=reviewer, decision=ReviewDecision.APPROVED)
    revision_publish(revision=second, user=publisher)
    document_unpublish(document=first.document, user=publisher)

    history = [
        (h.history_user.username if h.history_user else None, h.status,
         h.latest_revision_id and Document.objects.get().revisions.get(
             pk=h.latest_revision_id).number,
         h.live_revision_id is not None)
        for h in Document.history.order_by("history_date", "history_id")
    ]
    assert history == [
        ("ed", "draft", None, False),
        ("ed", "draft", 1, False),
        ("ed", "draft", 2, False),
        ("paul", "published", 2, True),
        ("paul", "unpublished", 2, False),
    ]
    assert [h.history_user.username for h in Review.history.all()] == ["rita"]
