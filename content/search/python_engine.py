"""The Python engine (SQLite: development and tests): the ranking rules (ranking.py) in Python.

SQLite has no full-text engine here, so the same rules run in Python over the published rows'
stored texts (one query), with pure-Python equivalents of pg_trgm's `word_similarity` and
`similarity` and of `ts_headline`'s choice of snippet; a typo is read as the words of the
rows' names close to it. It follows the rules exactly
(PostgreSQL's parser also indexes a hyphenated word whole, so a long text with hyphens can
differ slightly in length), but it reads every published row of the requested types: fine for
development-sized data (thousands of rows), not for production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F, QuerySet, TextField, Value

from content.search.query import (
    MAX_QUERY_LENGTH,
    STOP_WORDS,
    WORD,
    ParsedQuery,
    Term,
    text_lexemes,
    text_words,
    word_stem,
)
from content.search.ranking import (
    BODY_LEXEMES,
    FIELD_SCORES,
    FUZZY_FACTOR,
    LENGTH_DAMPING,
    NAME_LEXEMES,
    SNIPPET_MIN_WORDS,
    SNIPPET_WORDS,
    START_MARK,
    STOP_MARK,
    TIE_SHARE,
    SearchHit,
    SearchResults,
    live_model,
    snippet_render,
    title_field,
    typo_corrections,
)


def python_filter(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """Rows of `queryset` matching `parsed` (one query to read the candidates' texts)."""
    rows = list(queryset.values_list("pk", "search_names", "search_body"))
    parsed = _py_typos_only(parsed, [(names, body) for _, names, body in rows])
    keep = [pk for pk, names, body in rows if _py_score(parsed, names, body) is not None]
    return queryset.filter(pk__in=keep)


@dataclass(frozen=True)
class _Analysed:
    """A row's text as the Python engine reads it."""

    fields: dict[str, dict[str, tuple[int, ...]]]  # weight -> stem -> positions
    size: int  # distinct stems: PostgreSQL's length(tsvector)
    factors: dict[str, float]  # weight -> length damping (see LENGTH_DAMPING)


@lru_cache(maxsize=4096)
def _analyse(names: str, body: str) -> _Analysed:
    title, _, others = names.partition("\n")
    fields: dict[str, dict[str, tuple[int, ...]]] = {}
    for weight, text in (("A", title), ("B", others), ("C", body)):
        positions: dict[str, list[int]] = {}
        for stem, position in text_lexemes(text):
            positions.setdefault(stem, []).append(position)
        fields[weight] = {stem: tuple(p) for stem, p in positions.items()}
    distinct = len(set(fields["A"]) | set(fields["B"]) | set(fields["C"]))
    factors = {
        "A": min(1.0, NAME_LEXEMES / max(len(fields["A"]), 1)) ** LENGTH_DAMPING,
        "B": 1.0,
        "C": min(1.0, BODY_LEXEMES / max(distinct, 1)) ** LENGTH_DAMPING,
    }
    return _Analysed(fields, distinct, factors)


def _term_count(term: Term, positions: dict[str, tuple[int, ...]]) -> int:
    """How often `term` (a word, or a phrase at its offsets) occurs in one field."""
    first = positions.get(term.stems[0])
    if not first:
        return 0
    if len(term.stems) == 1:
        return len(first)
    rest = [set(positions.get(s, ())) for s in term.stems[1:]]
    return sum(
        all(p + off in pos for off, pos in zip(term.offsets[1:], rest, strict=True))
        for p in first
    )


def _trigrams(word: str) -> list[str]:
    padded = f"  {word} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def _trigram_sequence(text: str) -> list[str]:
    """pg_trgm's trigrams of `text`, in order: each word padded with two spaces before, one
    after."""
    return [t for word in WORD.findall(text.lower()) for t in _trigrams(word)]


def word_similarity(word: str, text: str) -> float:
    """pg_trgm's word_similarity(word, text): the best Jaccard similarity between the
    trigrams of `word` and those of any contiguous stretch of `text`'s trigrams."""
    wanted = set(_trigrams(word.lower()))
    sequence = _trigram_sequence(text)
    best = 0.0
    for start, trigram in enumerate(sequence):
        if trigram not in wanted:
            continue
        seen: set[str] = set()
        shared = 0
        for trigram_ in sequence[start:]:
            if trigram_ not in seen:
                seen.add(trigram_)
                shared += trigram_ in wanted
            if trigram_ in wanted:
                best = max(best, shared / (len(wanted) + len(seen) - shared))
    return best


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): the Jaccard similarity of the two strings' trigram sets."""
    first, second = set(_trigram_sequence(a)), set(_trigram_sequence(b))
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def _py_typos_only(parsed: ParsedQuery, texts: list[tuple[str, str]]) -> ParsedQuery:
    """`parsed` with typo matching only for the words that none of `texts` contains, each
    read as the words of their names close to it (ranking.typo_corrections), as the
    PostgreSQL engine reads it from its vocabulary (`SearchWord`)."""
    candidates = {i: c for i, c in enumerate(parsed.concepts) if c.fuzzy}
    known = set()
    for names, body in texts:
        fields = _analyse(names, body).fields
        for i, concept in candidates.items():
            if i not in known and any(
                _term_count(t, fields[w]) for t in concept.terms for w in ("A", "B", "C")
            ):
                known.add(i)
        if len(known) == len(candidates):
            break
    typos = [i for i in candidates if i not in known]
    if not typos:
        return parsed.typos_only(known, {})
    words = {word for names, _ in texts for word in WORD.findall(names.lower())}
    return parsed.typos_only(known, {
        i: typo_corrections((word, word_similarity(candidates[i].fuzzy, word))
                            for word in words)
        for i in typos
    })


