"""Page-number pagination: `page`, `page_size` (default 20, capped at 100).

`whole_number_parse` is the one reading of `page` and `page_size` (here and in the change
feed, content/api/feed.py): absent is the default, 0 or not a whole number is 400.
"""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def whole_number_parse(
    raw: str | None, *, name: str, default: int, maximum: int | None = None
) -> int:
    """The query parameter `name` (`raw`, None when absent) as a whole number of at least 1:
    `default` when absent, capped at `maximum`; otherwise a 400 naming `name`."""
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() is also true of "²" (which int() refuses) and "٣".
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValidationError({name: ["Enter a whole number of at least 1."]})
    return int(raw) if maximum is None else min(int(raw), maximum)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = (
        "Results per page: default 20; values above 100 are capped at 100; 0 or not a number "
        "is 400."
    )
    page_query_description = (
        "1-based page number (default 1); a page past the end is 404; 0 or not a number is 400."
    )
    invalid_page_message = "Page {page_number} is past the end of the results."

    def get_page_size(self, request):
        return whole_number_parse(request.query_params.get(self.page_size_query_param),
                                  name=self.page_size_query_param, default=self.page_size,
                                  maximum=self.max_page_size)

    def get_page_number(self, request, paginator):
        # An empty `page=` is the first page (links built by clients often end that way).
        return whole_number_parse(request.query_params.get(self.page_query_param) or None,
                                  name=self.page_query_param, default=1)
