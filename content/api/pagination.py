"""Page-number pagination: `page`, `page_size` (default 20, capped at 100)."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


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
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page_size": ["Enter a whole number of at least 1."]})
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "":
            return 1
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": ["Enter a whole number of at least 1."]})
        return int(raw)
