"""Editorial actions through the real services, for tests of what publishing causes
(the change feed, webhooks): create, edit, approve, publish, schedule, unpublish."""

import itertools

from content.choices import ContentType, ReviewDecision, Role, SymptomFrequency, Urgency
from content.models import Document, Revision
from content.services.publishing import document_unpublish, revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create, revision_create
from tests.factories import EditorProfileFactory, UserFactory

_texts = itertools.count(1)

#: A valid snapshot body per type (besides the slug), varied by a counter.
BODIES = {
    ContentType.SYMPTOM: lambda n: {
        "name": f"Symptom {n}", "description": f"What it feels like ({n}).",
        "frequency": SymptomFrequency.COMMON,
    },
    ContentType.WARNING_SIGN: lambda n: {
        "text": f"Warning sign {n}.", "urgency": Urgency.SEE_A_DOCTOR,
    },
    ContentType.CONDITION: lambda n: {
        "name": f"Condition {n}", "body_region": "hip", "description": f"About {n}.",
    },
}


class Staff:
    """An editor, a medical reviewer (with a public profile) and a publisher."""

    def __init__(self) -> None:
        self.editor = UserFactory(username="editor", roles=[Role.EDITORS])
        self.reviewer = EditorProfileFactory(
            user=UserFactory(username="reviewer", roles=[Role.MEDICAL_REVIEWERS])
        ).user
        self.publisher = UserFactory(username="publisher", roles=[Role.PUBLISHERS])

    def create(self, type_: str, slug: str) -> Revision:
        body = BODIES[type_](next(_texts))
        return document_create(type_=type_, data={"slug": slug, **body}, author=self.editor)

    def go_live_with(self, type_: str, data: dict, **kwargs) -> Document:
        """Create, approve and publish an item with exactly this content."""
        revision = document_create(type_=type_, data=data, author=self.editor)
        self.approve(revision)
        return self.publish(revision, **kwargs)

    def update_with(self, document: Document, data: dict, **kwargs) -> Document:
        """Edit (merging `data`), approve and publish a new revision of an item."""
        document.refresh_from_db()
        revision = revision_create(document=document, data=data, author=self.editor,
                                   expected_revision=document.latest_revision.number)
        self.approve(revision)
        return self.publish(revision, **kwargs)

    def edit(self, document: Document) -> Revision:
        document.refresh_from_db()
        body = BODIES[document.type](next(_texts))
        return revision_create(
            document=document, data=body, author=self.editor,
            expected_revision=document.latest_revision.number,
        )

    def approve(self, revision: Revision) -> None:
        review_submit(revision=revision, reviewer=self.reviewer,
                      decision=ReviewDecision.APPROVED)

    def publish(self, revision: Revision, **kwargs) -> Document:
        return revision_publish(revision=revision, user=self.publisher, **kwargs)

    def unpublish(self, document: Document) -> Document:
        return document_unpublish(document=document, user=self.publisher)

    def go_live(self, type_: str, slug: str, **kwargs) -> Document:
        """Create, approve and publish an item in one go."""
        revision = self.create(type_, slug)
        self.approve(revision)
        return self.publish(revision, **kwargs)

    def update(self, document: Document, **kwargs) -> Document:
        """Edit, approve and publish a new revision of an item."""
        revision = self.edit(document)
        self.approve(revision)
        return self.publish(revision, **kwargs)
