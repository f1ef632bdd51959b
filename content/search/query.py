"""Reading text and queries, the same way on every backend.

Owns how words are read (`text_words`: lowercased, split at anything that is not a letter or
digit, so apostrophes split, as PostgreSQL's parser does; `text_lexemes`: PostgreSQL's English
stop words dropped and the rest stemmed with the Snowball English stemmer, the one PostgreSQL's
`english` configuration uses, so "exercises" finds "exercise"), and how a user's query becomes
concepts (`query_parse`). Editors' synonym sets (`Synonym`) are matched on stems, longest phrase
first: "runner's knee" also looks for "patellofemoral pain syndrome". Each user word (or synonym
phrase) is a *concept*; a result must match at least one: ranked, not strict AND.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from content.plaintext import STRAIGHT_QUOTES

#: PostgreSQL text search configuration (and so the stemmer and stop words mirrored below).
CONFIG = "english"
#: The longest query accepted, in characters.
MAX_QUERY_LENGTH = 200
#: Words after this many concepts are ignored (a pasted paragraph is not a query).
MAX_CONCEPTS = 8
#: Only user words at least this long are matched by similarity (short words are too noisy).
FUZZY_MIN_LENGTH = 5

#: PostgreSQL's English stop words (tsearch_data/english.stop), so both backends drop the same.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """.split()  # noqa: SIM905 - readable, and diffable against english.stop
)

#: A word: a run of letters and digits.
WORD = re.compile(r"[^\W_]+")
#: A run of whitespace.
SPACE = re.compile(r"\s+")

_stemmer = snowballstemmer.stemmer("english")


def text_words(text: str) -> list[str]:
    """Lowercased words of `text`: runs of letters and digits (apostrophes split words)."""
    text = unicodedata.normalize("NFKC", text).translate(STRAIGHT_QUOTES).lower()
    return WORD.findall(text)


@lru_cache(maxsize=8192)
def word_stem(word: str) -> str:
    """The Snowball English stem of a lowercased word."""
    return _stemmer.stemWord(word)


def text_lexemes(text: str) -> list[tuple[str, int]]:
    """(stem, position) of every non-stop word, positions counting stop words (as PostgreSQL)."""
    return [(word_stem(w), i) for i, w in enumerate(text_words(text)) if w not in STOP_WORDS]


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for: its stems and their offsets from the first."""

    text: str
    stems: tuple[str, ...]
    offsets: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> Term | None:
        lexemes = text_lexemes(text)
        if not lexemes:
            return None
        first = lexemes[0][1]
        return cls(
            text=" ".join(text_words(text)),
            stems=tuple(s for s, _ in lexemes),
            offsets=tuple(p - first for _, p in lexemes),
        )


@dataclass(frozen=True)
class Concept:
    """One thing the user asked for: a word, or a phrase with its synonyms (alternatives)."""

    text: str
    terms: tuple[Term, ...]
    fuzzy: str | None = None  # the user's word, when it may be matched by similarity
    #: For a typo: the stems of the known words close to it, with their similarity to it,
    #: best first (ranking.typo_corrections).
    corrections: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    concepts: tuple[Concept, ...]

    @property
    def terms(self) -> list[Term]:
        """Every alternative of every concept, once."""
        return list(dict.fromkeys(t for c in self.concepts for t in c.terms))

    def typos_only(self, known: Iterable[int],
                   corrections: Mapping[int, tuple[tuple[str, float], ...]]) -> ParsedQuery:
        """This query with typo matching kept only for the concepts not in `known` (indexes),
        a word some searched row contains being no typo, each typo read as its `corrections`
        (by concept index: ranking.typo_corrections); a typo with none matches nothing."""
        known = set(known)
        concepts = []
        for i, concept in enumerate(self.concepts):
            if concept.fuzzy:
                corrections_ = () if i in known else tuple(corrections.get(i, ()))
                concept = dataclasses.replace(concept, fuzzy=concept.fuzzy if corrections_
                                              else None, corrections=corrections_)
            concepts.append(concept)
        return ParsedQuery(text=self.text, concepts=tuple(concepts))



def synonym_sets() -> list[list[str]]:
    """Every synonym set, as lists of terms (one query)."""
    from content.models import Synonym

    return list(Synonym.objects.values_list("terms", flat=True))


@lru_cache(maxsize=8)
def _synonym_index(synonyms: tuple[tuple[str, ...], ...]):
    """The synonym sets read as Terms, and the sets each phrase (stems) belongs to. Cached:
    the table changes rarely, and reading it costs more than the rest of a query."""
    phrases: dict[tuple[str, ...], list[int]] = {}
    sets: list[list[Term]] = []
    for index, terms in enumerate(synonyms):
        parsed = [t for t in (Term.parse(term) for term in terms) if t is not None]
        sets.append(parsed)
        for term in parsed:
            phrases.setdefault(term.stems, []).append(index)
    return phrases, sets, max((len(stems) for stems in phrases), default=0)


def query_parse(text: str, synonyms: Iterable[Sequence[str]] = ()) -> ParsedQuery:
    """Split a user's query into concepts, expanding synonyms (matched on stems)."""
    phrases, sets, longest = _synonym_index(tuple(tuple(terms) for terms in synonyms))

    words = text_words(text[:MAX_QUERY_LENGTH])
    tokens = [(w, word_stem(w)) for w in words if w not in STOP_WORDS]
    concepts: list[Concept] = []
    seen: set[tuple[str, ...]] = set()
    i = 0
    while i < len(tokens) and len(concepts) < MAX_CONCEPTS:
        for size in range(min(longest, len(tokens) - i), 0, -1):
            stems = tuple(s for _, s in tokens[i : i + size])
            if stems in phrases:
                own = Term(" ".join(w for w, _ in tokens[i : i + size]), stems,
                           tuple(range(size)))
                alternatives = [own] + [t for n in phrases[stems] for t in sets[n]]
                concept = Concept(own.text, tuple(dict.fromkeys(alternatives)))
                break
        else:
            size = 1
            word, stem = tokens[i]
            eligible = len(word) >= FUZZY_MIN_LENGTH and word.isalpha()
            concept = Concept(word, (Term(word, (stem,), (0,)),), word if eligible else None)
        i += size
        key = concept.terms[0].stems
        if key not in seen:
            seen.add(key)
            concepts.append(concept)
    return ParsedQuery(text=text, concepts=tuple(concepts))
