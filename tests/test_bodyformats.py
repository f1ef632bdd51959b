"""Section bodies as HTML, Markdown or plain text (content/bodyformats.py), and
`?body_format=` on the article detail and section endpoints (content/api/formats.py)."""

import re
from urllib.parse import unquote

import markdown
import pytest

from content.bodyformats import body_render, html_to_markdown, html_to_text, link_target
from content.choices import ItemGroup, SectionKind
from content.snapshots import sanitise_html
from tests.factories import ArticleFactory, SectionFactory, SectionItemFactory
from tests.query_costs import CACHE_MISS, STORED_LOOKUP

#: Every tag a body may hold (content/snapshots.py ALLOWED_TAGS), as the sanitiser leaves it.
BODY = sanitise_html(
    "<h3>Getting &amp; staying active</h3>"
    '<p>Hip <strong>bursitis</strong> and <em>tendinitis</em> hurt: see <a href="https://'
    'www.nhs.uk/conditions/hip-pain/">NHS advice</a>.<br>Then rest 3 * 4 days_ [x].</p>'
    "<ul><li>Rest for <b>2 days</b></li><li>Ice it<ul><li>15 minutes</li>"
    "<li>Wrap in a <i>towel</i></li></ul></li><li><p>Para one</p><p>Para two</p></li></ul>"
    "<ol><li>First</li><li>Second</li></ol>"
    "<blockquote><p>Quoted advice.</p><p>More.</p></blockquote>"
    "<h4>Small print</h4>"
    "<p>- not a list</p><p>1. not a number</p><p># not a heading</p>"
    '<p>Runner’s knee &lt;script&gt; <abbr title="iliotibial band">ITB</abbr> H<sub>2</sub>O '
    "x<sup>2</sup> <u>underlined</u></p>"
)

MARKDOWN = """### Getting & staying active

Hip **bursitis** and *tendinitis* hurt: see [NHS advice](https://www.nhs.uk/conditions/hip-pain/).  
Then rest 3 \\* 4 days\\_ \\[x\\].

- Rest for **2 days**
- Ice it
    - 15 minutes
    - Wrap in a *towel*
- Para one

    Para two

<!-- -->

1. First
2. Second

> Quoted advice.
>
> More.

#### Small print

\\- not a list

1\\. not a number

\\# not a heading

Runner’s knee &lt;script&gt; ITB H2O x2 underlined"""  # noqa: W291 (the two spaces are a line break)

TEXT = """Getting & staying active

Hip bursitis and tendinitis hurt: see NHS advice (https://www.nhs.uk/conditions/hip-pain/).
Then rest 3 * 4 days_ [x].

- Rest for 2 days
- Ice it
    - 15 minutes
    - Wrap in a towel
- Para one

    Para two

1. First
2. Second

> Quoted advice.
>
> More.

Small print

- not a list

1. not a number

# not a heading

Runner’s knee <script> ITB H2O x2 underlined"""


def test_markdown_rendering():
    assert html_to_markdown(BODY) == MARKDOWN


def test_text_rendering():
    assert html_to_text(BODY) == TEXT


def test_html_is_the_stored_source_unchanged():
    assert body_render(BODY, "html") == BODY
    assert body_render(BODY, "markdown") == MARKDOWN
    assert body_render(BODY, "text") == TEXT


def _normalised(html: str) -> str:
    html = re.sub(r' rel="[^"]*"', "", html)
    html = html.replace("<b>", "<strong>").replace("</b>", "</strong>")
    html = html.replace("<i>", "<em>").replace("</i>", "</em>").replace("<br />", "<br>")
    html = re.sub(r"<!-- -->", "", html)
    html = re.sub(r"</?(abbr|sub|sup|u)[^>]*>", "", html)
    return re.sub(r"\s+", "", html)


def test_markdown_reads_back_as_the_same_html():
    """Python-Markdown turns our Markdown back into the stored HTML (less the tags Markdown
    cannot express): nothing is lost or misread."""
    assert _normalised(markdown.markdown(html_to_markdown(BODY))) == _normalised(BODY)


