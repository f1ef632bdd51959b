"""One stored source, three renderings: a section body as HTML, Markdown or plain text.

Section bodies are stored as sanitised HTML (content/snapshots.py, `ALLOWED_TAGS`). Apps
that do not render HTML (native apps, voice assistants, chat) ask the public API for
`?body_format=markdown` or `?body_format=text`; the conversion is a pure function of the
stored HTML, so every format says exactly the same words.

Markdown (CommonMark): blocks separated by a blank line; `**strong**`, `*emphasis*`,
`[text](target)`, `### ` for h3 and `#### ` for h4, `> ` for quotes, bulleted list items as
`- `, numbered ones as `1. `, nested content indented by four spaces, a line break as two
spaces at the end of the line, two lists in a row kept apart by `<!-- -->` — forms that
CommonMark and Python-Markdown read alike. Characters that would otherwise be read as
markup are escaped with a backslash, `<` and `>` as `&lt;` and `&gt;`. A link's target is its
href percent-encoded (`link_target`): no space, parenthesis, `<`, `>`, quote, backslash or
character outside ASCII is left raw, so the target cannot end the link early, and no `<` or
`>` reaches the Markdown but its own quote markers and list separators. Tags Markdown has no
syntax for (u, sub, sup, abbr) keep their text.

Text: the same blocks without markup; list items still start with `- ` or `1. ` and quotes
with `> `; a link reads `text (href)` unless its text already is the address.

A whole section is rendered from its blocks (content/blocks.py) in reading order,
`blocks_render`: each paragraph as it is, each list where it stands as its heading (with a
colon) and a bulleted list of its items (`title: text`, the title strong); as HTML, and so as
Markdown or text, the same words in the same order.
"""

import html
import re
from html.parser import HTMLParser
from urllib.parse import quote

from content.choices import BlockType, BodyFormat

