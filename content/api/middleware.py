"""Refuse request bodies over DATA_UPLOAD_MAX_MEMORY_SIZE under /api/ with 413 problem+json.

DRF parsers read the request stream directly, so Django's own DATA_UPLOAD_MAX_MEMORY_SIZE
check (made only for form data and `request.body`) never fires for JSON. This middleware
looks at the declared Content-Length before anything reads the body.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from content.api.errors import bad_request


class RequestSizeLimitMiddleware:
    prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith(self.prefix):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django reads an unparsable length as an empty body
            if length > limit:
                return bad_request(request, RequestDataTooBig())
        return self.get_response(request)
