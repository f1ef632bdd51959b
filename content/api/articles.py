"""What only articles have in the public API: a section endpoint and the schema's example.

Named by the article's declaration (content/types.py `viewset_mixins`, `openapi_examples`).
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from content.api import serializers
from content.api.formats import BODY_FORMAT_PARAMETER
from content.api.schema import DETAIL_PROBLEMS
from content.blocks import blocks_from_fields
from content.choices import SectionKind
from content.models import LIVE_MODELS

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
    "reading_grade": 12.3,
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
    "first_published_at": "2026-01-10T08:00:00+00:00",
    "updated_at": "2026-01-15T09:30:00+00:00",
    "review": {
        "status": "reviewed",
        "last_reviewed": "2026-01-14",
        "next_review_due": "2027-01-14",
        "reviewed_by": {"name": "Dr Jane Example", "credentials": "MBBS, FRCP"},
    },
}

# Each section's blocks, in the place the public payload has them (before `body`).
ARTICLE_EXAMPLE["sections"] = [
    {**{k: v for k, v in section.items() if k in ("kind", "heading", "position",
                                                   "health_aspect")},
     "blocks": blocks_from_fields(section["body"], section["groups"], section["items"]),
     **{k: v for k, v in section.items() if k not in ("kind", "heading", "position",
                                                       "health_aspect")}}
    for section in ARTICLE_EXAMPLE["sections"]
]

ARTICLE_EXAMPLES = [
    OpenApiExample(
        "SeedArticle",
        summary="An article with two of its sections",
        value=ARTICLE_EXAMPLE,
        response_only=True,
    )
]


class ArticleSectionsMixin:
    """GET /articles/{slug}/sections/{kind}/: one section of a published article."""

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

