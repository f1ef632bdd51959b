"""The seed, as a client reads it: every sentence of the source, the counts of
docs/api.md#the-seed-content and the recovery timeline of docs/api.md#sections-and-items,
all through the public API.

This is the one test that is about the seed, so it loads it (`load_seed_content`).
"""

import html
import io
import re

import pytest
from django.core.management import call_command

from fixtures.check_seed import FIXTURES, source_fragments

pytestmark = pytest.mark.django_db

ARTICLE = "/api/v1/articles/hip-problems-and-knee-pain/"
BLOCK_TAG = re.compile(r"</?(?:p|br|li|ul|ol|h3|h4|blockquote)\b[^>]*>", re.IGNORECASE)
ANY_TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def seeded(db):
    call_command("load_seed_content", stdout=io.StringIO())


def plain_text(body: str) -> str:
    """A section body as text: block tags become line breaks, inline tags vanish."""
    return html.unescape(ANY_TAG.sub("", BLOCK_TAG.sub("\n", body)))


def everything_served(client) -> str:
    """Every text a client can read from the live content, one value per line."""
    texts = []
    article = client.get(ARTICLE).json()
    texts += [article["title"], article["summary"]]
    for section in article["sections"]:
        texts += [section["heading"], plain_text(section["body"])]
        texts += [group["heading"] for group in section["groups"]]
        for item in section["items"]:
            texts += [item["title"] or "", item["text"]]
    for path in ["conditions", "causes", "symptoms", "warning-signs", "treatments"]:
        page = client.get(f"/api/v1/{path}/?page_size=100").json()
        assert page["next"] is None
        for row in page["results"]:
            for field in ["name", "description", "text", "caution"]:
                texts.append(row.get(field) or "")
            texts += row.get("also_known_as", []) + row.get("examples", [])
    return "\n".join(texts)


def test_every_sentence_of_the_source_is_served(api_client, seeded):
    source = (FIXTURES / "source.txt").read_text(encoding="utf-8")
    served = everything_served(api_client)

    fragments = source_fragments(source)
    missing = [fragment for fragment in fragments if fragment not in served]

    assert len(fragments) > 150
    assert missing == []


def count(client, query: str) -> int:
    response = client.get(f"/api/v1/{query}")
    assert response.status_code == 200, response.json()
    return response.json()["count"]


#: docs/api.md#the-seed-content as queries a client can make, and what each must count.
COUNTS = {
    "articles/": 1,
    "causes/": 6,
    "symptoms/": 10,
    "symptoms/?frequency=common": 5,
    "symptoms/?frequency=less_common": 5,
    "warning-signs/": 9,
    "warning-signs/?urgency=see_a_doctor": 6,
    "warning-signs/?urgency=immediate": 3,
    "treatments/": 11,
    "treatments/?category=conventional": 4,
    "treatments/?category=alternative": 3,
    "treatments/?category=home_remedy": 4,
    "conditions/": 11,
    "conditions/?body_region=hip": 7,
    "conditions/?body_region=knee": 4,
    "conditions/?article=hip-problems-and-knee-pain": 11,
    "causes/?article=hip-problems-and-knee-pain": 6,
    "symptoms/?article=hip-problems-and-knee-pain": 10,
    "warning-signs/?article=hip-problems-and-knee-pain": 9,
    "treatments/?article=hip-problems-and-knee-pain": 11,
    "articles/?condition=patellofemoral-pain-syndrome": 1,
}

#: The slugs of docs/api.md#the-seed-content, per query (sorted).
SLUGS = {
    "causes/": [
        "arthritis", "biomechanical-imbalances", "muscle-weakness-or-imbalance",
        "overuse-and-repetitive-strain", "previous-injuries", "referred-pain",
    ],
    "symptoms/?frequency=common": [
        "knee-pain", "reduced-range-of-motion", "referred-pain", "stiffness", "swelling",
    ],
    "symptoms/?frequency=less_common": [
        "changes-in-gait", "clicking-or-popping", "hip-pain", "leg-weakness", "muscle-tightness",
    ],
    "treatments/?category=conventional": [
        "medications", "orthotics", "physical-therapy", "surgery",
    ],
    "treatments/?category=alternative": ["acupuncture", "chiropractic-care", "massage-therapy"],
    "treatments/?category=home_remedy": [
        "gentle-exercise", "ice-and-heat-therapy", "supplements", "weight-management",
    ],
    "conditions/?body_region=hip": [
        "hip-bursitis", "hip-dislocation", "hip-flexor-tendinitis", "hip-fracture",
        "hip-impingement", "hip-labral-tear", "hip-osteoarthritis",
    ],
    "conditions/?body_region=knee": [
        "iliotibial-band-syndrome", "knee-osteoarthritis", "patellar-tendinitis",
        "patellofemoral-pain-syndrome",
    ],
}


