"""schema.org JSON-LD of articles and conditions (content/jsonld.py, content/api/formats.py),
validated by JSON-LD expansion (pyld) against the whole schema.org vocabulary as rdflib's
schema.org namespace (`rdflib.namespace.SDO`) lists it."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from pyld import jsonld
from rdflib import namespace as rdf_namespaces

from content.choices import HealthAspect, ItemGroup, SectionKind
from content.jsonld import article_jsonld, jsonld_dumps, page_urls_check
from tests.factories import (
    ArticleFactory,
    CauseFactory,
    ConditionFactory,
    SectionFactory,
    SectionItemFactory,
    SymptomFactory,
    TreatmentFactory,
    WarningSignFactory,
)
from tests.query_costs import CACHE_MISS, VERSION_READ

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
BASE = "http://testserver/api/v1"
LD = "application/ld+json"
#: Every schema.org term (types and properties), as the `https://schema.org` context maps them.
#: rdflib 7.6.0's namespace leaves out one current property we use, `cause`
#: (https://schema.org/cause, on MedicalCondition since schema.org's health extension), so it
#: is added by name; every other term comes from the library.
SCHEMA_ORG_TERMS = {*rdf_namespaces.SDO.__annotations__, "cause"}
SCHEMA_ORG_CONTEXT = {"schema": "https://schema.org/",
                      **{term: {"@id": f"schema:{term}"} for term in SCHEMA_ORG_TERMS}}


def vary(response) -> list[str]:
    return [name.strip() for name in response["Vary"].split(",")]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def article():
    """A reviewed article with a symptoms, a treatment, a causes and a conclusion section."""
    hip = ConditionFactory(slug="hip-bursitis", name="Hip bursitis")
    article = ArticleFactory(
        slug="hip-knee", title="Can Hip Problems Cause Knee Pain?", summary="How they connect.",
        version=3, updated_at=NOW, conditions=[hip], last_reviewed=dt.date(2026, 3, 1),
        next_review_due=dt.date(2027, 3, 1), reviewed_by_name="Dr Rita Shah",
        reviewed_by_credentials="MBBS, FRCS",
    )
    causes = SectionFactory(article=article, kind=SectionKind.CAUSES, heading="Causes",
                            position=1,
                            body="<p>Why it <strong>happens</strong>.</p><p>Look at the hip.</p>",
                            groups=[{"group": "causes", "heading": "Main causes"}],
                            blocks=[  # the closing paragraph after the list (issue #20)
                                {"type": "paragraph",
                                 "body": "<p>Why it <strong>happens</strong>.</p>"},
                                {"type": "list", "group": "causes", "heading": "Main causes"},
                                {"type": "paragraph", "body": "<p>Look at the hip.</p>"},
                            ])
    SectionItemFactory(section=causes, position=1, group=ItemGroup.CAUSES, title="Referred pain",
                       text="Pain felt away from its source.",
                       cause=CauseFactory(slug="referred-pain", name="Referred pain"))
    symptoms = SectionFactory(article=article, kind=SectionKind.SYMPTOMS, heading="Symptoms",
                              position=2, body="<p>What you feel.</p>")
    SectionItemFactory(section=symptoms, position=1, group=ItemGroup.COMMON, title="Knee pain",
                       text="An ache in the knee.", symptom=SymptomFactory(slug="knee-pain"))
    SectionItemFactory(section=symptoms, position=2, group=ItemGroup.LESS_COMMON, title=None,
                       text="Clicking in the hip.")
    treatment = SectionFactory(article=article, kind=SectionKind.TREATMENT, heading="Treatment",
                               position=3, body="")
    SectionItemFactory(section=treatment, position=1, group=ItemGroup.CONVENTIONAL,
                       title="Physical therapy", text="Exercises.",
                       treatment=TreatmentFactory(slug="physical-therapy"))
    SectionFactory(article=article, kind=SectionKind.CONCLUSION, heading="Conclusion",
                   position=4, body="<ul><li>Act early</li></ul>")
    return article


ARTICLE = f"{BASE}/articles/hip-knee/"
EXPECTED_ARTICLE = {
    "@context": "https://schema.org",
    "@type": "MedicalWebPage",
    "@id": ARTICLE,
    "url": ARTICLE,
    "name": "Can Hip Problems Cause Knee Pain?",
    "description": "How they connect.",
    "version": 3,
    "datePublished": "2026-01-15T09:30:00+00:00",
    "dateModified": "2026-03-02T09:00:00+00:00",
    "lastReviewed": "2026-03-01",
    "reviewedBy": {"@type": "Person", "name": "Dr Rita Shah", "honorificSuffix": "MBBS, FRCS"},
    "headline": "Can Hip Problems Cause Knee Pain?",
    "inLanguage": "en",
    "about": [{"@type": "MedicalCondition", "@id": f"{BASE}/conditions/hip-bursitis/#condition",
               "name": "Hip bursitis", "url": f"{BASE}/conditions/hip-bursitis/"}],
    "mentions": [
        {"@type": "MedicalCause", "name": "Referred pain",
         "description": "Pain felt away from its source.",
         "url": f"{BASE}/causes/referred-pain/"},
        {"@type": "MedicalSignOrSymptom", "name": "Knee pain",
         "description": "An ache in the knee.", "url": f"{BASE}/symptoms/knee-pain/"},
        {"@type": "MedicalSignOrSymptom", "name": "Clicking in the hip."},
        {"@type": "MedicalTherapy", "name": "Physical therapy", "description": "Exercises.",
         "url": f"{BASE}/treatments/physical-therapy/"},
    ],
    "hasPart": [
        {"@type": "WebPageElement", "@id": f"{ARTICLE}sections/causes/",
         "url": f"{ARTICLE}sections/causes/", "name": "Causes", "position": 1,
         # The section's blocks in reading order: the closing paragraph after the list.
         "text": "Why it happens.\n\nMain causes:\n\n- Referred pain: Pain felt away from its "
                 "source.\n\nLook at the hip.",
         "hasHealthAspect": {"@id": "https://schema.org/CausesHealthAspect"}},
        {"@type": "WebPageElement", "@id": f"{ARTICLE}sections/symptoms/",
         "url": f"{ARTICLE}sections/symptoms/", "name": "Symptoms", "position": 2,
         "text": "What you feel.\n\n- Knee pain: An ache in the knee.\n\n- Clicking in the hip.",
         "hasHealthAspect": {"@id": "https://schema.org/SymptomsHealthAspect"}},
        {"@type": "WebPageElement", "@id": f"{ARTICLE}sections/treatment/",
         "url": f"{ARTICLE}sections/treatment/", "name": "Treatment", "position": 3,
         "text": "- Physical therapy: Exercises.",
         "hasHealthAspect": {"@id": "https://schema.org/TreatmentsHealthAspect"}},
        {"@type": "WebPageElement", "@id": f"{ARTICLE}sections/conclusion/",
         "url": f"{ARTICLE}sections/conclusion/", "name": "Conclusion", "position": 4,
         "text": "- Act early"},
    ],
}


def test_article_detail_as_json_ld(api_client, article, django_assert_num_queries):
    with django_assert_num_queries(4 + CACHE_MISS):  # the JSON detail's reads
        response = api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD)

    assert response.status_code == 200
    assert response["Content-Type"] == LD
    assert "Accept" in vary(response)
    assert json.loads(response.content) == EXPECTED_ARTICLE


def test_format_jsonld_asks_for_the_same(api_client, article):
    by_accept = api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD)
    by_format = api_client.get("/api/v1/articles/hip-knee/", {"format": "jsonld"})

    assert by_format.status_code == 200
    assert by_format["Content-Type"] == LD
    assert by_format.content == by_accept.content


def test_json_ld_has_its_own_etag(api_client, article):
    as_json = api_client.get("/api/v1/articles/hip-knee/")
    as_ld = api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD)

    assert "Accept" in vary(as_json) and "Accept" in vary(as_ld)
    assert as_json["Content-Type"] == "application/json"
    assert as_ld["ETag"] and as_ld["ETag"] != as_json["ETag"]
    again = api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD,
                           HTTP_IF_NONE_MATCH=as_ld["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    stale = api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD,
                           HTTP_IF_NONE_MATCH=as_json["ETag"])
    assert stale.status_code == 200


def test_an_unreviewed_article_has_no_review_properties(article):
    data = {
        "url": ARTICLE, "title": "T", "summary": "S", "language": "en", "conditions": [],
        "slug": "hip-knee", "sections": [], "version": 1,
        "first_published_at": "2026-03-02T09:00:00+00:00",
        "updated_at": "2026-03-02T09:00:00+00:00",
        "review": {"status": "not_reviewed", "last_reviewed": None, "next_review_due": None,
                   "reviewed_by": None},
    }

    document = article_jsonld(data)

    assert "lastReviewed" not in document and "reviewedBy" not in document
    # It names no condition and links nothing: no `about`, no `mentions`.
    assert "about" not in document and "mentions" not in document
    assert document["hasPart"] == []


def test_condition_detail_as_json_ld(api_client):
    condition = ConditionFactory(
        slug="patellofemoral-pain-syndrome", name="Patellofemoral pain syndrome",
        also_known_as=["runner's knee"], body_region="knee",
        description="Pain around the kneecap.", updated_at=NOW,
    )
    CauseFactory(slug="overuse", name="Overuse", conditions=[condition])
    SymptomFactory(slug="knee-pain", name="Knee pain", conditions=[condition])
    TreatmentFactory(slug="orthotics", name="Orthotics", conditions=[condition])
    WarningSignFactory(slug="swelling", conditions=[condition])  # no schema.org term: not shown
    ArticleFactory(slug="hip-knee", title="Hip and knee", conditions=[condition])
    url = f"{BASE}/conditions/patellofemoral-pain-syndrome/"

    response = api_client.get("/api/v1/conditions/patellofemoral-pain-syndrome/",
                              HTTP_ACCEPT=LD)

    assert response.status_code == 200
    assert response["Content-Type"] == LD
    assert "Accept" in vary(response)
    assert json.loads(response.content) == {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": "Patellofemoral pain syndrome",
        "description": "Pain around the kneecap.",
        "version": 1,
        "datePublished": "2026-01-15T09:30:00+00:00",
        "dateModified": "2026-03-02T09:00:00+00:00",
        "about": {
            "@type": "MedicalCondition",
            "@id": f"{url}#condition",
            "name": "Patellofemoral pain syndrome",
            "url": url,
            "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Knee"},
            "alternateName": ["runner's knee"],
            "description": "Pain around the kneecap.",
            "cause": [{"@type": "MedicalCause", "name": "Overuse",
                       "url": f"{BASE}/causes/overuse/"}],
            "signOrSymptom": [{"@type": "MedicalSignOrSymptom", "name": "Knee pain",
                               "url": f"{BASE}/symptoms/knee-pain/"}],
            "possibleTreatment": [{"@type": "MedicalTherapy", "name": "Orthotics",
                                   "url": f"{BASE}/treatments/orthotics/"}],
            "subjectOf": [{"@type": "MedicalWebPage", "name": "Hip and knee",
                           "url": f"{BASE}/articles/hip-knee/"}],
        },
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/", "/api/v1/articles/hip-knee/sections/causes/",
             "/api/v1/conditions/"],
)
def test_only_details_speak_json_ld(api_client, article, path):
    response = api_client.get(path, HTTP_ACCEPT=LD)

    assert response.status_code == 406
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 406


def test_errors_stay_problem_json(api_client):
    response = api_client.get("/api/v1/articles/missing/", HTTP_ACCEPT=LD)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "There is no published article 'missing'."


# --- validation against the schema.org vocabulary --------------------------------------------


def local_loader(url, options=None):
    """A pyld document loader that never goes to the network: schema.org's context is built
    from rdflib's list of its terms."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": {"@context": SCHEMA_ORG_CONTEXT}}
    raise AssertionError(f"no network in tests: {url}")


