"""The public preview of a revision in the editors' admin: the item as the public API would
serve it if it were published now, rendered by the API's own code (`content.preview`).

`GET …/preview/` shows the latest revision (or `?revision=n`) as a page of its own;
`?frame=1` shows it without the admin's header, for the panel beside the change form. The
panel's "Refresh preview" button posts the change form's current values here
(`POST …/preview/`, editors only): the unsaved edit is validated as a save would be and
shown as the revision it would become, and nothing is stored.

This is the one admin view another page may frame, and only a page of this site: it answers
`X-Frame-Options: SAMEORIGIN` (Django's `xframe_options_sameorigin`), from which
`content.api.security.ContentSecurityPolicyMiddleware` derives `frame-ancestors 'self'`.
Every other response keeps `DENY` and `frame-ancestors 'none'`.
`DocumentPreviewViews` is mixed into `DocumentAdmin`, which routes to `preview_view`.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.clickjacking import xframe_options_sameorigin

from content.admin.display import content_title
from content.preview import edit_preview, revision_preview
from content.readability import snapshot_readability
from content.selectors import revision_content
from content.types import registry

#: What the preview page shows in its own way (or not: addresses, version, times); every
#: other field of the public detail is listed by name.
SHOWN_APART = {"slug", "url", "sections", "review", "version", "updated_at"}


def form_errors(editor) -> list[dict]:
    """The errors of a bound `SnapshotEditor` as {field, message}, for the preview panel."""
    errors = []
    for form in editor.all_forms():
        if not form.is_bound:
            continue
        for name, messages in form.errors.items():
            label = form[name].label if name in form.fields else ""
            where = " › ".join(filter(None, [form.prefix, str(label)]))
            errors += [{"field": where, "message": message} for message in messages]
    if editor.sections is not None and editor.sections.is_bound:
        errors += [{"field": "sections", "message": message}
                   for message in editor.sections.non_form_errors()]
    return errors


def value_shown(value) -> str:
    """A public field's value as a reader would meet it: links by their names, clinical codes
    as "system code (display)", lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(value_shown(entry) for entry in value)
    if isinstance(value, dict):
        if "code" in value:
            display = f" ({value['display']})" if value.get("display") else ""
            return f"{value.get('system', '')} {value['code']}{display}".strip()
        if value.get("name") or value.get("title"):
            return str(value.get("name") or value.get("title"))
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class DocumentPreviewViews:
    """preview_view of `DocumentAdmin`."""

    @method_decorator(xframe_options_sameorigin)
    def preview_view(self, request, object_id):
        document = self._document(request, object_id)
        origin = f"{request.scheme}://{request.get_host()}"
        notes = []
        if request.method == "POST":
            if not self.has_change_permission(request, document):
                raise PermissionDenied
            preview, notes = self._edit_preview(request, document, origin)
        else:
            revision = document.latest_revision
            number = request.GET.get("revision")
            if number:
                revision = document.revisions.filter(number=number).first() \
                    if number.isdigit() else None
                if revision is None:
                    raise Http404("No such revision.")
                revision.document = document
            preview = revision_preview(revision, origin=origin)
        revision = preview["revision"]
        detail = preview["detail"] or {}
        # The figures of the text shown (the unsaved edit's too), as the form shows a save's.
        readability = snapshot_readability(document.type, revision_content(revision)) \
            if revision is not None and preview["detail"] else None
        spec = registry[document.type]
        framed = request.method == "POST" or bool(request.GET.get("frame"))
        context = self._context(
            request, document,
            title=f"Preview: {content_title(revision_content(document.latest_revision))}",
            is_popup=framed,  # the admin's frame without header, sidebar or messages
            framed=framed,
            revision=revision,
            unsaved=revision is not None and revision.pk is None,
            posted=request.method == "POST",
            preview=preview,
            readability=readability,
            notes=notes,
            detail=detail,
            # Each section's blocks, paragraphs and lists in reading order (issue #20).
            sections=detail.get("sections") or [],
            detail_json=json.dumps(detail, indent=2, ensure_ascii=False),
            heading=detail.get(spec.title_field),
            fields=[(key, value_shown(value)) for key, value in detail.items()
                    if key not in SHOWN_APART | {spec.title_field}],
            change_url=self._url("change", document),
            page_url=self._url("preview", document),
        )
        return TemplateResponse(request, "admin/content/document/public_preview.html", context)

    def _edit_preview(self, request, document, origin) -> tuple[dict, list[str]]:
        """The preview of the change form's posted values, and what the sanitiser would
        remove from them."""
        from content.admin.documents import sanitised_notes

        editor = self._editor(request, document, data=request.POST)
        if not editor.is_valid():
            return {"detail": None, "revision": None, "errors": form_errors(editor),
                    "error": "The form has errors, so it cannot be previewed. Nothing was "
                             "saved."}, []
        data = editor.to_snapshot()
        base = document.revisions.filter(number=editor.expected_revision).first() \
            or document.latest_revision
        return (edit_preview(document=document, data=data, base=base, origin=origin),
                sanitised_notes(data))
