"""GET /api/v1/search/: ranked full-text search across every published type (docs/api.md#search).

The view validates the query parameters, asks the content/search package for the ranked results
(the engine behind lists' `search=` too) and pages them. Only published, unexpired content
can be found: the engine starts every read from `published()`.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from content.api.caching import CachedResponseMixin
from content.api.pagination import PageNumberPagination
from content.api.parameters import StrictQueryParametersMixin
from content.api.schema import problem_responses
from content.api.serializers import detail_url
from content.search import MAX_QUERY_LENGTH, SearchHit, search
from content.types import registry

TYPE_NAMES = ", ".join(registry.names())


class SearchParametersSerializer(serializers.Serializer):
    """The query parameters of the search endpoint (besides `page` and `page_size`)."""

    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        help_text="What to look for, in the reader's own words (at most "
        f"{MAX_QUERY_LENGTH} characters), e.g. `runner's knee`, `physio`, `pins and needles`, "
        "`can't bend my knee`. Words match in any form (exercises → exercise), through "
        "synonyms and other names (ITB → iliotibial band syndrome, orthopaedic ↔ orthopedic) "
        "and despite small typos in names (osteoarthritus). Results need not match every "
        "word: those matching more of them, and in names rather than prose, come first. "
        "Required; blank is 400.",
    )
    type = serializers.ChoiceField(
        choices=registry.choices(),
        required=False,
        help_text="Only results of this type. Default: every type.",
        error_messages={
            "invalid_choice": f'"{{input}}" is not a content type; expected one of: {TYPE_NAMES}.'
        },
    )

    class Meta:
        ref_name = "SearchParameters"


class SearchResultSerializer(serializers.Serializer):
    """One search result: what was found, where to read it, and why it matched."""

    type = serializers.ChoiceField(choices=registry.choices(), help_text="The item's type.")
    slug = serializers.SlugField(help_text="The item's slug (unique per type).")
    title = serializers.CharField(
        help_text="An article's title, a warning sign's text, or the name of anything else."
    )
    url = serializers.SerializerMethodField(help_text="Absolute URL of the item's detail.")
    snippet = serializers.CharField(
        help_text="Up to 35 words of the item's prose around the matches (a warning sign: its "
        "text) as plain text, HTML-escaped, with each matched word wrapped in "
        "`<mark>…</mark>`. Safe to insert as HTML."
    )
    score = serializers.SerializerMethodField(
        help_text="Relevance, higher is better (about 0 to 1.01; 4 decimals). Only comparable "
        "between results of the same query."
    )

    class Meta:
        ref_name = "SearchResult"

    def get_url(self, hit: SearchHit) -> str:
        return detail_url(hit.type, hit.slug, self.context.get("request"))

    def get_score(self, hit: SearchHit) -> float:
        return round(hit.score, 4)


class SearchPageSerializer(serializers.Serializer):
    """One page of search results (documentation only: the paginator writes it)."""

    count = serializers.IntegerField(
        help_text="How many results the query has in all: exact when `count_is_estimate` is "
        "false; otherwise an estimate (a query matching more items than the server counts "
        "exactly, 1,000 by default on PostgreSQL), never lower than that bound plus one."
    )
    count_is_estimate = serializers.BooleanField(
        help_text="Whether `count` is an estimate. Pages are still exact and complete; a page "
        "past the real end but within the estimate is empty, and reading a page deeper than "
        "the 200th result counts exactly."
    )
    next = serializers.URLField(
        allow_null=True, help_text="The next page's absolute URL, or null on the last page."
    )
    previous = serializers.URLField(
        allow_null=True, help_text="The previous page's absolute URL, or null on the first."
    )
    results = SearchResultSerializer(many=True, help_text="This page's results, best first.")

    class Meta:
        ref_name = "PaginatedSearchResultList"


SEARCH_EXAMPLE = {
    "count": 3,
    "count_is_estimate": False,
    "next": None,
    "previous": None,
    "results": [
        {
            "type": "condition",
            "slug": "patellofemoral-pain-syndrome",
            "title": "Patellofemoral pain syndrome",
            "url": "https://api.example.org/api/v1/conditions/patellofemoral-pain-syndrome/",
            "snippet": "Conditions like hip flexor tendinitis or labral tears can develop, "
            "leading to compensatory movements that increase the load on the "
            "<mark>knee</mark>. This can result in conditions such as <mark>runner</mark>'s "
            "<mark>knee</mark> or <mark>patellofemoral</mark> <mark>pain</mark> "
            "<mark>syndrome</mark>.",
            "score": 1.0005,
        },
        {
            "type": "article",
            "slug": "hip-problems-and-knee-pain",
            "title": "Can Hip Problems Cause Knee Pain?",
            "url": "https://api.example.org/api/v1/articles/hip-problems-and-knee-pain/",
            "snippet": "This can result in conditions such as <mark>runner</mark>'s "
            "<mark>knee</mark> or <mark>patellofemoral</mark> <mark>pain</mark> "
            "<mark>syndrome</mark>. Hip issues can lead to knee pain through various mechanisms.",
            "score": 0.6008,
        },
        {
            "type": "cause",
            "slug": "overuse-and-repetitive-strain",
            "title": "Overuse and Repetitive Strain",
            "url": "https://api.example.org/api/v1/causes/overuse-and-repetitive-strain/",
            "snippet": "Conditions like hip flexor tendinitis or labral tears can develop, "
            "leading to compensatory movements that increase the load on the "
            "<mark>knee</mark>. This can result in conditions such as <mark>runner</mark>'s "
            "<mark>knee</mark> or <mark>patellofemoral</mark> <mark>pain</mark> "
            "<mark>syndrome</mark>.",
            "score": 0.6003,
        },
    ],
}


class SearchPagination(PageNumberPagination):
    """The lists' pagination, telling the results which page will be read first, so that
    the engine counts and reads it together."""

    def paginate_queryset(self, queryset, request, view=None):
        size = self.get_page_size(request)
        number = self.get_page_number(request, None)
        queryset.window((number - 1) * size, number * size)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        """The lists' page, and whether its count is an estimate (SearchPageSerializer)."""
        return Response({
            "count": self.page.paginator.count,
            "count_is_estimate": self.page.paginator.object_list.count_is_estimate,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })


class SearchView(StrictQueryParametersMixin, CachedResponseMixin, GenericAPIView):
    """Ranked results across every published type."""

    permission_classes = (AllowAny,)
    serializer_class = SearchResultSerializer
    pagination_class = SearchPagination

    def accepted_query_parameters(self):
        return [*SearchParametersSerializer().fields, self.paginator.page_query_param,
                self.paginator.page_size_query_param]

    @extend_schema(
        operation_id="search",
        summary="Search all published content",
        description="Ranked results across articles, conditions, causes, symptoms, warning "
        "signs and treatments, best first (ties: type, then slug), paginated like the lists. "
        "A natural query such as `can't bend my knee` finds items matching some of its words; "
        "items matching more of them, or matching in a name rather than in prose, rank "
        "higher. Synonyms, alternative names and British/American spellings are editable "
        "data. Only published, unexpired content is ever found.",
        parameters=[
            SearchParametersSerializer,
            OpenApiParameter(
                "page", int, description=PageNumberPagination.page_query_description
            ),
            OpenApiParameter(
                "page_size", int, description=PageNumberPagination.page_size_query_description
            ),
        ],
        responses={
            200: SearchPageSerializer,
            **problem_responses(
                400, 401, 404, 406, 413,
                descriptions={
                    400: "`q` is missing, blank or longer than "
                    f"{MAX_QUERY_LENGTH} characters, `type` is not one of {TYPE_NAMES}, or "
                    "`page`/`page_size` is not a whole number of at least 1, or a query "
                    "parameter is unknown; `errors` names each parameter.",
                },
            ),
        },
        examples=[
            OpenApiExample(
                "RunnersKnee",
                summary="GET /api/v1/search/?q=runner's knee",
                value=SEARCH_EXAMPLE,
                response_only=True,
            )
        ],
        tags=["search"],
    )
    def get(self, request, *args, **kwargs):
        parameters = SearchParametersSerializer(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        type_ = parameters.validated_data.get("type")
        results = search(parameters.validated_data["q"], types=[type_] if type_ else None)
        page = self.paginate_queryset(results)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)
