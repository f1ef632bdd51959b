"""The public read API (docs/api.md#endpoints): read-only viewsets of published content, and
the index.

Every `get_queryset()` starts from `published()` (live and not expired) and picks the named
shape of its endpoint (`for_list()`, `for_detail()`, `for_section()`); no query parameter can
switch visibility off. Filters apply to lists only; a detail ignores query parameters.
"""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from content import filters
from content.api import serializers
from content.api.caching import CachedResponseMixin
from content.api.formats import (
    ARTICLE_JSONLD_EXAMPLE,
    BODY_FORMAT_PARAMETER,
    CONDITION_JSONLD_EXAMPLE,
    JSONLD_DESCRIPTION,
    BodyFormatMixin,
    JsonLdMixin,
    jsonld_response,
)
from content.api.schema import NOT_STORABLE_INPUT, ApiIndexSerializer, problem_responses
from content.choices import ContentType, SectionKind
from content.models import LIVE_MODELS

LIST_PROBLEMS = problem_responses(400, 401, 404, 406, 413)
DETAIL_PROBLEMS = problem_responses(
    400, 401, 404, 406, 413, descriptions={400: NOT_STORABLE_INPUT}
)

ARTICLE_EXAMPLE = {
    "slug": "hip-problems-and-knee-pain",
    "url": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/",
    "title": "Can Hip Problems Cause Knee Pain?",
    "summary": "Hip problems, such as osteoarthritis, bursitis, or labral tears, can "
    "significantly affect your gait and posture, ultimately placing undue stress on your knees.",
    "language": "en",
    "conditions": [
        {
            "type": "condition",
            "slug": "hip-bursitis",
            "name": "Hip bursitis",
            "url": "https://api.example.org/api/v1/conditions/hip-bursitis/",
        }
    ],
    "sections": [
        {
            "kind": "causes",
            "heading": "Causes",
            "position": 2,
            "health_aspect": "CausesHealthAspect",
            "body": "<p>Hip issues can significantly contribute to knee pain, and understanding "
            "the underlying causes is essential for effective treatment and management.</p>",
            "groups": [
                {
                    "group": "causes",
                    "heading": "Here are several potential causes of how hip issues can lead "
                    "to knee pain",
                }
            ],
            "items": [
                {
                    "group": "causes",
                    "title": "Referred Pain",
                    "text": "Conditions affecting the hip, such as bursitis or tendinitis, can "
                    "cause referred pain that manifests in the knee.",
                    "entity": {
                        "type": "cause",
                        "slug": "referred-pain",
                        "url": "https://api.example.org/api/v1/causes/referred-pain/",
                    },
                }
            ],
            "timeline": None,
        },
        {
            "kind": "recovery",
            "heading": "Recovery",
            "position": 6,
            "health_aspect": "PrognosisHealthAspect",
            "body": "<p>Typically, initial recovery may take 4 to 6 weeks, but full "
            "rehabilitation can extend to 3 to 6 months.</p>",
            "groups": [
                {
                    "group": "tips",
                    "heading": "To ensure a smooth recovery, consider the following tips",
                }
            ],
            "items": [
                {
                    "group": "tips",
                    "title": "Rest and Recovery",
                    "text": "Allow adequate time for rest and recovery between activities.",
                    "entity": None,
                }
            ],
            "timeline": [
                {"phase": "initial", "min": 4, "max": 6, "unit": "week"},
                {"phase": "full", "min": 3, "max": 6, "unit": "month"},
            ],
        },
    ],
    "version": 2,
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "reviewed",
        "last_reviewed": "2026-01-14",
        "next_review_due": "2027-01-14",
        "reviewed_by": {"name": "Dr Jane Example", "credentials": "MBBS, FRCP"},
    },
}


