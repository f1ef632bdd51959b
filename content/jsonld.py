"""schema.org JSON-LD of an article or a condition, built from its public representation.

The input is exactly what the public API returns as JSON for the detail (the serializer's
output), so the JSON-LD says nothing the JSON does not, and needs no query of its own.

An article is a `MedicalWebPage` that is `about` the `MedicalCondition`s it names (each the
same node, `@id` and all, as that condition's own page describes) and `mentions` the
`MedicalSignOrSymptom`s, `MedicalTherapy`s and `MedicalCause`s its symptoms, treatment and
causes sections list; `hasPart` holds one `WebPageElement` per section, with `hasHealthAspect`
where the section has one (every kind but the conclusion). A condition is a `MedicalWebPage`
about that `MedicalCondition` (`alternateName`, `associatedAnatomy`, `code`, and as links its
`cause`s, `signOrSymptom`s, `possibleTreatment`s, and the articles it is the `subjectOf`;
schema.org has no term for a warning sign, so those are left to the JSON). Every page carries
`datePublished` (when the item first went live), `dateModified` (when its live revision went
live), `publisher` (HIPKNEE_PUBLISHER_NAME/URL, when set), and `lastReviewed` and
`reviewedBy` once a clinician has approved the live revision.

`@id` and `url` are the publisher's own page where HIPKNEE_PAGE_URLS gives a URL template for
the type (`https://example.org/health/{slug}`), with the API URL as `sameAs`; otherwise the
API URL. Links to other items follow the same rule for their type.

Sites embed the document in their pages as `<script type="application/ld+json">…</script>`,
where the HTML parser ends the element at the first `</script` even inside a JSON string, so
`jsonld_dumps` is the only way its bytes are made: `<`, `>` and `&` (and U+2028, U+2029) are
written as `\\u003c`, `\\u003e`, `\\u0026` escapes, which every JSON parser reads back as the
same characters. The JSON-LD renderer (content/api/formats.py) uses it for every response,
so the representation cache stores these bytes too.
"""

import json
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator

from content.bodyformats import blocks_render
from content.choices import BodyFormat, ContentType, SectionKind
from content.codes import CODING_SYSTEM_NAME

CONTEXT = "https://schema.org"
SCHEMA = "https://schema.org/"
MEDIA_TYPE = "application/ld+json"

#: Characters a JSON-LD document never holds raw. They occur in JSON only inside strings, so
#: replacing them in the serialised text with their `\uXXXX` escapes keeps the same data.
EMBED_ESCAPES = tuple(
    (character, f"\\u{ord(character):04x}") for character in "<>&\u2028\u2029"
)


def jsonld_dumps(document, *, indent: int | None = None) -> bytes:
    """A JSON-LD document as UTF-8 bytes safe to paste into an HTML <script> element."""
    text = json.dumps(
        document,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=(",", ":") if indent is None else (",", ": "),
    )
    for character, escape in EMBED_ESCAPES:  # 16 kB: ~25 µs (str.translate took ~700)
        text = text.replace(character, escape)
    return text.encode()


#: schema.org types of the things a section's items link to, by section kind.
ITEM_TYPES = {
    SectionKind.SYMPTOMS: "MedicalSignOrSymptom",
    SectionKind.TREATMENT: "MedicalTherapy",
    SectionKind.CAUSES: "MedicalCause",
}

ANATOMY = {"hip": "Hip", "knee": "Knee"}


#: A page URL template: one `{slug}` and no other brace.
_TEMPLATE = re.compile(r"[^{}]*\{slug\}[^{}]*")


def page_urls_check(templates: dict[str, str] | None = None) -> None:
    """Refuse a HIPKNEE_PAGE_URLS that names an unknown type or whose template is not an
    absolute http(s) URL with exactly one `{slug}` (ImproperlyConfigured, saying which)."""
    from content.types import registry

    templates = settings.HIPKNEE_PAGE_URLS if templates is None else templates
    for type_, template in templates.items():
        if type_ not in registry:
            raise ImproperlyConfigured(
                f"HIPKNEE_PAGE_URLS: {type_!r} is not a content type; expected one of: "
                f"{', '.join(registry.names())}."
            )
        try:
            if not _TEMPLATE.fullmatch(template):
                raise ValidationError("no single {slug}")
            URLValidator(schemes=["http", "https"])(template.replace("{slug}", "slug"))
        except ValidationError:
            raise ImproperlyConfigured(
                f"HIPKNEE_PAGE_URLS: the template of {type_!r} must be an absolute http(s) URL "
                f"with one {{slug}}, e.g. https://example.org/health/{{slug}}; got {template!r}."
            ) from None


def page_url(type_: str, slug: str, api_url: str) -> str:
    """The publisher's page of an item (HIPKNEE_PAGE_URLS), or its API URL."""
    template = settings.HIPKNEE_PAGE_URLS.get(type_)
    return template.replace("{slug}", slug) if template else api_url


