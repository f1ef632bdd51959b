"""The editors' admin: every content item is a `Document` whose change form edits a draft.

The change list shows all six types with their editorial status, latest and live revision,
review state and next review date. The change form edits the LATEST REVISION's snapshot
(never the live row): saving calls `revision_create` with the revision number the form was
loaded from, so a stale save is refused and the editor's input stays on screen. The history
page lists revisions, compares any two field by field and reverts to any of them; workflow
buttons (submit for review, approve / request changes, publish, schedule, cancel the schedule,
unpublish) call the same services as the editorial API. Every screen needs an editorial role
(Django groups, `content.roles`) and the model permission the role's group carries.
"""

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from content import rules
from content.admin.display import (
    banner,
    content_title,
    day,
    person,
    preview,
    when,
)
from content.admin.forms.editor import SnapshotEditor, rows_add
from content.admin.forms.sections import ENTITY_TYPES
from content.admin.forms.types import SNAPSHOT_FORMS
from content.admin.forms.workflow import PublishForm, ReviewForm, SubmitForReviewForm
from content.admin.history import DocumentHistoryViews
from content.admin.preview import DocumentPreviewViews
from content.admin.workspace import DocumentWorkspaceViews
from content.choices import (
    BlockType,
    EditorialStatus,
    ReviewDecision,
    RevisionReviewState,
)
from content.exceptions import ContentError, ContentInvalid, NoChanges, StaleRevision
from content.models import Document
from content.readability import snapshot_readability
from content.roles import user_roles
from content.selectors import (
    content_authored_by,
    document_labels,
    document_status,
    documents_with_review_state,
    revision_content,
    revision_diff,
    revision_review_state,
)
from content.services import permissions
from content.services.publishing import document_unpublish, revision_publish, schedule_cancel
from content.services.reviews import review_request, review_submit
from content.services.versioning import document_create, revision_create
from content.snapshots import ALLOWED_TAGS, sanitise_removed
from content.types import FieldKind, registry

#: The editorial permission each workflow button needs (content/services/permissions.py,
#: which the service it calls checks again), and the form it submits.
WORKFLOW = {
    "submit": (permissions.SUBMIT, SubmitForReviewForm),
    "review": (permissions.REVIEW, ReviewForm),
    "publish": (permissions.PUBLISH, PublishForm),
    "schedule": (permissions.SCHEDULE, PublishForm),
    "unpublish": (permissions.UNPUBLISH, None),
    "cancel_schedule": (permissions.CANCEL_SCHEDULE, None),
}
#: Form prefix of each workflow form (publish and schedule share one form).
WORKFLOW_PREFIX = {"submit": "submit", "review": "review", "publish": "publish",
                   "schedule": "publish"}


def sanitised_notes(data: dict) -> list[str]:
    """What the sanitiser removed from each section body of submitted snapshot `data`, one
    sentence per section that lost something (`content.snapshots.sanitise_removed`)."""
    notes = []
    for position, section in enumerate(data.get("sections") or [], start=1):
        body = section["body"] if "body" in section else "".join(
            block["body"] for block in section.get("blocks") or ()
            if block.get("type") == BlockType.PARAGRAPH)
        removed = sanitise_removed(body or "")
        if removed:
            notes.append(
                f"Section {position} ({section.get('heading') or 'no heading'}): the sanitiser "
                f"removed {', '.join(removed)} from the body, as the allowed tags are only "
                f"{', '.join(sorted(ALLOWED_TAGS))}. The stored text is what History and "
                "compare shows."
            )
    return notes


# --- change list filters -----------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Editorial status, with expiry derived from expire_at as on every public read."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return EditorialStatus.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value in EditorialStatus.values:
            return queryset.with_status(value)
        return queryset


class ReviewStateFilter(admin.SimpleListFilter):
    """Where the latest revision stands in medical review (the rule of review_state_of)."""

    title = "review of the latest revision"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return RevisionReviewState.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value in RevisionReviewState.values:
            return queryset.filter(rules.review_state_q(value))
        return queryset


