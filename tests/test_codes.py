"""Clinical codes (content/codes.py): how each system's codes are checked, and a code's way
through every face: the snapshot gate, the editorial API, the admin form, publishing, the
public payload, JSON-LD, the ?code= filter, search and the change feed."""

import datetime as dt
import json

import pytest
import time_machine

from content.admin.forms.types import SNAPSHOT_FORMS
from content.choices import ReviewDecision, Role
from content.codes import CodeInvalid, code_normalise, icd10cm_levels, verhoeff_valid
from content.exceptions import ContentInvalid
from content.models import Change, Condition
from content.services.publishing import revision_publish
from content.services.reviews import review_submit
from content.services.versioning import document_create
from content.snapshots import snapshot_normalise
from tests.factories import ConditionFactory, SymptomFactory, UserFactory

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
URL = "http://testserver/api/v1/conditions/hip-oa/"


@pytest.mark.parametrize("system, code, canonical", [
    ("icd10cm", "M16.11", "M16.11"),
    ("icd10cm", "m1611", "M16.11"),  # no dot, lower case
    ("icd10cm", " M16 ", "M16"),  # a category: not billable, carried deliberately
    ("icd10cm", "M15-M19", "M15-M19"),  # a block
    ("icd10cm", "S72.001A", "S72.001A"),  # with a 7th character
    ("snomedct", "239872002", "239872002"),  # osteoarthritis of hip
    ("snomedct", "396275006", "396275006"),  # osteoarthritis
])
def test_valid_codes_are_stored_in_their_canonical_spelling(system, code, canonical):
    assert code_normalise(system, code) == canonical


@pytest.mark.parametrize("system, code, message", [
    ("icd10cm", "M16.99", "'M16.99' is not in the ICD-10-CM code set (April-2026 release)."),
    ("icd10cm", "716.15", "'716.15' is not of the form of an ICD-10-CM code (a letter, two "
     "characters, then optionally a dot and up to four more, e.g. M16 or M16.11) or block "
     "(M15-M19)."),
    ("icd10cm", "M00-M99", "'M00-M99' is not in the ICD-10-CM code set (April-2026 release)."),
    ("snomedct", "239872003", "'239872003' is not a SNOMED CT concept id: its check digit is "
     "wrong."),
    ("snomedct", "0239872002", "'0239872002' is not a SNOMED CT concept id (6 to 18 digits, no "
     "leading zero)."),
    ("snomedct", "239872011", "'239872011' is not a SNOMED CT concept id: its partition "
     "identifier '01' is not that of a concept (00 or 10)."),
    ("icd9cm", "715.35", "'icd9cm' is not a code system; expected one of: icd10cm, snomedct."),
])
def test_invalid_codes_are_refused_with_a_message_naming_them(system, code, message):
    with pytest.raises(CodeInvalid) as raised:
        code_normalise(system, code)
    assert raised.value.message == message


def test_verhoeff_check_digit():
    assert verhoeff_valid("2363")  # the algorithm's textbook example: 236 → check digit 3
    assert not verhoeff_valid("2364")


def test_the_hierarchy_walks_from_a_code_to_its_block():
    assert icd10cm_levels("M16.11") == [
        ("M16.11", "subcategory"), ("M16.1", "subcategory"), ("M16", "category"),
        ("M15-M19", "block"),
    ]


def test_the_code_set_answers_as_the_package_does_without_the_package_in_the_process():
    """The table read from a child Python (content.codes._icd10cm) answers as the package
    would, while this process never imports the package (about 180 MB of parsed objects)."""
    import sys

    from content import codes

    codes._icd10cm.cache_clear()
    table = codes._icd10cm()

    assert "simple_icd_10_cm" not in sys.modules
    assert len(table.items) == 98_466
    assert table.release == "April-2026"
    assert table.items["M16"] == ("Osteoarthritis of hip", "category", ("M15-M19", "13"))
    assert table.items["13"][1] == "chapter"
    assert table.items["B10"][1] == "block"  # both a block and a category in the release
    assert codes.icd10cm_exists("M15-M19") and codes.icd10cm_exists("M16.11")
    assert not codes.icd10cm_exists("13") and not codes.icd10cm_exists("M16.99")
    assert codes.icd10cm_description("M16.99") is None


def test_the_snapshot_gate_checks_every_code_and_names_it():
    with pytest.raises(ContentInvalid) as raised:
        snapshot_normalise("condition", {
            "slug": "hip-oa", "name": "Hip OA", "body_region": "hip",
            "codes": [{"system": "icd10cm", "code": "m16"}, {"system": "icd10cm", "code": "M16"},
                      {"system": "icd10cm", "code": "M16.99"}, {"system": "loinc", "code": "1"},
                      {"code": "M17"}],
        })
    assert raised.value.errors == [
        {"field": "codes[1]", "message": "M16 is listed twice.", "code": "duplicate"},
        {"field": "codes[2].code",
         "message": "'M16.99' is not in the ICD-10-CM code set (April-2026 release).",
         "code": "unknown_code"},
        {"field": "codes[3].system",
         "message": "'loinc' is not a valid choice; expected one of: icd10cm, snomedct.",
         "code": "invalid_choice"},
        {"field": "codes[4].system", "message": "This field is required.", "code": "required"},
    ]


def test_the_admin_form_edits_codes_one_per_line():
    form_class = SNAPSHOT_FORMS["condition"]
    initial = form_class.initial_from({"codes": [{"system": "icd10cm", "code": "M16"},
                                                 {"system": "snomedct", "code": "239872002"}]})
    form = form_class({"slug": "hip-oa", "name": "Hip OA", "body_region": "hip",
                       "codes": "icd10cm M16.11\r\nsnomedct: 239872002\r\n"}, creating=True)

    assert initial["codes"] == "icd10cm M16\nsnomedct 239872002"
    assert form.is_valid(), form.errors
    assert form.to_snapshot()["codes"] == [{"system": "icd10cm", "code": "M16.11"},
                                           {"system": "snomedct", "code": "239872002"}]