@pytest.mark.parametrize(
    ("source", "markdown_text", "text"),
    [
        ("", "", ""),
        ("<p>Plain.</p>", "Plain.", "Plain."),
        ("<p>a &amp;amp; b</p>", "a &amp;amp; b", "a &amp; b"),
        ("<p>---</p>", "\\---", "---"),
        ('<p><a href="https://example.org">https://example.org</a></p>',
         "[https://example.org](https://example.org)", "https://example.org"),
        ("<p>Ends with a space <strong>bold </strong>word</p>",
         "Ends with a space **bold** word", "Ends with a space bold word"),
        ("<ul><li>one</li></ul><ul><li>two</li></ul>", "- one\n\n<!-- -->\n\n- two",
         "- one\n\n- two"),
        ('<ol start="3"><li>three</li><li>four</li></ol>', "3. three\n4. four",
         "3. three\n4. four"),
    ],
)
def test_edge_cases(source, markdown_text, text):
    assert html_to_markdown(source) == markdown_text
    assert html_to_text(source) == text


#: An href the sanitiser lets through that holds what would end a Markdown link target or
#: inject markup: a space, `<script>`, parentheses, a quote, a backslash, non-ASCII, and `&lt;`.
HOSTILE_HREF = (
    "https://example.org/a b<script>alert(1)</script>(x)\"q'\\é?a=1&lt;b&c=2#top"
)
HOSTILE_LINK = sanitise_html(
    '<p>See <a href="https://example.org/a b&lt;script&gt;alert(1)&lt;/script&gt;(x)&quot;'
    "q'\\é?a=1&amp;lt;b&amp;c=2#top\">this</a> &gt; that</p>"
)
HOSTILE_TARGET = (
    "https://example.org/a%20b%3Cscript%3Ealert%281%29%3C/script%3E%28x%29%22q'%5C%C3%A9"
    "?a=1%26lt;b&c=2#top"
)


def test_markdown_link_targets_are_percent_encoded():
    assert HOSTILE_HREF in html_to_text(HOSTILE_LINK)  # the sanitiser kept the href as it is

    rendered = html_to_markdown(HOSTILE_LINK)

    assert rendered == f"See [this]({HOSTILE_TARGET}) &gt; that"
    assert "<" not in rendered and ">" not in rendered
    assert unquote(HOSTILE_TARGET) == HOSTILE_HREF
    # Read back, it is one link to the same address, and the text after it is text.
    assert markdown.markdown(rendered) == (
        f'<p>See <a href="{HOSTILE_TARGET.replace("&", "&amp;")}">this</a> &gt; that</p>'
    )


@pytest.mark.parametrize(
    ("href", "target"),
    [
        ("https://example.org/already%20encoded/", "https://example.org/already%20encoded/"),
        ("https://example.org/?q=hip+knee&page=2#x", "https://example.org/?q=hip+knee&page=2#x"),
        ("https://example.org/Knie_(Gelenk)", "https://example.org/Knie_%28Gelenk%29"),
        ("mailto:help@example.org?subject=Hip pain", "mailto:help@example.org?subject=Hip%20pain"),
        ("https://[2001:db8::1]:8080/a", "https://[2001:db8::1]:8080/a"),
    ],
)
def test_link_target(href, target):
    assert link_target(href) == target


# --- the API -----------------------------------------------------------------------------


@pytest.fixture
def article(db):
    article = ArticleFactory(slug="hip-knee", title="Hip and knee")
    section = SectionFactory(article=article, kind=SectionKind.CONCLUSION, heading="Conclusion",
                             position=1, body="<p>Act <strong>early</strong>.</p><ul><li>Rest</li>"
                             "<li>Ice</li></ul>")
    SectionItemFactory(section=section, position=1, group=ItemGroup.NEXT_STEPS, title=None,
                       text="See a physio.")
    return article


