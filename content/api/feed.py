"""GET /api/v1/changes/: the public change feed (docs/api.md#the-change-feed), for mirrors.

The reads (cursors, gap-free pages, scheduled expiries) live in `content/changes.py`; this view
parses the query, answers 304 to a matching If-None-Match, and documents the contract.
"""

import hashlib
import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from content.api.pagination import whole_number_parse
from content.api.parameters import StrictQueryParametersMixin
from content.api.schema import problem_responses
from content.caching.etags import if_none_match
from content.changes import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, InvalidCursor, changes_since
from content.choices import ChangeAction
from content.types import registry

#: A page that is not full may grow, so caches revalidate it (cheaply, with its ETag);
#: a full page can never change.
PARTIAL_PAGE_CACHE = "public, max-age=0, must-revalidate"
FULL_PAGE_CACHE = "public, max-age=86400, immutable"


class ChangeEntrySerializer(serializers.Serializer):
    """One entry of the change feed; a tombstone (`unpublished`) carries no content."""

    type = serializers.ChoiceField(choices=registry.choices(), help_text="Content type.")
    slug = serializers.SlugField(help_text="The item's slug; fetch it from its detail endpoint.")
    action = serializers.ChoiceField(
        choices=ChangeAction.choices,
        help_text="`published`: the item became publicly visible (for the first time, or again "
        "after it was unpublished or expired) — fetch and store it. `updated`: its public "
        "representation changed (a new revision went live, or an item it shows was published, "
        "changed, unpublished or expired) — fetch it again. `unpublished`: it was withdrawn or "
        "its expire_at passed — delete your copy. A fetch that answers 404 is normal: the item "
        "was withdrawn since, and a later entry says so.",
    )
    cursor = serializers.CharField(
        help_text="Opaque position of this entry; pass it as `since` to read what follows."
    )
    at = serializers.DateTimeField(
        help_text="When it happened (for an expiry: the item's expire_at), ISO 8601 with offset."
    )

    class Meta:
        ref_name = "ChangeEntry"


class ChangeFeedSerializer(serializers.Serializer):
    """A page of the change feed, oldest first."""

    results = ChangeEntrySerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True,
        help_text="Pass as `since` to read on: the last entry's cursor, or the `since` you sent "
        "when nothing is new; null only when the feed is empty and no `since` was sent.",
    )

    class Meta:
        ref_name = "ChangeFeed"


FEED_EXAMPLE = {
    "results": [
        {
            "type": "article",
            "slug": "hip-problems-and-knee-pain",
            "action": "published",
            "cursor": "YzEuMTc3MjQ0MjAwMDAwMDAwMC4x",
            "at": "2026-03-02T09:00:00+00:00",
        },
        {
            "type": "symptom",
            "slug": "stiffness",
            "action": "unpublished",
            "cursor": "YzEuMTc3MjQ0MjYwMDAwMDAwMC4y",
            "at": "2026-03-02T09:10:00+00:00",
        },
    ],
    "next_cursor": "YzEuMTc3MjQ0MjYwMDAwMDAwMC4y",
}


class ChangeFeedView(StrictQueryParametersMixin, APIView):
    """The change feed: what was published, updated or unpublished, in order."""

    permission_classes = [AllowAny]

    def accepted_query_parameters(self):
        return ["since", "page_size", "compact"]

    @extend_schema(
        operation_id="changes_list",
        summary="What changed since a cursor",
        description=(
            "Every time an item becomes publicly visible, gets a new live revision, shows "
            "another item that changed (an article's links, a condition's causes, a cause's "
            "conditions), or stops being visible (unpublished, or its expire_at passed), an "
            "entry is appended here. "
            "Entries come oldest first with an opaque, monotonic cursor. Read from the start "
            "(no `since`), then pass `next_cursor` as `since` until a page has fewer than "
            "`page_size` entries; apply `published`/`updated` by fetching the item's detail and "
            "`unpublished` by deleting it (a fetch answering 404 is normal: the item was "
            "withdrawn since). Replaying the feed from the start gives exactly what the public "
            "API shows; `compact=true` makes a fresh start read one entry per live item. An "
            "expiry appears at the second it takes effect. "
            "A page that is not full answers `Cache-Control: public, max-age=0, "
            "must-revalidate` and its `ETag` changes as entries arrive (send `If-None-Match` for "
            "a 304); a full page never changes and is cacheable for a day. Webhooks "
            "(/api/v1/editorial/webhooks/) push the same entries."
        ),
        tags=["changes"],
        parameters=[
            OpenApiParameter(
                "since",
                str,
                description="A `cursor` or `next_cursor` from this feed: return entries after "
                "it. Omit (or leave empty) to start from the beginning. Anything else → 400.",
            ),
            OpenApiParameter(
                "compact",
                bool,
                description="`true`: only each item's newest entry after `since`, and from the "
                "start (no `since`) no tombstones: a fresh mirror reads one `published` or "
                "`updated` entry per item that is live now, then goes on with the `next_cursor` "
                "it ends with (compacted or not). A compacted page is never cached as immutable. "
                "Default `false`.",
            ),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Entries per page: default {DEFAULT_PAGE_SIZE}; values above "
                f"{MAX_PAGE_SIZE} are capped at {MAX_PAGE_SIZE}.",
            ),
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of the page you hold (or `*`): 304 without a body while "
                "it is current (weak comparison).",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description="Validator of this page's entries and next_cursor.",
            ),
            OpenApiParameter(
                "Cache-Control",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description=f"`{PARTIAL_PAGE_CACHE}` for a page that is not full (it may "
                f"grow); `{FULL_PAGE_CACHE}` for a full page (it never changes).",
            ),
        ],
        responses={
            200: OpenApiResponse(ChangeFeedSerializer, description="A page of the feed."),
            304: OpenApiResponse(description="If-None-Match named the page's current ETag."),
            **problem_responses(
                400,
                406,
                413,
                descriptions={
                    400: "`since` is not a cursor from this feed, `page_size` is not a whole "
                    "number of at least 1, `compact` is not `true` or `false`, or a query "
                    "parameter is unknown; `errors` names the parameter."
                },
            ),
        },
        examples=[OpenApiExample("A page", value=FEED_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        size = whole_number_parse(request.query_params.get("page_size"), name="page_size",
                                  default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        since = request.query_params.get("since") or None
        compact = request.query_params.get("compact", "false")
        if compact not in ("true", "false"):
            raise ValidationError({"compact": ["Must be `true` or `false`."]})
        try:
            page = changes_since(cursor=since, limit=size, compact=compact == "true")
        except InvalidCursor as error:
            raise ValidationError({"since": [str(error)]}) from error
        body = {"results": page.entries, "next_cursor": page.next_cursor}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
        etag = f'"{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"'
        headers = {
            "ETag": etag,
            "Cache-Control": FULL_PAGE_CACHE if page.full else PARTIAL_PAGE_CACHE,
        }
        if if_none_match(request.headers.get("If-None-Match"), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(body, headers=headers)
