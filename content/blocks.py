"""A section's content as ordered blocks: paragraphs and lists, in reading order.

A section holds its content as `blocks` (the section shape is declared in content/types.py,
`SECTION`):

    {"type": "paragraph", "body": "<p>…</p>"}
    {"type": "list", "group": "tips", "heading": "To ensure a smooth recovery, …",
     "items": [{"title": "Stay Consistent", "text": "…", "entity": null}, …]}

A paragraph's `body` is one piece of sanitised HTML as section bodies have always been
(normally one `<p>`; a quote, a subheading or a bulleted list the rich-text editor made is a
block of its own). A list is one of the section's item groups, at most once per section.

This module is the one home of the rule that ties blocks to the older fields, which stay for
clients that read them: a section's `body` is its paragraphs joined, `groups` the headed
lists in order, `items` every list's items in block order, each with its group
(`fields_from_blocks`). A section written in the older shape (no `blocks`: every revision
before snapshot version 2, a client that sends `body`/`groups`/`items`) reads as its
paragraphs and then its lists in group order, which is how it was shown (`blocks_from_fields`).

It imports no models: snapshots, publishing, the public serializers, search, JSON-LD,
readability and the body formats all call it.
"""

import re

from content.choices import BlockType

#: Elements that make a block of their own when they stand at the top level of a body.
_BLOCK_ELEMENTS = {"p", "ul", "ol", "h3", "h4", "blockquote"}
#: A tag of sanitised HTML (nh3 writes every attribute value in double quotes).
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(/?)>')
_VOID = {"br"}


def html_split(html: str) -> list[str]:
    """Sanitised HTML cut into its top-level pieces: each top-level `<p>`, list, subheading
    or quote, and each run of loose inline content between them; whitespace between pieces
    is dropped. Joined, the pieces are `html` less that whitespace."""
    pieces: list[str] = []
    depth, start, loose_from = 0, 0, 0
    for match in _TAG.finditer(html or ""):
        closing, tag = match.group(1), match.group(2).lower()
        if tag in _VOID or match.group(4):
            continue
        if depth == 0 and not closing and tag in _BLOCK_ELEMENTS:
            pieces.append(html[loose_from:match.start()])
            start = match.start()
            depth = 1
            block_tag = tag
            continue
        if depth == 0:
            continue
        if not closing:
            depth += tag == block_tag
        elif tag == block_tag:
            depth -= 1
            if depth == 0:
                pieces.append(html[start:match.end()])
                loose_from = match.end()
    pieces.append((html or "")[loose_from:] if depth == 0 else (html or "")[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def paragraph(body: str) -> dict:
    return {"type": BlockType.PARAGRAPH.value, "body": body}


def blocks_from_fields(body: str, groups: list[dict], items: list[dict]) -> list[dict]:
    """A section of the older shape as blocks: its paragraphs, then one list per group (the
    headed groups in their order, then any group that has items but no heading, in the order
    its first item comes), each with its items in their order."""
    blocks = [paragraph(piece) for piece in html_split(body)]
    headings = {g["group"]: g["heading"] for g in groups or ()}
    order = [g["group"] for g in groups or ()]
    order += [g for g in dict.fromkeys(i["group"] for i in items or ()) if g not in headings]
    for group in order:
        blocks.append({
            "type": BlockType.LIST.value,
            "group": group,
            "heading": headings.get(group),
            "items": [{"title": i.get("title"), "text": i["text"], "entity": i.get("entity")}
                      for i in items or () if i["group"] == group],
        })
    return blocks


def fields_from_blocks(blocks: list[dict]) -> dict:
    """The older fields of a section, derived from its blocks: `body` (the paragraphs
    joined), `groups` (each list that has a heading, in order) and `items` (every list's
    items in block order, each with its group)."""
    body, groups, items = [], [], []
    for block in blocks:
        if block["type"] == BlockType.PARAGRAPH:
            body.append(block["body"])
            continue
        if block["heading"]:
            groups.append({"group": block["group"], "heading": block["heading"]})
        items += [{"group": block["group"], **item} for item in block["items"]]
    return {"body": "".join(body), "groups": groups, "items": items}


def blocks_layout(blocks: list[dict]) -> list[dict]:
    """Blocks without their lists' items: what a live section stores (its items are rows)."""
    return [{k: v for k, v in block.items() if k != "items"} for block in blocks]


def blocks_with_items(layout: list[dict], items_of_group: dict[str, list]) -> list[dict]:
    """A live section's stored layout with each list's items put back (any objects)."""
    return [
        {**block, "items": list(items_of_group.get(block["group"], ()))}
        if block["type"] == BlockType.LIST else dict(block)
        for block in layout
    ]


def snapshot_sections_add_blocks(content: dict) -> dict:
    """Snapshot upgrader 1 → 2 of an article: each section gains `blocks`, derived from its
    body and groups in the order they were shown (paragraphs, then lists). Its `body`,
    `groups` and `items` stay as stored, so an old revision reads exactly as it did."""
    return {
        **content,
        "sections": [
            {**section, "blocks": blocks_from_fields(section.get("body") or "",
                                                     section.get("groups") or [],
                                                     section.get("items") or [])}
            for section in content.get("sections") or []
        ],
    }
