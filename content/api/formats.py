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

from content.bodyformats import body_render
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


def with_body_format(data: dict, body_format: str) -> dict:
    """A detail or section payload with its section bodies rendered in `body_format`."""
    if "sections" in data:
        return {
            **data,
            "sections": [
                {**section, "body": body_render(section["body"], body_format)}
                for section in data["sections"]
            ],
        }
    return {**data, "body": body_render(data["body"], body_format)}


BODY_FORMAT_PARAMETER = OpenApiParameter(
    "body_format",
    str,
    enum=BodyFormat.values,
    default=BodyFormat.HTML,
    description="How to render each section's `body`: `html` (sanitised HTML, as stored), "
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
    "JSON-LD, a `MedicalWebPage` `about` a `MedicalCondition` (for an article: with its "
    "`signOrSymptom`, `possibleTreatment` and `cause`, and `hasPart` one `WebPageElement` per "
    "section with `hasHealthAspect`), with `lastReviewed` and `reviewedBy` once a clinician "
    "approved it. Responses vary on Accept and have their own ETag."
)


def jsonld_response(example: dict) -> OpenApiResponse:
    """The documented application/ld+json answer of a detail."""
    return OpenApiResponse(
        OpenApiTypes.OBJECT,
        description=JSONLD_DESCRIPTION,
        examples=[OpenApiExample("JSON-LD", value=example, media_type=MEDIA_TYPE)],
    )


ARTICLE_JSONLD_EXAMPLE = {
    "@context": "https://schema.org",
    "@type": "MedicalWebPage",
    "@id": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/",
    "url": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/",
    "name": "Can Hip Problems Cause Knee Pain?",
    "description": "Hip problems, such as osteoarthritis, bursitis, or labral tears, can "
    "significantly affect your gait and posture, ultimately placing undue stress on your knees.",
    "version": 2,
    "dateModified": "2026-01-15T09:30:00+00:00",
    "lastReviewed": "2026-01-14",
    "reviewedBy": {"@type": "Person", "name": "Dr Jane Example", "honorificSuffix": "MBBS, FRCP"},
    "headline": "Can Hip Problems Cause Knee Pain?",
    "inLanguage": "en",
    "about": {
        "@type": "MedicalCondition",
        "@id": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/#subject",
        "name": "Can Hip Problems Cause Knee Pain?",
        "description": "Hip problems … undue stress on your knees.",
        "cause": [{"@type": "MedicalCause", "name": "Referred Pain", "description": "…",
                   "url": "https://api.example.org/api/v1/causes/referred-pain/"}],
        "signOrSymptom": [{"@type": "MedicalSignOrSymptom", "name": "Knee Pain",
                           "description": "…",
                           "url": "https://api.example.org/api/v1/symptoms/knee-pain/"}],
        "possibleTreatment": [{"@type": "MedicalTherapy", "name": "Physical Therapy",
                               "description": "…",
                               "url": "https://api.example.org/api/v1/treatments/"
                               "physical-therapy/"}],
    },
    "mentions": [{"@type": "MedicalCondition", "name": "Hip bursitis",
                  "url": "https://api.example.org/api/v1/conditions/hip-bursitis/"}],
    "hasPart": [{
        "@type": "WebPageElement",
        "@id": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/sections/"
        "causes/",
        "url": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/sections/"
        "causes/",
        "name": "Causes",
        "position": 2,
        "text": "Hip issues can significantly contribute to knee pain, …",
        "hasHealthAspect": {"@id": "https://schema.org/CausesHealthAspect"},
    }],
}

CONDITION_JSONLD_EXAMPLE = {
    "@context": "https://schema.org",
    "@type": "MedicalWebPage",
    "@id": "https://api.example.org/api/v1/conditions/patellofemoral-pain-syndrome/",
    "url": "https://api.example.org/api/v1/conditions/patellofemoral-pain-syndrome/",
    "name": "Patellofemoral pain syndrome",
    "description": "Pain around the kneecap.",
    "version": 1,
    "dateModified": "2026-01-15T09:30:00+00:00",
    "about": {
        "@type": "MedicalCondition",
        "@id": "https://api.example.org/api/v1/conditions/patellofemoral-pain-syndrome/"
        "#condition",
        "name": "Patellofemoral pain syndrome",
        "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Knee"},
        "alternateName": ["runner's knee"],
        "description": "Pain around the kneecap.",
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
