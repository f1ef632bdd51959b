"""A section's content as ordered blocks (issue #20): `Section.blocks`, the layout of its
paragraphs and lists in reading order (its lists' items stay SectionItem rows).

Existing sections get the layout they were shown in: their body's paragraphs, then one list
per group (the headed groups in order, then groups with items but no heading). The rule is
frozen here rather than imported from content/blocks.py, so that this migration does what it
did when it was written. Stored revisions are not rewritten (they are append-only and a review
is bound to their hash): snapshots of version 1 gain their blocks when read
(`content.blocks.snapshot_sections_add_blocks`). `body` and `groups` stay, derived from the
blocks when a section is next published.
"""

import re

from django.db import migrations, models

_BLOCK_ELEMENTS = {"p", "ul", "ol", "h3", "h4", "blockquote"}
_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(/?)>')


def _split(html):
    pieces, depth, start, loose_from, block_tag = [], 0, 0, 0, None
    for match in _TAG.finditer(html):
        closing, tag = match.group(1), match.group(2).lower()
        if tag == "br" or match.group(4):
            continue
        if depth == 0 and not closing and tag in _BLOCK_ELEMENTS:
            pieces.append(html[loose_from:match.start()])
            start, depth, block_tag = match.start(), 1, tag
        elif depth and not closing:
            depth += tag == block_tag
        elif depth and tag == block_tag:
            depth -= 1
            if depth == 0:
                pieces.append(html[start:match.end()])
                loose_from = match.end()
    pieces.append(html[loose_from:] if depth == 0 else html[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def layout_sections(apps, schema_editor):
    Section = apps.get_model("content", "Section")
    for section in Section.objects.prefetch_related("items"):
        blocks = [{"type": "paragraph", "body": piece} for piece in _split(section.body or "")]
        headings = {g["group"]: g["heading"] for g in section.groups or ()}
        order = [g["group"] for g in section.groups or ()]
        item_groups = [i.group for i in sorted(section.items.all(), key=lambda i: i.position)]
        order += [g for g in dict.fromkeys(item_groups) if g not in headings]
        blocks += [{"type": "list", "group": g, "heading": headings.get(g)} for g in order]
        section.blocks = blocks
        section.save(update_fields=["blocks"])


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0017_edge_purges'),
    ]

    operations = [
        migrations.AddField(
            model_name='section',
            name='blocks',
            field=models.JSONField(blank=True, default=list, help_text='The section\'s content in reading order, its lists without their items (those are rows): [{"type": "paragraph", "body": "<p>…</p>"}, {"type": "list", "group": "tips", "heading": "…"}] (content/blocks.py).'),
        ),
        migrations.AlterField(
            model_name='section',
            name='body',
            field=models.TextField(blank=True, help_text="Sanitised HTML of the section's prose: its paragraph blocks joined (derived from `blocks` when published)."),
        ),
        migrations.AlterField(
            model_name='section',
            name='groups',
            field=models.JSONField(blank=True, default=list, help_text='Ordered item groups with the heading that introduces each: [{"group": "common", "heading": "Common Symptoms"}] (derived from `blocks`).'),
        ),
        migrations.RunPython(layout_sections, migrations.RunPython.noop),
    ]
