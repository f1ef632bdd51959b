"""Page-number pagination: `page`, `page_size` (default 20, capped at 100)."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    page_size_query_description = "Results per page: default 20; values above 100 are capped at 100."
    page_query_description = "1-based page number; a page past the end is 404."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page_size": ["Enter a whole number of at least 1."]})
        return min(int(raw), self.max_page_size)