def test_the_counts_of_api_md_hold(api_client, seeded):
    counts = {query: api_client.get(f"/api/v1/{query}").json()["count"] for query in COUNTS}

    assert counts == COUNTS


def test_the_slugs_of_api_md_are_served(api_client, seeded):
    slugs = {
        query: sorted(row["slug"] for row in api_client.get(f"/api/v1/{query}").json()["results"])
        for query in SLUGS
    }

    assert slugs == SLUGS


def test_previous_injuries_link_hip_fracture_and_dislocation(api_client, seeded):
    cause = api_client.get("/api/v1/causes/previous-injuries/").json()

    assert [c["slug"] for c in cause["conditions"]] == ["hip-dislocation", "hip-fracture"]


def test_runners_knee_is_another_name_for_patellofemoral_pain_syndrome(api_client, seeded):
    condition = api_client.get("/api/v1/conditions/patellofemoral-pain-syndrome/").json()

    assert condition["also_known_as"] == ["runner's knee"]


def test_the_article_is_imported_unreviewed_revision_1(api_client, seeded):
    article = api_client.get(ARTICLE).json()

    assert article["title"] == "Can Hip Problems Cause Knee Pain?"
    assert article["version"] == 1
    assert article["review"] == {
        "status": "not_reviewed",
        "last_reviewed": None,
        "next_review_due": None,
        "reviewed_by": None,
    }
    assert [(s["kind"], s["position"], s["health_aspect"]) for s in article["sections"]] == [
        ("introduction", 1, "OverviewHealthAspect"),
        ("causes", 2, "CausesHealthAspect"),
        ("symptoms", 3, "SymptomsHealthAspect"),
        ("when_to_see_a_doctor", 4, "SeeDoctorHealthAspect"),
        ("treatment", 5, "TreatmentsHealthAspect"),
        ("recovery", 6, "PrognosisHealthAspect"),
        ("conclusion", 7, None),
    ]


def test_the_recovery_timeline_is_served_as_api_md_says(api_client, seeded):
    section = api_client.get(f"{ARTICLE}sections/recovery/").json()
    others = [s for s in api_client.get(ARTICLE).json()["sections"] if s["kind"] != "recovery"]

    assert section["timeline"] == [
        {"phase": "initial", "min": 4, "max": 6, "unit": "week"},
        {"phase": "full", "min": 3, "max": 6, "unit": "month"},
    ]
    assert [s["group"] for s in section["groups"]] == ["rehabilitation", "tips"]
    assert all(s["timeline"] is None for s in others)


def test_loading_the_seed_twice_changes_nothing_a_client_sees(api_client, seeded):
    before = [api_client.get(ARTICLE).json(), api_client.get("/api/v1/symptoms/").json()]

    call_command("load_seed_content", stdout=io.StringIO())

    assert [api_client.get(ARTICLE).json(), api_client.get("/api/v1/symptoms/").json()] == before


#: Each seed condition's ICD-10-CM codes with the code set's own description (the package's,
#: not typed from memory: the test asks it). The labral tear and impingement have no category
#: of their own (a coder would pick an "other" category such as S73.19 or M25.85, which names
#: other disorders too), so they stay uncoded rather than mislead a lookup.
SEED_CODES = {
    "hip-osteoarthritis": [("M16", "Osteoarthritis of hip")],
    "hip-bursitis": [("M70.6", "Trochanteric bursitis"), ("M70.7", "Other bursitis of hip")],
    "hip-labral-tear": [],
    "hip-impingement": [],
    "hip-flexor-tendinitis": [("M76.1", "Psoas tendinitis")],
    "hip-fracture": [("S72.0", "Fracture of head and neck of femur"),
                     ("S72.1", "Pertrochanteric fracture")],
    "hip-dislocation": [("S73.0", "Subluxation and dislocation of hip")],
    "knee-osteoarthritis": [("M17", "Osteoarthritis of knee")],
    "patellar-tendinitis": [("M76.5", "Patellar tendinitis")],
    "iliotibial-band-syndrome": [("M76.3", "Iliotibial band syndrome")],
    "patellofemoral-pain-syndrome": [("M22.2", "Patellofemoral disorders")],
}


