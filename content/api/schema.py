"""OpenAPI building blocks shared by the API's views: the problem+json components.

`Problem` is the RFC 9457 body every error under /api/ carries; `ValidationProblem` adds
`errors`, one entry per invalid field. `problem_responses(400, 404, ...)` documents the
error statuses an operation can answer with, as `application/problem+json`.
"""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from content.api.errors import PROBLEM_CONTENT_TYPE
from content.types import registry


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem detail."""

    type = serializers.CharField(
        help_text="A stable URN naming the kind of problem, e.g. urn:hipknee:problem:not-found."
    )
    title = serializers.CharField(help_text="A short, human-readable summary of the problem.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong with this request, in a sentence.")
    code = serializers.CharField(
        help_text="The same problem as a stable code clients may switch on, e.g. not_found."
    )

    class Meta:
        ref_name = "Problem"


class FieldErrorSerializer(serializers.Serializer):
    """One invalid field of a request."""

    field = serializers.CharField(
        help_text="The query parameter or body field that is invalid, e.g. frequency."
    )
    message = serializers.CharField(help_text="Why it is invalid, in a sentence.")
    code = serializers.CharField(help_text="A stable code for the error, e.g. invalid_choice.")

    class Meta:
        ref_name = "FieldError"


class ValidationProblemSerializer(ProblemSerializer):
    """A problem detail for invalid input, naming each invalid field."""

    errors = FieldErrorSerializer(many=True, help_text="One entry per invalid field.")

    class Meta:
        ref_name = "ValidationProblem"


#: What each error status means on the public read API.
PUBLIC_PROBLEMS = {
    400: "A query parameter has a value outside its choices or of the wrong form (or a "
    "header or parameter contains a NUL character); `errors` names each one.",
    401: "Credentials were sent but are not valid (an unknown token or API key). Public "
    "endpoints need none: send no Authorization header to read anonymously.",
    404: "Nothing published at this path (unknown or unpublished slug, or a page past the end).",
    406: "The Accept header or `?format=` asks for a representation this endpoint does not render.",
    413: "The request carried a body larger than 1 MB.",
}


#: The 400 of an endpoint without filters.
NOT_STORABLE_INPUT = (
    "A header or query parameter contains a NUL character; `errors` names it."
)


def problem_responses(*statuses: int, descriptions: dict[int, str] | None = None) -> dict:
    """extend_schema `responses` entries for these error statuses, as problem+json."""
    descriptions = {**PUBLIC_PROBLEMS, **(descriptions or {})}
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ValidationProblemSerializer if status == 400 else ProblemSerializer,
            description=descriptions[status],
        )
        for status in statuses
    }


LIST_PROBLEMS = problem_responses(400, 401, 404, 406, 413)
DETAIL_PROBLEMS = problem_responses(
    400, 401, 404, 406, 413, descriptions={400: NOT_STORABLE_INPUT}
)

#: The response of GET /api/v1/: every public endpoint by name.
ApiIndexSerializer = inline_serializer(
    name="ApiIndex",
    fields={
        name: serializers.URLField(help_text=help_text)
        for name, help_text in [
            *((spec.path, spec.summary) for spec in registry),
            ("search", "Ranked search across every type (?q=)."),
            ("changes", "The change feed: what was published, updated or unpublished, for "
             "mirrors."),
            ("lookup", "Published content for clinical codes (?code=, HL7 Infobutton)."),
            ("schema", "This API's OpenAPI 3 schema (YAML; ?format=json for JSON)."),
            ("docs", "Interactive documentation (Swagger UI)."),
            ("redoc", "Reference documentation (ReDoc)."),
        ]
    },
)
