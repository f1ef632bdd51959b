"""The seed, as a client reads it: every sentence of the source, the counts of
docs/api.md#the-seed-content and the recovery timeline of docs/api.md#sections-and-items,
all through the public API.

This is the one test that is about the seed, so it loads it (`load_seed_content`).
"""

import html
import io
import json
import re
from pathlib import Path

import markdown
import pytest
from django.core.management import call_command

from content.bodyformats import blocks_render
from content.render_article import render
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


# --- section blocks: the source's reading order (issue #20) ---------------------------------

SOURCE_HEADINGS = {
    "Introduction": "introduction", "Causes": "causes", "Symptoms": "symptoms",
    "When to see a doctor": "when_to_see_a_doctor", "Treatment Options": "treatment",
    "Recovery": "recovery", "Conclusion": "conclusion",
}
LIST_ENTRY = re.compile(r"^(?:- |\d+\. )")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def source_reading_order() -> dict[str, list[tuple[str, str]]]:
    """The source walked line by line: per section, ("paragraph", text), ("list", the words
    that introduce a list, without their colon) and ("item", an entry without its marker),
    in the order a reader meets them. A line right before a list entry introduces that list
    unless it ends a sentence (Treatment's "Conventional Treatments" has no colon); when it
    is a paragraph's last sentence, the sentences before it are that paragraph. (When to see
    a doctor's "Here are key indicators…:" introduces the two lists that follow, each with
    words of its own: it stays the end of its paragraph.)"""
    order: dict[str, list[tuple[str, str]]] = {}
    kind = None
    lines = [line.strip() for line in
             (FIXTURES / "source.txt").read_text(encoding="utf-8").splitlines()]
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if line in SOURCE_HEADINGS:
            kind = SOURCE_HEADINGS[line]
            order[kind] = []
        elif LIST_ENTRY.match(line):
            order[kind].append(("item", LIST_ENTRY.sub("", line)))
        elif LIST_ENTRY.match(following) and not line.endswith((".", "!", "?")):
            *before, introduces = SENTENCE_END.split(line)
            if before:
                order[kind].append(("paragraph", " ".join(before)))
            order[kind].append(("list", introduces.rstrip(":")))
        elif line:
            order[kind].append(("paragraph", line))
    return order


def blocks_reading_order(blocks: list[dict]) -> list[tuple[str, str]]:
    """A section's blocks as the same kind of sequence."""
    order = []
    for block in blocks:
        if block["type"] == "paragraph":
            order.append(("paragraph", plain_text(block["body"]).strip()))
            continue
        order.append(("list", block["heading"]))
        order += [("item", f"{i['title']}: {i['text']}" if i["title"] else i["text"])
                  for i in block["items"]]
    return order


def test_every_sections_blocks_follow_the_sources_order(api_client, seeded):
    """Every paragraph, list and list entry of every section of the source, in its order."""
    article = api_client.get(ARTICLE).json()
    expected = source_reading_order()

    served = {s["kind"]: blocks_reading_order(s["blocks"]) for s in article["sections"]}

    assert list(served) == list(expected)  # all seven sections
    for kind in expected:
        assert served[kind] == expected[kind], kind
    assert sum(len(order) for order in served.values()) == 77


RECOVERY_BLOCKS = [
    {"type": "paragraph", "body": "<p>Recovering from hip issues that cause knee pain can be a "
     "gradual process, often taking several weeks to months depending on the severity of the "
     "condition and the treatment approach. Understanding the recovery timeline is crucial for "
     "setting realistic expectations. Typically, initial recovery may take 4 to 6 weeks, but "
     "full rehabilitation can extend to 3 to 6 months.</p>"},
    {"type": "paragraph", "body": "<p>During the recovery phase, potential complications such "
     "as stiffness, muscle weakness, or re-injury can arise.</p>"},
    {"type": "list", "group": "rehabilitation", "heading": "To mitigate these risks, it’s "
     "essential to follow a structured rehabilitation program that includes", "items": [
        {"title": "Physical Therapy", "text": "Engaging in targeted exercises to strengthen the "
         "hip and knee muscles can significantly aid recovery. A physical therapist can design "
         "a personalized program that focuses on flexibility, strength, and balance.",
         "entity": {"type": "treatment", "slug": "physical-therapy",
                    "url": "http://testserver/api/v1/treatments/physical-therapy/"}},
        {"title": "Gradual Return to Activity", "text": "Avoid rushing back into high-impact "
         "activities. Start with low-impact exercises like swimming or cycling, gradually "
         "increasing intensity as your strength improves.", "entity": None},
        {"title": "Pain Management", "text": "Utilize ice, heat, or over-the-counter pain "
         "relief medications as needed to manage discomfort during the recovery process.",
         "entity": None},
    ]},
    {"type": "list", "group": "tips", "heading": "To ensure a smooth recovery, consider the "
     "following tips", "items": [
        {"title": "Stay Consistent", "text": "Adhere to your rehabilitation exercises and "
         "follow your healthcare provider’s recommendations diligently.", "entity": None},
        {"title": "Listen to Your Body", "text": "Pay attention to any signs of pain or "
         "discomfort. If you experience increased knee pain, consult your healthcare provider "
         "before continuing your exercise regimen.", "entity": None},
        {"title": "Maintain a Healthy Diet", "text": "Proper nutrition can support healing. "
         "Focus on a balanced diet rich in anti-inflammatory foods, such as fruits, vegetables, "
         "and omega-3 fatty acids.", "entity": None},
    ]},
    {"type": "paragraph", "body": "<p>By following these strategies, you can enhance your "
     "recovery from hip issues and alleviate knee pain effectively. Remember, patience and "
     "persistence are key components of a successful recovery journey.</p>"},
]


