"""The public preview of a revision in the editors' admin: the item as the public API would
serve it if this revision were published now, rendered by the API's own code
(`content.preview.revision_preview`). `DocumentPreviewViews` is mixed into `DocumentAdmin`,
which routes to `preview_view`."""

from django.http import Http404
from django.template.response import TemplateResponse

from content.admin.display import content_title
from content.preview import revision_preview
from content.selectors import revision_content
from content.types import registry


class DocumentPreviewViews:
    """preview_view of `DocumentAdmin`."""

    def preview_view(self, request, object_id):
        document = self._document(request, object_id)
        revision = document.latest_revision
        number = request.GET.get("revision")
        if number:
            revision = document.revisions.filter(number=number).first() if number.isdigit() \
                else None
            if revision is None:
                raise Http404("No such revision.")
            revision.document = document
        preview = revision_preview(revision, origin=f"{request.scheme}://{request.get_host()}")
        detail = preview["detail"] or {}
        spec = registry[document.type]
        shown = {"slug", "url", "sections", "conditions", "causes", "review", "version",
                 "updated_at", spec.title_field}
        context = self._context(
            request, document,
            title=f"Preview: {content_title(revision_content(revision))}",
            revision=revision,
            preview=preview,
            detail=detail,
            heading=detail.get(spec.title_field),
            fields=[(key, value) for key, value in detail.items() if key not in shown],
            change_url=self._url("change", document),
        )
        return TemplateResponse(request, "admin/content/document/public_preview.html", context)
