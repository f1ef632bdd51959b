"""Bidi override and isolate characters (content/plaintext.py) are refused in every text people
write: each write is a 400 problem+json naming the field, and nothing is stored."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from content.choices import ReviewDecision, Role
from content.exceptions import ContentInvalid
from content.models import Document, EditorialEvent, Review, Revision, Synonym, WebhookSubscription
from content.plaintext import validate_plain_text
from content.services.synonyms import synonym_save
from content.services.versioning import document_create
from tests.api.editorial.conftest import token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RLO = "\u202e"
ARTICLE = {
    "slug": "hip-and-knee", "title": "Hip and knee", "summary": "How they connect.",
    "sections": [{"kind": "introduction", "heading": "Introduction", "body": "<p>Hello.</p>",
                  "items": [{"group": "why_it_matters", "title": None, "text": "It matters."}]}],
}


def message(found: str) -> str:
    return ("Bidirectional override and isolate characters (U+202A–U+202E, U+2066–U+2069) are "
            f"not allowed: they make text display differently from what it says. Found {found}.")


def problem(field: str, found: str = "U+202E") -> dict:
    return {
        "type": "urn:hipknee:problem:invalid",
        "title": "The content is not valid.",
        "status": 400,
        "detail": "1 field(s) are not valid; see errors.",
        "code": "invalid",
        "errors": [{"field": field, "message": message(found), "code": "bidi_control"}],
    }


@pytest.fixture
def editor_client() -> APIClient:
    return token_client(UserFactory(username="eddie", roles=[Role.EDITORS]))


def with_section(**changes) -> dict:
    section = {**ARTICLE["sections"][0], **changes}
    return {**ARTICLE, "sections": [section]}


@pytest.mark.parametrize(
    ("data", "field", "found"),
    [
        ({**ARTICLE, "title": f"Hip {RLO}eenk dna"}, "title", "U+202E"),
        (with_section(heading=f"Intro{RLO}"), "sections[0].heading", "U+202E"),
        (with_section(items=[{"group": "why_it_matters", "title": "Why\u2067",
                              "text": "It matters."}]), "sections[0].items[0].title", "U+2067"),
        # Rich text: the raw character, and a character reference the sanitiser decodes.
        (with_section(body=f"<p>Take {RLO}gm 001</p>"), "sections[0].body", "U+202E"),
        (with_section(body='<p><a href="https://nhs.uk/&#x202a;">NHS</a></p>'),
         "sections[0].body", "U+202A"),
    ],
)
def test_a_snapshot_field_holding_a_bidi_control_is_a_400_naming_it(
    editor_client, data, field, found
):
    response = editor_client.post("/api/v1/editorial/articles/", data, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == problem(field, found)
    assert not Document.objects.exists() and not Revision.objects.exists()


def test_a_change_note_holding_a_bidi_control_is_refused(editor_client):
    revision = document_create(type_="article", data=ARTICLE, author=editor_client.user)

    response = editor_client.patch(
        "/api/v1/editorial/articles/hip-and-knee/",
        {"summary": "How hips and knees connect.", "change_note": f"Fixed {RLO}"},
        format="json", HTTP_IF_MATCH='"rev-1"',
    )

    assert response.status_code == 400
    assert response.json() == problem("change_note")
    assert list(Revision.objects.values_list("pk", flat=True)) == [revision.pk]


def test_a_review_comment_holding_a_bidi_control_is_refused(editor_client):
    document_create(type_="article", data=ARTICLE, author=editor_client.user)
    reviewer = token_client(UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS]))

    response = reviewer.post(
        "/api/v1/editorial/articles/hip-and-knee/reviews/",
        {"revision": 1, "decision": ReviewDecision.APPROVED, "comment": f"Fine {RLO}"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == problem("comment")
    assert not Review.objects.exists()
    assert list(EditorialEvent.objects.values_list("action", flat=True)) == ["created"]


def test_a_webhook_description_holding_a_bidi_control_is_refused():
    publisher = token_client(UserFactory(username="paul", roles=[Role.PUBLISHERS]))

    response = publisher.post(
        "/api/v1/editorial/webhooks/",
        {"url": "http://127.0.0.1:8080/hook", "secret": "s3cret-shared-with-the-mirror",
         "description": f"Mirror {RLO}"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == problem("description")
    assert not WebhookSubscription.objects.exists()


def test_a_synonym_set_holding_a_bidi_control_is_refused():
    with pytest.raises(ContentInvalid) as error:
        synonym_save(synonym=Synonym(name=f"physio{RLO}", terms=["physio", f"physi{RLO}o"]))

    assert sorted((e["field"], e["message"]) for e in error.value.errors) == [
        ("name", message("U+202E")), ("terms", message("U+202E"))]
    assert not Synonym.objects.exists()


@pytest.mark.parametrize("value", ["Dr Rita Shah", "MBBS, FRCS (Orth)", "Émile \u200fcafé"])
def test_plain_text_accepts_ordinary_text_and_implicit_marks(value):
    validate_plain_text(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [(f"a{chr(c)}b", "bidi_control") for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
    + [("a\x00b", "invalid"), ("<b>x</b>", "markup")],
)
def test_plain_text_refuses_every_bidi_control_markup_and_control_characters(value, code):
    with pytest.raises(ValidationError) as error:
        validate_plain_text(value)

    assert error.value.code == code
