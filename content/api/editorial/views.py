"""The editorial API: drafts, revisions, diffs, reverts, reviews, publishing and the audit
trail of every content type, under /api/v1/editorial/<type>/.

HTTP only: each write calls one service; `If-Match` (content/api/preconditions.py) must name
the latest revision's ETag, which becomes the service's `expected_revision`, and the services'
domain errors become problem+json in content/api/errors.py.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from content.api.editorial.serializers import (
    DiffSerializer,
    EventSerializer,
    PublishSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    RevisionDetailSerializer,
    RevisionSerializer,
    SubmitSerializer,
    editorial_serializer,
    write_serializer,
)
from content.api.errors import PreconditionFailed
from content.api.permissions import HasEditorialRole
from content.api.preconditions import if_match_require
from content.api.schema import problem_responses
from content.choices import EditorialStatus
from content.exceptions import StaleRevision
from content.models import Document, EditorialEvent, Review, Revision
from content.selectors import (
    approved_revision_ids,
    deciding_review,
    deciding_reviews,
    document_live_revision_number,
    document_status,
    revision_content,
    revision_diff,
    snapshot_diff,
)
from content.services import permissions
from content.services.publishing import document_unpublish, revision_publish, schedule_cancel
from content.services.reviews import review_request, review_submit
from content.services.versioning import document_create, revision_create, revision_revert
from content.types import registry


def revision_etag(number: int) -> str:
    """The ETag of an editorial resource names its latest revision."""
    return f'"rev-{number}"'


def expected_revision(request, document: Document) -> int:
    """The latest revision's number, when If-Match names its ETag (428, 400 or 412 if not)."""
    number = document.latest_revision.number
    if_match_require(request, revision_etag(number))
    return number


def precondition_failed(error: StaleRevision) -> PreconditionFailed:
    """A revision written between our If-Match check and the service's locked one: 412 with
    the new latest ETag, as when If-Match names an older revision."""
    return PreconditionFailed(error.detail, etag=revision_etag(error.latest))


EDITORIAL_PROBLEMS = {
    400: "The body or a parameter is not valid; `errors` names each field (a duplicate slug, "
    "an unknown field, a value outside its choices, a link to an item that does not exist, "
    "a `page` or `page_size` that is not a whole number of at least 1).",
    401: "No or invalid credentials: send `Authorization: Token <key>` (or an admin session).",
    403: "Your account lacks the role this action needs, or you would approve content you "
    "authored (this revision, or another with the same content since someone else approved "
    "it).",
    404: "No item of this type with this slug, no such revision, or a page past the end.",
    409: "Not possible in the current state: the revision is not approved as it is, it links "
    "to items never published, nothing is published to withdraw, or an edit or revert would "
    "not change the content (`no_changes`; nothing was saved).",
    412: "If-Match names no ETag of the latest revision (an older revision's, another "
    "resource's, or a weak `W/` tag, which never matches: If-Match compares strongly); nothing "
    "was saved. The response's ETag header names the latest revision.",
    413: "The request body is larger than 1 MB.",
    428: "If-Match is missing (or `*`): send the ETag of the revision you edited.",
}


def problems(*statuses: int) -> dict:
    return problem_responses(*statuses, descriptions=EDITORIAL_PROBLEMS)


READ_ERRORS = problems(401, 403, 404)
#: A paginated history: `page`/`page_size` of the wrong form are 400, a page past the end 404.
PAGE_ERRORS = problems(400, 401, 403, 404)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the latest revision you loaded, e.g. "rev-3" (a list of entity '
    "tags is accepted; `*` is not; a value that is not a list of entity tags is 400).",
)


