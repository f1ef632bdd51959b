"""GET /api/v1/lookup/: patient education for clinical codes, MedlinePlus Connect style
(docs/api.md#lookup-by-clinical-code).

The view reads the parameters (ours, `system` and `code`, or the HL7 Infobutton URL-based ones
an EHR sends), asks `content.code_lookup` for the published content of each code, and answers
JSON or, for `knowledgeResponseType=text/xml`, an Atom feed (Django's feed generator).
"""

from __future__ import annotations

from django.utils import feedgenerator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from content.api.caching import CachedResponseMixin
from content.api.parameters import StrictQueryParametersMixin
from content.api.schema import problem_responses
from content.api.serializers import detail_url
from content.choices import CodeSystem, ContentType, HealthAspect, SectionKind
from content.code_lookup import MAX_CODES, CodeMatch, code_lookup
from content.codes import CODING_SYSTEM_NAME, OID_OF_SYSTEM, SYSTEM_OF_OID, CodeInvalid, code_form

#: The Infobutton parameters (HL7 URL-based implementation guide) the lookup reads.
#: The roots of the other parameters of that guide (patient, task, performer, encounter, …):
#: an EHR sends what it is configured to send, so they are taken and not used; any other
#: unknown parameter is 400 (content/api/parameters.py).
INFOBUTTON_ROOTS = (
    "knowledgeRequestNotification.", "holder.", "assignedAuthorizedPerson.",
    "representedOrganization.", "patientPerson.", "age.", "ageGroup.", "taskContext.",
    "subTopic.", "mainSearchCriteria.", "severityObservation.", "informationRecipient",
    "performer", "encounter.", "serviceDeliveryLocation.", "locationOfInterest.",
)
INFOBUTTON_CODE = "mainSearchCriteria.v.c"
INFOBUTTON_SYSTEM = "mainSearchCriteria.v.cs"
INFOBUTTON_NAME = "mainSearchCriteria.v.dn"
INFOBUTTON_LANGUAGE = "informationRecipient.languageCode.c"
INFOBUTTON_RESPONSE_TYPE = "knowledgeResponseType"
ATOM = "text/xml"
JSON = "application/json"


class AtomRenderer(BaseRenderer):
    """A lookup's answer as an Atom 1.0 feed: one entry per matched condition and one per
    article about it (for Infobutton's `knowledgeResponseType=text/xml`)."""

    media_type = "application/atom+xml"
    format = "atom"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        request = renderer_context["request"]
        feed = feedgenerator.Atom1Feed(
            title=data.get("title") or "HipKnee patient education",
            link=request.build_absolute_uri(),
            feed_url=request.build_absolute_uri(),
            description="Published content for the requested clinical codes.",
            language="en",
            id=request.build_absolute_uri(),
        )
        for result in data["results"]:
            match = result["match"]
            for condition in result["conditions"]:
                codes = f"{CODING_SYSTEM_NAME[result['system']]} {result['code']}"
                feed.add_item(
                    title=condition["name"], link=condition["url"],
                    unique_id=f"{condition['url']}#{result['code']}",
                    description=f"{codes}: matched {match['code']} ({match['level']}), "
                    f"{match['description'] or ''}".rstrip(", "),
                    categories=[result["code"]],
                )
                for article in condition["articles"]:
                    aspects = ", ".join(s["heading"] for s in article["sections"])
                    feed.add_item(
                        title=article["title"], link=article["url"],
                        unique_id=f"{article['url']}#{result['code']}",
                        description=f"About {condition['name']}: {aspects}",
                        categories=[result["code"]],
                    )
        return feed.writeString("utf-8").encode("utf-8")


class LookupSectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SectionKind.choices, help_text="The section kind.")
    heading = serializers.CharField(help_text="The section's heading.")
    health_aspect = serializers.ChoiceField(
        choices=HealthAspect.choices, help_text="Its schema.org health aspect."
    )
    url = serializers.URLField(help_text="Absolute URL of the section endpoint.")

    class Meta:
        ref_name = "LookupSection"


class LookupArticleSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The article's slug.")
    title = serializers.CharField(help_text="The article's title.")
    url = serializers.URLField(help_text="Absolute URL of its detail.")
    sections = LookupSectionSerializer(
        many=True, help_text="Its sections that have a health aspect (symptoms, treatment, "
        "when to see a doctor, …), in order."
    )

    class Meta:
        ref_name = "LookupArticle"


class LookupConditionSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The condition's slug.")
    name = serializers.CharField(help_text="Its name.")
    url = serializers.URLField(help_text="Absolute URL of its detail.")
    articles = LookupArticleSerializer(
        many=True, help_text="Published articles about it, by title."
    )

    class Meta:
        ref_name = "LookupCondition"


class LookupMatchSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The code the conditions carry.")
    level = serializers.ChoiceField(
        choices=["exact", "subcategory", "category", "block"],
        help_text="`exact`: the requested code itself; otherwise the level of the "
        "classification it belongs to where content was found (M16.11 → M16.1 subcategory → "
        "M16 category → M15-M19 block).",
    )
    description = serializers.CharField(
        allow_null=True, help_text="The matched code's official description (ICD-10-CM)."
    )

    class Meta:
        ref_name = "LookupMatch"


class LookupResultSerializer(serializers.Serializer):
    system = serializers.ChoiceField(choices=CodeSystem.choices, help_text="The code system.")
    code = serializers.CharField(help_text="The requested code, in its canonical spelling.")
    description = serializers.CharField(
        allow_null=True,
        help_text="Its official description (ICD-10-CM); null for a code not in the code set "
        "and for SNOMED CT.",
    )
    match = LookupMatchSerializer(
        allow_null=True, help_text="Where content was found; null when none was."
    )
    conditions = LookupConditionSerializer(
        many=True, help_text="The published conditions carrying the matched code."
    )

    class Meta:
        ref_name = "LookupResult"


class LookupSerializer(serializers.Serializer):
    results = LookupResultSerializer(many=True, help_text="One result per requested code, "
                                     "in the order requested.")

    class Meta:
        ref_name = "Lookup"


def _parameters(query) -> tuple[str, list[str], str, str, str | None]:
    """(system, codes, language, response type, display name) from our parameters or the
    Infobutton ones; raises ValidationError (400) naming what is wrong."""
    infobutton = any(name.startswith(("mainSearchCriteria.", "informationRecipient."))
                     or name == INFOBUTTON_RESPONSE_TYPE for name in query)
    codes = query.getlist("code") + query.getlist(INFOBUTTON_CODE)
    system = query.get("system")
    oid = query.get(INFOBUTTON_SYSTEM)
    if oid is not None:
        if oid not in SYSTEM_OF_OID:
            known = ", ".join(f"{o} ({CODING_SYSTEM_NAME[s]})" for s, o in OID_OF_SYSTEM.items())
            raise ValidationError({INFOBUTTON_SYSTEM: [
                f"{oid!r} is not a code system this service knows; expected one of: {known}."
            ]})
        system = SYSTEM_OF_OID[oid]
    system = system or CodeSystem.ICD10CM
    if system not in CodeSystem.values:
        raise ValidationError({"system": [
            f"{system!r} is not a code system; expected one of: {', '.join(CodeSystem.values)}."
        ]})
    if not codes:
        raise ValidationError({"code": ["Send at least one code (code= or "
                                        f"{INFOBUTTON_CODE}=)."]})
    if len(codes) > MAX_CODES:
        raise ValidationError({"code": [f"At most {MAX_CODES} codes per request; "
                                        f"{len(codes)} were sent."]})
    canonical, errors = [], []
    for code in codes:
        try:
            canonical.append(code_form(system, code))
        except CodeInvalid as error:
            errors.append(error.message)
    if errors:
        raise ValidationError({"code": errors})
    response_type = query.get(INFOBUTTON_RESPONSE_TYPE) or (ATOM if infobutton else JSON)
    if response_type not in (ATOM, JSON):
        raise ValidationError({INFOBUTTON_RESPONSE_TYPE: [
            f"{response_type!r} is not a response type; expected {ATOM} or {JSON}."
        ]})
    language = query.get(INFOBUTTON_LANGUAGE) or "en"
    return system, canonical, language, response_type, query.get(INFOBUTTON_NAME)


