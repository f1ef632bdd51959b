"""Arranging a section's blocks in a real browser (issue #20): the up/down buttons of
“Order of blocks” move a list, “+ ¶” adds a paragraph slot, and an item row's buttons move
it within its list (content/static/content/block_order.js); the saved revision has exactly
that order."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from content.choices import Role
from content.models import Document
from content.selectors import revision_content
from content.services.roles import role_groups_ensure
from tests.browser.test_editorial_flow import SLUG, staff
from tests.browser.test_workspace import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_moves_a_list_adds_a_paragraph_and_moves_an_item(
    live_server, browser, screenshot_dir
):
    call_command("load_seed_content", verbosity=0)
    role_groups_ensure()
    staff("eddie", Role.EDITORS)
    document = Document.objects.get(type="article", slug=SLUG)
    editor = login(browser, live_server, "eddie")
    editor.goto(f"{live_server.url}/admin/content/document/{document.pk}/change/")

    recovery = editor.locator("#sections-5")
    editor.click("#sections-5 > summary")  # sections open one at a time
    layout = recovery.locator("input[data-block-order]")
    expect(layout).to_have_value("¶, ¶, rehabilitation, tips, ¶")
    recovery.get_by_role("button", name="Move tips up").click()
    expect(layout).to_have_value("¶, ¶, tips, rehabilitation, ¶")
    # A paragraph between the two lists: its slot after "tips", its text before the body's
    # closing paragraph.
    recovery.get_by_role("button", name="Add a paragraph after this block").nth(2).click()
    expect(layout).to_have_value("¶, ¶, tips, ¶, rehabilitation, ¶")
    rich = recovery.locator(".ProseMirror[contenteditable=true]")
    rich.locator("p").nth(2).click(position={"x": 2, "y": 4})  # the closing paragraph's start
    rich.press("Home")
    rich.press_sequentially("Between the lists.")
    rich.press("Enter")
    body = recovery.locator("textarea[name='sections-5-body']")
    expect(body).to_have_value(re.compile("arise.</p><p>Between the lists.</p><p>By following"))
    # The second rehabilitation step before the first.
    recovery.locator("table.items tbody tr").nth(1).get_by_role(
        "button", name="Move this item up").click()
    editor.screenshot(path=screenshot_dir / "block-order.png", full_page=True)
    editor.click("input[name='_save']")
    expect(editor.locator("ul.messagelist").first).to_contain_text("Saved as draft revision 2")

    document.refresh_from_db()
    blocks = revision_content(document.latest_revision)["sections"][5]["blocks"]
    assert [b.get("group") or b["body"][:20] for b in blocks] == [
        "<p>Recovering from h", "<p>During the recove", "tips", "<p>Between the lists",
        "rehabilitation", "<p>By following thes"]
    assert [i["title"] for i in blocks[4]["items"]] == [
        "Gradual Return to Activity", "Physical Therapy", "Pain Management"]