class EditorialViewSet(viewsets.GenericViewSet):
    """Editorial operations on one content type (a subclass per type sets `content_type`)."""

    content_type: str = ""
    type_path: str = ""
    permission_classes = [HasEditorialRole]
    #: The editorial permission each write needs (the services check it again).
    required_actions = {
        "create": permissions.CREATE,
        "partial_update": permissions.EDIT,
        "revert": permissions.REVERT,
        "review_create": permissions.REVIEW,
        "submit": permissions.SUBMIT,
        "publish": permissions.PUBLISH,
        "unpublish": permissions.UNPUBLISH,
        "cancel_schedule": permissions.CANCEL_SCHEDULE,
    }
    lookup_field = "slug"
    filter_backends = []

    def get_queryset(self):
        return Document.objects.of_type(self.content_type).for_editorial().order_by("slug")

    def get_document(self) -> Document:
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get_revision(self, document: Document, number) -> Revision:
        return get_object_or_404(
            Revision.objects.select_related("document", "author__editor_profile"),
            document=document,
            number=number,
        )

    # --- representation ---------------------------------------------------------------------

    def state(self, document: Document, latest: Revision | None = None) -> dict:
        latest = latest or document.latest_revision
        return self._state(document, latest, deciding_review(latest))

    def _state(self, document: Document, latest: Revision, review: Review | None) -> dict:
        live_number = document_live_revision_number(document)
        scheduled = document.scheduled_revision
        return {
            **revision_content(latest, type_=document.type),
            "type": document.type,
            "url": self.request.build_absolute_uri(
                reverse(f"api:editorial:{self.type_path}-detail", kwargs={"slug": document.slug})
            ),
            "status": document_status(document),
            "latest_revision": latest.number,
            "live_revision": live_number,
            "has_unpublished_changes": live_number != latest.number,
            "scheduled_revision": scheduled.number if scheduled else None,
            "go_live_at": document.go_live_at,
            "expire_at": document.expire_at,
            "scheduled_expire_at": document.scheduled_expire_at,
            "first_published_at": document.first_published_at,
            "last_published_at": document.last_published_at,
            "latest_review": ReviewSerializer(review).data if review else None,
        }

    def detail_response(self, document: Document, status_code=status.HTTP_200_OK, **kwargs):
        document = Document.objects.for_editorial().select_related(
            "scheduled_revision"
        ).get(pk=document.pk)
        serializer = editorial_serializer(self.content_type)(self.state(document))
        response = Response(serializer.data, status=status_code, **kwargs)
        response["ETag"] = revision_etag(document.latest_revision.number)
        return response

    def revision_context(self, document: Document, revisions) -> dict:
        ids = {r.pk for r in revisions} | {r.parent_id for r in revisions} | {
            r.reverted_from_id for r in revisions
        }
        ids.discard(None)
        numbers = dict(Revision.objects.filter(pk__in=ids).values_list("pk", "number"))
        return {
            "request": self.request,
            "type_path": self.type_path,
            "numbers": numbers,
            "live_revision_id": document.live_revision_id
            if document_status(document) == EditorialStatus.PUBLISHED
            else None,
            # Approved as publishing decides it (content.rules.is_approved).
            "approved_ids": approved_revision_ids(revisions),
        }

    def validated(self, serializer_class, data=None):
        serializer = serializer_class(data=self.request.data if data is None else data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def request_object(self) -> dict:
        if not isinstance(self.request.data, dict):
            raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
        return dict(self.request.data)

    # --- collection -------------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        status_filter = request.query_params.get("status")
        if status_filter is not None:
            if status_filter not in EditorialStatus.values:
                raise ValidationError({"status": [
                    f"Select one of: {', '.join(EditorialStatus.values)}."
                ]})
            # As `status` reads: a published item past its expire_at is expired.
            queryset = queryset.with_status(status_filter)
        page = self.paginate_queryset(queryset.select_related("scheduled_revision"))
        latest_reviews = deciding_reviews([d.latest_revision for d in page])
        data = [
            editorial_serializer(self.content_type)(
                self._state(doc, doc.latest_revision, latest_reviews.get(doc.latest_revision_id))
            ).data
            for doc in page
        ]
        return self.get_paginated_response(data)

    def create(self, request, *args, **kwargs):
        data = self.request_object()
        change_note = data.pop("change_note", "")
        revision = document_create(
            type_=self.content_type, data=data, author=request.user, change_note=change_note
        )
        response = self.detail_response(revision.document, status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response

    # --- one item ---------------------------------------------------------------------------

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_document())

    def partial_update(self, request, *args, **kwargs):
        document = self.get_document()
        expected = expected_revision(request, document)
        data = self.request_object()
        change_note = data.pop("change_note", "")
        try:
            revision_create(
                document=document,
                data=data,
                author=request.user,
                expected_revision=expected,
                change_note=change_note,
            )
        except StaleRevision as error:
            raise precondition_failed(error) from error
        return self.detail_response(document)

    # --- history ----------------------------------------------------------------------------

    def revisions(self, request, *args, **kwargs):
        document = self.get_document()
        page = self.paginate_queryset(
            Revision.objects.filter(document=document)
            .select_related("document", "author__editor_profile")
            .order_by("-number")
        )
        serializer = RevisionSerializer(page, many=True,
                                        context=self.revision_context(document, page))
        return self.get_paginated_response(serializer.data)

    def revision(self, request, *args, **kwargs):
        document = self.get_document()
        revision = self.get_revision(document, kwargs["number"])
        context = self.revision_context(document, [revision])
        return Response(RevisionDetailSerializer(revision, context=context).data)

    def diff(self, request, *args, **kwargs):
        document = self.get_document()
        newer = self.get_revision(document, kwargs["number"])
        against = request.query_params.get("against")
        if against is None:
            against_number = newer.number - 1
        elif against.isdigit() and int(against) >= 1:
            against_number = int(against)
        else:
            raise ValidationError({"against": ["Enter a revision number (a whole number ≥ 1)."]})
        if against_number == 0:
            changes = snapshot_diff({}, revision_content(newer))
            return Response({"from": None, "to": newer.number, "changes": changes})
        older = Revision.objects.filter(document=document, number=against_number).first()
        if older is None:
            raise ValidationError({"against": [f"There is no revision {against_number}."]})
        return Response(
            {"from": older.number, "to": newer.number, "changes": revision_diff(older, newer)}
        )

    def revert(self, request, *args, **kwargs):
        document = self.get_document()
        target = self.get_revision(document, kwargs["number"])
        expected = expected_revision(request, document)
        try:
            revision_revert(
                document=document, revision=target, author=request.user,
                expected_revision=expected,
            )
        except StaleRevision as error:
            raise precondition_failed(error) from error
        response = self.detail_response(document, status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response

    # --- review and publishing --------------------------------------------------------------

    def reviews(self, request, *args, **kwargs):
        document = self.get_document()
        page = self.paginate_queryset(
            Review.objects.filter(revision__document=document)
            .select_related("revision", "reviewer__editor_profile")
            .order_by("-created_at", "-id")
        )
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)

    def review_create(self, request, *args, **kwargs):
        document = self.get_document()
        data = self.validated(ReviewCreateSerializer)
        revision = self.get_revision_or_400(document, data["revision"])
        review = review_submit(
            revision=revision,
            reviewer=request.user,
            decision=data["decision"],
            comment=data.get("comment", ""),
            next_review_due=data.get("next_review_due"),
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    def submit(self, request, *args, **kwargs):
        document = self.get_document()
        data = self.validated(SubmitSerializer, data=request.data or {})
        number = data.get("revision") or document.latest_revision.number
        review_request(revision=self.get_revision_or_400(document, number), user=request.user,
                       comment=data.get("comment", ""))
        return self.detail_response(document)

    def get_revision_or_400(self, document: Document, number: int) -> Revision:
        revision = (
            Revision.objects.select_related("document")
            .filter(document=document, number=number)
            .first()
        )
        if revision is None:
            raise ValidationError({"revision": [f"There is no revision {number}."]})
        return revision

    def publish(self, request, *args, **kwargs):
        document = self.get_document()
        data = self.validated(PublishSerializer, data=request.data or {})
        number = data.get("revision") or document.latest_revision.number
        revision = self.get_revision_or_400(document, number)
        revision_publish(
            revision=revision,
            user=request.user,
            go_live_at=data.get("go_live_at"),
            expire_at=data.get("expire_at"),
        )
        return self.detail_response(document)

    def unpublish(self, request, *args, **kwargs):
        document = self.get_document()
        document_unpublish(document=document, user=request.user)
        return self.detail_response(document)

    def cancel_schedule(self, request, *args, **kwargs):
        document = self.get_document()
        schedule_cancel(document=document, user=request.user)
        return self.detail_response(document)

    def events(self, request, *args, **kwargs):
        document = self.get_document()
        page = self.paginate_queryset(
            EditorialEvent.objects.filter(document=document)
            .select_related("actor", "revision")
            .order_by("-at", "-id")
        )
        return self.get_paginated_response(EventSerializer(page, many=True).data)


def _schema(viewset: type[EditorialViewSet]) -> None:
    """Attach per-type OpenAPI documentation to a viewset's actions."""
    type_ = viewset.content_type
    label = registry[type_].label.lower()
    tag = "editorial"
    detail = editorial_serializer(type_)
    write = write_serializer(type_)
    documented = {
        "list": {
            "summary": f"List {label} documents (drafts included)",
            "parameters": [OpenApiParameter(
                "status", OpenApiTypes.STR, enum=EditorialStatus.values,
                description="Only items in this editorial status.",
            )],
            "responses": {200: detail(many=True), **problems(400, 401, 403, 404)},
        },
        "create": {
            "summary": f"Create a {label} as draft revision 1 (editors)",
            "request": write,
            "responses": {
                201: OpenApiResponse(detail, description="Created; ETag and Location set."),
                **problems(400, 401, 403, 413),
            },
        },
        "retrieve": {
            "summary": f"The latest revision of a {label}, with editorial state",
            "responses": {
                200: OpenApiResponse(detail, description="ETag names the latest revision."),
                **READ_ERRORS,
            },
        },
        "partial_update": {
            "summary": f"Edit a {label}: a new revision (editors; needs If-Match)",
            "description": "Fields not sent keep their value; an article's `sections`, when sent, "
            "replace the whole list. The live content does not change until a revision is "
            "published. An edit that leaves the content as it is (an empty body, a change "
            "note alone) is refused with 409 `no_changes` and stores nothing.",
            "request": write,
            "parameters": [IF_MATCH],
            "responses": {200: detail, **problems(400, 401, 403, 404, 409, 412, 413, 428)},
        },
        "revisions": {
            "summary": f"History of a {label}, newest first",
            "responses": {200: RevisionSerializer(many=True), **PAGE_ERRORS},
        },
        "revision": {
            "summary": "One revision with its snapshot",
            "responses": {200: RevisionDetailSerializer, **READ_ERRORS},
        },
        "diff": {
            "summary": "Field-level changes between two revisions",
            "parameters": [OpenApiParameter(
                "against", OpenApiTypes.INT,
                description="The revision to compare with; default the one before.",
            )],
            "responses": {200: DiffSerializer, **problems(400, 401, 403, 404)},
        },
        "revert": {
            "summary": "Revert: a new draft revision equal to this one (editors; needs If-Match)",
            "description": "409 `no_changes` (nothing stored) when the latest revision already "
            "has this revision's content.",
            "request": None,
            "parameters": [IF_MATCH],
            "responses": {201: detail, **problems(400, 401, 403, 404, 409, 412, 428)},
        },
        "reviews": {
            "summary": f"Clinical reviews of a {label}, newest first",
            "responses": {200: ReviewSerializer(many=True), **PAGE_ERRORS},
        },
        "review_create": {
            "summary": "Approve or request changes to a revision (medical_reviewers)",
            "description": "A review is bound to the revision's content hash, so it never "
            "carries over to other content. A reviewer cannot approve content they authored "
            "(403): the revision itself, or any revision of the item with the same content "
            "hash since another reviewer last approved that content.",
            "request": ReviewCreateSerializer,
            "responses": {201: ReviewSerializer, **problems(400, 401, 403, 404)},
        },
        "submit": {
            "summary": f"Submit a {label}'s latest revision for medical review (editors)",
            "description": "Records `review_requested` in the audit trail with the note for "
            "the reviewer; the admin's \"Submit for review\" does the same. 409 when the "
            "revision is not the latest, already awaits review or is already approved.",
            "request": SubmitSerializer,
            "responses": {200: detail, **problems(400, 401, 403, 404, 409)},
            "examples": [OpenApiExample("With a note", value={
                "comment": "Updated the recovery timeline; please check the weeks."},
                request_only=True)],
        },
        "publish": {
            "summary": f"Publish or schedule a {label} (publishers)",
            "description": "Refused with 409 unless that exact revision is approved by a medical "
            "reviewer who did not author its content, or when it links to items never "
            "published. A future go_live_at schedules it.",
            "request": PublishSerializer,
            "responses": {200: detail, **problems(400, 401, 403, 404, 409)},
            "examples": [OpenApiExample("Schedule", value={
                "revision": 2, "go_live_at": "2026-12-01T09:00:00Z"}, request_only=True)],
        },
        "unpublish": {
            "summary": f"Withdraw a {label} from the public API (publishers)",
            "request": None,
            "responses": {200: detail, **problems(401, 403, 404, 409)},
        },
        "cancel_schedule": {
            "summary": "Cancel the scheduled publication; what is live stays (publishers)",
            "description": "Clears `scheduled_revision`, `go_live_at` and "
            "`scheduled_expire_at`; what is live stays live. 409 when nothing is scheduled. "
            "Recorded as `schedule_cancelled` in the audit trail.",
            "request": None,
            "responses": {200: detail, **problems(401, 403, 404, 409)},
        },
        "events": {
            "summary": "Audit trail: who did what, when, to which revision",
            "responses": {200: EventSerializer(many=True), **PAGE_ERRORS},
        },
    }
    operation_prefix = "editorial_" + viewset.type_path.replace("-", "_")
    for action, schema in documented.items():
        decorator = extend_schema(operation_id=f"{operation_prefix}_{action}", **schema)
        method = getattr(viewset, action)

        def wrapper(self, request, *args, __method=method, **kwargs):
            return __method(self, request, *args, **kwargs)

        wrapper.__name__ = action
        wrapper.__doc__ = method.__doc__
        setattr(viewset, action, decorator(wrapper))
    extend_schema(tags=[tag])(viewset)


def editorial_viewsets() -> dict[str, type[EditorialViewSet]]:
    """One documented viewset class per type path."""
    viewsets_by_path = {}
    for spec in registry:
        viewset = type(f"{spec.camel}EditorialViewSet", (EditorialViewSet,),
                       {"content_type": spec.name, "type_path": spec.path,
                        "__module__": __name__})
        _schema(viewset)
        viewsets_by_path[spec.path] = viewset
    return viewsets_by_path

