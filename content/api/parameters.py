"""Strict query parameters (docs/api.md#query-parameters): a public endpoint answers a query
parameter it does not take with 400 problem+json naming it and listing the ones it takes, so
a client's typo (`?urgncy=immediate`) never passes silently as an unfiltered list.

Each view says what it takes through `accepted_query_parameters()`; the public viewsets derive
it from their FilterSet and pagination (lists) or their mixins' `detail_parameters` (details
and sections). DRF's `format` is taken everywhere.
"""

from collections.abc import Iterable

from rest_framework.exceptions import ErrorDetail, ValidationError

#: Taken by every endpoint: DRF's format override (`?format=json`).
EVERYWHERE = ("format",)
UNKNOWN_PARAMETER = "unknown_parameter"


def query_parameters_check(query_params, accepted: Iterable[str]) -> None:
    """A 400 naming every query parameter not in `accepted` (nor taken everywhere)."""
    taken = [*dict.fromkeys([*accepted, *EVERYWHERE])]
    unknown = [name for name in query_params if name not in taken]
    if unknown:
        listed = ", ".join(f"`{name}`" for name in taken)
        message = f"Unknown query parameter; this endpoint takes: {listed}."
        raise ValidationError(
            {name: [ErrorDetail(message, code=UNKNOWN_PARAMETER)] for name in unknown}
        )


class StrictQueryParametersMixin:
    """Refuse unknown query parameters once the request is authenticated and throttled."""

    def accepted_query_parameters(self) -> Iterable[str]:
        return ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        query_parameters_check(request.query_params, self.accepted_query_parameters())