def test_seed_conditions_carry_the_icd10cm_categories_the_code_set_describes(api_client, seeded):
    from content.codes import icd10cm_description

    page = api_client.get("/api/v1/conditions/?page_size=100").json()

    served = {row["slug"]: [(c["code"], c["display"]) for c in row["codes"]]
              for row in page["results"]}
    assert served == SEED_CODES
    assert all(icd10cm_description(code) == description
               for codes in SEED_CODES.values() for code, description in codes)
    assert all(c["system"] == "icd10cm" for row in page["results"] for c in row["codes"])


def test_the_seed_is_found_by_code(api_client, seeded):
    response = api_client.get("/api/v1/lookup/?code=M16.11&code=S72.001A&code=M24.151")

    assert [(r["match"] and r["match"]["code"], [c["slug"] for c in r["conditions"]],
             [a["slug"] for c in r["conditions"] for a in c["articles"]])
            for r in response.json()["results"]] == [
        ("M16", ["hip-osteoarthritis"], ["hip-problems-and-knee-pain"]),
        ("S72.0", ["hip-fracture"], ["hip-problems-and-knee-pain"]),
        (None, [], []),  # a labral tear's usual code: left uncoded
    ]


#: The condition hub on the seed: for each condition, the slugs of what names it, per type.
#: Causes come from the Causes section's examples; symptoms only where a sentence of the source
#: ties the symptom to the condition (fixtures/check_seed.py CONDITION_LINKS quotes each);
#: the source ties no warning sign or treatment to a condition, so those stay empty.
HUB = {
    "hip-osteoarthritis": {
        "causes": ["arthritis", "biomechanical-imbalances"],
        "symptoms": ["changes-in-gait", "knee-pain", "stiffness"],
    },
    "hip-bursitis": {
        "causes": ["referred-pain"],
        "symptoms": ["changes-in-gait", "knee-pain", "referred-pain"],
    },
    "hip-labral-tear": {
        "causes": ["overuse-and-repetitive-strain"],
        "symptoms": ["changes-in-gait"],
    },
    "hip-impingement": {"causes": ["biomechanical-imbalances"], "symptoms": []},
    "hip-flexor-tendinitis": {
        "causes": ["overuse-and-repetitive-strain", "referred-pain"],
        "symptoms": ["knee-pain", "referred-pain"],
    },
    "hip-fracture": {"causes": ["previous-injuries"], "symptoms": []},
    "hip-dislocation": {"causes": ["previous-injuries"], "symptoms": []},
    "knee-osteoarthritis": {"causes": ["arthritis"], "symptoms": ["stiffness"]},
    "patellar-tendinitis": {"causes": ["muscle-weakness-or-imbalance"], "symptoms": []},
    "iliotibial-band-syndrome": {"causes": ["muscle-weakness-or-imbalance"], "symptoms": []},
    "patellofemoral-pain-syndrome": {
        "causes": ["overuse-and-repetitive-strain"], "symptoms": [],
    },
}


@pytest.mark.parametrize("slug", HUB)
def test_a_seed_condition_lists_everything_the_source_ties_to_it(api_client, seeded, slug):
    condition = api_client.get(f"/api/v1/conditions/{slug}/").json()

    assert {
        relation: sorted(link["slug"] for link in condition[relation])
        for relation in ("articles", "causes", "symptoms", "warning_signs", "treatments")
    } == {
        "articles": ["hip-problems-and-knee-pain"],
        **HUB[slug],
        "warning_signs": [],
        "treatments": [],
    }
    for relation, path in (("causes", "causes"), ("symptoms", "symptoms")):
        # The same relation read from the other side, through `?condition=`.
        listed = api_client.get(f"/api/v1/{path}/?condition={slug}&page_size=100").json()
        assert sorted(row["slug"] for row in listed["results"]) == HUB[slug][relation]


def test_condition_filters_on_the_seed_take_several_conditions(api_client, seeded):
    def slugs(query):
        return sorted(row["slug"] for row in api_client.get(query).json()["results"])

    assert slugs("/api/v1/symptoms/?condition=knee-osteoarthritis"
                 "&condition=hip-labral-tear") == ["changes-in-gait", "stiffness"]
    assert slugs("/api/v1/warning-signs/?condition=hip-osteoarthritis") == []
    assert slugs("/api/v1/treatments/?condition=hip-osteoarthritis") == []
    assert slugs("/api/v1/articles/?condition=hip-fracture") == ["hip-problems-and-knee-pain"]
