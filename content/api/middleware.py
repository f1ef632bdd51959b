"""Problem+json where Django would answer /api/ otherwise.

`RequestSizeLimitMiddleware` refuses request bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with
413: DRF parsers read the request stream directly, so Django's own check (made only for form
data and `request.body`) never fires for JSON; it looks at the declared Content-Length before
anything reads the body.

`RequestBodyLengthMiddleware` makes a body sent without Content-Length (Transfer-Encoding:
chunked) either read whole or refused: Django reads a body only up to CONTENT_LENGTH, so such a
body was silently taken as empty (a chunked PATCH stored an empty edit). Where the server
decodes the chunks and ends the input at the body's end (PEP 3333's `wsgi.input_terminated`,
which gunicorn sets) the body is read, up to DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond), and
handed on with its length; anywhere else (Django's runserver, `make run`) it is 411 Length
Required.

`CommonMiddleware` is Django's, except that a path missing its trailing slash is redirected
to the slashed URL only for GET and HEAD. Any other method gets a problem+json 404 naming the
URL to use, where Django answers a 500 under DEBUG (its APPEND_SLASH RuntimeError) and a 301
in production (which clients follow as a GET, or without the body).

`DebugNotFoundMiddleware` answers an unknown /api/ path with the same problem+json 404 as
production when DEBUG is on (`make run`), where Django would show its HTML debug page.
"""

import io

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, RequestDataTooBig
from django.core.handlers.wsgi import LimitedStream
from django.middleware import common
from django.urls import Resolver404, resolve
from django.utils.http import escape_leading_slashes

from content.api.errors import bad_request, length_required, not_found, slash_missing


class RequestBodyLengthMiddleware:
    """A body sent with Transfer-Encoding is read whole where the server ends it, else 411
    (see the module). Listed before anything that reads a body, and before the size limit."""

    #: Bytes read at a time from the server's decoded input.
    read_size = 64 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.META.get("HTTP_TRANSFER_ENCODING"):
            return self.get_response(request)
        if not request.environ.get("wsgi.input_terminated"):
            return length_required(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        stream, body = request.environ["wsgi.input"], bytearray()
        while chunk := stream.read(self.read_size):
            body += chunk
            if limit is not None and len(body) > limit:
                return bad_request(request, RequestDataTooBig())
        # What Django reads a body from (WSGIRequest made it from CONTENT_LENGTH, absent here).
        request.META["CONTENT_LENGTH"] = str(len(body))
        request._stream = LimitedStream(io.BytesIO(bytes(body)), len(body))
        return self.get_response(request)


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


class CommonMiddleware(common.CommonMiddleware):
    """Django's CommonMiddleware; a path missing its slash is redirected for GET and HEAD
    only (see the module)."""

    #: Methods without a body, which a redirect loses nothing of.
    redirected_methods = ("GET", "HEAD")

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and request.method not in self.redirected_methods
            and self.should_redirect_with_slash(request)
        ):
            url = escape_leading_slashes(request.get_full_path(force_append_slash=True))
            response = slash_missing(request, url)
            response.headers["Content-Length"] = str(len(response.content))
            return response
        return super().process_response(request, response)


class DebugNotFoundMiddleware:
    """Under DEBUG only (production's handler404 already answers problem+json): an /api/
    path that resolves to nothing gets the problem+json 404. Listed after CommonMiddleware,
    which still redirects a GET or HEAD of a path missing its slash when the slashed one
    exists (and answers other methods with a 404 naming it)."""

    prefix = "/api/"

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.prefix):
            try:
                resolve(request.path_info)
            except Resolver404:
                return not_found(request)
        return self.get_response(request)