SECTION = "/api/v1/articles/hip-knee/sections/conclusion/"


@pytest.mark.parametrize(
    ("body_format", "body", "paragraphs"),
    [
        (None, "<p>Act <strong>early</strong>.</p><ul><li>Rest</li><li>Ice</li></ul>",
         ["<p>Act <strong>early</strong>.</p>", "<ul><li>Rest</li><li>Ice</li></ul>"]),
        ("html", "<p>Act <strong>early</strong>.</p><ul><li>Rest</li><li>Ice</li></ul>",
         ["<p>Act <strong>early</strong>.</p>", "<ul><li>Rest</li><li>Ice</li></ul>"]),
        ("markdown", "Act **early**.\n\n- Rest\n- Ice", ["Act **early**.", "- Rest\n- Ice"]),
        ("text", "Act early.\n\n- Rest\n- Ice", ["Act early.", "- Rest\n- Ice"]),
    ],
)
def test_section_in_each_format(api_client, article, body_format, body, paragraphs,
                                django_assert_num_queries):
    params = {"body_format": body_format} if body_format else {}

    with django_assert_num_queries(3 + CACHE_MISS + (body_format is None) * STORED_LOOKUP):
        response = api_client.get(SECTION, params)

    assert response.status_code == 200
    assert response.json() == {
        "kind": "conclusion",
        "heading": "Conclusion",
        "position": 1,
        "health_aspect": None,
        # A row stored without a layout reads as its body's top-level pieces, then its lists;
        # each paragraph block is rendered in the format, as the body is.
        "blocks": [
            {"type": "paragraph", "body": paragraphs[0]},
            {"type": "paragraph", "body": paragraphs[1]},
            {"type": "list", "group": "next_steps", "heading": None,
             "items": [{"title": None, "text": "See a physio.", "entity": None}]},
        ],
        "body": body,
        "groups": [],
        "items": [{"group": "next_steps", "title": None, "text": "See a physio.",
                   "entity": None}],
        "timeline": None,
    }


def test_article_detail_renders_every_section_body(api_client, article):
    html = api_client.get("/api/v1/articles/hip-knee/").json()
    as_markdown = api_client.get("/api/v1/articles/hip-knee/", {"body_format": "markdown"})

    assert as_markdown.status_code == 200
    blocks = html["sections"][0]["blocks"]
    expected = {**html, "sections": [{
        **html["sections"][0],
        "blocks": [{**blocks[0], "body": "Act **early**."}, {**blocks[1], "body": "- Rest\n- Ice"},
                   blocks[2]],
        "body": "Act **early**.\n\n- Rest\n- Ice",
    }]}
    assert as_markdown.json() == expected


def test_each_format_has_its_own_etag(api_client, article):
    etags = {api_client.get(SECTION, {"body_format": f})["ETag"]
             for f in ("html", "markdown", "text")}

    assert len(etags) == 3


@pytest.mark.parametrize("path", ["/api/v1/articles/hip-knee/", SECTION])
@pytest.mark.parametrize("value", ["pdf", "", "HTML"])
def test_an_unknown_body_format_is_a_400_problem(api_client, article, path, value):
    response = api_client.get(path, {"body_format": value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [{
        "field": "body_format",
        "message": "Select one of: html, markdown, text.",
        "code": "invalid",
    }]


def test_lists_do_not_take_body_format(api_client, article):
    """A list has no section bodies: `body_format` there is an unknown parameter (400)."""
    response = api_client.get("/api/v1/articles/", {"body_format": "markdown"})

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("body_format", "unknown_parameter")


def test_json_ld_carries_plain_text_whatever_the_body_format(api_client, article):
    response = api_client.get("/api/v1/articles/hip-knee/",
                              {"body_format": "markdown", "format": "jsonld"})

    assert response.status_code == 200
    [part] = response.json()["hasPart"]
    assert part["text"] == "Act early.\n\n- Rest\n- Ice\n\n- See a physio."
