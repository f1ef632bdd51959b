"""The history screens of the editors' admin: the revisions of an item with their review
state and events, two revisions compared field by field, and a revert to any of them (a new
draft revision, through `revision_revert`). `DocumentHistoryViews` is mixed into
`DocumentAdmin` (content/admin/documents.py), which routes to these views and supplies
`_document`, `_context` and `_url`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse

from content.admin.display import compare_rows, content_title, person, when
from content.admin.forms.workflow import RevertForm
from content.choices import EditorialStatus, RevisionReviewState
from content.exceptions import ContentError, StaleRevision
from content.selectors import document_history, document_status, revision_diff
from content.services.versioning import revision_content, revision_revert


class DocumentHistoryViews:
    """history_view, compare_view and revert_view of `DocumentAdmin`."""

    def history_view(self, request, object_id, extra_context=None):
        document = self._document(request, object_id)
        latest = document.latest_revision
        revisions = document_history(document)
        live_pk = (
            document.live_revision_id
            if document_status(document) == EditorialStatus.PUBLISHED else None
        )
        rows = [
            {
                "revision": revision,
                "author": person(revision.author) if revision.author_id else "the system",
                "created": when(revision.created_at),
                "is_live": revision.pk == live_pk,
                "is_scheduled": revision.pk == document.scheduled_revision_id,
                "is_latest": revision.pk == latest.pk,
                "state": RevisionReviewState(revision.review_state.state).label,
                "state_value": revision.review_state.state,
                "reviewer": person(revision.review_state.review.reviewer)
                if revision.review_state.review else None,
                "events": [
                    {"action": event.get_action_display(), "actor": person(event.actor),
                     "at": when(event.at)}
                    for event in revision.events
                ],
                "revert_form": RevertForm(initial={"revision": revision.number,
                                                   "expected_revision": latest.number}),
            }
            for revision in revisions
        ]
        content = revision_content(latest)
        context = self._context(
            request,
            document,
            title=f"History: {content_title(content)}",
            rows=rows,
            latest=latest,
            compare_url=self._url("compare", document),
            revert_url=self._url("revert", document),
            change_url=self._url("change", document),
            can_revert=self.has_change_permission(request, document),
        )
        return TemplateResponse(request, "admin/content/document/revision_history.html", context)

    def compare_view(self, request, object_id):
        document = self._document(request, object_id)
        latest = document.latest_revision
        revisions = {
            r.number: r for r in document.revisions.select_related("author__editor_profile")
        }
        for revision in revisions.values():
            revision.document = document
        try:
            newer = int(request.GET.get("to", latest.number))
            older = int(request.GET.get("from", newer - 1 if newer > 1 else newer))
        except ValueError:
            raise Http404("Revision numbers are whole numbers.") from None
        if older not in revisions or newer not in revisions:
            raise Http404("No such revision.")
        a, b = revisions[older], revisions[newer]
        changes = revision_diff(a, b)
        content_a, content_b = revision_content(a), revision_content(b)
        context = self._context(
            request,
            document,
            title=f"Compare revisions {older} and {newer}: {content_title(content_b)}",
            older=a,
            newer=b,
            older_meta=f"{person(a.author) if a.author_id else 'the system'}, "
                       f"{when(a.created_at)}",
            newer_meta=f"{person(b.author) if b.author_id else 'the system'}, "
                       f"{when(b.created_at)}",
            rows=compare_rows(changes, content_a, content_b),
            numbers=sorted(revisions, reverse=True),
            compare_url=self._url("compare", document),
            history_url=self._url("history", document),
            change_url=self._url("change", document),
            revert_url=self._url("revert", document),
            can_revert=self.has_change_permission(request, document) and b.pk != latest.pk,
            revert_form=RevertForm(initial={"revision": b.number,
                                            "expected_revision": latest.number}),
        )
        return TemplateResponse(request, "admin/content/document/compare.html", context)

    def revert_view(self, request, object_id):
        document = self._document(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request, document):
            raise PermissionDenied
        form = RevertForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The revert form was incomplete; nothing was changed.")
            return HttpResponseRedirect(self._url("history", document))
        target = document.revisions.filter(number=form.cleaned_data["revision"]).first()
        if target is None:
            raise Http404("No such revision.")
        try:
            new = revision_revert(
                document=document,
                revision=target,
                author=request.user,
                expected_revision=form.cleaned_data["expected_revision"],
            )
        except StaleRevision as error:
            messages.error(
                request,
                f"Not reverted: revision {error.latest} was saved after you loaded this page "
                f"(you saw revision {error.expected}). Check the history and try again.",
            )
            return HttpResponseRedirect(self._url("history", document))
        except ContentError as error:
            messages.error(request, f"Not reverted: {error.detail}")
            return HttpResponseRedirect(self._url("history", document))
        messages.success(
            request,
            f"Saved draft revision {new.number} with the content of revision {target.number}. "
            "It goes live only after review and publishing.",
        )
        return HttpResponseRedirect(self._url("change", document))
