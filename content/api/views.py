"""The public read API (docs/api.md#endpoints): read-only viewsets of published content, and
the index.

Every `get_queryset()` starts from `published()` (live and not expired) and picks the named
shape of its endpoint (`for_list()`, `for_detail()`, `for_section()`); no query parameter can
switch visibility off. Filters apply to lists only; a detail ignores query parameters.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from content import filters
from content.api import serializers
from content.api.caching import CachedResponseMixin
from content.api.formats import JSONLD_DESCRIPTION, JsonLdMixin, jsonld_response
from content.api.parameters import StrictQueryParametersMixin
from content.api.schema import (
    DETAIL_PROBLEMS,
    LIST_PROBLEMS,
    NOT_STORABLE_INPUT,
    ApiIndexSerializer,
    problem_responses,
)
from content.models import LIVE_MODELS
from content.types import ContentTypeSpec, registry


class PublishedViewSet(StrictQueryParametersMixin, CachedResponseMixin,
                       viewsets.ReadOnlyModelViewSet):
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
            label = registry[self.content_type].label.lower()
            raise NotFound(f"There is no published {label} {slug!r}.") from None

    def accepted_query_parameters(self):
        """A list takes its filters and pagination; a detail (or a section) what its mixins
        document, such as `body_format`."""
        if self.action == "list":
            return [*self.filterset_class.base_filters, self.paginator.page_query_param,
                    self.paginator.page_size_query_param]
        return [parameter.name for klass in type(self).__mro__
                for parameter in vars(klass).get("detail_parameters", ())]

    def filter_queryset(self, queryset):
        # Query parameters narrow lists; a detail is found by its slug alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


def _documented(spec: ContentTypeSpec, *, detail_parameters=()):
    """A class decorator documenting the list and retrieve operations of one type's viewset
    (tagged with the type's plural, its serializers read from the viewset), with every
    error they can answer (and, when the type has one, the JSON-LD representation of the
    detail)."""

    def decorate(viewset: type[PublishedViewSet]) -> type[PublishedViewSet]:
        plural = spec.plural.lower()
        documented = _operations_documented(
            singular=spec.label.lower(), plural=plural, what=spec.description,
            list_serializer=viewset.list_serializer_class,
            detail_serializer=viewset.serializer_class,
            examples=spec.hook("openapi_examples") or (),
            jsonld_example=spec.hook("jsonld_example"), detail_parameters=detail_parameters,
        )
        return documented(extend_schema(tags=[plural])(viewset))

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
            "order. A filter value outside its choices or of the wrong form is 400 (a choice's "
            "error lists the valid values), and so is an unknown query parameter (the error "
            "names it and lists the accepted ones).",
            responses={200: list_serializer(many=True), **LIST_PROBLEMS},
        ),
        retrieve=extend_schema(
            summary=f"One published {singular} by slug",
            description="An unknown, unpublished or expired slug is 404. Any other query "
            "parameter than those listed (and `format`) is 400."
            + (f" {JSONLD_DESCRIPTION}" if jsonld_example else ""),
            parameters=list(detail_parameters),
            responses={**detail_ok, **DETAIL_PROBLEMS},
            examples=list(examples),
        ),
    )


def public_viewset(spec: ContentTypeSpec) -> type[PublishedViewSet]:
    """The documented public viewset of one type, from its declaration (content/types.py):
    its serializers (hand-written where named, else derived), filters, mixins and JSON-LD."""
    detail = spec.hook("public_detail_serializer") or serializers.public_serializer(spec)
    mixins = [import_string(path) for path in spec.viewset_mixins]
    if spec.jsonld:
        mixins.append(JsonLdMixin)
    viewset = type(f"{spec.camel}ViewSet", (*mixins, PublishedViewSet), {
        "__module__": __name__,
        "__doc__": spec.description,
        "content_type": spec.name,
        "serializer_class": detail,
        "list_serializer_class": spec.hook("public_list_serializer") or detail,
        "filterset_class": filters.FILTERSETS[spec.name],
    })
    return _documented(
        spec, detail_parameters=[param for mixin in mixins
                                 for param in getattr(mixin, "detail_parameters", ())],
    )(viewset)


#: The public viewset of each type.
VIEWSETS = {spec.name: public_viewset(spec) for spec in registry}


class ApiIndexView(StrictQueryParametersMixin, CachedResponseMixin, APIView):
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
                **{spec.path: absolute(reverse(f"api:{spec.name}-list")) for spec in registry},
                "search": absolute(f"{index}search/"),
                "changes": absolute(f"{index}changes/"),
                "lookup": absolute(reverse("api:lookup")),
                "schema": absolute(reverse("schema")),
                "docs": absolute(reverse("swagger-ui")),
                "redoc": absolute(reverse("redoc")),
            }
        )