def terms(node, keys: set, types: set) -> None:
    """Every property name and @type value of a JSON-LD tree."""
    if isinstance(node, list):
        for child in node:
            terms(child, keys, types)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                types.update(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                keys.add(key)
            terms(value, keys, types)


def iris(node, properties: set, types: set, ids: set) -> None:
    """Every property IRI, type IRI and node @id of an expanded JSON-LD tree."""
    if isinstance(node, list):
        for child in node:
            iris(child, properties, types, ids)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type":
                types.update(value)
            elif key == "@id":
                ids.add(value)
            elif not key.startswith("@"):
                properties.add(key)
            if key != "@value":
                iris(value, properties, types, ids)


@pytest.mark.parametrize("path", ["/api/v1/articles/hip-knee/",
                                  "/api/v1/conditions/hip-bursitis/"])
def test_every_term_expands_to_a_schema_org_iri(api_client, article, path, settings):
    settings.HIPKNEE_PAGE_URLS = {"article": "https://www.example.org/health/{slug}",
                                  "condition": "https://www.example.org/conditions/{slug}"}
    settings.HIPKNEE_PUBLISHER_NAME = "Example Health"
    settings.HIPKNEE_PUBLISHER_URL = "https://www.example.org/"
    hip = ConditionFactory._meta.model.objects.get(slug="hip-bursitis")
    hip.codes = [{"system": "icd10cm", "code": "M70.6"}]
    hip.save()
    SymptomFactory(slug="clicking", conditions=[hip])
    TreatmentFactory(slug="ice", conditions=[hip])
    CauseFactory(slug="overuse", conditions=[hip])
    document = json.loads(api_client.get(path, HTTP_ACCEPT=LD).content)

    expanded = jsonld.expand(document, {"documentLoader": local_loader})

    keys, types = set(), set()
    terms(document, keys, types)
    properties, expanded_types, ids = set(), set(), set()
    iris(expanded, properties, expanded_types, ids)
    schema = "https://schema.org/"
    assert properties == {schema + key for key in keys}  # nothing dropped, nothing unknown
    assert expanded_types == {schema + type_ for type_ in types}
    aspects = {i for i in ids if i.endswith("HealthAspect")}
    assert aspects <= {schema + aspect for aspect in HealthAspect.values}
    if "articles" in path:
        assert aspects == {schema + "CausesHealthAspect", schema + "SymptomsHealthAspect",
                           schema + "TreatmentsHealthAspect"}
        assert {schema + "about", schema + "mentions", schema + "hasPart",
                schema + "hasHealthAspect", schema + "lastReviewed", schema + "reviewedBy",
                schema + "datePublished", schema + "sameAs", schema + "publisher"} <= properties
    else:
        assert {schema + "cause", schema + "signOrSymptom", schema + "possibleTreatment",
                schema + "subjectOf", schema + "code", schema + "datePublished",
                schema + "sameAs", schema + "publisher"} <= properties


def test_a_term_unknown_to_schema_org_would_fail_the_check():
    document = {"@context": "https://schema.org", "@type": "MedicalWebPage",
                "signOrSympton": "typo"}

    expanded = jsonld.expand(document, {"documentLoader": local_loader})

    properties, types, ids = set(), set(), set()
    iris(expanded, properties, types, ids)
    assert properties == set()  # the misspelt property was dropped: the check above fails


# --- safe to embed in an HTML <script> element ------------------------------------------------

SCRIPT_ARTICLE = f"{BASE}/articles/script-test/"


@pytest.fixture
def script_article():
    """An article whose words hold what would end an HTML <script> element if left raw."""
    article = ArticleFactory(
        slug="script-test", title="Hips </script><script>alert(2)</script>",
        summary="Hip & knee <!-- a comment -->\u2028", version=1, updated_at=NOW,
    )
    SectionFactory(
        article=article, kind=SectionKind.CONCLUSION, heading="Conclusion", position=1,
        body="<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>",
    )
    return article


EXPECTED_SCRIPT_ARTICLE = {
    "@context": "https://schema.org",
    "@type": "MedicalWebPage",
    "@id": SCRIPT_ARTICLE,
    "url": SCRIPT_ARTICLE,
    "name": "Hips </script><script>alert(2)</script>",
    "description": "Hip & knee <!-- a comment -->\u2028",
    "version": 1,
    "datePublished": "2026-01-15T09:30:00+00:00",
    "dateModified": "2026-03-02T09:00:00+00:00",
    "headline": "Hips </script><script>alert(2)</script>",
    "inLanguage": "en",
    "hasPart": [
        {"@type": "WebPageElement", "@id": f"{SCRIPT_ARTICLE}sections/conclusion/",
         "url": f"{SCRIPT_ARTICLE}sections/conclusion/", "name": "Conclusion", "position": 1,
         "text": "<script>alert(1)</script> & more"},
    ],
}


def assert_embeddable(body: bytes) -> None:
    """No byte of the document can end or change an HTML <script> element."""
    assert not set(body) & set(b"<>&"), body
    assert "\u2028".encode() not in body and "\u2029".encode() not in body


def test_json_ld_escapes_markup_characters_and_keeps_the_same_data(api_client, script_article):
    response = api_client.get("/api/v1/articles/script-test/", HTTP_ACCEPT=LD)

    assert response.status_code == 200
    assert_embeddable(response.content)
    assert b'"text":"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 more"' \
        in response.content
    assert b'"description":"Hip \\u0026 knee \\u003c!-- a comment --\\u003e\\u2028"' \
        in response.content
    assert json.loads(response.content) == EXPECTED_SCRIPT_ARTICLE
    as_json = api_client.get("/api/v1/articles/script-test/").json()
    assert json.loads(response.content) == article_jsonld(as_json)


def test_indented_json_ld_is_escaped_too(api_client, script_article):
    response = api_client.get("/api/v1/articles/script-test/",
                              HTTP_ACCEPT=f"{LD}; indent=2")

    assert response.status_code == 200
    assert response.content.startswith(b'{\n  "@context": "https://schema.org",\n')
    assert_embeddable(response.content)
    assert json.loads(response.content) == EXPECTED_SCRIPT_ARTICLE


def test_json_ld_from_the_representation_cache_is_the_escaped_bytes(
    api_client, script_article, settings, django_assert_num_queries
):
    settings.HIPKNEE_RESPONSE_CACHE = True
    settings.HIPKNEE_CONTENT_VERSION_SOURCE = "cache"
    cache.clear()
    rendered = api_client.get("/api/v1/articles/script-test/", HTTP_ACCEPT=LD)

    # Answered from the cache, not rendered: only the content version is read.
    with django_assert_num_queries(VERSION_READ):
        cached = api_client.get("/api/v1/articles/script-test/", HTTP_ACCEPT=LD)

    cache.clear()
    assert (cached.status_code, cached["ETag"]) == (200, rendered["ETag"])
    assert cached.content == rendered.content
    assert_embeddable(cached.content)
    assert json.loads(cached.content) == EXPECTED_SCRIPT_ARTICLE


def test_jsonld_dumps_escapes_only_inside_strings():
    document = {"a<b": ["</script>", "x & y", "\u2028\u2029", 1, None, True], "é": "ü"}

    body = jsonld_dumps(document)

    assert body == (
        b'{"a\\u003cb":["\\u003c/script\\u003e","x \\u0026 y","\\u2028\\u2029",1,null,true],'
        + '"é":"ü"}'.encode()
    )
    assert json.loads(body) == document


# --- the publisher's own pages, and the publisher ---------------------------------------------

SITE = "https://www.example.org"


def test_page_urls_point_id_and_url_at_the_publishers_pages(api_client, article, settings):
    settings.HIPKNEE_PAGE_URLS = {"article": f"{SITE}/health/{{slug}}",
                                  "condition": f"{SITE}/health/conditions/{{slug}}"}
    settings.HIPKNEE_PUBLISHER_NAME = "Example Health"
    settings.HIPKNEE_PUBLISHER_URL = f"{SITE}/"

    document = json.loads(api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD).content)

    assert document == {
        **EXPECTED_ARTICLE,
        "@id": f"{SITE}/health/hip-knee",
        "url": f"{SITE}/health/hip-knee",
        "sameAs": ARTICLE,
        "publisher": {"@type": "Organization", "name": "Example Health", "url": f"{SITE}/"},
        "about": [{"@type": "MedicalCondition",
                   "@id": f"{SITE}/health/conditions/hip-bursitis#condition",
                   "name": "Hip bursitis", "url": f"{SITE}/health/conditions/hip-bursitis"}],
    }
    # The condition's own page describes the same node the article is about.
    condition = json.loads(api_client.get("/api/v1/conditions/hip-bursitis/",
                                          HTTP_ACCEPT=LD).content)
    assert condition["about"]["@id"] == document["about"][0]["@id"]
    assert (condition["url"], condition["sameAs"]) == (
        f"{SITE}/health/conditions/hip-bursitis", f"{BASE}/conditions/hip-bursitis/")
    assert condition["about"]["subjectOf"] == [
        {"@type": "MedicalWebPage", "name": "Can Hip Problems Cause Knee Pain?",
         "url": f"{SITE}/health/hip-knee"}]


