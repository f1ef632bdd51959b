"""GET /api/v1/lookup/: content for clinical codes, across the ICD-10-CM hierarchy, in JSON and
Atom, with the HL7 Infobutton parameters."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from content.choices import SectionKind
from tests.factories import ArticleFactory, ConditionFactory, SectionFactory
from tests.query_costs import CACHE_MISS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC), tick=False),
]

URL = "/api/v1/lookup/"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
HIP_OA = "http://testserver/api/v1/conditions/hip-osteoarthritis/"
ARTICLE = "http://testserver/api/v1/articles/hip-oa-guide/"

HIP_OA_CONDITION = {
    "slug": "hip-osteoarthritis",
    "name": "Hip osteoarthritis",
    "url": HIP_OA,
    "articles": [
        {
            "slug": "hip-oa-guide",
            "title": "Living with hip osteoarthritis",
            "url": ARTICLE,
            "sections": [
                {"kind": "introduction", "heading": "Introduction",
                 "health_aspect": "OverviewHealthAspect",
                 "url": f"{ARTICLE}sections/introduction/"},
                {"kind": "symptoms", "heading": "Symptoms", "health_aspect": "SymptomsHealthAspect",
                 "url": f"{ARTICLE}sections/symptoms/"},
                {"kind": "when_to_see_a_doctor", "heading": "When to see a doctor",
                 "health_aspect": "SeeDoctorHealthAspect",
                 "url": f"{ARTICLE}sections/when_to_see_a_doctor/"},
                {"kind": "treatment", "heading": "Treatment",
                 "health_aspect": "TreatmentsHealthAspect", "url": f"{ARTICLE}sections/treatment/"},
            ],
        }
    ],
}


@pytest.fixture
def hip_oa():
    condition = ConditionFactory(slug="hip-osteoarthritis", name="Hip osteoarthritis",
                                 codes=[{"system": "icd10cm", "code": "M16"}])
    article = ArticleFactory(slug="hip-oa-guide", title="Living with hip osteoarthritis",
                             conditions=[condition])
    for position, (kind, heading) in enumerate([
        (SectionKind.INTRODUCTION, "Introduction"), (SectionKind.SYMPTOMS, "Symptoms"),
        (SectionKind.WHEN_TO_SEE_A_DOCTOR, "When to see a doctor"),
        (SectionKind.TREATMENT, "Treatment"), (SectionKind.CONCLUSION, "Conclusion"),
    ], start=1):
        SectionFactory(article=article, kind=kind, heading=heading, position=position)
    ArticleFactory(slug="draft", live=False, conditions=[condition])  # never shown
    return condition


def category_match(code: str, description: str) -> dict:
    return {
        "system": "icd10cm", "code": code, "description": description,
        "match": {"code": "M16", "level": "category", "description": "Osteoarthritis of hip"},
        "conditions": [HIP_OA_CONDITION],
    }


def test_a_subcategory_code_walks_up_to_the_category_a_condition_carries(
    api_client, hip_oa, django_assert_num_queries
):
    with django_assert_num_queries(3 + CACHE_MISS):
        response = api_client.get(URL, {"system": "icd10cm", "code": "M16.11"})

    assert response.status_code == 200
    assert response.json() == {"results": [
        category_match("M16.11", "Unilateral primary osteoarthritis, right hip")
    ]}


def test_an_exact_code_matches_at_its_own_level(api_client, hip_oa):
    ConditionFactory(slug="right-hip-oa", name="Right hip osteoarthritis",
                     codes=[{"system": "icd10cm", "code": "M16.11"}])

    response = api_client.get(URL, {"code": "m1611"})

    assert response.status_code == 200
    assert response.json() == {"results": [{
        "system": "icd10cm", "code": "M16.11",
        "description": "Unilateral primary osteoarthritis, right hip",
        "match": {"code": "M16.11", "level": "exact",
                  "description": "Unilateral primary osteoarthritis, right hip"},
        "conditions": [{"slug": "right-hip-oa", "name": "Right hip osteoarthritis",
                        "url": "http://testserver/api/v1/conditions/right-hip-oa/",
                        "articles": []}],
    }]}


def test_a_parent_subcategory_a_category_and_a_block_match_at_their_levels(api_client):
    ConditionFactory(slug="primary-hip-oa", name="Primary hip osteoarthritis",
                     codes=[{"system": "icd10cm", "code": "M16.1"}])
    ConditionFactory(slug="knee-oa", name="Knee osteoarthritis",
                     codes=[{"system": "icd10cm", "code": "M17"}])
    ConditionFactory(slug="osteoarthritis", name="Osteoarthritis",
                     codes=[{"system": "icd10cm", "code": "M15-M19"}])

    response = api_client.get(URL + "?code=M16.12&code=M17.0&code=M19.90&code=M25.551")

    assert response.status_code == 200
    assert [(r["code"], r["match"], [c["slug"] for c in r["conditions"]])
            for r in response.json()["results"]] == [
        ("M16.12", {"code": "M16.1", "level": "subcategory",
                    "description": "Unilateral primary osteoarthritis of hip"},
         ["primary-hip-oa"]),
        ("M17.0", {"code": "M17", "level": "category", "description": "Osteoarthritis of knee"},
         ["knee-oa"]),
        ("M19.90", {"code": "M15-M19", "level": "block",
                    "description": "Osteoarthritis (M15-M19)"}, ["osteoarthritis"]),
        ("M25.551", None, []),  # pain in right hip: another block, no content
    ]


def test_a_valid_code_without_content_and_a_well_formed_unknown_code_are_200_no_match(
    api_client, hip_oa
):
    response = api_client.get(URL + "?code=J45.909&code=M16.99")

    assert response.status_code == 200
    assert response.json() == {"results": [
        {"system": "icd10cm", "code": "J45.909", "description": "Unspecified asthma, uncomplicated",
         "match": None, "conditions": []},
        {"system": "icd10cm", "code": "M16.99", "description": None, "match": None,
         "conditions": []},
    ]}


def test_a_malformed_code_is_400_naming_it(api_client):
    response = api_client.get(URL + "?code=M16.11&code=16M")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["errors"] == [{
        "field": "code",
        "message": "'16M' is not of the form of an ICD-10-CM code (a letter, two characters, "
        "then optionally a dot and up to four more, e.g. M16 or M16.11) or block (M15-M19).",
        "code": "invalid",
    }]


@pytest.mark.parametrize("query, field", [
    ("system=icd9&code=715.35", "system"),
    ("mainSearchCriteria.v.c=M16&mainSearchCriteria.v.cs=2.16.840.1.113883.6.103",
     "mainSearchCriteria.v.cs"),
    ("system=icd10cm", "code"),
    ("code=M16&knowledgeResponseType=text/html", "knowledgeResponseType"),
])
def test_an_unknown_system_a_missing_code_or_response_type_is_400(api_client, query, field):
    response = api_client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_batch_of_50_answers_one_result_per_code_in_order_and_51_is_400(
    api_client, hip_oa, django_assert_num_queries
):
    codes = ["M16.0", "M16.10", "M16.11", "M16.12", "M16.2", "M16.30", "M16.31", "M16.32",
             "M16.4", "M16.50", "M16.51", "M16.52", "M16.6", "M16.7", "M16.9", "J45.909"] * 3
    codes += ["M17.0", "S72.001A"]

    with django_assert_num_queries(3 + CACHE_MISS):
        response = api_client.get(URL, {"code": codes})

    results = response.json()["results"]
    assert len(codes) == 50
    assert [r["code"] for r in results] == codes
    assert [bool(r["match"]) for r in results] == [c.startswith("M16") for c in codes]
    too_many = api_client.get(URL, {"code": [*codes, "M16"]})
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["message"] == "At most 50 codes per request; 51 were sent."


def test_snomed_codes_match_exactly(api_client):
    ConditionFactory(slug="hip-oa", name="Hip OA",
                     codes=[{"system": "snomedct", "code": "239872002"}])

    found = api_client.get(URL, {"system": "snomedct", "code": "239872002"}).json()
    malformed = api_client.get(URL, {"system": "snomedct", "code": "239872003"})

    assert found["results"][0]["match"] == {"code": "239872002", "level": "exact",
                                            "description": None}
    assert malformed.status_code == 400
    assert malformed.json()["errors"][0]["message"] == (
        "'239872003' is not a SNOMED CT concept id: its check digit is wrong."
    )


def test_infobutton_parameters_answer_an_atom_feed_that_parses(api_client, hip_oa):
    response = api_client.get(URL, {
        "mainSearchCriteria.v.c": "M16.11",
        "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.90",
        "mainSearchCriteria.v.dn": "Unilateral primary osteoarthritis, right hip",
        "informationRecipient.languageCode.c": "en",
    })

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM_NS}feed"
    assert feed.findtext(f"{ATOM_NS}title") == "Unilateral primary osteoarthritis, right hip"
    entries = [(e.findtext(f"{ATOM_NS}title"), e.find(f"{ATOM_NS}link").get("href"),
                e.findtext(f"{ATOM_NS}summary"), e.find(f"{ATOM_NS}category").get("term"))
               for e in feed.iter(f"{ATOM_NS}entry")]
    assert entries == [
        ("Hip osteoarthritis", HIP_OA,
         "ICD-10-CM M16.11: matched M16 (category), Osteoarthritis of hip", "M16.11"),
        ("Living with hip osteoarthritis", ARTICLE,
         "About Hip osteoarthritis: Introduction, Symptoms, When to see a doctor, Treatment",
         "M16.11"),
    ]


def test_a_batch_in_atom_has_entries_only_for_matched_codes_and_parses(api_client, hip_oa):
    response = api_client.get(URL + "?code=J45.909&code=M16.9&code=M17.0&code=M16.11"
                              "&knowledgeResponseType=text/xml")

    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    assert feed.findtext(f"{ATOM_NS}title") == "HipKnee patient education"
    assert [(e.find(f"{ATOM_NS}category").get("term"), e.findtext(f"{ATOM_NS}title"))
            for e in feed.iter(f"{ATOM_NS}entry")] == [
        ("M16.9", "Hip osteoarthritis"), ("M16.9", "Living with hip osteoarthritis"),
        ("M16.11", "Hip osteoarthritis"), ("M16.11", "Living with hip osteoarthritis"),
    ]


def test_accept_atom_without_infobutton_parameters_answers_atom(api_client, hip_oa):
    response = api_client.get(URL, {"code": "M16"}, HTTP_ACCEPT="application/atom+xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert ET.fromstring(response.content).tag == f"{ATOM_NS}feed"


def test_infobutton_json_response_type_and_snomed_oid(api_client, hip_oa):
    ConditionFactory(slug="knee-oa", name="Knee OA",
                     codes=[{"system": "snomedct", "code": "239873007"}])

    response = api_client.get(URL, {
        "mainSearchCriteria.v.c": "239873007",
        "mainSearchCriteria.v.cs": "2.16.840.1.113883.6.96",
        "knowledgeResponseType": "application/json",
    })

    assert response.status_code == 200
    assert response.json() == {"results": [{
        "system": "snomedct", "code": "239873007", "description": None,
        "match": {"code": "239873007", "level": "exact", "description": None},
        "conditions": [{"slug": "knee-oa", "name": "Knee OA",
                        "url": "http://testserver/api/v1/conditions/knee-oa/", "articles": []}],
    }]}


def test_another_language_matches_nothing(api_client, hip_oa):
    response = api_client.get(URL, {"mainSearchCriteria.v.c": "M16.11",
                                     "informationRecipient.languageCode.c": "es",
                                     "knowledgeResponseType": "application/json"})

    assert response.json()["results"][0]["match"] is None


def test_unpublished_conditions_are_not_found(api_client):
    ConditionFactory(slug="hidden", live=False, codes=[{"system": "icd10cm", "code": "M16"}])

    assert api_client.get(URL, {"code": "M16"}).json()["results"][0]["conditions"] == []


def test_the_lookup_has_an_etag_and_answers_304(api_client, hip_oa):
    first = api_client.get(URL, {"code": "M16.11"})

    again = api_client.get(URL, {"code": "M16.11"}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["Cache-Control"].startswith("public, max-age=")
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_an_unknown_parameter_is_400_but_infobutton_context_is_taken(api_client):
    # A typo is refused, naming what the lookup takes …
    typo = api_client.get("/api/v1/lookup/?cod=M16.11")
    message = ("Unknown query parameter; this endpoint takes: `system`, `code`, "
               "`mainSearchCriteria.v.c`, `mainSearchCriteria.v.cs`, `mainSearchCriteria.v.dn`, "
               "`informationRecipient.languageCode.c`, `knowledgeResponseType`, `format`.")
    assert typo.status_code == 400
    assert typo.json()["errors"] == [
        {"field": "cod", "message": message, "code": "unknown_parameter"}]
    # … while the rest of an EHR's Infobutton request (patient, task, performer) is taken.
    ehr = api_client.get(
        "/api/v1/lookup/?mainSearchCriteria.v.c=M16.11"
        "&mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&knowledgeResponseType=application/json"
        "&patientPerson.administrativeGenderCode.c=F&age.v.v=67&age.v.u=a"
        "&taskContext.c.c=PROBLISTREV&performer=PROV&mainSearchCriteria.v.ot=hip%20OA")
    assert ehr.status_code == 200
    assert [r["code"] for r in ehr.json()["results"]] == ["M16.11"]
