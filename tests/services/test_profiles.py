"""How a reviewer is credited publicly (content/services/profiles.py): only the display name
and credentials they set, else "Medical reviewer"; never a login name, full name or email,
in the JSON or the JSON-LD. Also the migration that re-derives credits published before."""

import datetime as dt
import json
from importlib import import_module

import pytest
import time_machine
from django.apps import apps

from content.choices import ReviewDecision, Role
from content.exceptions import ContentInvalid
from content.models import Condition, EditorProfile, Rendering
from content.services.profiles import editor_profile_save
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create
from tests.factories import UserFactory

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CONDITION = {"slug": "hip-oa", "name": "Hip osteoarthritis", "body_region": "hip",
             "description": "Wear of the hip joint."}
URL = "http://testserver/api/v1/conditions/hip-oa/"
LD = "application/ld+json"

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    """A reviewer whose account holds private details: a login name, full name and email."""
    return UserFactory(username="rev1", first_name="Rita", last_name="Secret",
                       email="rita.secret@example.org", roles=[Role.MEDICAL_REVIEWERS])


def published_condition(reviewer):
    """hip-oa written by an editor, approved by `reviewer`, published on T0."""
    editor = UserFactory(username="eddie", roles=[Role.EDITORS])
    publisher = UserFactory(username="paul", roles=[Role.PUBLISHERS])
    with time_machine.travel(T0, tick=False):
        revision = document_create(type_="condition", data=CONDITION, author=editor)
        review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED,
                      next_review_due=dt.date(2027, 5, 4))
        revision_publish(revision=revision, user=publisher)


def expected_payload(reviewed_by: dict) -> dict:
    return {
        "slug": "hip-oa",
        "url": URL,
        "name": "Hip osteoarthritis",
        "also_known_as": [],
        "body_region": "hip",
        "description": "Wear of the hip joint.",
        "codes": [],
        "articles": [],
        "causes": [],
        "symptoms": [],
        "warning_signs": [],
        "treatments": [],
        "version": 1,
        "first_published_at": "2026-05-04T08:00:00+00:00",
        "updated_at": "2026-05-04T08:00:00+00:00",
        "review": {
            "status": "reviewed",
            "last_reviewed": "2026-05-04",
            "next_review_due": "2027-05-04",
            "reviewed_by": reviewed_by,
        },
    }


def expected_jsonld(reviewed_by: dict) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": URL,
        "url": URL,
        "name": "Hip osteoarthritis",
        "description": "Wear of the hip joint.",
        "version": 1,
        "datePublished": "2026-05-04T08:00:00+00:00",
        "dateModified": "2026-05-04T08:00:00+00:00",
        "lastReviewed": "2026-05-04",
        "reviewedBy": reviewed_by,
        "about": {
            "@type": "MedicalCondition",
            "@id": f"{URL}#condition",
            "name": "Hip osteoarthritis",
            "url": URL,
            "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Hip"},
            "description": "Wear of the hip joint.",
        },
    }


def assert_nothing_private(*bodies: bytes) -> None:
    for body in bodies:
        for private in (b"rev1", b"Rita", b"Secret", b"rita.secret", b"example.org"):
            assert private not in body


@time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_reviewer_without_a_profile_is_credited_as_medical_reviewer(api_client, reviewer):
    published_condition(reviewer)

    as_json = api_client.get("/api/v1/conditions/hip-oa/")
    as_ld = api_client.get("/api/v1/conditions/hip-oa/", HTTP_ACCEPT=LD)

    assert (as_json.status_code, as_ld.status_code) == (200, 200)
    assert as_json.json() == expected_payload({"name": "Medical reviewer", "credentials": None})
    assert json.loads(as_ld.content) == expected_jsonld(
        {"@type": "Person", "name": "Medical reviewer"}
    )
    assert_nothing_private(as_json.content, as_ld.content)
    assert Condition.objects.values_list("reviewed_by_name", "reviewed_by_credentials").get() \
        == ("", "")


@time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_reviewer_is_credited_by_the_display_name_and_credentials_they_set(
    api_client, reviewer
):
    editor_profile_save(user=reviewer, display_name=" Dr Rita Shah ", credentials="MD, FRCS")
    published_condition(reviewer)

    as_json = api_client.get("/api/v1/conditions/hip-oa/")
    as_ld = api_client.get("/api/v1/conditions/hip-oa/", HTTP_ACCEPT=LD)

    assert as_json.json() == expected_payload({"name": "Dr Rita Shah", "credentials": "MD, FRCS"})
    assert json.loads(as_ld.content) == expected_jsonld(
        {"@type": "Person", "name": "Dr Rita Shah", "honorificSuffix": "MD, FRCS"}
    )
    assert b"rev1" not in as_json.content and b"rev1" not in as_ld.content