class PublishedViewSet(CachedResponseMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve (by slug) one type's published items."""

    content_type: str
    list_serializer_class: type[serializers.PublishedSerializer]
    lookup_field = "slug"
    permission_classes = (AllowAny,)

    def get_queryset(self):
        queryset = LIVE_MODELS[self.content_type].objects.published()
        if self.action == "list":
            return queryset.for_list()
        return queryset.for_detail()

    def get_serializer_class(self):
        if self.action == "list":
            return self.list_serializer_class
        return self.serializer_class

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            slug = self.kwargs[self.lookup_field]
            label = ContentType(self.content_type).label.lower()
            raise NotFound(f"There is no published {label} {slug!r}.") from None

    def filter_queryset(self, queryset):
        # Query parameters narrow lists; a detail is found by its slug alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


def _documented(*, what: str, examples=(), jsonld_example=None, detail_parameters=()):
    """A class decorator documenting the list and retrieve operations of one type's viewset
    (tagged with the type's plural, its serializers read from the viewset), with every
    error they can answer (and, with `jsonld_example`, the JSON-LD representation of the
    detail)."""

    def decorate(viewset: type[PublishedViewSet]) -> type[PublishedViewSet]:
        singular = ContentType(viewset.content_type).label.lower()
        documented = _operations_documented(
            singular=singular, plural=f"{singular}s", what=what,
            list_serializer=viewset.list_serializer_class,
            detail_serializer=viewset.serializer_class, examples=examples,
            jsonld_example=jsonld_example, detail_parameters=detail_parameters,
        )
        return documented(extend_schema(tags=[f"{singular}s"])(viewset))

    return decorate


def _operations_documented(
    *, singular: str, plural: str, what: str, list_serializer, detail_serializer, examples,
    jsonld_example, detail_parameters,
):
    detail_ok = {200: detail_serializer}
    if jsonld_example is not None:
        detail_ok = {(200, "application/json"): detail_serializer,
                     (200, "application/ld+json"): jsonld_response(jsonld_example)}
    return extend_schema_view(
        list=extend_schema(
            summary=f"List published {plural}",
            description=f"{what} Paginated (`page`, `page_size`) and in a deterministic "
            "order. A filter value outside its choices or of the wrong form is 400; unknown "
            "query parameters are ignored.",
            responses={200: list_serializer(many=True), **LIST_PROBLEMS},
        ),
        retrieve=extend_schema(
            summary=f"One published {singular} by slug",
            description="An unknown, unpublished or expired slug is 404. Other query "
            "parameters are ignored." + (f" {JSONLD_DESCRIPTION}" if jsonld_example else ""),
            parameters=list(detail_parameters),
            responses={**detail_ok, **DETAIL_PROBLEMS},
            examples=list(examples),
        ),
    )


@_documented(
    what="Articles without their sections (read a detail for those).",
    examples=[
        OpenApiExample(
            "SeedArticle",
            summary="An article with two of its sections",
            value=ARTICLE_EXAMPLE,
            response_only=True,
        )
    ],
    jsonld_example=ARTICLE_JSONLD_EXAMPLE,
    detail_parameters=[BODY_FORMAT_PARAMETER],
)
class ArticleViewSet(BodyFormatMixin, JsonLdMixin, PublishedViewSet):
    content_type = ContentType.ARTICLE
    serializer_class = serializers.ArticleDetailSerializer
    list_serializer_class = serializers.ArticleListSerializer
    filterset_class = filters.ArticleFilterSet

    def get_queryset(self):
        if self.action == "section":
            return (
                LIVE_MODELS[self.content_type]
                .objects.published()
                .for_section(self.kwargs.get("kind", ""))
            )
        return super().get_queryset()

    @extend_schema(
        summary="One section of a published article",
        description="The section of this kind, with its items (and `timeline` on the "
        "recovery section). A kind that is not one of the section kinds, or that the article "
        "does not have, is 404.",
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                OpenApiParameter.PATH,
                enum=SectionKind.values,
                description="The section kind.",
            ),
            BODY_FORMAT_PARAMETER,
        ],
        responses={200: serializers.SectionSerializer, **DETAIL_PROBLEMS},
    )
    @action(detail=True, url_path=r"sections/(?P<kind>[^/.]+)", url_name="section")
    def section(self, request, slug=None, kind=None):
        if kind not in SectionKind.values:
            raise NotFound(
                f"There is no section kind {kind!r}; the kinds are: "
                + ", ".join(SectionKind.values)
                + "."
            )
        article = self.get_object()
        sections = list(article.sections.all())
        if not sections:
            raise NotFound(f"The article {article.slug!r} has no {kind} section.")
        serializer = serializers.SectionSerializer(
            sections[0], context=self.get_serializer_context()
        )
        return Response(serializer.data)


@_documented(
    what="Conditions of the hip and the knee, each with the published causes that name it.",
    jsonld_example=CONDITION_JSONLD_EXAMPLE,
)
class ConditionViewSet(JsonLdMixin, PublishedViewSet):
    content_type = ContentType.CONDITION
    serializer_class = list_serializer_class = serializers.ConditionSerializer
    filterset_class = filters.ConditionFilterSet


@_documented(
    what="Ways in which a hip problem leads to knee pain, each with the conditions it names.",
)
class CauseViewSet(PublishedViewSet):
    content_type = ContentType.CAUSE
    serializer_class = list_serializer_class = serializers.CauseSerializer
    filterset_class = filters.CauseFilterSet


@_documented(
    what="Symptoms that may point to a hip problem behind knee pain.",
)
class SymptomViewSet(PublishedViewSet):
    content_type = ContentType.SYMPTOM
    serializer_class = list_serializer_class = serializers.SymptomSerializer
    filterset_class = filters.SymptomFilterSet


@_documented(
    what="When to see a doctor, and when to seek help immediately. Warning signs have no "
    "name: they are ordered by slug unless `ordering` says otherwise.",
)
class WarningSignViewSet(PublishedViewSet):
    content_type = ContentType.WARNING_SIGN
    serializer_class = list_serializer_class = serializers.WarningSignSerializer
    filterset_class = filters.WarningSignFilterSet


@_documented(
    what="Conventional treatments, alternative therapies and home remedies.",
)
class TreatmentViewSet(PublishedViewSet):
    content_type = ContentType.TREATMENT
    serializer_class = list_serializer_class = serializers.TreatmentSerializer
    filterset_class = filters.TreatmentFilterSet


class ApiIndexView(CachedResponseMixin, APIView):
    """GET /api/v1/: where everything is."""

    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Index of the public API",
        description="Absolute URLs of every public endpoint and of the API documentation.",
        responses={
            200: ApiIndexSerializer,
            **problem_responses(400, 401, 406, 413, descriptions={400: NOT_STORABLE_INPUT}),
        },
        tags=["index"],
    )
    def get(self, request):
        def absolute(path: str) -> str:
            return request.build_absolute_uri(path)

        index = reverse("api:index")
        return Response(
            {
                "articles": absolute(reverse("api:article-list")),
                "conditions": absolute(reverse("api:condition-list")),
                "causes": absolute(reverse("api:cause-list")),
                "symptoms": absolute(reverse("api:symptom-list")),
                "warning-signs": absolute(reverse("api:warning_sign-list")),
                "treatments": absolute(reverse("api:treatment-list")),
                "search": absolute(f"{index}search/"),
                "schema": absolute(reverse("schema")),
                "docs": absolute(reverse("swagger-ui")),
                "redoc": absolute(reverse("redoc")),
            }
        )