def _result(match: CodeMatch, request) -> dict:
    def condition(row) -> dict:
        return {
            "slug": row.slug, "name": row.name,
            "url": detail_url(ContentType.CONDITION, row.slug, request),
            "articles": [article(a) for a in row.articles.all()],
        }

    def article(row) -> dict:
        url = detail_url(ContentType.ARTICLE, row.slug, request)
        return {
            "slug": row.slug, "title": row.title, "url": url,
            "sections": [{"kind": s.kind, "heading": s.heading, "health_aspect": s.health_aspect,
                          "url": f"{url}sections/{s.kind}/"} for s in row.sections.all()],
        }

    return {
        "system": match.system,
        "code": match.code,
        "description": match.description,
        "match": None if match.matched_code is None else {
            "code": match.matched_code, "level": match.level,
            "description": match.matched_description,
        },
        "conditions": [condition(row) for row in match.conditions],
    }


class LookupView(StrictQueryParametersMixin, CachedResponseMixin, APIView):
    """GET /api/v1/lookup/: published content for clinical codes."""

    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer, AtomRenderer)

    def accepted_query_parameters(self):
        taken = ["system", "code", INFOBUTTON_CODE, INFOBUTTON_SYSTEM, INFOBUTTON_NAME,
                 INFOBUTTON_LANGUAGE, INFOBUTTON_RESPONSE_TYPE]
        others = [name for name in self.request.query_params
                  if name.startswith(INFOBUTTON_ROOTS)]
        return [*taken, *others]

    def get_renderers(self):
        """Only GET has an Atom form: OPTIONS describes the endpoint in JSON."""
        if self.request.method == "GET":
            return super().get_renderers()
        return [JSONRenderer()]

    @extend_schema(
        summary="Patient education for clinical codes (HL7 Infobutton)",
        description="For each requested code, the published conditions that carry it and the "
        "articles about them, with their sections by health aspect. When no condition "
        "carries the exact code, the ICD-10-CM classification is walked up (M16.11 → M16.1 "
        "→ M16 → block M15-M19) and `match` says at which level content was found. Up to "
        f"{MAX_CODES} codes (`code` repeated), one result each, in order. A code of the "
        "right form that is not in the code set, or that nothing matches, is a result with "
        "`match` null; a malformed code or an unknown system is 400. The HL7 Infobutton "
        "URL-based parameters are accepted too, so an EHR configured for MedlinePlus "
        "Connect can use this URL: with any of them the default response is an Atom feed "
        "(`knowledgeResponseType=application/json` for JSON).",
        parameters=[
            OpenApiParameter("system", str, enum=CodeSystem.values,
                             description="The code system. Default `icd10cm`."),
            OpenApiParameter("code", str, many=True, explode=True,
                             description=f"A code; repeat for up to {MAX_CODES}. ICD-10-CM "
                             "with or without its dot, any case (M16.11, m1611)."),
            OpenApiParameter(INFOBUTTON_CODE, str,
                             description="Infobutton: the code (as `code`)."),
            OpenApiParameter(INFOBUTTON_SYSTEM, str, enum=list(SYSTEM_OF_OID),
                             description="Infobutton: the code system's OID "
                             "(2.16.840.1.113883.6.90 ICD-10-CM, 2.16.840.1.113883.6.96 "
                             "SNOMED CT)."),
            OpenApiParameter(INFOBUTTON_NAME, str,
                             description="Infobutton: the code's display name; the Atom "
                             "feed's title."),
            OpenApiParameter(INFOBUTTON_LANGUAGE, str,
                             description="Infobutton: the reader's language (BCP 47). Our "
                             "content is English: another language matches nothing."),
            OpenApiParameter(INFOBUTTON_RESPONSE_TYPE, str, enum=[ATOM, JSON],
                             description="`text/xml`: an Atom 1.0 feed (the default when any "
                             "Infobutton parameter is sent); `application/json`: JSON."),
        ],
        responses={
            (200, "application/json"): LookupSerializer,
            (200, "application/atom+xml"): {"type": "string"},
            **problem_responses(400, 401, 406, 413),
        },
        tags=["lookup"],
    )
    def get(self, request):
        system, codes, language, response_type, name = _parameters(request.query_params)
        if (INFOBUTTON_RESPONSE_TYPE not in request.query_params
                and request.accepted_media_type == AtomRenderer.media_type):
            response_type = ATOM  # asked for by Accept
        if response_type == ATOM:
            request.accepted_renderer = AtomRenderer()
            request.accepted_media_type = AtomRenderer.media_type
        else:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSON
        results = [_result(r, request) for r in code_lookup(system, codes, language=language)]
        return Response({"title": name, "results": results} if response_type == ATOM
                        else {"results": results})