@time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_credentials_without_a_display_name_follow_the_neutral_label(api_client, reviewer):
    editor_profile_save(user=reviewer, credentials="MBBS")
    published_condition(reviewer)

    as_json = api_client.get("/api/v1/conditions/hip-oa/")
    as_ld = api_client.get("/api/v1/conditions/hip-oa/", HTTP_ACCEPT=LD)

    assert as_json.json()["review"]["reviewed_by"] == {"name": "Medical reviewer",
                                                       "credentials": "MBBS"}
    assert json.loads(as_ld.content)["reviewedBy"] == {
        "@type": "Person", "name": "Medical reviewer", "honorificSuffix": "MBBS"}
    assert_nothing_private(as_json.content, as_ld.content)


def test_a_profile_change_is_credited_from_the_next_publish(reviewer):
    published_condition(reviewer)
    editor_profile_save(user=reviewer, display_name="Dr Rita Shah")

    assert Condition.objects.values_list("reviewed_by_name", flat=True).get() == ""


def test_editor_profile_save_keeps_what_is_not_given_and_clears_what_is_blank(reviewer):
    editor_profile_save(user=reviewer, display_name="Dr Rita Shah", credentials="MD")
    editor_profile_save(user=reviewer, credentials="MD, FRCS")
    assert EditorProfile.objects.values_list("display_name", "credentials").get() == (
        "Dr Rita Shah", "MD, FRCS")

    editor_profile_save(user=reviewer, display_name="")
    assert EditorProfile.objects.values_list("display_name", "credentials").get() == (
        "", "MD, FRCS")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("display_name", "Dr \u202eahS atiR", "bidi_control"),
        ("display_name", "Dr <b>Rita</b>", "markup"),
        ("credentials", "MD\u2066", "bidi_control"),
        ("credentials", "M" * 201, "max_length"),
    ],
)
def test_editor_profile_save_refuses_what_is_not_plain_text(reviewer, field, value, code):
    editor_profile_save(user=reviewer, display_name="Dr Rita Shah", credentials="MD")

    with pytest.raises(ContentInvalid) as error:
        editor_profile_save(user=reviewer, **{field: value})

    assert [(e["field"], e["code"]) for e in error.value.errors] == [(field, code)]
    assert EditorProfile.objects.values_list("display_name", "credentials").get() == (
        "Dr Rita Shah", "MD")


# --- migration 0013: credits published before are derived again -----------------------------


def test_the_migration_replaces_published_login_names_with_what_reviewers_set(reviewer):
    credits_rederive = import_module(
        "content.migrations.0013_reviewer_public_credit"
    ).credits_rederive
    published_condition(reviewer)
    other = UserFactory(username="rev2", roles=[Role.MEDICAL_REVIEWERS])
    editor_profile_save(user=other, display_name="Dr Omar Other", credentials="FRCS")
    published_condition_2 = {**CONDITION, "slug": "knee-oa", "name": "Knee osteoarthritis"}
    with time_machine.travel(T0, tick=False):
        revision = document_create(type_="condition", data=published_condition_2,
                                   author=UserFactory(username="ed2", roles=[Role.EDITORS]))
        review_submit(revision=revision, reviewer=other, decision=ReviewDecision.APPROVED)
        revision_publish(revision=revision,
                         user=UserFactory(username="pub2", roles=[Role.PUBLISHERS]))
    # As publishing wrote them before: the login name of a reviewer without a profile.
    Condition.objects.filter(slug="hip-oa").update(reviewed_by_name="rev1")
    Condition.objects.filter(slug="knee-oa").update(reviewed_by_name="rev2")
    Rendering.objects.create(path="/api/v1/conditions/hip-oa/", type="condition", row_id=1,
                             code="x", body=b'{"name": "rev1"}')

    credits_rederive(apps, None)

    assert dict(Condition.objects.values_list(
        "slug", "reviewed_by_name")) == {"hip-oa": "", "knee-oa": "Dr Omar Other"}
    assert Condition.objects.get(slug="knee-oa").reviewed_by_credentials == "FRCS"
    assert not Rendering.objects.exists()


def test_staff_screens_still_name_a_reviewer_without_a_display_name(reviewer):
    """The editorial API and the admin are for staff: they fall back to the full name."""
    from content.admin.display import person
    from content.api.editorial.serializers import PersonSerializer

    editor_profile_save(user=reviewer, credentials="MD")
    reviewer.refresh_from_db()

    assert person(reviewer) == "Rita Secret, MD"
    assert PersonSerializer(reviewer).data == {"username": "rev1", "name": "Rita Secret",
                                               "credentials": "MD"}