def test_the_dates_come_from_the_history_not_the_request(api_client, article):
    ArticleFactory._meta.model.objects.filter(slug="hip-knee").update(
        first_published_at=dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC))

    document = json.loads(api_client.get("/api/v1/articles/hip-knee/", HTTP_ACCEPT=LD).content)
    as_json = api_client.get("/api/v1/articles/hip-knee/").json()

    assert (document["datePublished"], document["dateModified"]) == (
        "2025-06-01T08:00:00+00:00", "2026-03-02T09:00:00+00:00")
    assert (as_json["first_published_at"], as_json["updated_at"]) == (
        document["datePublished"], document["dateModified"])


@pytest.mark.parametrize(
    ("templates", "message"),
    [
        ({"page": "https://example.org/{slug}"},
         "HIPKNEE_PAGE_URLS: 'page' is not a content type; expected one of: article, condition, "
         "cause, symptom, warning_sign, treatment."),
        ({"article": "https://example.org/health/"},
         "HIPKNEE_PAGE_URLS: the template of 'article' must be an absolute http(s) URL with one "
         "{slug}, e.g. https://example.org/health/{slug}; got 'https://example.org/health/'."),
        ({"article": "/health/{slug}"},
         "HIPKNEE_PAGE_URLS: the template of 'article' must be an absolute http(s) URL with one "
         "{slug}, e.g. https://example.org/health/{slug}; got '/health/{slug}'."),
        ({"article": "javascript:alert(1)//{slug}"},
         "HIPKNEE_PAGE_URLS: the template of 'article' must be an absolute http(s) URL with one "
         "{slug}, e.g. https://example.org/health/{slug}; got 'javascript:alert(1)//{slug}'."),
        ({"condition": "https://example.org/{slug}/{slug}"},
         "HIPKNEE_PAGE_URLS: the template of 'condition' must be an absolute http(s) URL with "
         "one {slug}, e.g. https://example.org/health/{slug}; got "
         "'https://example.org/{slug}/{slug}'."),
    ],
)
def test_a_bad_page_url_setting_stops_the_start_saying_why(templates, message):
    with pytest.raises(ImproperlyConfigured) as raised:
        page_urls_check(templates)

    assert str(raised.value) == message


def test_a_good_page_url_setting_passes():
    page_urls_check({"article": "https://example.org/health/{slug}",
                     "condition": "http://localhost:8080/c/{slug}?src=api"})