class ReviewDueFilter(admin.SimpleListFilter):
    """When the live content is due for its next medical review."""

    title = "next review"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("30d", "Due within 30 days"),
            ("never", "Live but never reviewed"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.filter(rules.overdue_q())
        if value == "30d":
            return queryset.filter(
                next_review_due__gte=today,
                next_review_due__lt=today + dt.timedelta(days=30),
            )
        if value == "never":
            return queryset.filter(live_revision__isnull=False, next_review_due__isnull=True)
        return queryset


# --- the admin --------------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(DocumentHistoryViews, DocumentWorkspaceViews, DocumentPreviewViews,
                    admin.ModelAdmin):
    list_display = (
        "title_column",
        "type",
        "slug",
        "status_column",
        "latest_column",
        "live_column",
        "review_column",
        "next_review_column",
    )
    list_display_links = ("title_column",)
    list_filter = ("type", StatusFilter, ReviewStateFilter, ReviewDueFilter)
    search_fields = ("slug",)  # widened to names and titles in get_search_results
    search_help_text = "Search by slug, title, name or text of the latest revision."
    list_per_page = 50
    ordering = ("type", "slug")
    actions = None

    # --- permissions: the services' editorial permission AND the model permission its -----
    # --- role's group carries (content/roles.py) ----------------------------------------------

    def _roles(self, request) -> frozenset[str]:
        return user_roles(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return permissions.VIEW.allows(request.user) and request.user.has_perm(
            "content.view_document"
        )

    def has_change_permission(self, request, obj=None):
        return permissions.EDIT.allows(request.user) and request.user.has_perm(
            "content.change_document"
        )

    def has_add_permission(self, request):
        return permissions.CREATE.allows(request.user) and request.user.has_perm(
            "content.add_document"
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revisions are append-only; unpublish withdraws an item

    # --- change list -----------------------------------------------------------------------

    def get_queryset(self, request):
        return documents_with_review_state(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(
            Q(slug__icontains=term)
            | Q(latest_revision__content__title__icontains=term)
            | Q(latest_revision__content__name__icontains=term)
            | Q(latest_revision__content__text__icontains=term)
        ), False

    @admin.display(description="Title or name")
    def title_column(self, obj):
        return content_title(obj.latest_revision.content) if obj.latest_revision else obj.slug

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        status = document_status(obj)
        colour = {
            EditorialStatus.PUBLISHED: "#2e7d32",
            EditorialStatus.SCHEDULED: "#1565c0",
        }.get(status, "#8d6e00")
        return format_html('<strong style="color:{}">{}</strong>', colour,
                           EditorialStatus(status).label)

    @admin.display(description="Latest", ordering="latest_revision__number")
    def latest_column(self, obj):
        if obj.latest_revision is None:
            return "—"
        live = self.live_column(obj)
        draft = live != "—" and obj.live_revision_id != obj.latest_revision_id
        return f"{obj.latest_revision.number} (draft)" if draft else obj.latest_revision.number

    @admin.display(description="Live", ordering="live_revision__number")
    def live_column(self, obj):
        if obj.live_revision is None or document_status(obj) != EditorialStatus.PUBLISHED:
            return "—"
        return obj.live_revision.number

    @admin.display(description="Review of latest")
    def review_column(self, obj):
        state = rules.review_state_of(obj.review_decision, obj.reviewed_at,
                                      obj.review_requested_at)
        return RevisionReviewState(state).label

    @admin.display(description="Next review due", ordering="next_review_due")
    def next_review_column(self, obj):
        due = obj.next_review_due
        if due is None:
            return "Not reviewed" if obj.live_revision_id else "—"
        if rules.is_review_overdue(due):
            return format_html(
                '<strong class="review-overdue" style="color:#ba2121">{} (overdue)</strong>',
                day(due),
            )
        return day(due)

    # --- URLs --------------------------------------------------------------------------------

    def get_urls(self):
        info = (self.opts.app_label, self.opts.model_name)
        wrap = self.admin_site.admin_view
        return [
            path("my-work/", wrap(self.my_work_view), name="{}_{}_my_work".format(*info)),
            path("<path:object_id>/preview/", wrap(self.preview_view),
                 name="{}_{}_preview".format(*info)),
            path("<path:object_id>/compare/", wrap(self.compare_view),
                 name="{}_{}_compare".format(*info)),
            path("<path:object_id>/revert/", wrap(self.revert_view),
                 name="{}_{}_revert".format(*info)),
            *super().get_urls(),
        ]

    def _url(self, name: str, document: Document) -> str:
        return reverse(f"admin:content_document_{name}", args=[document.pk],
                       current_app=self.admin_site.name)

    def _document(self, request, object_id) -> Document:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            pk = int(unquote(object_id))
        except ValueError:
            raise Http404("No such content item.") from None
        document = (
            Document.objects.select_related(
                "latest_revision__author__editor_profile", "live_revision", "scheduled_revision"
            )
            .filter(pk=pk)
            .first()
        )
        if document is None or document.latest_revision is None:
            raise Http404("No such content item.")
        for revision in (document.latest_revision, document.live_revision,
                         document.scheduled_revision):
            if revision is not None:
                revision.document = document  # revision_content reads the type from it
        return document

    def _context(self, request, document: Document | None, title: str, **extra) -> dict:
        request.current_app = self.admin_site.name
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "document": document,
            "original": document,
            "roles": self._roles(request),
            "has_view_permission": True,
            "has_change_permission": self.has_change_permission(request),
            **extra,
        }

    # --- change form: edit the latest revision, workflow buttons ----------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        document = self._document(request, object_id)
        if request.method == "POST":
            if "_workflow" in request.POST:
                return self._workflow(request, document)
            if not self.has_change_permission(request, document):
                raise PermissionDenied
            return self._save(request, document)
        return self._render_change(request, document)

    def _labels(self, type_: str) -> dict:
        """The items the type's form can link to: by its references, and from an article's
        section items, any entity."""
        fields = registry[type_].fields
        types = {f.refs_to for f in fields if f.kind is FieldKind.REFS}
        if any(f.kind is FieldKind.SECTIONS for f in fields):
            types |= set(ENTITY_TYPES)
        return document_labels(sorted(types)) if types else {}

    def _editor(self, request, document, data=None, labels=None) -> SnapshotEditor:
        latest = document.latest_revision
        return SnapshotEditor(
            document.type,
            data=data,
            content=revision_content(latest),
            expected_revision=latest.number,
            labels=self._labels(document.type) if labels is None else labels,
        )

    def _save(self, request, document: Document):
        more = rows_add(request.POST, request.POST.get("_more", ""))
        if more is not None:
            editor = self._editor(request, document, data=more)
            return self._render_change(request, document, editor=editor, more_rows=True)
        editor = self._editor(request, document, data=request.POST)
        if not editor.is_valid():
            return self._render_change(request, document, editor=editor)
        data = editor.to_snapshot()
        try:
            revision = revision_create(
                document=document,
                data=data,
                author=request.user,
                expected_revision=editor.expected_revision,
                change_note=editor.change_note,
            )
        except StaleRevision as error:
            document = self._document(request, str(document.pk))
            newest = document.latest_revision
            seen = document.revisions.filter(number=error.expected).first()
            stale = {
                "expected": error.expected,
                "latest": newest,
                "latest_author": person(newest.author) if newest.author_id else "the system",
                "latest_at": when(newest.created_at),
                "changes": revision_diff(seen, newest) if seen else [],
                "compare_url": f"{self._url('compare', document)}?from={error.expected}"
                               f"&to={newest.number}" if seen else None,
            }
            return self._render_change(request, document, editor=editor, stale=stale)
        except NoChanges as error:
            messages.info(request, error.detail)
            return HttpResponseRedirect(self._url("change", document))
        except ContentInvalid as error:
            editor.errors_apply(error.errors)
            return self._render_change(request, document, editor=editor)
        messages.success(
            request,
            f"Saved as draft revision {revision.number}. The public API still serves what "
            "was live before: a medical reviewer must approve this revision and a publisher "
            "must publish it.",
        )
        for note in sanitised_notes(data):
            messages.warning(request, note)
        return HttpResponseRedirect(self._url("change", document))

    def _workflow(self, request, document: Document):
        action = request.POST.get("_workflow")
        if action not in WORKFLOW:
            raise PermissionDenied
        permission, form_class = WORKFLOW[action]
        if not permission.allows(request.user):
            raise PermissionDenied
        form = revision = None
        if form_class is not None:
            form = form_class(request.POST, prefix=WORKFLOW_PREFIX[action])
            if not form.is_valid():
                return self._render_change(request, document, workflow_forms={action: form})
            revision = document.revisions.filter(number=form.cleaned_data["revision"]).first()
            if revision is None:
                raise Http404("No such revision.")
        try:
            message = self._workflow_run(request, document, action, form, revision)
        except ContentInvalid as error:
            for entry in error.errors:
                field = entry["field"] if entry["field"] in form.fields else None
                form.add_error(field, entry["message"])
            return self._render_change(request, document, workflow_forms={action: form})
        except ContentError as error:
            return self._render_change(
                request, document, workflow_forms={action: form} if form else {},
                workflow_error=error.detail,
            )
        if message is None:  # the form itself was refused
            return self._render_change(request, document, workflow_forms={action: form})
        messages.success(request, message)
        return HttpResponseRedirect(self._url("change", document))

    def _workflow_run(self, request, document, action, form, revision) -> str | None:
        user = request.user
        if action == "submit":
            review_request(revision=revision, user=user, comment=form.cleaned_data["comment"])
            return f"Revision {revision.number} was submitted for medical review."
        if action == "review":
            data = form.cleaned_data
            review = review_submit(
                revision=revision,
                reviewer=user,
                decision=data["decision"],
                comment=data["comment"],
                next_review_due=data["next_review_due"],
            )
            if review.decision == ReviewDecision.APPROVED:
                return (f"You approved revision {revision.number}; next review due "
                        f"{day(review.next_review_due)}.")
            return f"You requested changes to revision {revision.number}."
        if action == "unpublish":
            document_unpublish(document=document, user=user)
            return "Unpublished: the public API no longer shows this item. Its history is kept."
        if action == "cancel_schedule":
            number = document.scheduled_revision.number
            schedule_cancel(document=document, user=user)
            return f"The schedule of revision {number} is cancelled; nothing else changed."
        data = form.cleaned_data
        if action == "schedule":
            if data["go_live_at"] is None:
                form.add_error("go_live_at", "Choose when it should go live.")
                return None
            if data["go_live_at"] <= timezone.now():
                form.add_error("go_live_at", "Choose a time in the future, or use Publish now.")
                return None
            revision_publish(revision=revision, user=user, go_live_at=data["go_live_at"],
                             expire_at=data["expire_at"])
            return (f"Revision {revision.number} is scheduled to go live at "
                    f"{when(data['go_live_at'])}.")
        revision_publish(revision=revision, user=user, expire_at=data["expire_at"])
        return f"Revision {revision.number} is live: the public API serves it now."

    def _render_change(
        self, request, document: Document, *, editor=None, stale=None, workflow_forms=None,
        workflow_error=None, more_rows=False,
    ):
        latest = document.latest_revision
        content = revision_content(latest)
        review = revision_review_state(latest)
        status = document_status(document)
        allowed = permissions.allowed_actions(request.user)
        labels = self._labels(document.type)
        read_only = None
        if editor is None and self.has_change_permission(request, document):
            editor = self._editor(request, document, labels=labels)
        elif editor is None:
            read_only = preview(content, SNAPSHOT_FORMS[document.type].snapshot_fields, labels)
        forms = {
            "submit": SubmitForReviewForm(prefix="submit", initial={"revision": latest.number}),
            "review": ReviewForm(prefix="review", initial={"revision": latest.number}),
            "publish": PublishForm(prefix="publish", initial={"revision": latest.number}),
        }
        for action, form in (workflow_forms or {}).items():
            forms[WORKFLOW_PREFIX[action]] = form
        live = document.live_revision if status == EditorialStatus.PUBLISHED else None
        readability = snapshot_readability(document.type, content)
        if editor is not None and editor.sections is not None:
            by_kind = {s["kind"]: s["readability"] for s in readability["sections"]}
            for section in editor.sections:
                section.readability = by_kind.get(section.initial.get("kind"))
                # A section the person changed or that has errors stays open.
                more = request.POST.get("_more", "") if more_rows else ""
                section.attention = section.is_bound and bool(
                    section.has_changed() or section.errors or section.items.total_error_count()
                    or more == section.items.prefix
                    or (more == "sections" and section is editor.sections.forms[-1])
                )
        context = self._context(
            request,
            document,
            title=f"{registry[document.type].label}: {content_title(content)}",
            editor=editor,
            preview=read_only,
            readability=readability,
            latest=latest,
            content=content,
            status=status,
            status_label=EditorialStatus(status).label,
            banner=banner(document, latest, status, review),
            review=review,
            review_approved=review.state == RevisionReviewState.APPROVED,
            review_label=RevisionReviewState(review.state).label,
            can_submit=review.state in (RevisionReviewState.NOT_SUBMITTED,
                                        RevisionReviewState.CHANGES_REQUESTED),
            # For reviewers only (the hint is in their form): one query.
            authored_latest="review" in allowed
            and bool(content_authored_by(latest, request.user)),
            can_unpublish=document.live_revision_id is not None
            or document.scheduled_revision_id is not None,
            # Which workflow forms to show: what the services would allow this user.
            allowed_actions=allowed,
            is_editor="submit" in allowed,
            is_reviewer="review" in allowed,
            is_publisher="publish" in allowed,
            workflow_forms=forms,
            workflow_error=workflow_error,
            stale=stale,
            more_rows=more_rows,
            live=live,
            latest_is_live=live is not None and live.pk == latest.pk,
            public_url=(f"/api/v1/{registry[document.type].path}/{document.slug}/"
                        if live else None),
            history_url=self._url("history", document),
            preview_url=self._url("preview", document),
            compare_live_url=(
                f"{self._url('compare', document)}?from={live.number}&to={latest.number}"
                if live and live.pk != latest.pk else None
            ),
            author=person(latest.author) if latest.author_id else "the system",
            created=when(latest.created_at),
        )
        return TemplateResponse(request, "admin/content/document/change_form.html", context)

    # --- creating an item -------------------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        type_ = request.GET.get("type") or request.POST.get("type")
        if type_ not in registry:
            context = self._context(request, None, title="Add a content item",
                                    types=registry.choices())
            return TemplateResponse(request, "admin/content/document/add_type.html", context)
        labels = self._labels(type_)
        data = request.POST if request.method == "POST" else None
        more = rows_add(data, data.get("_more", "")) if data is not None else None
        editor = SnapshotEditor(type_, data=more or data, labels=labels, creating=True)
        if data is not None and more is None and editor.is_valid():
            snapshot = editor.to_snapshot()
            try:
                revision = document_create(type_=type_, data=snapshot, author=request.user,
                                           change_note=editor.change_note)
            except ContentInvalid as error:
                editor.errors_apply(error.errors)
            else:
                messages.success(
                    request,
                    "Created as draft revision 1. Nothing is public until a medical reviewer "
                    "approves it and a publisher publishes it.",
                )
                for note in sanitised_notes(snapshot):
                    messages.warning(request, note)
                return HttpResponseRedirect(self._url("change", revision.document))
        context = self._context(
            request, None, title=f"Add {registry[type_].label.lower()}",
            editor=editor, type=type_, adding=True, more_rows=more is not None,
        )
        return TemplateResponse(request, "admin/content/document/change_form.html", context)

    # --- history, compare, revert ----------------------------------------------------------