def _py_score(parsed: ParsedQuery, names: str, body: str) -> tuple[float, int] | None:
    """(score, size) of one row, or None when it does not match."""
    doc = _analyse(names, body)
    total = 0.0
    matched = in_name = False
    for concept in parsed.concepts:
        part = 0.0
        for weight in ("A", "B", "C"):
            if any(_term_count(t, doc.fields[weight]) for t in concept.terms):
                part = FIELD_SCORES[weight] * doc.factors[weight]
                matched = True
                in_name = in_name or weight == "A"
                break
        if not part and concept.fuzzy:
            names_stems = doc.fields["A"].keys() | doc.fields["B"].keys()
            closest = next((s for stem, s in concept.corrections if stem in names_stems), 0.0)
            if closest:
                part = FUZZY_FACTOR * closest
                matched = True
        total += part
    if not matched:
        return None
    score = total / len(parsed.concepts)
    if in_name:
        score += TIE_SHARE * similarity(names.partition("\n")[0], parsed.text[:MAX_QUERY_LENGTH])
    return score, doc.size


def _py_snippet(parsed: ParsedQuery, names: str, body: str) -> str:
    """ts_headline's default behaviour, closely: a text of at most SNIPPET_WORDS words whole;
    otherwise the SNIPPET_WORDS-word stretch holding the most matches; with no match, the
    first SNIPPET_MIN_WORDS words. Matched words are marked."""
    tokens = (body or names.replace("\n", " ")).split()
    wanted = {s for t in parsed.terms for s in t.stems}

    def matches(word: str) -> bool:
        return word not in STOP_WORDS and word_stem(word) in wanted

    hits = [i for i, token in enumerate(tokens) if any(matches(w) for w in text_words(token))]
    if not hits:
        window = range(min(SNIPPET_MIN_WORDS, len(tokens)))
    elif len(tokens) <= SNIPPET_WORDS:
        window = range(len(tokens))
    else:
        best, most = hits[0], 0
        for first in hits:
            count = sum(1 for h in hits if first <= h < first + SNIPPET_WORDS)
            if count > most:
                best, most = first, count
        start = max(0, min(best - 3, len(tokens) - SNIPPET_WORDS))
        window = range(start, start + SNIPPET_WORDS)

    def mark(match: re.Match) -> str:
        word = match.group(0)
        return f"{START_MARK}{word}{STOP_MARK}" if matches(text_words(word)[0]) else word

    return snippet_render(" ".join(WORD.sub(mark, tokens[i]) for i in window))


class PythonResults(SearchResults):
    def _ranked(self) -> list[tuple[SearchHit, str, str, int]]:
        if not hasattr(self, "_hits"):
            branches = [
                live_model(type_)
                .objects.published()
                .annotate(
                    hit_type=Value(type_, output_field=TextField()),
                    hit_title=F(title_field(type_)),
                )
                .values_list("hit_type", "pk", "slug", "hit_title", "search_names", "search_body")
                .order_by()
                for type_ in self.types
            ]
            query = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
            rows = list(query)
            self.parsed = _py_typos_only(self.parsed, [(r[4], r[5]) for r in rows])
            ranked = []
            for type_, pk, slug, title, names, body in rows:
                scored = _py_score(self.parsed, names, body)
                if scored is not None:
                    hit = SearchHit(type=type_, pk=pk, slug=slug, title=title, score=scored[0])
                    ranked.append((hit, names, body, scored[1]))
            ranked.sort(key=lambda r: (-r[0].score, r[3], r[0].type, r[0].slug))
            self._hits = ranked
        return self._hits

    # Every published row is read and scored: the count is always exact.
    def _fetch_count(self) -> tuple[int, bool]:
        return len(self._ranked()), False

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int, bool]:
        page = self._ranked()[start:stop]
        for hit, names, body, _ in page:
            hit.snippet = _py_snippet(self.parsed, names, body)
        return [hit for hit, *_ in page], len(self._ranked()), False