def _publisher() -> dict:
    name = settings.HIPKNEE_PUBLISHER_NAME
    if not name:
        return {}
    organisation = {"@type": "Organization", "name": name}
    if settings.HIPKNEE_PUBLISHER_URL:
        organisation["url"] = settings.HIPKNEE_PUBLISHER_URL
    return {"publisher": organisation}


def _review(data: dict) -> dict:
    """lastReviewed and reviewedBy, when a clinician approved the live revision."""
    review = data["review"]
    block: dict = {}
    if review["last_reviewed"]:
        block["lastReviewed"] = review["last_reviewed"]
    reviewer = review["reviewed_by"]
    if reviewer:
        person = {"@type": "Person", "name": reviewer["name"]}
        if reviewer["credentials"]:
            person["honorificSuffix"] = reviewer["credentials"]
        block["reviewedBy"] = person
    return block


def _page(type_: str, data: dict, name: str, description: str) -> dict:
    own = page_url(type_, data["slug"], data["url"])
    return {
        "@context": CONTEXT,
        "@type": "MedicalWebPage",
        "@id": own,
        "url": own,
        **({"sameAs": data["url"]} if own != data["url"] else {}),
        "name": name,
        "description": description,
        "version": data["version"],
        "datePublished": data["first_published_at"],
        "dateModified": data["updated_at"],
        **_publisher(),
        **_review(data),
    }


def _condition(ref: dict) -> dict:
    """A condition ({slug, name, url} of its public JSON) as the MedicalCondition node its own
    page describes: `@id` is that page's `#condition`."""
    url = page_url(ContentType.CONDITION, ref["slug"], ref["url"])
    return {"@type": "MedicalCondition", "@id": f"{url}#condition", "name": ref["name"],
            "url": url}


def medical_codes(codes: list[dict]) -> list[dict]:
    """Public codes ({system, code, display}) as schema.org MedicalCode."""
    return [
        {"@type": "MedicalCode", "codeValue": c["code"],
         "codingSystem": CODING_SYSTEM_NAME[c["system"]],
         **({"name": c["display"]} if c.get("display") else {})}
        for c in codes
    ]


def _linked(type_: str, ref: dict) -> dict:
    """Another published item (a relation of its public JSON) as a thing of `type_`."""
    return {"@type": type_, "name": ref["name"],
            "url": page_url(ref["type"], ref["slug"], ref["url"])}


def _item(item: dict, type_: str) -> dict:
    thing = {"@type": type_}
    if item["title"]:
        thing["name"] = item["title"]
        thing["description"] = item["text"]
    else:
        thing["name"] = item["text"]
    if entity := item["entity"]:
        thing["url"] = page_url(entity["type"], entity["slug"], entity["url"])
    return thing


def _section_text(section: dict) -> str:
    """The words of a section as plain text, in reading order: its blocks, each list where
    it stands (content/bodyformats.py `blocks_render`)."""
    return blocks_render(section["blocks"], BodyFormat.TEXT)


def _part(article_url: str, section: dict) -> dict:
    url = f"{article_url}sections/{section['kind']}/"
    part = {
        "@type": "WebPageElement",
        "@id": url,
        "url": url,
        "name": section["heading"],
        "position": section["position"],
        "text": _section_text(section),
    }
    if section["health_aspect"]:
        part["hasHealthAspect"] = {"@id": SCHEMA + section["health_aspect"]}
    return part


def article_jsonld(data: dict) -> dict:
    """An article's public JSON as a schema.org MedicalWebPage."""
    page = _page(ContentType.ARTICLE, data, data["title"], data["summary"])
    page.update({"headline": data["title"], "inLanguage": data["language"]})
    if data["conditions"]:
        page["about"] = [_condition(c) for c in data["conditions"]]
    mentions = [_item(item, ITEM_TYPES[section["kind"]]) for section in data["sections"]
                if section["kind"] in ITEM_TYPES for item in section["items"]]
    if mentions:
        page["mentions"] = mentions
    page["hasPart"] = [_part(data["url"], section) for section in data["sections"]]
    return page


def condition_jsonld(data: dict) -> dict:
    """A condition's public JSON as a schema.org MedicalWebPage about it."""
    condition = _condition(data)
    condition["associatedAnatomy"] = {
        "@type": "AnatomicalStructure", "name": ANATOMY[data["body_region"]]
    }
    if data["also_known_as"]:
        condition["alternateName"] = data["also_known_as"]
    if data["description"]:
        condition["description"] = data["description"]
    if data.get("codes"):
        condition["code"] = medical_codes(data["codes"])
    for field, term, type_ in (("causes", "cause", "MedicalCause"),
                               ("symptoms", "signOrSymptom", "MedicalSignOrSymptom"),
                               ("treatments", "possibleTreatment", "MedicalTherapy"),
                               ("articles", "subjectOf", "MedicalWebPage")):
        if data[field]:
            condition[term] = [_linked(type_, ref) for ref in data[field]]
    page = _page(ContentType.CONDITION, data, data["name"], data["description"] or data["name"])
    page["about"] = condition
    return page