@pytest.mark.django_db
def test_the_editorial_api_refuses_an_unknown_code_naming_it():
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(UserFactory(username="ed", roles=[Role.EDITORS]))
    response = client.post("/api/v1/editorial/conditions/", {
        "slug": "hip-oa", "name": "Hip OA", "body_region": "hip",
        "codes": [{"system": "icd10cm", "code": "M16.99"}],
    }, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "codes[0].code",
        "message": "'M16.99' is not in the ICD-10-CM code set (April-2026 release).",
        "code": "unknown_code",
    }]


def publish(data: dict) -> None:
    editor = UserFactory(username="eddie", roles=[Role.EDITORS])
    reviewer = UserFactory(username="rev", roles=[Role.MEDICAL_REVIEWERS])
    publisher = UserFactory(username="paul", roles=[Role.PUBLISHERS])
    with time_machine.travel(T0, tick=False):
        revision = document_create(type_="condition", data=data, author=editor)
        review_submit(revision=revision, reviewer=reviewer, decision=ReviewDecision.APPROVED,
                      next_review_due=dt.date(2027, 5, 4))
        revision_publish(revision=revision, user=publisher)


@pytest.mark.django_db
def test_published_codes_reach_the_payload_json_ld_filter_search_and_feed(api_client):
    publish({"slug": "hip-oa", "name": "Hip osteoarthritis", "body_region": "hip",
             "codes": [{"system": "icd10cm", "code": "m16"},
                       {"system": "snomedct", "code": "239872002"}]})
    ConditionFactory(slug="other", codes=[{"system": "icd10cm", "code": "M17"}])

    detail = api_client.get("/api/v1/conditions/hip-oa/").json()
    jsonld = json.loads(api_client.get("/api/v1/conditions/hip-oa/",
                                       HTTP_ACCEPT="application/ld+json").content)

    assert detail["codes"] == [
        {"system": "icd10cm", "code": "M16", "display": "Osteoarthritis of hip"},
        {"system": "snomedct", "code": "239872002", "display": None},
    ]
    assert jsonld["about"]["code"] == [
        {"@type": "MedicalCode", "codeValue": "M16", "codingSystem": "ICD-10-CM",
         "name": "Osteoarthritis of hip"},
        {"@type": "MedicalCode", "codeValue": "239872002", "codingSystem": "SNOMED CT"},
    ]
    assert Condition.objects.get(slug="hip-oa").code_keys == "|icd10cm:M16||snomedct:239872002|"

    def slugs(query):
        response = api_client.get(f"/api/v1/conditions/{query}")
        assert response.status_code == 200, response.json()
        return [row["slug"] for row in response.json()["results"]]

    assert slugs("?code=m16") == ["hip-oa"]
    assert slugs("?code=M16&system=icd10cm") == ["hip-oa"]
    assert slugs("?code=239872002&system=snomedct") == ["hip-oa"]
    assert slugs("?code=M16.1") == []  # exactly the code: the lookup walks the hierarchy
    assert slugs("?code=M17") == ["other"]

    found = api_client.get("/api/v1/search/?q=M16").json()["results"]
    by_words = api_client.get("/api/v1/search/?q=osteoarthritis+of+hip&type=condition")
    assert [(r["type"], r["slug"]) for r in found] == [("condition", "hip-oa")]
    # A more specific code finds what carries its category (the engine matches any word).
    specific = api_client.get("/api/v1/search/?q=M16.11&type=condition").json()["results"]
    assert [r["slug"] for r in specific] == ["hip-oa"]
    # M17 is "Osteoarthritis of knee": found too, after the one whose code says "hip".
    assert [r["slug"] for r in by_words.json()["results"]] == ["hip-oa", "other"]

    changes = list(Change.objects.values_list("type", "slug", "action"))
    assert ("condition", "hip-oa", "published") in changes


@pytest.mark.django_db
def test_a_malformed_code_filter_is_400_naming_the_code(api_client):
    response = api_client.get("/api/v1/conditions/?code=16M")

    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "field": "code",
        "message": "'16M' is not of the form of an ICD-10-CM code (a letter, two characters, "
        "then optionally a dot and up to four more, e.g. M16 or M16.11) or block (M15-M19).",
        "code": "invalid",
    }]


@pytest.mark.django_db
def test_symptoms_carry_codes_too(api_client):
    SymptomFactory(slug="hip-pain", name="Hip pain",
                   codes=[{"system": "icd10cm", "code": "M25.55"}])

    response = api_client.get("/api/v1/symptoms/?code=M25.55")

    assert [(row["slug"], row["codes"]) for row in response.json()["results"]] == [
        ("hip-pain", [{"system": "icd10cm", "code": "M25.55", "display": "Pain in hip"}])
    ]


def test_the_wsgi_entry_point_parses_the_code_set_as_a_worker_starts():
    import gc
    import importlib
    import sys

    from content import codes

    codes._icd10cm.cache_clear()
    sys.modules.pop("hipknee_api.wsgi", None)  # imported afresh, as a worker does
    importlib.import_module("hipknee_api.wsgi")

    assert codes._icd10cm.cache_info().currsize == 1
    frozen = gc.get_freeze_count()  # the worker's long-lived objects, out of the GC's walk
    gc.unfreeze()
    assert frozen > 10_000
