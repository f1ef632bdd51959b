"""The ranking rules both engines implement, and what a search returns.

**The score** of a row is the mean over the query's concepts of how well it matched:
1.0 in the name (A), 0.75 in another name (B), 0.6 in the prose (C), or — for a user word of
five letters or more that no row being searched contains, i.e. a typo ("osteoarthritus") —
0.9 × the similarity of the closest known word whose stem the names hold (`typo_corrections`:
a typo is read as the known words within pg_trgm word similarity 0.6 of it, as a spelling
corrector would, "osteoarthritis" 0.8); 0 otherwise. A
name longer than 4 distinct words, or a row longer than 64, scores its A or C matches less,
by the factor (4 or 64 / its length) ** 0.5, as BM25 does: a word met in a 2,000-word article
says less than one in a symptom's sentence. So matching more of the user's words beats
matching fewer, and a name beats prose. When a word matched in the name, up to 0.01 is added
for how close the whole title is to the whole query (pg_trgm similarity, so "hip pain" puts
the symptom "Hip Pain" first). Equal scores are ordered shorter row first (fewer distinct
words), then by type and slug: a total order, so pages never overlap.

**Snippets** are plain text: one stretch of at most 35 words of the prose around the matches
(the text itself for a warning sign), HTML-escaped, with each matched word wrapped in
`<mark>…</mark>`. Where the prose does not contain a matched word (a match in the name only),
the snippet is the prose's opening words, unmarked.

`SearchResults` is the lazy, sliceable result both engines return (postgres.py,
python_engine.py); `SearchHit` is one result, what the endpoint serialises.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

from content.search.query import SPACE, STOP_WORDS, ParsedQuery, word_stem
from content.types import registry

#: What a concept contributes when it matches in the name (A), another name (B), the prose (C)…
FIELD_SCORES = {"A": 1.0, "B": 0.75, "C": 0.6}
#: …times (N / length) ** LENGTH_DAMPING when the name has more than NAME_LEXEMES distinct
#: words, or the whole row more than BODY_LEXEMES (a word in a long text means less).
NAME_LEXEMES = 4
BODY_LEXEMES = 64
LENGTH_DAMPING = 0.5
#: A typo match contributes this share of its trigram word similarity to a known word…
FUZZY_FACTOR = 0.9
#: …when that similarity is at least this (pg_trgm.word_similarity_threshold's default).
FUZZY_THRESHOLD = 0.6
#: The trigram similarity of the title to the whole query (0 to 1) adds this share.
TIE_SHARE = 0.01

#: Snippet shape: one stretch of 15 to 35 words of the prose around the matches.
SNIPPET_WORDS = 35
SNIPPET_MIN_WORDS = 15
#: Private-use characters that mark matches until the snippet is escaped.
START_MARK, STOP_MARK = "\ue000", "\ue001"


def typo_corrections(close: Iterable[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """What a typo is read as, from the known words close to it ((word, pg_trgm's word
    similarity of the typo to that word alone), e.g. ("osteoarthritis", 0.8)): the stems of
    those at least FUZZY_THRESHOLD close, stop words left out, each with the best similarity
    of its words; best first. Names holding one of the stems match the typo and score
    FUZZY_FACTOR x that stem's similarity (the first of them they hold)."""
    best: dict[str, float] = {}
    for word, closeness in close:
        if closeness >= FUZZY_THRESHOLD and word not in STOP_WORDS:
            stem = word_stem(word)
            best[stem] = max(best.get(stem, 0.0), float(closeness))
    return tuple(sorted(best.items(), key=lambda item: (-item[1], item[0])))


def title_field(type_: str) -> str:
    """The field holding the title of a type's live rows."""
    return registry[type_].title_field


def live_model(type_: str):
    """The live model of a content type."""
    from content.models import LIVE_MODELS

    return LIVE_MODELS[type_]


def snippet_render(raw: str) -> str:
    """Escape a headline and turn the match sentinels into <mark> tags."""
    escaped = html.escape(raw.replace("\n", " "), quote=False)
    escaped = escaped.replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>")
    return SPACE.sub(" ", escaped).strip()


@dataclass
class SearchHit:
    """One ranked result: what the endpoint serialises."""

    type: str
    pk: int
    slug: str
    title: str
    score: float
    snippet: str = ""


class SearchResults:
    """Ranked hits of one query, read a page at a time: Django's Paginator slices it.

    `window(start, stop)` announces the page that will be read, so that the engine can
    count and read it together (one query on PostgreSQL); `count()` and slicing work
    without it too. `count()` may be an estimate when the query matches more rows than an
    engine counts exactly (PostgreSQL: `settings.SEARCH_EXACT_COUNT_UP_TO`); then
    `count_is_estimate` is True.
    """

    #: Whether count() is an estimate (set by the engine when it counts).
    count_is_estimate: bool = False

    def __init__(self, parsed: ParsedQuery, types: list[str]) -> None:
        self.parsed = parsed
        self.types = types
        self._count: int | None = None
        self._window: tuple[int, int] | None = None
        self._page: list[SearchHit] | None = None

    def window(self, start: int, stop: int) -> None:
        """The slice the caller is about to read."""
        self._window = (start, stop)

    def _prepare(self) -> None:
        """Work the engine does once per query before counting or reading."""

    def count(self) -> int:
        if self._count is None:
            self._prepare()
            if not self.parsed.concepts:
                self._count = 0
            elif self._window is not None and self._page is None:
                self._page, total, estimated = self._fetch(*self._window)
                if self._page or self._window[0] == 0:
                    self._count, self.count_is_estimate = total, estimated
            if self._count is None:
                self._count, self.count_is_estimate = self._fetch_count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[SearchHit]:
        if not isinstance(key, slice):
            raise TypeError("Search results are read by slices (pages).")
        start, stop = key.start or 0, key.stop
        if not self.parsed.concepts or (stop is not None and stop <= start):
            return []
        window = self._window
        if self._page is not None and window and start == window[0] and stop is not None \
                and stop <= window[1]:
            return self._page[: stop - start]
        self._prepare()
        return self._fetch(start, stop)[0]

    def _fetch_count(self) -> tuple[int, bool]:  # pragma: no cover - abstract
        """The number of hits, and whether it is an estimate."""
        raise NotImplementedError

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int, bool]:
        """The hits of [start:stop], the total number of hits (0 when none are read) and
        whether that total is an estimate."""
        raise NotImplementedError  # pragma: no cover - abstract
