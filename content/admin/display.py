"""How the editors' admin shows things: people, times, the state banner, diff rows.

Presentation only: every fact comes from the document, its revisions and the selectors.
"""

import difflib
import json
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from content.blocks import blocks_from_fields
from content.choices import BlockType, EditorialStatus, RevisionReviewState, SectionKind
from content.models import Document, Revision
from content.selectors import ReviewState
from content.snapshots import sanitise_html


def person(user) -> str:
    """How a staff member is named: their editor profile's name, else full name, else login."""
    if user is None:
        return "the system"
    try:
        profile = user.editor_profile
    except user._meta.model.editor_profile.RelatedObjectDoesNotExist:
        profile = None
    name = (profile.display_name if profile else "") or user.get_full_name() or \
        user.get_username()
    if profile is not None and profile.credentials:
        return f"{name}, {profile.credentials}"
    return name


def when(moment) -> str:
    """A moment as editors read it: “15 Jan 2026, 09:30 UTC”."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def day(date) -> str:
    return f"{date.day} {date:%b %Y}" if date else "—"


def content_title(content: dict) -> str:
    """The human name of a snapshot: its title, name or text."""
    label = content.get("title") or content.get("name") or content.get("text") or ""
    return label if len(label) <= 90 else label[:89] + "…"


@dataclass
class BannerLine:
    level: str  # an admin message level: success, warning, error, info
    html: SafeString


def banner(
    document: Document, latest: Revision, status: str, review: ReviewState
) -> list[BannerLine]:
    """What the top of the change form says about where this item stands."""
    lines = []
    live = document.live_revision if status == EditorialStatus.PUBLISHED else None
    expires = (
        format_html(" It expires at {}.", when(document.expire_at)) if document.expire_at else ""
    )
    if live is not None and live.pk == latest.pk:
        lines.append(BannerLine("success", format_html(
            "<strong>Live</strong>: revision {} has been served by the public API since {}.{}",
            live.number, when(document.last_published_at), expires,
        )))
    elif live is not None:
        lines.append(BannerLine("warning", format_html(
            "<strong>Unpublished changes</strong>: revision {} is a draft; the public API "
            "still serves revision {}.{}", latest.number, live.number, expires,
        )))
    elif status == EditorialStatus.EXPIRED:
        lines.append(BannerLine("warning", format_html(
            "<strong>Expired</strong> at {}: the public API no longer shows it.",
            when(document.expire_at),
        )))
    elif status == EditorialStatus.UNPUBLISHED:
        lines.append(BannerLine("warning", format_html(
            "<strong>Unpublished</strong>: the public API does not show it. Revision {} is "
            "the latest draft.", latest.number,
        )))
    else:
        lines.append(BannerLine("warning", format_html(
            "<strong>Draft</strong>: never published; the public API does not show it. "
            "Revision {} is the latest draft.", latest.number,
        )))
    if document.scheduled_revision_id is not None:
        scheduled = document.scheduled_revision
        ends = (
            format_html(", expiring at {}", when(document.scheduled_expire_at))
            if document.scheduled_expire_at
            else ""
        )
        lines.append(BannerLine("info", format_html(
            "<strong>Scheduled</strong>: revision {} goes live at {}{}.",
            scheduled.number, when(document.go_live_at), ends,
        )))
    lines.append(_review_line(latest, review))
    return lines


def _review_line(latest: Revision, review: ReviewState) -> BannerLine:
    if review.state == RevisionReviewState.AWAITING_REVIEW:
        note = review.requested.detail.get("comment") if review.requested else ""
        return BannerLine("info", format_html(
            "<strong>Awaiting review</strong>: {} submitted revision {} for medical review "
            "at {}.{}", person(review.requested.actor), latest.number, when(review.requested.at),
            format_html(" Note: “{}”", note) if note else "",
        ))
    if review.state == RevisionReviewState.APPROVED:
        return BannerLine("success", format_html(
            "<strong>Approved</strong>: {} approved revision {} on {}; next review due {}.",
            person(review.review.reviewer), latest.number, when(review.review.created_at),
            day(review.review.next_review_due),
        ))
    if review.state == RevisionReviewState.CHANGES_REQUESTED:
        return BannerLine("error", format_html(
            "<strong>Changes requested</strong> by {} on {}: “{}”",
            person(review.review.reviewer), when(review.review.created_at),
            review.review.comment or "no comment",
        ))
    return BannerLine("info", format_html(
        "<strong>Not submitted</strong>: revision {} has not been submitted for medical review.",
        latest.number,
    ))


# --- compare -----------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")
SEGMENT_RE = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def path_label(path: str, content: dict) -> str:
    """“sections[2].items[0].text” → “Section 3 (Symptoms) › item 1 › text”."""
    parts, node = [], content
    for name, index in SEGMENT_RE.findall(path):
        node = node.get(name) if isinstance(node, dict) else None
        if index == "":
            parts.append(name.replace("_", " "))
            continue
        position = int(index)
        node = node[position] if isinstance(node, list) and position < len(node) else None
        if name == "sections":
            kind = node.get("kind") if isinstance(node, dict) else None
            label = SectionKind(kind).label if kind in SectionKind.values else None
            parts.append(f"Section {position + 1}" + (f" ({label})" if label else ""))
        else:
            singular = {"items": "item", "groups": "group heading", "timeline": "phase",
                        "blocks": "block"}
            parts.append(f"{singular.get(name, name)} {position + 1}")
    label = " › ".join(parts)
    return label[:1].upper() + label[1:]


def as_text(value) -> str | None:
    """A snapshot value as editors read it: lists one entry per line, references as
    “type: slug”, other structures as indented JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    if isinstance(value, list) and all(isinstance(v, dict) and set(v) == {"type", "slug"}
                                       for v in value):
        return "\n".join(f"{v['type']}: {v['slug']}" for v in value)
    return json.dumps(value, indent=2, ensure_ascii=False)


