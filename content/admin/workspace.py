"""The editors' workspace: the "My work" page, one list per task of each role a person holds
(editors: my drafts, what came back with changes requested; medical reviewers: what waits
for my review, overdue reviews; publishers: approved but unpublished, scheduled, expiring
within 7 days), and the counts on the admin index. The lists are
`content.selectors.work_lists`, built from the rules' one home (`content.rules`).
`DocumentWorkspaceViews` is mixed into `DocumentAdmin`, which routes to `my_work_view`."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from content.admin.display import content_title, day, when
from content.choices import EditorialStatus, RevisionReviewState, Role
from content.rules import document_status, review_state_of
from content.selectors import work_list_counts, work_list_documents, work_lists
from content.services import permissions

ROLE_LABELS = {Role.EDITORS: "Editor", Role.MEDICAL_REVIEWERS: "Medical reviewer",
               Role.PUBLISHERS: "Publisher"}


def work_summary(request) -> list[dict]:
    """The lists of the requesting person's roles with their counts (one query), for the
    admin index; empty for people without an editorial role."""
    if not permissions.VIEW.allows(request.user):
        return []
    lists = work_lists(request.user)
    counts = work_list_counts(lists)
    url = reverse("admin:content_document_my_work")
    return [{"name": entry.name, "title": entry.title, "role": ROLE_LABELS[entry.role],
             "count": counts[entry.name], "url": f"{url}#{entry.name}"} for entry in lists]


def _row(document, change_url: str) -> dict:
    status = document_status(status=document.status, expire_at=document.expire_at)
    state = review_state_of(document.review_decision, document.reviewed_at,
                            document.review_requested_at)
    latest = document.latest_revision
    return {
        "document": document,
        "title": content_title(latest.content) if latest else document.slug,
        "url": change_url,
        "status": EditorialStatus(status).label,
        "latest": latest.number if latest else None,
        "saved": when(latest.created_at) if latest else "—",
        "review": RevisionReviewState(state).label,
        "review_value": state,
        "next_review_due": day(document.next_review_due) if document.next_review_due else "—",
        "go_live_at": when(document.go_live_at) if document.go_live_at else None,
        "expire_at": when(document.expire_at) if document.expire_at else None,
    }


class DocumentWorkspaceViews:
    """my_work_view of `DocumentAdmin`."""

    def my_work_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        lists = work_lists(request.user)
        sections = []
        for entry in lists:
            rows = [_row(document, self._url("change", document))
                    for document in work_list_documents(entry)]
            sections.append({"list": entry, "role": ROLE_LABELS[entry.role], "rows": rows})
        context = self._context(request, None, title="My work", sections=sections)
        return TemplateResponse(request, "admin/content/document/my_work.html", context)
