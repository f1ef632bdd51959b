"""Editorial API fixtures: one token-authenticated client per role, and valid payloads."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from content.choices import Role
from tests.factories import EditorProfileFactory, UserFactory


def token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.user = user
    return client


@pytest.fixture
def editor(db):
    return UserFactory(username="eddie", roles=[Role.EDITORS])


@pytest.fixture
def reviewer(db):
    user = UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS])
    EditorProfileFactory(user=user, display_name="Dr Rita Shah", credentials="MBBS, FRCS (Orth)")
    return user


@pytest.fixture
def publisher(db):
    return UserFactory(username="paul", roles=[Role.PUBLISHERS])


@pytest.fixture
def editor_client(editor) -> APIClient:
    return token_client(editor)


@pytest.fixture
def reviewer_client(reviewer) -> APIClient:
    return token_client(reviewer)


@pytest.fixture
def publisher_client(publisher) -> APIClient:
    return token_client(publisher)


#: A valid creation payload and a valid edit for each type path.
PAYLOADS = {
    "conditions": (
        {"slug": "hip-bursitis", "name": "Hip bursitis", "also_known_as": ["trochanteric bursitis"],
         "body_region": "hip", "description": "Inflamed bursa on the side of the hip."},
        {"description": "Inflammation of the bursa on the outside of the hip."},
    ),
    "causes": (
        {"slug": "referred-pain", "name": "Referred Pain",
         "description": "Pain from the hip felt in the knee."},
        {"name": "Referred pain"},
    ),
    "symptoms": (
        {"slug": "stiffness", "name": "Stiffness", "description": "A feeling of tightness.",
         "frequency": "common"},
        {"frequency": "less_common"},
    ),
    "warning-signs": (
        {"slug": "numbness", "text": "Numbness or tingling in the leg.", "urgency": "immediate"},
        {"urgency": "see_a_doctor"},
    ),
    "treatments": (
        {"slug": "acupuncture", "name": "Acupuncture", "description": "Thin needles.",
         "category": "alternative", "examples": [], "caution": None},
        {"caution": "See a registered practitioner."},
    ),
    "articles": (
        {"slug": "hip-and-knee", "title": "Hip and knee", "summary": "How they connect.",
         "sections": [{"kind": "introduction", "heading": "Introduction",
                       "body": "<p>Hello.</p>", "items": []}]},
        {"title": "Hip and knee pain"},
    ),
}