def inline_diff(before, after) -> tuple[SafeString, SafeString]:
    """Both sides as escaped text, with the words only one side has in <del>/<ins>."""
    before, after = as_text(before), as_text(after)
    if before is None or after is None:
        empty = mark_safe('<span class="diff-none">—</span>')
        return (
            format_html("<del>{}</del>", before) if before is not None else empty,
            format_html("<ins>{}</ins>", after) if after is not None else empty,
        )
    a, b = TOKEN_RE.findall(before), TOKEN_RE.findall(after)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        old, new = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old)
            right.append(new)
            continue
        if old:
            left.append(f"<del>{old}</del>")
        if new:
            right.append(f"<ins>{new}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above


def compare_rows(changes: list[dict], older: dict, newer: dict) -> list[dict]:
    """The rows of the compare screen: readable label, API path, both sides highlighted."""
    rows = []
    for change in changes:
        before, after = inline_diff(change["before"], change["after"])
        rows.append({
            "label": path_label(change["path"], newer if change["after"] is not None else older),
            "path": change["path"],
            "before": before,
            "after": after,
        })
    return rows


# --- read-only preview ---------------------------------------------------------------------------


def preview(content: dict, field_order: tuple[str, ...], labels: dict) -> dict:
    """A revision as a reader sees it, for people who review or publish but do not edit:
    its fields in form order and, for an article, its sections with their grouped items."""
    names = {(t, slug): label for t, entries in labels.items() for slug, label in entries}

    def ref(reference: dict) -> str:
        return names.get((reference["type"], reference["slug"]), reference["slug"])

    fields = []
    for key in field_order:
        value = content.get(key)
        if key == "conditions":
            value = ", ".join(ref(r) for r in value or [])
        elif isinstance(value, list):
            value = ", ".join(value)
        fields.append((key.replace("_", " ").capitalize(), value or "—"))
    sections = []
    for section in content.get("sections", []):
        # The section's blocks in reading order (content/blocks.py); a snapshot read through
        # `revision_content` always has them, one built some other way is read the older way.
        blocks = section["blocks"] if "blocks" in section else blocks_from_fields(
            section.get("body") or "", section.get("groups") or [], section.get("items") or [])
        shown: list[dict] = []
        for block in blocks:
            if block["type"] == BlockType.PARAGRAPH:
                # Stored bodies were sanitised on save; sanitise again so nothing else can
                # reach the admin page even if a stored snapshot was written some other way.
                shown.append({"paragraph": mark_safe(sanitise_html(block["body"]))})  # noqa: S308
                continue
            shown.append({"group": block["group"], "heading": block["heading"] or "",
                          "items": [{
                              "title": item.get("title"),
                              "text": item["text"],
                              "link": ref(item["entity"]) if item.get("entity") else None,
                              "link_type": item["entity"]["type"].replace("_", " ")
                              if item.get("entity") else None,
                          } for item in block["items"]]})
        sections.append({
            "position": section["position"],
            "kind": SectionKind(section["kind"]).label,
            "heading": section["heading"],
            "blocks": shown,
            "timeline": [
                f"{p['phase']}: {p['min']}–{p['max']} {p['unit']}s"
                for p in section.get("timeline") or []
            ],
        })
    return {"fields": fields, "sections": sections}