def test_the_recovery_sections_blocks_close_with_the_paragraph_after_its_lists(
        api_client, seeded):
    section = api_client.get(f"{ARTICLE}sections/recovery/").json()

    assert section["blocks"] == RECOVERY_BLOCKS


#: The seed's sections as the API served them before blocks (body, groups and items, and the
#: body as Markdown and text), captured from the code of the commit that added the file.
BEFORE_BLOCKS = json.loads(
    (Path(__file__).parent / "data" / "seed_sections_before_blocks.json").read_text("utf-8")
)


def test_body_groups_and_items_are_what_they_were_before_blocks(api_client, seeded):
    article = api_client.get(ARTICLE).json()
    as_markdown = api_client.get(ARTICLE, {"body_format": "markdown"}).json()
    as_text = api_client.get(ARTICLE, {"body_format": "text"}).json()

    assert [{k: s[k] for k in ("kind", "body", "groups", "items")}
            for s in article["sections"]] == BEFORE_BLOCKS["html"]
    assert [s["body"] for s in as_markdown["sections"]] == BEFORE_BLOCKS["markdown"]
    assert [s["body"] for s in as_text["sections"]] == BEFORE_BLOCKS["text"]


def in_order(text: str, fragments: list[str]) -> list[str]:
    """The fragments not found in `text` after the one before them (empty: all in order)."""
    out_of_order, at = [], 0
    for fragment in fragments:
        found = text.find(fragment, at)
        if found < 0:
            out_of_order.append(fragment)
        else:
            at = found + len(fragment)
    return out_of_order


@pytest.mark.parametrize("body_format", ["html", "markdown", "text"])
def test_rendering_blocks_reproduces_the_sources_reading_order(api_client, seeded, body_format):
    """Each section rendered from its blocks (content/bodyformats.py) says the source's
    words in the source's order: every sentence of every paragraph, list heading and entry."""
    article = api_client.get(ARTICLE).json()
    expected = source_reading_order()

    for section in article["sections"]:
        rendered = blocks_render(section["blocks"], body_format)
        if body_format == "html":
            rendered = plain_text(rendered)
        elif body_format == "markdown":  # read back as a Markdown reader would
            rendered = plain_text(markdown.markdown(rendered))
        sentences = [s for _, text in expected[section["kind"]]
                     for s in SENTENCE_END.split(text)]
        assert in_order(rendered, sentences) == [], (section["kind"], body_format)


def test_the_docs_ten_line_client_renders_the_article_in_the_sources_order(api_client, seeded):
    """content/render_article.py, shown verbatim in docs/api.md, on the seed article."""
    article = api_client.get(ARTICLE, {"body_format": "text"}).json()

    text = render(article)

    lines = text.splitlines()
    recovery = lines[lines.index("Recovery") + 1:lines.index("Conclusion") - 1]
    assert [line[:40] for line in recovery] == [
        "Recovering from hip issues that cause kn",
        "During the recovery phase, potential com",
        "To mitigate these risks, it’s essential ",
        "- Physical Therapy: Engaging in targeted",
        "- Gradual Return to Activity: Avoid rush",
        "- Pain Management: Utilize ice, heat, or",
        "To ensure a smooth recovery, consider th",
        "- Stay Consistent: Adhere to your rehabi",
        "- Listen to Your Body: Pay attention to ",
        "- Maintain a Healthy Diet: Proper nutrit",
        "By following these strategies, you can e",
    ]
    sentences = [s for order in source_reading_order().values() for _, t in order
                 for s in SENTENCE_END.split(t)]
    assert in_order(text, sentences) == []
