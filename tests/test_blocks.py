"""content/blocks.py: a section's ordered blocks, the older fields derived from them, the
upgrade of old snapshots and migration 0017's frozen copy of the rule."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from content.blocks import (
    blocks_from_fields,
    blocks_layout,
    fields_from_blocks,
    html_split,
    snapshot_sections_add_blocks,
)
from content.choices import ItemGroup, SectionKind
from content.models import Revision, Section
from content.selectors import revision_content
from content.services.versioning import document_create
from tests.factories import SectionFactory, SectionItemFactory, UserFactory

ITEM = {"title": None, "text": "Rest.", "entity": None}


@pytest.mark.parametrize(("html", "pieces"), [
    ("", []),
    ("<p>One.</p><p>Two <strong>b</strong>.</p>",
     ["<p>One.</p>", "<p>Two <strong>b</strong>.</p>"]),
    ("<p>a</p>\n <ul><li>x<ul><li>y</li></ul></li></ul><h3>H</h3>",
     ["<p>a</p>", "<ul><li>x<ul><li>y</li></ul></li></ul>", "<h3>H</h3>"]),
    ("Loose <em>text</em><br>on<p>p</p> tail", ["Loose <em>text</em><br>on", "<p>p</p>", "tail"]),
    ('<p><a href="https://x.org/?a=1&amp;b=>" rel="noopener noreferrer">l</a></p><p>q</p>',
     ['<p><a href="https://x.org/?a=1&amp;b=>" rel="noopener noreferrer">l</a></p>', "<p>q</p>"]),
    ("<blockquote><blockquote><p>n</p></blockquote></blockquote><p>z</p>",
     ["<blockquote><blockquote><p>n</p></blockquote></blockquote>", "<p>z</p>"]),
])
def test_html_split_cuts_at_top_level_elements(html, pieces):
    assert html_split(html) == pieces


def test_the_older_fields_are_derived_from_the_blocks_and_back():
    blocks = [
        {"type": "paragraph", "body": "<p>A.</p>"},
        {"type": "list", "group": "tips", "heading": "Tips", "items": [ITEM]},
        {"type": "paragraph", "body": "<p>B.</p>"},
        {"type": "list", "group": "rehabilitation", "heading": None, "items": [ITEM, ITEM]},
    ]

    fields = fields_from_blocks(blocks)

    assert fields == {
        "body": "<p>A.</p><p>B.</p>",
        "groups": [{"group": "tips", "heading": "Tips"}],
        "items": [{"group": "tips", **ITEM}, {"group": "rehabilitation", **ITEM},
                  {"group": "rehabilitation", **ITEM}],
    }
    # Back to blocks, the older way: paragraphs first, then the lists (headed ones first).
    assert blocks_from_fields(**fields) == [blocks[0], blocks[2], blocks[1], blocks[3]]
    assert fields_from_blocks(blocks_from_fields(**fields)) == fields


def test_an_old_snapshot_gains_its_blocks_and_keeps_its_fields():
    old = {"slug": "a", "sections": [{
        "kind": "recovery", "heading": "Recovery", "body": "<p>A.</p><p>B.</p>",
        "groups": [{"group": "tips", "heading": "Tips"}],
        "items": [{"group": "tips", **ITEM}],
    }]}

    upgraded = snapshot_sections_add_blocks(old)

    assert upgraded["sections"][0] == {**old["sections"][0], "blocks": [
        {"type": "paragraph", "body": "<p>A.</p>"},
        {"type": "paragraph", "body": "<p>B.</p>"},
        {"type": "list", "group": "tips", "heading": "Tips", "items": [ITEM]},
    ]}


@pytest.mark.django_db
def test_a_stored_version_1_revision_reads_with_blocks_and_keeps_its_hash():
    editor = UserFactory(username="eddie", roles=["editors"])
    revision = document_create(type_="article", author=editor, data={
        "slug": "a", "title": "T", "summary": "S", "sections": [
            {"kind": "recovery", "heading": "Recovery", "body": "<p>A.</p>",
             "groups": [{"group": "tips", "heading": "Tips"}], "items": [{"group": "tips",
                                                                          **ITEM}]}]})
    # As revisions were stored before blocks: version 1, no `blocks`.
    stored = {**revision.content, "sections": [
        {k: v for k, v in s.items() if k != "blocks"} for s in revision.content["sections"]]}
    Revision.objects.filter(pk=revision.pk).update(content=stored, schema_version=1)
    revision.refresh_from_db()

    content = revision_content(revision)

    assert content["sections"][0]["blocks"] == [
        {"type": "paragraph", "body": "<p>A.</p>"},
        {"type": "list", "group": "tips", "heading": "Tips", "items": [ITEM]},
    ]
    assert "blocks" not in revision.content["sections"][0]  # stored JSON is never rewritten
    assert revision.content_hash == Revision.objects.get(pk=revision.pk).content_hash


@pytest.mark.django_db
def test_migration_0017_lays_out_existing_sections_as_the_rule_does():
    """Its frozen copy of the rule writes the layout `content.blocks` derives."""
    first = SectionFactory(kind=SectionKind.SYMPTOMS, body="<p>A.</p>\n<ul><li>u</li></ul>",
                           groups=[{"group": "less_common", "heading": "Rarer"}])
    SectionItemFactory(section=first, position=1, group=ItemGroup.COMMON, text="x")
    SectionItemFactory(section=first, position=2, group=ItemGroup.LESS_COMMON, text="y")
    SectionItemFactory(section=first, position=3, group=ItemGroup.COMMON, text="z")
    second = SectionFactory(body="", groups=[])
    migration = importlib.import_module("content.migrations.0018_section_blocks")
    apps = MigrationLoader(connection).project_state(("content", "0018_section_blocks")).apps

    migration.layout_sections(apps, None)

    for section in (first, second):
        items = [{"group": i.group, "text": i.text} for i in section.items.order_by("position")]
        expected = blocks_layout(blocks_from_fields(section.body, section.groups, items))
        assert Section.objects.get(pk=section.pk).blocks == expected
    assert Section.objects.get(pk=first.pk).blocks == [
        {"type": "paragraph", "body": "<p>A.</p>"},
        {"type": "paragraph", "body": "<ul><li>u</li></ul>"},
        {"type": "list", "group": "less_common", "heading": "Rarer"},
        {"type": "list", "group": "common", "heading": None},
    ]
