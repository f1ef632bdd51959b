"""Readability (content/readability.py): the figures of a text, of a snapshot per field and
per section, the configurable target, the grade publishing stores, and the same figures in
the editorial API's revision detail and beside the admin's fields."""

import datetime as dt

import pytest

from content.choices import ContentType, ReviewDecision, Role
from content.models import Article
from content.readability import reading_grade, snapshot_readability, text_readability
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.roles import role_groups_ensure
from content.services.versioning import document_create, revision_create
from tests.factories import UserFactory

PLAIN = "Rest your knee. Put ice on it for 20 minutes!\n\nSee a doctor if it swells."
DENSE = ("Osteoarthritis of the hip frequently manifests as referred discomfort experienced "
         "predominantly in the anterior aspect of the ipsilateral knee, complicating "
         "diagnostic evaluation considerably.")

ARTICLE = {
    "slug": "hip-and-knee",
    "title": "Hip and knee",
    "summary": "Hip problems can cause knee pain.",
    "sections": [
        {"kind": "introduction", "heading": "Introduction",
         "body": "<p>Your hip and knee work together.</p><ul><li>They share nerves</li></ul>",
         "items": []},
        {"kind": "causes", "heading": "Causes", "body": f"<p>{DENSE}</p>",
         "items": [{"group": "causes", "title": "Arthritis", "text": "Wear and tear."}]},
    ],
}


def test_a_text_has_grades_words_per_sentence_and_its_longest_sentences():
    assert text_readability(PLAIN) == {
        "flesch_kincaid_grade": -0.2,
        "coleman_liau_index": -1.8,
        "words": 16,
        "sentences": 3,
        "words_per_sentence": 5.3,
        "longest_sentences": [
            {"text": "Put ice on it for 20 minutes!", "words": 7},
            {"text": "See a doctor if it swells.", "words": 6},
            {"text": "Rest your knee.", "words": 3},
        ],
        "above_target": False,
    }


def test_dense_text_is_above_the_target_and_no_words_have_no_figures():
    dense = text_readability(DENSE)
    assert dense["flesch_kincaid_grade"] == 26.2
    assert dense["coleman_liau_index"] == 25.3
    assert dense["above_target"] is True
    assert text_readability("") is None
    assert text_readability("  \n\n ") is None


def test_every_paragraph_list_entry_and_item_ends_a_sentence():
    figures = text_readability("First line without a stop\n- second entry\n3) third one here")
    assert figures["sentences"] == 3
    assert [s["text"] for s in figures["longest_sentences"]] == [
        "First line without a stop", "third one here", "second entry"]


def test_the_target_is_a_setting(settings):
    settings.HIPKNEE_READING_GRADE_TARGET = 30
    assert text_readability(DENSE)["above_target"] is False
    assert snapshot_readability(ContentType.SYMPTOM, {"description": "Tight."})[
        "target_grade"] == 30.0


def test_a_snapshot_is_measured_overall_per_prose_field_and_per_section():
    result = snapshot_readability(ContentType.ARTICLE, ARTICLE)

    assert result["target_grade"] == 8.0
    assert set(result["fields"]) == {"summary"}
    assert result["fields"]["summary"]["words"] == 6
    assert [(s["kind"], s["heading"]) for s in result["sections"]] == [
        ("introduction", "Introduction"), ("causes", "Causes")]
    introduction, causes = (s["readability"] for s in result["sections"])
    # The body's list entry is a sentence; the causes section counts its item's text.
    assert introduction["sentences"] == 2
    assert causes["sentences"] == 2
    assert causes["longest_sentences"][0]["words"] == 23
    assert result["overall"]["words"] == 6 + 9 + 26
    assert reading_grade(ContentType.ARTICLE, ARTICLE) == result["overall"][
        "flesch_kincaid_grade"]


def test_an_entity_is_measured_by_its_prose_fields():
    result = snapshot_readability(ContentType.SYMPTOM, {
        "slug": "stiffness", "name": "Stiffness", "description": "A tight knee. It is hard to "
        "bend.", "frequency": "common"})
    assert result["fields"]["description"]["sentences"] == 2
    assert result["overall"] == result["fields"]["description"]
    assert result["sections"] == []


# --- publishing stores the grade; the editorial API and the admin show the figures --------


@pytest.fixture
def people(db):
    role_groups_ensure()
    return {
        "editor": UserFactory(username="eddie", roles=[Role.EDITORS], is_staff=True),
        "reviewer": UserFactory(username="rita", roles=[Role.MEDICAL_REVIEWERS]),
        "publisher": UserFactory(username="paul", roles=[Role.PUBLISHERS]),
    }


def _publish_article(people):
    for slug, name in (("hip-bursitis", "Hip bursitis"),):
        revision = document_create(type_=ContentType.CONDITION, data={
            "slug": slug, "name": name, "body_region": "hip"}, author=people["editor"])
        review_submit(revision=revision, reviewer=people["reviewer"],
                      decision=ReviewDecision.APPROVED)
        revision_publish(revision=revision, user=people["publisher"])
    revision = document_create(type_=ContentType.ARTICLE, data=ARTICLE, author=people["editor"])
    review_submit(revision=revision, reviewer=people["reviewer"],
                  decision=ReviewDecision.APPROVED, next_review_due=dt.date.today()
                  + dt.timedelta(days=100))
    revision_publish(revision=revision, user=people["publisher"])
    return revision


def test_publishing_stores_the_articles_reading_grade(people, api_client):
    _publish_article(people)

    grade = reading_grade(ContentType.ARTICLE, ARTICLE)
    assert Article.objects.get().reading_grade == grade
    body = api_client.get("/api/v1/articles/hip-and-knee/").json()
    assert body["reading_grade"] == grade
    assert api_client.get(f"/api/v1/articles/?max_reading_grade={grade}").json()["count"] == 1
    assert api_client.get(
        f"/api/v1/articles/?max_reading_grade={grade - 0.1}").json()["count"] == 0


def test_the_revision_detail_carries_the_same_figures(people):
    from rest_framework.test import APIClient

    revision = document_create(type_=ContentType.ARTICLE, data=ARTICLE, author=people["editor"])
    client = APIClient()
    client.force_authenticate(people["editor"])

    response = client.get("/api/v1/editorial/articles/hip-and-knee/revisions/1/")

    assert response.status_code == 200
    assert response.json()["readability"] == snapshot_readability(
        ContentType.ARTICLE, revision.content)


def test_the_admin_shows_the_figures_beside_each_field_and_section_and_they_follow_edits(
    people, client
):
    revision = document_create(type_=ContentType.ARTICLE, data=ARTICLE, author=people["editor"])
    client.force_login(people["editor"])
    url = f"/admin/content/document/{revision.document_id}/change/"

    response = client.get(url)
    html = response.content.decode()
    assert 'id="readability-overall"' in html
    sections = response.context["editor"].sections
    causes = next(s for s in sections if s.initial.get("kind") == "causes")
    assert causes.readability["above_target"] is True
    assert html.count('class="readability above-target"') >= 1
    before = response.context["readability"]["overall"]["flesch_kincaid_grade"]

    plain = {**ARTICLE, "sections": [ARTICLE["sections"][0], {
        **ARTICLE["sections"][1], "body": "<p>Wear and tear can cause it.</p>"}]}
    revision_create(document=revision.document, data=plain, author=people["editor"],
                    expected_revision=1)
    after = client.get(url).context["readability"]["overall"]["flesch_kincaid_grade"]
    assert after < before
