"""The public preview beside the change form in a real browser (issue #18, point 5): at
1,400 px the form and the preview of the revision being edited stand side by side, the
preview follows an unsaved edit ("Refresh preview") with its reading grade, nothing is saved,
and the preview can be hidden (and stays hidden) to give the form the whole width."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from content.choices import Role
from content.models import Document, Revision
from content.services.roles import role_groups_ensure
from tests.browser.test_editorial_flow import SLUG, settled, staff
from tests.browser.test_workspace import WIDE, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAIN = "Your hip and knee work together, so a sore hip can make your knee hurt."


def box(locator) -> dict:
    return locator.bounding_box()


def test_the_preview_stands_beside_the_form_and_follows_an_unsaved_edit(
    live_server, browser, screenshot_dir
):
    call_command("load_seed_content", verbosity=0)
    role_groups_ensure()
    staff("eddie", Role.EDITORS)
    document = Document.objects.get(type="article", slug=SLUG)
    change = f"{live_server.url}/admin/content/document/{document.pk}/change/"

    editor = login(browser, live_server, "eddie")
    # The frame loads under the page's and its own Content-Security-Policy: no violation
    # (a refused frame, an inline script) and no script error, in the page or the frame.
    problems: list[str] = []
    editor.on("console", lambda m: problems.append(m.text) if m.type == "error" and (
        "favicon" not in m.text) or "Content Security Policy" in m.text else None)
    editor.on("pageerror", lambda error: problems.append(str(error)))
    editor.context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    editor.goto(change)
    frame = editor.frame_locator("#public-preview-frame")
    expect(frame.locator("#preview-what")).to_contain_text(
        "Revision 1, as the public API would serve it if it were published now")
    expect(frame.locator("#public-preview h1")).to_have_text("Can Hip Problems Cause Knee Pain?")
    # No admin header inside the frame: it shows the content, not a second admin.
    expect(frame.locator("#header")).to_have_count(0)

    # Side by side: the preview is to the right of the form, both in the first screenful.
    form, panel = box(editor.locator("#document_form")), box(
        editor.locator("#public-preview-frame"))
    assert panel["x"] >= form["x"] + form["width"]
    assert panel["y"] < WIDE["height"] and form["y"] < WIDE["height"]
    assert form["width"] > 600 and panel["width"] > 450

    grade = frame.locator("#preview-readability .fk-grade")
    before = float(grade.inner_text())

    # An unsaved edit of the introduction, previewed: the frame shows it and its reading
    # grade, nothing is saved.
    editor.click("#sections-0 > summary")
    rich = editor.locator("#sections-0 .ProseMirror[contenteditable=true]")
    rich.click()
    rich.press("Control+A")
    rich.press_sequentially(PLAIN)
    editor.fill("input[name='title']", "Hip problems and knee pain")
    editor.click("#preview-refresh")
    expect(frame.locator("#preview-what")).to_contain_text(
        "Your unsaved edit, as the public API would serve it if it were saved (as revision 2)")
    expect(frame.locator("#public-preview h1")).to_have_text("Hip problems and knee pain")
    expect(frame.locator("#preview-introduction")).to_contain_text(PLAIN)
    assert float(grade.inner_text()) < before
    # The form is untouched by the preview: the edit is still there, the section still open.
    expect(editor.locator("textarea[name='sections-0-body']")).to_have_value(f"<p>{PLAIN}</p>")
    expect(rich).to_be_visible()
    settled(editor)
    editor.evaluate("document.getElementById('sections-0').scrollIntoView()")
    editor.screenshot(path=screenshot_dir / "12-preview-beside-the-form.png")
    assert Revision.objects.filter(document=document).count() == 1
    assert problems == []

    # A form error is shown in the preview, not saved either.
    editor.fill("input[name='title']", "")
    editor.click("#preview-refresh")
    expect(frame.locator("#preview-error")).to_contain_text(
        "The form has errors, so it cannot be previewed.")
    expect(frame.locator("#preview-error")).to_contain_text("Title: This field is required.")
    assert Revision.objects.filter(document=document).count() == 1

    # Hiding the preview gives the form the whole width, and it stays hidden on the next form.
    editor.click("#preview-panel > summary")
    expect(editor.locator("#public-preview-frame")).to_be_hidden()
    assert box(editor.locator("#document_form"))["width"] > form["width"] + 400
    editor.goto(change)
    expect(editor.locator("#preview-panel")).not_to_have_attribute("open", "")
    expect(editor.locator("#public-preview-frame")).to_be_hidden()
    editor.click("#preview-panel > summary")
    expect(frame.locator("#public-preview h1")).to_have_text("Can Hip Problems Cause Knee Pain?")

    # Enter in a field still saves (the preview's button is not the form's default), and the
    # preview then shows the revision just saved.
    editor.fill("input[name='title']", "Hip problems and knee pain")
    editor.press("input[name='title']", "Enter")
    expect(editor.locator("ul.messagelist").first).to_contain_text("Saved as draft revision 2")
    expect(frame.locator("#preview-what")).to_contain_text("Revision 2, as the public API")
    expect(frame.locator("#public-preview h1")).to_have_text("Hip problems and knee pain")