BLOCK_TAGS = {"p", "h3", "h4", "ul", "ol", "li", "blockquote"}
VOID_TAGS = {"br"}
INDENT = 4


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    """Sanitised HTML to a small tree (character references already decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _tree(source: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    return builder.root


_SPACE = re.compile(r"\s+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
#: Where a <br> was, until its line is finished (Markdown: two spaces and a newline).
BREAK = "\x00"
_MD_BULLET_START = re.compile(r"^([#+\-=])(?=\s|$)|^([=\-])(?=[=\-]*\s*$)", re.MULTILINE)
_MD_NUMBER_START = re.compile(r"^(\d+)([.)])(?=\s|$)", re.MULTILINE)
#: What a link target keeps raw: RFC 3986's reserved characters and `%` (so an href that is
#: already percent-encoded stays as it is), less the parentheses, which would end the target.
_URL_SAFE = "!#$%&'*+,/:;=?@[]~"


def link_target(href: str) -> str:
    """An href as a Markdown link target: percent-encoded (UTF-8) except URL syntax, and `&`
    too where it would start a character reference that Markdown would decode."""
    return quote(_MD_ENTITY.sub("%26", href), safe=_URL_SAFE)


class _Renderer:
    """Walks the tree, in Markdown or in plain text."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown

    # inline ----------------------------------------------------------------------------------

    def inline(self, nodes) -> str:
        parts = []
        for node in nodes:
            if isinstance(node, str):
                text = _SPACE.sub(" ", node)
                if self.markdown:  # `<`, `>` as entities: not every Markdown reads `\<`
                    text = _MD_ENTITY.sub("&amp;", _MD_SPECIAL.sub(r"\\\1", text))
                    text = text.replace("<", "&lt;").replace(">", "&gt;")
                parts.append(text)
            elif node.tag == "br":
                parts.append(BREAK)
            elif node.tag in BLOCK_TAGS:  # a block where only inline content belongs
                parts.append(self.inline(node.children))
            else:
                parts.append(self.styled(node))
        return "".join(parts)

    def styled(self, node: _Node) -> str:
        inner = self.inline(node.children)
        if not inner.strip():
            return inner
        lead = inner[: len(inner) - len(inner.lstrip(" "))]
        trail = inner[len(inner.rstrip(" ")):]
        core = inner.strip(" ")
        if self.markdown and node.tag in ("strong", "b", "em", "i"):
            # Emphasis may not start or end with a space: keep the spaces outside it.
            mark = "**" if node.tag in ("strong", "b") else "*"
            return f"{lead}{mark}{core}{mark}{trail}"
        if node.tag == "a" and node.attrs.get("href"):
            href = node.attrs["href"]
            if self.markdown:
                return f"{lead}[{core}]({link_target(href)}){trail}"
            return inner if core == href else f"{lead}{core} ({href}){trail}"
        return inner

    def paragraph(self, nodes) -> str:
        lines = [line.strip() for line in self.inline(nodes).strip().split(BREAK)]
        text = ("  \n" if self.markdown else "\n").join(lines)
        if self.markdown:  # a line that would start a heading, list or rule stays text
            text = _MD_BULLET_START.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)
            text = _MD_NUMBER_START.sub(r"\1\\\2", text)
        return text

    # blocks ----------------------------------------------------------------------------------

    def blocks(self, node: _Node) -> list[tuple[str, str]]:
        """`node`'s children as (kind, text) blocks; kind is the tag, or "p" for loose text."""
        pieces: list[tuple[str, str]] = []
        loose: list = []

        def flush():
            if loose:
                text = self.paragraph(loose)
                if text:
                    pieces.append(("p", text))
                loose.clear()

        for child in node.children:
            if isinstance(child, _Node) and child.tag in BLOCK_TAGS:
                flush()
                text = self.block(child)
                if text:
                    pieces.append((child.tag, text))
            else:
                loose.append(child)
        flush()
        return pieces

    def block(self, node: _Node) -> str:
        if node.tag == "p":
            return self.paragraph(node.children)
        if node.tag in ("h3", "h4"):
            text = _SPACE.sub(" ", self.inline(node.children).replace(BREAK, " ")).strip()
            if not self.markdown or not text:
                return text
            return ("### " if node.tag == "h3" else "#### ") + text
        if node.tag == "blockquote":
            inner = self.join(self.blocks(node))
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if node.tag in ("ul", "ol"):
            return self.listing(node)
        return self.join(self.blocks(node))  # an li outside a list

    def listing(self, node: _Node) -> str:
        start = node.attrs.get("start", "")
        number = int(start) if start.isdigit() else 1
        lines = []
        for child in node.children:
            if not isinstance(child, _Node) or child.tag != "li":
                continue
            marker = f"{number}. " if node.tag == "ol" else "- "
            number += 1
            first, *rest = (self.join(self.blocks(child), in_item=True) or "").split("\n")
            indent = " " * max(INDENT, len(marker))
            lines.append(marker + first)
            lines.extend(indent + line if line else "" for line in rest)
        return "\n".join(lines)

    def join(self, pieces: list[tuple[str, str]], *, in_item: bool = False) -> str:
        """Blocks separated by a blank line, except that in a list item a nested list
        follows the text directly (a tight item); in Markdown two lists in a row are kept
        apart by an empty comment, or they would be read as one."""
        text = ""
        for index, (kind, piece) in enumerate(pieces):
            before = pieces[index - 1][0] if index else None
            if before is None:
                pass
            elif in_item and kind in ("ul", "ol") and before == "p":
                text += "\n"
            elif kind in ("ul", "ol") and before in ("ul", "ol") and self.markdown:
                text += "\n\n<!-- -->\n\n"
            else:
                text += "\n\n"
            text += piece
        return text

    def render(self, source: str) -> str:
        return self.join(self.blocks(_tree(source)))


def html_to_markdown(source: str) -> str:
    """A sanitised HTML body as Markdown (see the module)."""
    return _Renderer(markdown=True).render(source)


def html_to_text(source: str) -> str:
    """A sanitised HTML body as plain text (see the module)."""
    return _Renderer(markdown=False).render(source)


def body_render(source: str, body_format: str) -> str:
    """`source` (stored, sanitised HTML) in `body_format`."""
    if body_format == BodyFormat.MARKDOWN:
        return html_to_markdown(source)
    if body_format == BodyFormat.TEXT:
        return html_to_text(source)
    return source


def _list_html(block: dict) -> str:
    items = "".join(
        f"<li><strong>{html.escape(item['title'])}</strong>: {html.escape(item['text'])}</li>"
        if item["title"] else f"<li>{html.escape(item['text'])}</li>"
        for item in block["items"]
    )
    heading = f"<p>{html.escape(block['heading'])}:</p>" if block["heading"] else ""
    return f"{heading}<ul>{items}</ul>" if items else heading


def blocks_html(blocks: list[dict]) -> str:
    """A section's blocks as one piece of HTML, in reading order (see the module)."""
    return "".join(block["body"] if block["type"] == BlockType.PARAGRAPH else _list_html(block)
                   for block in blocks)


def blocks_render(blocks: list[dict], body_format: str) -> str:
    """A section's blocks, paragraphs and lists where they stand, in `body_format`."""
    return body_render(blocks_html(blocks), body_format)


def blocks_in_format(blocks: list[dict], body_format: str) -> list[dict]:
    """Blocks with each paragraph's body in `body_format` (lists are plain text already)."""
    return [{**block, "body": body_render(block["body"], body_format)}
            if block["type"] == BlockType.PARAGRAPH else block for block in blocks]
