"""Other representations of public details: schema.org JSON-LD and section body formats.

`JsonLdMixin` lets a detail (`retrieve`) answer `Accept: application/ld+json` (or
`?format=jsonld`) with content/jsonld.py's document; the view's renderers then make DRF add
`Vary: Accept`, and the HTTP cache (content/api/caching.py) keys and tags it by media type, so
it has its own ETag. Other actions of the viewset stay JSON only (406 for JSON-LD).

`BodyFormatMixin` reads `?body_format=html|markdown|text` on an article detail and a section
and renders every section `body` that way (content/bodyformats.py); an unknown value is 400
naming `body_format`. JSON-LD always carries plain text, whatever `body_format` says.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from content.bodyformats import blocks_in_format, body_render
from content.choices import BodyFormat
from content.jsonld import MEDIA_TYPE, jsonld_dumps
from content.types import registry


class JSONLDRenderer(JSONRenderer):
    """Renders a detail's public JSON as its schema.org JSON-LD document, with `<`, `>` and
    `&` escaped (`jsonld_dumps`) so that it can be embedded in an HTML <script> element."""

    media_type = MEDIA_TYPE
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None and not response.exception:
            data = registry[view.content_type].hook("jsonld")(data)
        return jsonld_dumps(data, indent=self.get_indent(accepted_media_type, context))


class JsonLdMixin:
    """Offer JSON-LD on the viewset's detail. Put it before the view's base class."""

    renderer_classes = [JSONRenderer, JSONLDRenderer]

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "retrieve":
            return renderers
        return [r for r in renderers if not isinstance(r, JSONLDRenderer)]


def body_format_of(request) -> str:
    """The `body_format` a request asks for (html when absent), or a 400."""
    value = request.query_params.get("body_format")
    if value is None:
        return BodyFormat.HTML
    if value not in BodyFormat.values:
        raise ValidationError(
            {"body_format": [f"Select one of: {', '.join(BodyFormat.values)}."]}
        )
    return value


def _section_in_format(section: dict, body_format: str) -> dict:
    return {**section, "blocks": blocks_in_format(section["blocks"], body_format),
            "body": body_render(section["body"], body_format)}


def with_body_format(data: dict, body_format: str) -> dict:
    """A detail or section payload with its section bodies and paragraph blocks rendered in
    `body_format`."""
    if "sections" in data:
        return {**data, "sections": [_section_in_format(section, body_format)
                                     for section in data["sections"]]}
    return _section_in_format(data, body_format)


BODY_FORMAT_PARAMETER = OpenApiParameter(
    "body_format",
    str,
    enum=BodyFormat.values,
    default=BodyFormat.HTML,
    description="How to render each section's `body` and each paragraph block's `body`: "
    "`html` (sanitised HTML, as stored), "
    "`markdown` (CommonMark: `- ` bullets, `1. ` numbered items, `**strong**`, `*em*`, "
    "`[text](url)`) or `text` (plain text; list items still start with `- `). The same words "
    "in every format. Any other value is 400.",
)


class BodyFormatMixin:
    """`?body_format=` on the actions in `body_format_actions`. Put it first among the bases."""

    body_format_actions = ("retrieve", "section")
    #: Documented on the detail (content/api/views.py `public_viewset`).
    detail_parameters = (BODY_FORMAT_PARAMETER,)

    def initial(self, request, *args, **kwargs):
        self.body_format = BodyFormat.HTML
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) in self.body_format_actions:
            self.body_format = body_format_of(request)

    def finalize_response(self, request, response, *args, **kwargs):
        if (
            getattr(self, "body_format", BodyFormat.HTML) != BodyFormat.HTML
            and isinstance(response, Response)
            and response.status_code == 200
            and isinstance(response.data, dict)
            and not isinstance(getattr(request, "accepted_renderer", None), JSONLDRenderer)
        ):
            response.data = with_body_format(response.data, self.body_format)
        return super().finalize_response(request, response, *args, **kwargs)


# --- schema ----------------------------------------------------------------------------------


JSONLD_DESCRIPTION = (
    "With `Accept: application/ld+json` (or `?format=jsonld`): the same item as schema.org "
    "JSON-LD, a `MedicalWebPage` with `datePublished`, `dateModified`, `publisher` (when the "
    "service is configured with one), and `lastReviewed` and `reviewedBy` once a clinician "
    "approved it. An article is `about` the `MedicalCondition`s it names, `mentions` the "
    "symptoms, treatments and causes its sections list, and `hasPart` one `WebPageElement` "
    "per section with `hasHealthAspect`; a condition's page is `about` the condition, with its "
    "`cause`, `signOrSymptom`, `possibleTreatment` and the articles it is the `subjectOf`. "
    "`@id` and `url` are the publisher's page where the service is configured with a URL "
    "template for the type (the API URL is then `sameAs`), else the API URL. Responses vary on "
    "Accept and have their own ETag."
)

def jsonld_response(example: dict) -> OpenApiResponse:
    """The documented application/ld+json answer of a detail."""
    return OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=JSONLD_DESCRIPTION,
        examples=[OpenApiExample("JSON-LD", value=example, media_type=MEDIA_TYPE)],
    )


_API = "https://api.example.org/api/v1"
_SITE = "https://www.example.org/health"
_PUBLISHER = {"@type": "Organization", "name": "Example Health", "url": "https://www.example.org/"}

#: The examples show a service configured with HIPKNEE_PAGE_URLS for articles and conditions
#: (`https://www.example.org/health/{slug}`, `…/health/conditions/{slug}`) and a publisher.
ARTICLE_JSONLD_EXAMPLE = {
    "@context": "https://schema.org",
    "@type": "MedicalWebPage",
    "@id": f"{_SITE}/hip-problems-and-knee-pain",
    "url": f"{_SITE}/hip-problems-and-knee-pain",
    "sameAs": f"{_API}/articles/hip-problems-and-knee-pain/",
    "name": "Can Hip Problems Cause Knee Pain?",
    "description": "Hip problems, such as osteoarthritis, bursitis, or labral tears, can "
    "significantly affect your gait and posture, ultimately placing undue stress on your knees.",
    "version": 2,
    "datePublished": "2026-01-10T08:00:00+00:00",
    "dateModified": "2026-01-15T09:30:00+00:00",
    "publisher": _PUBLISHER,
    "lastReviewed": "2026-01-14",
    "reviewedBy": {"@type": "Person", "name": "Dr Jane Example", "honorificSuffix": "MBBS, FRCP"},
    "headline": "Can Hip Problems Cause Knee Pain?",
    "inLanguage": "en",
    "about": [{"@type": "MedicalCondition",
               "@id": f"{_SITE}/conditions/hip-bursitis#condition",
               "name": "Hip bursitis", "url": f"{_SITE}/conditions/hip-bursitis"}],
    "mentions": [
        {"@type": "MedicalCause", "name": "Referred Pain", "description": "…",
         "url": f"{_API}/causes/referred-pain/"},
        {"@type": "MedicalSignOrSymptom", "name": "Knee Pain", "description": "…",
         "url": f"{_API}/symptoms/knee-pain/"},
        {"@type": "MedicalTherapy", "name": "Physical Therapy", "description": "…",
         "url": f"{_API}/treatments/physical-therapy/"},
    ],
    "hasPart": [{
        "@type": "WebPageElement",
        "@id": f"{_API}/articles/hip-problems-and-knee-pain/sections/causes/",
        "url": f"{_API}/articles/hip-problems-and-knee-pain/sections/causes/",
        "name": "Causes",
        "position": 2,
        "text": "Hip issues can significantly contribute to knee pain, …",
        "hasHealthAspect": {"@id": "https://schema.org/CausesHealthAspect"},
    }],
}

CONDITION_JSONLD_EXAMPLE = {
    "@context": "https://schema.org",
    "@type": "MedicalWebPage",
    "@id": f"{_SITE}/conditions/hip-bursitis",
    "url": f"{_SITE}/conditions/hip-bursitis",
    "sameAs": f"{_API}/conditions/hip-bursitis/",
    "name": "Hip bursitis",
    "description": "Inflammation of the fluid-filled sacs (bursae) around the hip joint.",
    "version": 1,
    "datePublished": "2026-01-10T08:00:00+00:00",
    "dateModified": "2026-01-15T09:30:00+00:00",
    "publisher": _PUBLISHER,
    "about": {
        "@type": "MedicalCondition",
        "@id": f"{_SITE}/conditions/hip-bursitis#condition",
        "name": "Hip bursitis",
        "url": f"{_SITE}/conditions/hip-bursitis",
        "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Hip"},
        "description": "Inflammation of the fluid-filled sacs (bursae) around the hip joint.",
        "code": [{"@type": "MedicalCode", "codeValue": "M70.6", "codingSystem": "ICD-10-CM",
                  "name": "Trochanteric bursitis"}],
        "cause": [{"@type": "MedicalCause", "name": "Referred Pain",
                   "url": f"{_API}/causes/referred-pain/"}],
        "signOrSymptom": [{"@type": "MedicalSignOrSymptom", "name": "Referred Pain",
                           "url": f"{_API}/symptoms/referred-pain/"}],
        "subjectOf": [{"@type": "MedicalWebPage", "name": "Can Hip Problems Cause Knee Pain?",
                       "url": f"{_SITE}/hip-problems-and-knee-pain"}],
    },
}

class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that a `?format=` this endpoint does not render is 406
    naming the formats it does (DRF answers 404, as if nothing were at the path)."""

    def filter_renderers(self, renderers, format):
        kept = [renderer for renderer in renderers if renderer.format == format]
        if not kept:
            offered = ", ".join(f"`{r.format}`" for r in renderers)
            raise NotAcceptable(f"Unknown format {format!r}; this endpoint renders: {offered}.")
        return kept
