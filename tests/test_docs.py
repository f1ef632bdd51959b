"""The documentation that lives in the repository: README.md and docs/*.md.

Every relative link (a file, a folder, or a `#anchor` with GitHub's heading anchors) must
resolve inside the repository; nothing may point outside it (`../shared/…`, a `../` that
climbs out of the checkout, an absolute path); every `make <target>` the docs name must exist
in the Makefile; and every `docs/….md#anchor` a docstring or comment cites must resolve.
The checker functions are tested on small documents first, so a checker that never fails
cannot pass unnoticed.
"""

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Source trees whose docstrings and comments may cite the docs.
SOURCE_TREES = ["content", "hipknee_api", "tests", "bench", "fixtures"]

FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# [text](target "title") and ![alt](target); the target may be wrapped in <…>.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HTML_ANCHOR = re.compile(r"<a\s+(?:[^>]*?\s)?(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
HTML_LINK = re.compile(r"<(?:a|img)\s+[^>]*?(?:href|src)=\"([^\"]+)\"", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
MAKE_TARGET = re.compile(r"(?<![\w-])make\s+([a-z][a-z0-9-]*)")
MAKEFILE_TARGET = re.compile(r"^([a-z][a-z0-9-]*)\s*:(?!=)", re.MULTILINE)
# A path that leaves the repository: the old brief, the shared folder, a checkout's parent.
OUTSIDE = re.compile(r"(?<![\w/.])(?:\.\./shared\b|/work/shared\b|API\.md\b)")
DOC_CITATION = re.compile(r"\b(docs/[\w./-]+\.md)(?:#([\w-]+))?")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lowercased, punctuation dropped (but
    hyphens and underscores), each space a hyphen."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = text.replace("`", "").replace("*", "")
    kept = []
    for char in text.lower():
        category = unicodedata.category(char)
        if char in " -_" or category[0] in "LN" or category[0] == "M":
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def _prose_lines(text: str):
    """(line number, line) outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown document defines: its headings (duplicates numbered -1, -2,
    … as GitHub does) and explicit HTML anchors."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in _prose_lines(text):
        found.update(HTML_ANCHOR.findall(line))
        match = HEADING.match(line)
        if not match:
            continue
        anchor = github_anchor(match.group(2))
        if anchor in seen:
            seen[anchor] += 1
            anchor = f"{anchor}-{seen[anchor]}"
        else:
            seen[anchor] = 0
        found.add(anchor)
    return found


def links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every link and image outside code."""
    found = []
    for number, line in _prose_lines(text):
        prose = INLINE_CODE.sub("", line)
        found += [(number, target) for target in INLINE_LINK.findall(prose)]
        found += [(number, target) for target in HTML_LINK.findall(prose)]
        definition = REFERENCE_DEFINITION.match(prose)
        if definition:
            found.append((number, definition.group(1)))
    return found


def link_problems(document: Path, root: Path, cache: dict | None = None) -> list[str]:
    """What is wrong with the links of one Markdown document of the repository at `root`."""
    cache = {} if cache is None else cache

    def anchors_of(path: Path) -> set[str]:
        if path not in cache:
            cache[path] = anchors(path.read_text(encoding="utf-8"))
        return cache[path]

    problems = []
    where = document.relative_to(root)
    for number, target in links(document.read_text(encoding="utf-8")):
        label = f"{where}:{number}: {target!r}"
        if not target:
            problems.append(f"{label}: empty link")
            continue
        if SCHEME.match(target):
            if target.lower().startswith("file:"):
                problems.append(f"{label}: a file: URL points outside the repository")
            continue  # http(s), mailto: not checked here (no network in tests)
        path_part, _, anchor = target.partition("#")
        if path_part.startswith("/"):
            problems.append(f"{label}: absolute path; link relative to the document")
            continue
        resolved = (document.parent / path_part).resolve() if path_part else document
        if not resolved.is_relative_to(root):
            problems.append(f"{label}: points outside the repository")
            continue
        if not resolved.exists():
            problems.append(f"{label}: {resolved.relative_to(root)} does not exist")
            continue
        if anchor:
            if resolved.suffix != ".md" or not resolved.is_file():
                problems.append(f"{label}: an anchor into a file that is not Markdown")
            elif anchor not in anchors_of(resolved):
                problems.append(f"{label}: no heading #{anchor} in {resolved.relative_to(root)}")
    return problems


def outside_references(text: str) -> list[tuple[int, str]]:
    """(line number, match) of every mention of a path outside the repository."""
    return [
        (number, match.group(0))
        for number, line in enumerate(text.splitlines(), start=1)
        for match in OUTSIDE.finditer(line)
    ]


def make_targets_named(text: str) -> set[str]:
    """Targets of every `make <target>` inside inline code or a code block."""
    named: set[str] = set()
    fenced = False
    for line in text.splitlines():
        if FENCE.match(line.lstrip()):
            fenced = not fenced
            continue
        spans = [line] if fenced else [m.group(2) for m in INLINE_CODE.finditer(line)]
        for span in spans:
            code = span.split("#", 1)[0] if fenced else span  # not shell comments
            named.update(MAKE_TARGET.findall(code))
    return named


def makefile_targets(makefile: str) -> set[str]:
    return set(MAKEFILE_TARGET.findall(makefile))


# --- the checkers, on small documents ----------------------------------------------------------


def test_github_anchor_follows_githubs_rules():
    assert github_anchor("Editing: drafts and If-Match") == "editing-drafts-and-if-match"
    assert github_anchor("`make bench`") == "make-bench"
    assert github_anchor("API keys and rate limits") == "api-keys-and-rate-limits"
    assert github_anchor("Lists: pagination, ordering, filters") == (
        "lists-pagination-ordering-filters"
    )
    assert github_anchor("The model: documents, revisions, live rows") == (
        "the-model-documents-revisions-live-rows"
    )
    assert github_anchor("deliver_webhooks and publish_scheduled") == (
        "deliver_webhooks-and-publish_scheduled"
    )
    assert github_anchor("See [the guide](x.md) — twice") == "see-the-guide--twice"


def test_anchors_numbers_duplicate_headings_and_skips_code():
    text = "# Title\n## Notes\n```\n# not a heading\n```\n## Notes\n<a id=\"custom\"></a>\n"
    assert anchors(text) == {"title", "notes", "notes-1", "custom"}


def test_link_problems_reports_every_kind_of_broken_link(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Other\n## Known heading\n")
    (tmp_path / "image.png").write_bytes(b"")
    document = tmp_path / "README.md"
    document.write_text(
        "# Readme\n"
        "[ok](docs/other.md#known-heading) [ok](#readme) ![ok](image.png) "
        "[ok](https://example.org/x) [ok](docs/)\n"
        "[missing file](docs/nope.md)\n"
        "[missing anchor](docs/other.md#unknown)\n"
        "[missing local anchor](#nowhere)\n"
        "[outside](../shared/API.md)\n"
        "[absolute](/etc/passwd)\n"
        "`[in code](docs/nope.md)`\n"
        "```\n[in a block](docs/nope.md)\n```\n"
        "[ref]: docs/gone.md\n"
    )
    problems = link_problems(document, tmp_path)
    assert [p.split(": ", 1)[0] for p in problems] == [
        "README.md:3", "README.md:4", "README.md:5", "README.md:6", "README.md:7",
        "README.md:12",
    ]
    assert "docs/nope.md does not exist" in problems[0]
    assert "no heading #unknown in docs/other.md" in problems[1]
    assert "no heading #nowhere in README.md" in problems[2]
    assert "points outside the repository" in problems[3]
    assert "absolute path" in problems[4]
    assert "docs/gone.md does not exist" in problems[5]


def test_outside_references_finds_the_old_brief_and_the_shared_folder():
    text = "See API.md §3.\nOr ../shared/research/x.md.\nFine: docs/api.md#errors.\n"
    assert outside_references(text) == [(1, "API.md"), (2, "../shared")]


def test_make_targets_named_reads_code_only():
    text = (
        "Run `make run PORT=8001` and `make bench-search`; make sure it works.\n"
        "```sh\nmake test   # then make nothing\nmake -n serve\n```\n"
    )
    assert make_targets_named(text) == {"run", "bench-search", "test"}


# --- the repository's documentation ------------------------------------------------------------


def test_the_documentation_exists():
    names = {path.relative_to(ROOT).as_posix() for path in DOCS}
    assert {
        "README.md", "docs/api.md", "docs/editorial.md", "docs/operations.md",
        "docs/architecture.md", "docs/caching.md", "docs/search.md", "docs/decisions.md",
    } <= names


@pytest.mark.parametrize("document", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(document):
    assert link_problems(document, ROOT) == []


@pytest.mark.parametrize("document", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_document_points_outside_the_repository(document):
    assert outside_references(document.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("document", DOCS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_make_target_named_exists(document):
    targets = makefile_targets((ROOT / "Makefile").read_text(encoding="utf-8"))
    assert {"run", "test", "serve"} <= targets  # the parser reads this Makefile
    named = make_targets_named(document.read_text(encoding="utf-8"))
    assert named - targets == set()


def _source_files():
    for tree in SOURCE_TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            if path != Path(__file__).resolve() and "migrations" not in path.parts:
                yield path


def test_no_docstring_or_comment_points_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match}"
        for path in _source_files()
        for number, match in outside_references(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_every_docs_citation_in_the_code_resolves():
    cache: dict = {}
    problems = []
    for path in _source_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for document, anchor in DOC_CITATION.findall(line):
                target = ROOT / document
                where = f"{path.relative_to(ROOT)}:{number}: {document}"
                if not target.is_file():
                    problems.append(f"{where}: no such file")
                    continue
                if target not in cache:
                    cache[target] = anchors(target.read_text(encoding="utf-8"))
                if anchor and anchor not in cache[target]:
                    problems.append(f"{where}#{anchor}: no such heading")
    assert problems == []


def test_readme_shows_the_reference_mirror_client_verbatim():
    """The mirror code README shows is the code the test suite runs (content/mirror.py)."""
    readme = (ROOT / "README.md").read_text()
    code = (ROOT / "content" / "mirror.py").read_text()

    assert f"```python\n{code}```\n" in readme


def test_api_guide_shows_the_ten_line_blocks_client_verbatim():
    """The client docs/api.md#section-blocks shows is the code tests/test_seed.py runs on the
    seed article (content/render_article.py)."""
    guide = (ROOT / "docs" / "api.md").read_text()
    code = (ROOT / "content" / "render_article.py").read_text()
    body = code.split("def render", 1)[1].split('\n\n\nif __name__', 1)[0]

    assert f"```python\n{code}```\n" in guide
    assert len(("def render" + body).strip().splitlines()) <= 12  # the function: ten-odd lines
