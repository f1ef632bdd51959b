"""schema.org JSON-LD of an article or a condition, built from its public representation.

The input is exactly what the public API returns as JSON for the detail (the serializer's
output), so the JSON-LD says nothing the JSON does not, and needs no query of its own.

An article is a `MedicalWebPage` that is `about` a `MedicalCondition` (the article's subject,
named by its title) with the `signOrSymptom`s of its symptoms section, the
`possibleTreatment`s of its treatment section and the `cause`s of its causes section;
`hasPart` holds one `WebPageElement` per section, with `hasHealthAspect` where the section has
one (every kind but the conclusion), and `mentions` the conditions the article names. A
condition is a `MedicalWebPage` about that `MedicalCondition` (`alternateName`,
`associatedAnatomy`, `cause`). Both carry `lastReviewed` and `reviewedBy` once a clinician
has approved the live revision.

Sites embed the document in their pages as `<script type="application/ld+json">…</script>`,
where the HTML parser ends the element at the first `</script` even inside a JSON string, so
`jsonld_dumps` is the only way its bytes are made: `<`, `>` and `&` (and U+2028, U+2029) are
written as `\\u003c`, `\\u003e`, `\\u0026` escapes, which every JSON parser reads back as the
same characters. The JSON-LD renderer (content/api/formats.py) uses it for every response,
so the representation cache stores these bytes too.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder

from content.bodyformats import html_to_text
from content.choices import SectionKind
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


def _page(data: dict, name: str, description: str) -> dict:
    return {
        "@context": CONTEXT,
        "@type": "MedicalWebPage",
        "@id": data["url"],
        "url": data["url"],
        "name": name,
        "description": description,
        "version": data["version"],
        "dateModified": data["updated_at"],
        **_review(data),
    }


def _condition(data: dict, anchor: str, name: str) -> dict:
    """The MedicalCondition a page is about, named by the page's fragment `anchor`."""
    return {"@type": "MedicalCondition", "@id": f"{data['url']}#{anchor}", "name": name}


def medical_codes(codes: list[dict]) -> list[dict]:
    """Public codes ({system, code, display}) as schema.org MedicalCode."""
    return [
        {"@type": "MedicalCode", "codeValue": c["code"],
         "codingSystem": CODING_SYSTEM_NAME[c["system"]],
         **({"name": c["display"]} if c.get("display") else {})}
        for c in codes
    ]


def _linked(type_: str, ref: dict) -> dict:
    """Another published item (`name`, `url` of its public JSON) as a thing of `type_`."""
    return {"@type": type_, "name": ref["name"], "url": ref["url"]}


def _item(item: dict, type_: str) -> dict:
    thing = {"@type": type_}
    if item["title"]:
        thing["name"] = item["title"]
        thing["description"] = item["text"]
    else:
        thing["name"] = item["text"]
    if item["entity"]:
        thing["url"] = item["entity"]["url"]
    return thing


def _section_text(section: dict) -> str:
    """The words of a section as plain text: its prose, then each group's items."""
    parts = [html_to_text(section["body"])] if section["body"] else []
    headings = {group["group"]: group["heading"] for group in section["groups"]}
    current = None
    lines: list[str] = []
    for item in section["items"]:
        if item["group"] != current:
            current = item["group"]
            if lines:
                parts.append("\n".join(lines))
            lines = [headings[current]] if current in headings else []
        lines.append(f"- {item['title']}: {item['text']}" if item["title"] else f"- {item['text']}")
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


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
    subject = _condition(data, "subject", data["title"])
    subject["description"] = data["summary"]
    properties = {
        SectionKind.SYMPTOMS: "signOrSymptom",
        SectionKind.TREATMENT: "possibleTreatment",
        SectionKind.CAUSES: "cause",
    }
    for section in data["sections"]:
        kind = section["kind"]
        if kind in properties and section["items"]:
            subject[properties[kind]] = [_item(i, ITEM_TYPES[kind]) for i in section["items"]]
    page = _page(data, data["title"], data["summary"])
    page.update(
        {
            "headline": data["title"],
            "inLanguage": data["language"],
            "about": subject,
            "mentions": [_linked("MedicalCondition", c) for c in data["conditions"]],
            "hasPart": [_part(data["url"], section) for section in data["sections"]],
        }
    )
    return page


def condition_jsonld(data: dict) -> dict:
    """A condition's public JSON as a schema.org MedicalWebPage about it."""
    condition = _condition(data, "condition", data["name"])
    condition["associatedAnatomy"] = {
        "@type": "AnatomicalStructure", "name": ANATOMY[data["body_region"]]
    }
    if data["also_known_as"]:
        condition["alternateName"] = data["also_known_as"]
    if data["description"]:
        condition["description"] = data["description"]
    if data.get("codes"):
        condition["code"] = medical_codes(data["codes"])
    if data["causes"]:
        condition["cause"] = [_linked("MedicalCause", c) for c in data["causes"]]
    page = _page(data, data["name"], data["description"] or data["name"])
    page["about"] = condition
    return page

