"""The one module that knows the search backend.

Both faces of search use it: the search endpoint (`search()`, ranked hits across types) and
every list's `search=` filter (`search_filter(queryset, query)`). The publishing service keeps
the index current (`search_index_update(row)` on every publish).

**The index.** Each live row stores its searchable text, derived on publish: `search_names`
(the title or name on the first line — weight A — then its other names, one per line:
also known as, a treatment's examples, an article's summary and headings — weight B) and
`search_body` (its prose as plain text — weight C). On PostgreSQL the row also stores the
weighted `tsvector` of those texts (`search_vector`) and of its names alone
(`search_names_vector`), and their sizes; and `SearchEntry` holds a copy of those columns
and the row's visibility for every live row of every type (`search_entries_sync`, on
publish, unpublish and expiry): one narrow table, GIN-indexed on both vectors, with a trigram
GIN index (pg_trgm) on the names for typos and a btree on the size, which the search
endpoint reads instead of six wide tables.

**A query** is read the same way on every backend (`query_parse`): words are lowercased,
split at anything that is not a letter or digit (so apostrophes split, as PostgreSQL's parser
does), PostgreSQL's English stop words are dropped and the rest stemmed with the Snowball
English stemmer (the one PostgreSQL's `english` configuration uses), so "exercises" finds
"exercise". Editors' synonym sets (`Synonym`) are matched on those stems, longest phrase
first: "runner's knee" also looks for "patellofemoral pain syndrome". Each user word (or
synonym phrase) is a *concept*; a result must match at least one — ranked, not strict AND.

**The score** of a row is the mean over the query's concepts of how well it matched:
1.0 in the name (A), 0.75 in another name (B), 0.6 in the prose (C), or — for a user word of
five letters or more that no row being searched contains, i.e. a typo ("osteoarthritus") —
0.9 × its trigram word similarity to the names when that is at least 0.6; 0 otherwise. A
name longer than 4 distinct words, or a row longer than 64, scores its A or C matches less,
by the factor
(4 or 64 / its length) ** 0.5, as BM25 does: a word met in a 2,000-word article says less
than one in a symptom's sentence. So matching more of the user's words beats matching fewer,
and a name beats prose. When a word matched in the name, up to 0.01 is added for how close
the whole title is to the whole query (pg_trgm similarity, so "hip pain" puts the symptom
"Hip Pain" first). Equal scores are ordered shorter row first (fewer distinct words), then
by type and slug: a total order, so pages never overlap.

**PostgreSQL** does all of that in SQL over `SearchEntry`: an OR-query built from the user's
words and their synonyms (one `tsquery`: stems computed here, phrases as `<N>` distances,
`:A` weight labels for the name checks), `@@` on the GIN-indexed vectors, pg_trgm's `%>`
(trigram-indexed) and `word_similarity` on the names, `similarity` for the title; scored,
ordered and paged in one statement with the total and `ts_headline` snippets for that page
only (the prose read from the live tables for those rows). A page within the first
PRUNE_DEPTH scores only the rows that can reach it (`_PostgresResults._pruned_hits`): every
names match, and for prose-only matches, whose score depends only on how many concepts they
hold and their length, the shortest few with at least k concepts for each k; an exact bound
then drops the names matches that cannot reach the page (a test checks pages against scoring
every match). Lists' `search=` filters a list's own table through its stored vector.
`ts_rank` (`SearchRank`) is not used: the score above replaces it, and computing it for
every match of a broad query cost more than the whole rest of the query
(bench/search_bench.py).

**SQLite** (development and tests) has no full-text engine here, so the same rules run in
Python over the published rows' stored texts (one query), with a pure-Python equivalent of
pg_trgm's word similarity. It follows the rules above exactly (PostgreSQL's parser also
indexes a hyphenated word whole, so a long text with hyphens can differ slightly in length),
but it reads every published row of the requested types: fine for development-sized data
(thousands of rows), not for production.

Snippets are plain text: one stretch of at most 35 words of the prose around the matches
(the text itself for a warning sign), HTML-escaped, with each matched word wrapped in
`<mark>…</mark>`. Where the prose does not contain a matched word (a match in the name only),
the snippet is the prose's opening words, unmarked.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQueryField,
    SearchVector,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    prefetch_related_objects,
)

from content.choices import ContentType

#: PostgreSQL text search configuration (and so the stemmer and stop words mirrored below).
CONFIG = "english"

#: What a concept contributes when it matches in the name (A), another name (B), the prose (C)…
FIELD_SCORES = {"A": 1.0, "B": 0.75, "C": 0.6}
#: …times (N / length) ** LENGTH_DAMPING when the name has more than NAME_LEXEMES distinct
#: words, or the whole row more than BODY_LEXEMES (a word in a long text means less).
NAME_LEXEMES = 4
BODY_LEXEMES = 64
LENGTH_DAMPING = 0.5
#: A typo match contributes this share of its trigram word similarity to the names…
FUZZY_FACTOR = 0.9
#: …when that similarity is at least this (pg_trgm.word_similarity_threshold's default).
FUZZY_THRESHOLD = 0.6
#: Only user words at least this long are matched by similarity (short words are too noisy).
FUZZY_MIN_LENGTH = 5
#: The trigram similarity of the title to the whole query (0 to 1) adds this share.
TIE_SHARE = 0.01
#: Words after this many concepts are ignored (a pasted paragraph is not a query).
MAX_CONCEPTS = 8
#: On PostgreSQL, pages ending at most this deep score only the rows that can reach them
#: (see _PostgresResults._pruned_hits); deeper pages score every match.
PRUNE_DEPTH = 200
#: How many of the shortest entries a prose tier reads in size order before it asks the GIN
#: index instead (see _PostgresResults._pruned_hits).
TIER_SCAN = 1000
#: The longest query accepted, in characters.
MAX_QUERY_LENGTH = 200

#: Snippet shape: one stretch of 15 to 35 words of the prose around the matches.
SNIPPET_WORDS = 35
SNIPPET_MIN_WORDS = 15
#: On PostgreSQL, ts_headline reads at most this many characters of a long text (about 80
#: words, over twice a snippet), from a quarter of it before its first match: parsing a whole
#: 15,000-character article for each result of a page cost more than the search itself, and
#: 1,200 characters cost 3-4 ms more per page than 480 (bench/search_bench.py).
SNIPPET_SOURCE = 480
#: Private-use characters that mark matches until the snippet is escaped.
_START, _STOP = "\ue000", "\ue001"

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

_stemmer = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


# --- Reading text -------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Lowercased words of `text`: runs of letters and digits (apostrophes split words)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    return _WORD.findall(text)


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _lexemes(text: str) -> list[tuple[str, int]]:
    """(stem, position) of every non-stop word, positions counting stop words (as PostgreSQL)."""
    return [(_stem(w), i) for i, w in enumerate(_words(text)) if w not in STOP_WORDS]


def html_to_text(markup: str) -> str:
    """Plain text of sanitised HTML: tags become spaces, entities are decoded."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


# --- Queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for: its stems and their offsets from the first."""

    text: str
    stems: tuple[str, ...]
    offsets: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> Term | None:
        lexemes = _lexemes(text)
        if not lexemes:
            return None
        first = lexemes[0][1]
        return cls(
            text=" ".join(_words(text)),
            stems=tuple(s for s, _ in lexemes),
            offsets=tuple(p - first for _, p in lexemes),
        )


@dataclass(frozen=True)
class Concept:
    """One thing the user asked for: a word, or a phrase with its synonyms (alternatives)."""

    text: str
    terms: tuple[Term, ...]
    fuzzy: str | None = None  # the user's word, when it may be matched by similarity


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    concepts: tuple[Concept, ...]

    @property
    def terms(self) -> list[Term]:
        """Every alternative of every concept, once."""
        return list(dict.fromkeys(t for c in self.concepts for t in c.terms))


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

    words = _words(text[:MAX_QUERY_LENGTH])
    tokens = [(w, _stem(w)) for w in words if w not in STOP_WORDS]
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


# --- The index ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchDocument:
    """The searchable text of one live row: its title (A), other names (B), prose (C)."""

    title: str
    names: tuple[str, ...]
    body: str

    @property
    def search_names(self) -> str:
        lines = (_SPACE.sub(" ", n).strip() for n in (self.title, *self.names))
        return "\n".join(line for line in lines if line)

    @property
    def search_body(self) -> str:
        return _SPACE.sub(" ", self.body).strip()


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def search_document(row) -> SearchDocument:
    """What a live row is found by, from its own fields (and an article's sections).

    Dispatches on the model's name, so migrations can index with historical models.
    """
    kind = row._meta.model_name
    if kind == "article":
        sections = sorted(row.sections.all(), key=lambda section: section.position)
        prefetch_related_objects(sections, "items")
        body = []
        for section in sections:
            body.append(html_to_text(section.body))
            body.extend(group.get("heading", "") for group in section.groups or ())
            for item in sorted(section.items.all(), key=lambda item: item.position):
                body.extend([item.title or "", item.text])
        names = (row.summary, *(s.heading for s in sections))
        return SearchDocument(row.title, names, _join(*body))
    if kind == "warningsign":
        return SearchDocument(row.text, (), "")
    if kind == "condition":
        return SearchDocument(row.name, tuple(row.also_known_as or ()), row.description)
    if kind == "treatment":
        return SearchDocument(
            row.name, tuple(row.examples or ()), _join(row.description, row.caution)
        )
    return SearchDocument(row.name, (), row.description)


#: Types whose rows have no prose (search_document gives them none): every match of one of
#: them is a match in its names.
NAMES_ONLY = frozenset({ContentType.WARNING_SIGN})


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _names_vector(title, others):
    """The weighted tsvector of a row's names (expressions): the A and B of `_vector`."""
    return SearchVector(title, config=CONFIG, weight="A") + SearchVector(
        others, config=CONFIG, weight="B"
    )


def _vector(title, others, body):
    """The weighted tsvector of a row's texts (expressions)."""
    return _names_vector(title, others) + SearchVector(body, config=CONFIG, weight="C")


def _sizes(vector, title) -> dict:
    """The sizes the score uses, as expressions: the vector's length, the title's."""
    return {
        "search_size": Func(vector, function="length", output_field=IntegerField()),
        "search_name_size": Func(SearchVector(title, config=CONFIG), function="length",
                                 output_field=IntegerField()),
    }


def search_index_update(row) -> None:
    """Recompute the search index of one live row (called on every publish)."""
    document = search_document(row)
    values = {"search_names": document.search_names, "search_body": document.search_body}
    if _is_postgres():
        title = Value(document.title, output_field=TextField())
        others = Value("\n".join(document.names), output_field=TextField())
        vector = _vector(title, others, Value(document.search_body, output_field=TextField()))
        values["search_vector"] = vector
        values["search_names_vector"] = _names_vector(title, others)
        values.update(_sizes(vector, title))
    type(row).objects.filter(pk=row.pk).update(**values)
    row.search_names, row.search_body = values["search_names"], values["search_body"]
    search_entries_sync(type(row), [row.pk])


def search_index_rebuild(models: Iterable | None = None, *, batch_size: int = 500) -> int:
    """Recompute the index of every row of `models` (default: every live table), published
    or not; returns how many rows were indexed. Used by migrations and `search_reindex`."""
    from content.models import LIVE_MODELS

    total = 0
    for model in models or LIVE_MODELS.values():
        rows = model.objects.order_by("pk")
        if model._meta.model_name == "article":
            rows = rows.prefetch_related("sections__items")
        batch = []
        for row in rows.iterator(chunk_size=batch_size):
            document = search_document(row)
            row.search_names, row.search_body = document.search_names, document.search_body
            batch.append(row)
            if len(batch) >= batch_size:
                model.objects.bulk_update(batch, ["search_names", "search_body"])
                total += len(batch)
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["search_names", "search_body"])
            total += len(batch)
        search_vectors_refresh([model])
    return total


def search_vectors_refresh(models: Iterable) -> None:
    """On PostgreSQL, recompute every row's vectors of `models` from its stored texts (one
    UPDATE per table; for bulk loads that wrote search_names and search_body themselves)."""
    if _is_postgres():
        title = Func(F("search_names"), Value("\n"), Value(1), function="split_part",
                     output_field=TextField())
        others = Func(F("search_names"), Value("^[^\n]*\n?"), Value(""),
                      function="regexp_replace", output_field=TextField())
        for model in models:
            vector = _vector(title, others, F("search_body"))
            values = {"search_vector": vector}
            # Historical models (migrations before 0009) have no names vector or sizes yet.
            if any(f.name == "search_names_vector" for f in model._meta.get_fields()):
                values["search_names_vector"] = _names_vector(title, others)
                values.update(_sizes(vector, title))
            model.objects.update(**values)
            if model in _current_live_models():  # not a migration's historical model
                search_entries_sync(model)


def _current_live_models() -> dict:
    """Live model -> its content type."""
    from content.models import LIVE_MODELS

    return {model: type_ for type_, model in LIVE_MODELS.items()}


def search_entries_sync(model, pks: Iterable[int] | None = None) -> None:
    """On PostgreSQL, copy into SearchEntry the search columns and the visibility (`live`,
    `expire_at`) of `model`'s rows: those of `pks`, or every row (and then drop the entries
    of rows that are gone). Called whenever any of them changes: on publish (through
    search_index_update), on unpublish and expiry, and by bulk refreshes. One statement."""
    if not _is_postgres():
        return
    from content.models import SearchEntry

    quote = connection.ops.quote_name
    type_ = _current_live_models()[model]
    entry, table = quote(SearchEntry._meta.db_table), quote(model._meta.db_table)
    title = quote(model._meta.get_field(_title_field(type_)).column)
    columns = ["slug", "live", "expire_at", "search_names", "search_vector",
               "search_names_vector", "search_size", "search_name_size"]
    sql = (
        f"INSERT INTO {entry} (type, row_id, title, {', '.join(columns)})"
        f" SELECT %s, id, {title}, {', '.join(columns)} FROM {table}"
        + (" WHERE id = ANY(%s)" if pks is not None else "")
        + " ON CONFLICT (type, row_id) DO UPDATE SET title = EXCLUDED.title, "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
    )
    params = [type_] + ([list(pks)] if pks is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if pks is None:
            cursor.execute(
                f"DELETE FROM {entry} WHERE type = %s AND NOT EXISTS"
                f" (SELECT 1 FROM {table} WHERE {table}.id = {entry}.row_id)",
                [type_],
            )


# --- Matching: one set of rules, two engines ----------------------------------------------


#: The public type name and title field of each live model.
def _title_field(type_: str) -> str:
    return {ContentType.ARTICLE: "title", ContentType.WARNING_SIGN: "text"}.get(type_, "name")


@dataclass
class SearchHit:
    """One ranked result: what the endpoint serialises."""

    type: str
    pk: int
    slug: str
    title: str
    score: float
    snippet: str = ""


def search_filter(queryset: QuerySet, query: str) -> QuerySet:
    """Rows of `queryset` that match `query` by the same rules as the search endpoint.

    Ranked search is not strict AND: a row matching any of the query's words (or their
    synonyms, or a close spelling of a name) is kept. A query of stop words only matches
    nothing. Costs one query for the synonyms, plus one to check which long words are
    typos (PostgreSQL) or to read the candidates (SQLite).
    """
    parsed = query_parse(query, synonym_sets())
    if not parsed.concepts:
        return queryset.none()
    if _is_postgres():
        return queryset.filter(_pg_match(_pg_typos_only(parsed, [queryset])))
    rows = list(queryset.values_list("pk", "search_names", "search_body"))
    parsed = _py_typos_only(parsed, [(names, body) for _, names, body in rows])
    keep = [pk for pk, names, body in rows if _py_score(parsed, names, body) is not None]
    return queryset.filter(pk__in=keep)


def _unknown(parsed: ParsedQuery, known: Iterable[int]) -> ParsedQuery:
    """`parsed` with typo matching kept only for the concepts not in `known` (indexes)."""
    known = set(known)
    return ParsedQuery(
        text=parsed.text,
        concepts=tuple(
            dataclasses.replace(c, fuzzy=None) if i in known else c
            for i, c in enumerate(parsed.concepts)
        ),
    )


def search(query: str, types: Sequence[str] | None = None) -> SearchResults:
    """Published rows of `types` (default: all six) matching `query`, best first (lazy)."""
    parsed = query_parse(query, synonym_sets())
    types = [t for t in ContentType.values if types is None or t in types]
    if _is_postgres():
        return _PostgresResults(parsed, types)
    return _PythonResults(parsed, types)


class SearchResults:
    """Ranked hits of one query, read a page at a time: Django's Paginator slices it.

    `window(start, stop)` announces the page that will be read, so that the engine can
    count and read it together (one query on PostgreSQL); `count()` and slicing work
    without it too.
    """

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
                self._page, total = self._fetch(*self._window)
                self._count = total if self._page or self._window[0] == 0 else None
            if self._count is None:
                self._count = self._fetch_count()
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

    def _fetch_count(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int]:
        """The hits of [start:stop] and the total number of hits (0 when none are read)."""
        raise NotImplementedError  # pragma: no cover - abstract


def _live_model(type_: str):
    from content.models import LIVE_MODELS

    return LIVE_MODELS[type_]


def snippet_render(raw: str) -> str:
    """Escape a headline and turn the match sentinels into <mark> tags."""
    escaped = html.escape(raw.replace("\n", " "), quote=False)
    escaped = escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    return _SPACE.sub(" ", escaped).strip()


# --- PostgreSQL ---------------------------------------------------------------------------


def tsquery_text(terms: Iterable[Term], weights: str = "") -> str:
    """The tsquery (in PostgreSQL's input syntax) matching any of `terms`: see _tsquery_text."""
    return _tsquery_text(tuple(terms), weights)


@lru_cache(maxsize=4096)
def _tsquery_text(terms: tuple[Term, ...], weights: str) -> str:
    """The tsquery (in PostgreSQL's input syntax) matching any of `terms`: stems already
    computed here (the same Snowball stemmer as the `english` configuration), a phrase as
    its stems at their distances, e.g. `'runner' <2> 'knee' | 'patellofemor' <-> 'pain'`.
    With `weights` (e.g. A, or AB), only words of those weights match: `'knee':AB`."""
    label = f":{weights}" if weights else ""
    alternatives = []
    for term in terms:
        text = f"'{term.stems[0]}'{label}"
        for (previous, offset), stem in zip(
            itertools.pairwise(term.offsets), term.stems[1:], strict=True
        ):
            gap = offset - previous
            text += f" {'<->' if gap == 1 else f'<{gap}>'} '{stem}'{label}"
        alternatives.append(f"({text})" if len(term.stems) > 1 else text)
    return " | ".join(dict.fromkeys(alternatives))


class _TsQuery(Func):
    """A tsquery literal (stems only: letters and digits, so nothing to escape)."""

    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()

    def __init__(self, terms: Iterable[Term]):
        super().__init__(Value(tsquery_text(terms)))


class _Matches(Func):
    """vector @@ query."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


def _pg_match(parsed: ParsedQuery) -> Q:
    """The WHERE of a query: any alternative in the vector, or a name close to a user word."""
    match = Q(_Matches(F("search_vector"), _TsQuery(parsed.terms)))
    for concept in parsed.concepts:
        if concept.fuzzy:
            match |= Q(TrigramWordSimilar(F("search_names"), Value(concept.fuzzy)))
    return match


@lru_cache(maxsize=1024)
def _at_least(parsed: ParsedQuery, k: int) -> str:
    """The tsquery matching rows that contain at least `k` of the query's concepts."""
    groups = [f"({tsquery_text(concept.terms)})" for concept in parsed.concepts]
    return " | ".join(
        f"({' & '.join(combination)})" for combination in itertools.combinations(groups, k)
    )


def _pg_factors(table: str) -> tuple[str, str]:
    """The length damping of a row's name and of its whole text (SQL over `table`'s sizes)."""
    name_factor = (
        f"power(LEAST(1.0, {NAME_LEXEMES}.0 / GREATEST({table}.search_name_size, 1))::float8,"
        f" {LENGTH_DAMPING}::float8)"
    )
    body_factor = (
        f"power(LEAST(1.0, {BODY_LEXEMES}.0 / GREATEST({table}.search_size, 1))::float8,"
        f" {LENGTH_DAMPING}::float8)"
    )
    return name_factor, body_factor


def _pg_names_part_sql(concept: Concept, table: str, close: str | None) -> tuple[str, list]:
    """What one concept scores in a row's names (SQL over `table`, and its params): in the
    title (A), in another name (B), or a name close to it (`close`: the SQL condition, for a
    typo); 0 when none of these."""
    name_factor, _ = _pg_factors(table)
    names_vector = f"{table}.search_names_vector"
    # The A test (weight labels, dearer) only for the rows whose names hold the concept.
    sql = (f"CASE WHEN {names_vector} @@ %s::tsquery THEN CASE WHEN {names_vector} @@"
           f" %s::tsquery THEN {FIELD_SCORES['A']}::float8 * {name_factor}"
           f" ELSE {FIELD_SCORES['B']}::float8 END")
    params = [tsquery_text(concept.terms), tsquery_text(concept.terms, "A")]
    if close:
        sql += (f" WHEN {close} THEN {FUZZY_FACTOR}::float8 * word_similarity(%s,"
                f" {table}.search_names)")
        params.append(concept.fuzzy)
    return sql + " ELSE 0::float8 END", params


def _pg_prose_part_sql(concept: Concept, table: str) -> tuple[str, list]:
    """What one concept scores in a row's prose (SQL over `table`, and its params)."""
    _, body_factor = _pg_factors(table)
    return (f"CASE WHEN {table}.search_vector @@ %s::tsquery THEN {FIELD_SCORES['C']}::float8"
            f" * {body_factor} ELSE 0::float8 END"), [tsquery_text(concept.terms)]


def _pg_mean_sql(parts: list[str]) -> str:
    """The mean of the concepts' parts, summed in concept order (so every path that scores a
    row computes the very same number)."""
    return f"({' + '.join(parts)}) / {float(len(parts))}::float8"


def _pg_base_score_sql(parsed: ParsedQuery, table: str,
                       close: dict[int, str]) -> tuple[str, list]:
    """A row's score before the title tie-break (SQL over `table`'s columns, and its params):
    the mean over concepts of how well each matched (see the module docstring), in double
    precision: its names part when that is not 0, else its prose part. `close` holds, for
    each typo concept (by index), the SQL condition that the row has a name close to it."""
    parts, params = [], []
    for index, concept in enumerate(parsed.concepts):
        names, names_params = _pg_names_part_sql(concept, table, close.get(index))
        prose, prose_params = _pg_prose_part_sql(concept, table)
        # A names part is never 0 when it matched (the factors are positive).
        parts.append(f"COALESCE(NULLIF({names}, 0::float8), {prose})")
        params += [*names_params, *prose_params]
    return _pg_mean_sql(parts), params


#: ts_headline's options: the snippet's shape and the sentinels that become <mark>.
_HEADLINE_OPTIONS = (
    f'StartSel="{_START}", StopSel="{_STOP}", MaxWords={SNIPPET_WORDS}, '
    f"MinWords={SNIPPET_MIN_WORDS}, ShortWord=2"
)


def _pg_typos_only(parsed: ParsedQuery, querysets: list[QuerySet]) -> ParsedQuery:
    """`parsed` with typo matching only for the words that no row of `querysets` contains
    (one query of index probes, only when the query has such long words)."""
    candidates = [i for i, c in enumerate(parsed.concepts) if c.fuzzy]
    if not candidates:
        return parsed
    columns, params = [], []
    for i in candidates:
        probes = []
        for queryset in querysets:
            probe = (
                queryset.filter(_Matches(F("search_vector"), _TsQuery(parsed.concepts[i].terms)))
                .order_by()
                .values("pk")[:1]
            )
            sql, probe_params = probe.query.get_compiler(connection=connection).as_sql()
            probes.append(f"EXISTS ({sql})")
            params.extend(probe_params)
        columns.append(f"({' OR '.join(probes)})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        found = cursor.fetchone()
    return _unknown(parsed, (i for i, hit in zip(candidates, found, strict=True) if hit))


class _PostgresResults(SearchResults):
    """Ranked hits read from SearchEntry, every type in one table: a page and the total in
    one query; the count alone, when asked first, in another. Before either, one query of
    index probes finds which long words are typos, when the query has any (_pg_typos_only).

    A page ending within PRUNE_DEPTH scores only the rows that can reach it (`_pruned_hits`),
    a deeper one every match; then the title tie-break (a trigram similarity) is added only
    to rows whose score before it is within TIE_SHARE of the page's last, and the page's
    snippets are marked. The SQL is written here rather than through the ORM (building dozens
    of querysets per request cost more than running them); the visibility rule is still the
    ORM's (`SearchEntry.objects.published()`), compiled once per query."""

    #: Added to an upper bound before it is compared, so that rounding never prunes a tie.
    _EPSILON = 1e-9

    def _prepare(self) -> None:
        if not getattr(self, "_prepared", False):
            self._prepared = True
            if any(concept.fuzzy for concept in self.parsed.concepts):
                self.parsed = _pg_typos_only(self.parsed, [self._entries()])

    def _entries(self) -> QuerySet:
        """The entries a public client may see, of the types asked for."""
        from content.models import SearchEntry

        entries = SearchEntry.objects.published()
        if set(self.types) != set(ContentType.values):
            entries = entries.filter(type__in=self.types)
        return entries

    @property
    def _table(self) -> str:
        from content.models import SearchEntry

        return connection.ops.quote_name(SearchEntry._meta.db_table)

    def _visible(self) -> tuple[str, list]:
        """`_entries()`'s condition as SQL and params, compiled once per query."""
        if not hasattr(self, "_compiled_visible"):
            query = self._entries().query
            self._compiled_visible = query.get_compiler(connection=connection).compile(
                query.where
            )
        return self._compiled_visible

    def _typos(self) -> list[int]:
        """Indexes of the concepts matched by similarity (typos)."""
        return [i for i, concept in enumerate(self.parsed.concepts) if concept.fuzzy]

    def _close_ctes(self) -> tuple[list[str], list]:
        """For each typo: the ids of the visible entries whose names are close to it, as a CTE
        (`close_<concept>`) read once through the trigram index, rather than the similarity
        computed row by row wherever it is needed."""
        table, (visible, visible_params) = self._table, self._visible()
        ctes, params = [], []
        for index in self._typos():
            ctes.append(f"close_{index} AS MATERIALIZED (SELECT {table}.id FROM {table}"
                        f" WHERE {visible} AND {table}.search_names %%> %s)")
            params += [*visible_params, self.parsed.concepts[index].fuzzy]
        return ctes, params

    def _close(self) -> dict[int, str]:
        """Typo concept index -> SQL: the entry has a name close to it."""
        return {i: f"{self._table}.id IN (SELECT id FROM close_{i})" for i in self._typos()}

    def _close_ids(self) -> str | None:
        """SQL: the ids of the entries with a name close to one of the query's typos (None
        without typos)."""
        typos = self._typos()
        if not typos:
            return None
        return " UNION ".join(f"SELECT id FROM close_{i}" for i in typos)

    def _matches_sql(self, columns: str, params: Sequence = ()) -> tuple[str, list]:
        """`columns` (with their `params`) of every visible entry that matches (a word in
        its vector, or a name close to a typo): two disjoint branches, the first through the
        GIN index, the second (only with typos) the close names that hold none of the words."""
        table, (visible, visible_params) = self._table, self._visible()
        query = tsquery_text(self.parsed.terms)
        sql = (f"SELECT {columns} FROM {table} WHERE {visible}"
               f" AND {table}.search_vector @@ %s::tsquery")
        every = [*params, *visible_params, query]
        close = self._close_ids()
        if close:
            sql += (f" UNION ALL SELECT {columns} FROM {table} WHERE {table}.id IN ({close})"
                    f" AND NOT {table}.search_vector @@ %s::tsquery")
            every += [*params, query]
        return sql, every

    def _count_sql(self) -> tuple[str, list]:
        """The number of matches (SQL, params; needs the close CTEs)."""
        sql, params = self._matches_sql(f"{self._table}.id")
        return f"(SELECT COUNT(*) FROM ({sql}) AS matches)", params

    def _in_names_sql(self) -> tuple[str, list]:
        """SQL (and params): the entry matches in its names (a word, or a name close to a
        typo)."""
        sql = f"{self._table}.search_names_vector @@ %s::tsquery"
        close = self._close_ids()
        if close:
            sql = f"({sql} OR {self._table}.id IN ({close}))"
        return sql, [tsquery_text(self.parsed.terms)]

    def _hit_columns(self, base: str) -> str:
        """The columns of a hit: its entry's, and `base`, its score before the tie-break."""
        table = self._table
        return (f"{table}.type::text AS hit_type, {table}.row_id AS hit_pk,"
                f" {table}.slug AS hit_slug, {table}.title AS hit_title, {base} AS hit_base,"
                f" {table}.search_size AS hit_size, {table}.search_names AS hit_names,"
                f" {table}.search_names_vector AS hit_names_vector")

    def _every_hit(self) -> tuple[list[str], list]:
        """The hits CTE of every match, scored."""
        table = self._table
        base, base_params = _pg_base_score_sql(self.parsed, table, self._close())
        sql, params = self._matches_sql(self._hit_columns(base), base_params)
        return [f"hits AS MATERIALIZED ({sql})"], params

    def _pruned_hits(self, depth: int) -> tuple[list[str], list]:
        """The hits CTE of the rows that can rank among the first `depth`, scored, and the
        CTEs it reads. Exact: a row left out is ranked after `depth` others.

        - `names`: every names match (a word in its names, or a name close to a typo), with
          what each concept scores in its names (n0, n1, …). Its prose can add at most
          0.6 x its prose length factor for each concept not in its names: an upper bound.
        - `prose`: the other matches score exactly 0.6 x (prose length factor) x k / n, k of
          the query's n concepts being in their prose: for a given k, the shorter the better,
          ties broken by size, type and slug as the full order does. So only the first
          `depth` by (size, type, slug) with at least k concepts can rank, for each k: one
          index-ordered probe per k; each row is known to score at least its k's value.
        - `theta`: the `depth`-th best of those lower bounds (a names match scores at least
          its names part), 0 with fewer rows: `depth` rows score at least theta, so a names
          match whose upper bound is below it cannot rank and is not scored.
        tests/search/test_pruning.py checks pages against scoring every match."""
        table, (visible, visible_params) = self._table, self._visible()
        concepts, close = self.parsed.concepts, self._close()
        n = len(concepts)
        _, body_factor = _pg_factors(table)
        # Every match once, with what scoring its names needs when it matched in its names
        # (the names vector is NULL when not): read under the table's name, so the names
        # parts are the same SQL as everywhere.
        in_names, in_names_params = self._in_names_sql()
        fuzzy = f", {table}.search_names" if close else ""
        matches, params = self._matches_sql(
            f"{table}.id, {table}.type, {table}.search_size, {table}.search_name_size,"
            f" CASE WHEN {in_names} THEN COALESCE({table}.search_names_vector, ''::tsvector)"
            f" END AS search_names_vector{fuzzy}",
            in_names_params,
        )
        parts = []
        for index, concept in enumerate(concepts):
            part, part_params = _pg_names_part_sql(concept, table, close.get(index))
            parts.append(f"{part} AS n{index}")
            params += part_params
        names = (f"names AS MATERIALIZED (SELECT {table}.id, {table}.type, {table}.search_size,"
                 f" {', '.join(parts)} FROM matches AS {table}"
                 f" WHERE {table}.search_names_vector IS NOT NULL)")
        # Each kept row's entry is read by its primary key (OFFSET 0 keeps the planner from
        # hashing the whole table instead).
        entry = (f"CROSS JOIN LATERAL (SELECT * FROM {table} WHERE {table}.id = {{cte}}.id"
                 f" OFFSET 0) AS {table}")
        names_sum = " + ".join(f"names.n{i}" for i in range(n))
        in_names_count = " + ".join(f"(names.n{i} > 0)::int" for i in range(n))
        # The factor of a CTE row's size, written as the one of a table row.
        cte_factor = body_factor.replace(f"{table}.search_size", "{cte}.search_size")
        prose_share = FIELD_SCORES["C"] / n  # what each concept in the prose adds, at most
        names_top = (f"names_top AS MATERIALIZED (SELECT ({names_sum}) / {float(n)}::float8"
                     " AS bound FROM names ORDER BY bound DESC LIMIT %s)")
        params.append(depth)
        ctes, tiers = [f"matches AS MATERIALIZED ({matches})", names, names_top], []
        for k in range(n, 0, -1):
            # Tier k runs only when a row of exactly k concepts could still reach the page.
            gate = (f"(SELECT theta FROM theta_{k + 1}) <= {prose_share * k + self._EPSILON}"
                    "::float8 AND " if tiers else "")
            # The shortest entries first, through the size index, but only the first
            # TIER_SCAN of them: when fewer than `depth` of those hold k concepts (rare
            # words), all the entries holding them, through the GIN index.
            order = f"{table}.search_size, {table}.type, {table}.slug"
            holds = (f"{table}.search_vector @@ %s::tsquery AND NOT ({in_names})")
            holds_params = [_at_least(self.parsed, k), *in_names_params]
            ctes.append(
                f"tier_{k}_head AS MATERIALIZED (SELECT {table}.id, {table}.search_size"
                f" FROM (SELECT {table}.id, {table}.search_size, {table}.type, {table}.slug,"
                f" {table}.search_vector, {table}.search_names_vector FROM {table}"
                f" WHERE {gate}{visible} ORDER BY {order} LIMIT {TIER_SCAN}) AS {table}"
                f" WHERE {holds} ORDER BY {order} LIMIT %s)"
            )
            params += [*visible_params, *holds_params, depth]
            ctes.append(
                f"tier_{k} AS MATERIALIZED (SELECT id, search_size, {k} AS k"
                f" FROM tier_{k}_head UNION (SELECT {table}.id, {table}.search_size, {k} AS k"
                f" FROM {table} WHERE {gate}(SELECT COUNT(*) FROM tier_{k}_head) < %s"
                f" AND {visible} AND {holds}"
                # Not in index order (+ 0): the GIN index finds them, then they are sorted.
                f" ORDER BY {table}.search_size + 0, {table}.type, {table}.slug LIMIT %s))"
            )
            params += [depth, *visible_params, *holds_params, depth]
            tiers.append(f"tier_{k}")
            rows = " UNION ALL ".join(
                f"SELECT {tier}.id, {FIELD_SCORES['C']}::float8 *"
                f" {cte_factor.format(cte=tier)} * {tier}.k / {float(n)}::float8 AS bound"
                f" FROM {tier}" for tier in tiers
            )
            ctes.append(
                f"theta_{k} AS (SELECT CASE WHEN COUNT(*) >= %s THEN MIN(bound)"
                " ELSE 0::float8 END AS theta FROM (SELECT bound FROM ("
                "SELECT bound FROM names_top"
                f" UNION ALL SELECT MAX(bound) FROM ({rows}) AS tiers GROUP BY id"
                ") AS bounds ORDER BY bound DESC LIMIT %s) AS top)"
            )
            params += [depth, depth]
        ctes.append(
            "prose AS MATERIALIZED (SELECT id, search_size, MAX(k) AS k FROM ("
            + " UNION ALL ".join(f"SELECT * FROM {tier}" for tier in tiers)
            + ") AS tiers GROUP BY id, search_size)"
        )

        names_scores, prose_scores = [], []
        for index, concept in enumerate(concepts):
            part, part_params = _pg_prose_part_sql(concept, table)
            names_scores.append(f"COALESCE(NULLIF(names.n{index}, 0::float8), {part})")
            params += part_params
        for concept in concepts:
            part, part_params = _pg_prose_part_sql(concept, table)
            prose_scores.append(part)  # their names part is 0
            params += part_params
        names_only = ", ".join(f"'{type_}'" for type_ in sorted(NAMES_ONLY))
        prose_cap = (f"CASE WHEN names.type IN ({names_only}) THEN 0::float8"
                     f" ELSE {FIELD_SCORES['C']}::float8 * {cte_factor.format(cte='names')} END")
        bound = (f"({names_sum} + ({n} - ({in_names_count})) * {prose_cap})"
                 f" / {float(n)}::float8")
        ctes.append(
            f"hits AS MATERIALIZED ("
            f"SELECT {self._hit_columns(_pg_mean_sql(names_scores))}"
            f" FROM (SELECT * FROM names WHERE {bound} + {TIE_SHARE + self._EPSILON}::float8"
            f" >= (SELECT theta FROM theta_1)) AS names {entry.format(cte='names')}"
            f" UNION ALL SELECT {self._hit_columns(_pg_mean_sql(prose_scores))}"
            f" FROM prose {entry.format(cte='prose')})"
        )
        return ctes, params

    def _execute(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _with(self, *ctes: str) -> tuple[str, list]:
        """The WITH clause of a statement: the close CTEs, then `ctes` (SQL, params)."""
        close, params = self._close_ctes()
        every = [*close, *ctes]
        return (f"WITH {', '.join(every)}" if every else ""), params

    def _fetch_count(self) -> int:
        sql, params = self._count_sql()
        with_, with_params = self._with()
        return self._execute(f"{with_} SELECT {sql}", [*with_params, *params])[0][0]

    def _body_sql(self, alias: str) -> str:
        """The page row's prose, read from its live table (only for the page)."""
        quote = connection.ops.quote_name
        whens = " ".join(
            f"WHEN '{type_}' THEN (SELECT text.search_body FROM {quote(model._meta.db_table)}"
            f" AS text WHERE text.{quote(model._meta.pk.column)} = {alias}.hit_pk)"
            for type_, model in ((t, _live_model(t)) for t in self.types)
            if type_ not in NAMES_ONLY
        )
        return f"CASE {alias}.hit_type {whens} END" if whens else "NULL::text"

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int]:
        pruned = stop is not None and stop <= PRUNE_DEPTH
        if pruned:
            hits, hits_params = self._pruned_hits(stop)
            total, total_params = "(SELECT COUNT(*) FROM matches)", []
        else:
            hits, hits_params = self._every_hit()
            total, total_params = "(SELECT COUNT(*) FROM hits)", []
        order = "hit_score DESC, hit_size, hit_type, hit_slug"
        stems = sorted({stem for term in self.parsed.terms for stem in term.stems})
        first_match = ", ".join(["NULLIF(strpos(page.lowered, %s), 0)"] * len(stems))
        # The tie-break adds at most TIE_SHARE: a row whose score before it is lower than the
        # stop-th best by more than that cannot reach the page, so it is not computed.
        with_, with_params = self._with(*hits, f"""ranked AS (
                SELECT hits.hit_type, hits.hit_pk, hits.hit_slug, hits.hit_title, hits.hit_size,
                       hits.hit_names,
                       hits.hit_base + CASE WHEN hits.hit_names_vector @@ %s::tsquery
                           THEN {TIE_SHARE}::float8
                                * similarity(split_part(hits.hit_names, E'\\n', 1), %s)
                           ELSE 0::float8 END AS hit_score
                FROM hits
                WHERE hits.hit_base >= (
                    SELECT COALESCE(MIN(top.hit_base), 0) - {TIE_SHARE * 1.000001}
                    FROM (SELECT hit_base FROM hits ORDER BY hit_base DESC LIMIT %s) AS top)
            )""")
        # Each page row's prose is read, decompressed (`|| ''`) and lowercased once, in
        # subqueries kept apart by OFFSET 0: each use of a stored (TOASTed) value would
        # decompress it again, and the first-match search uses it once per query word.
        sql = f"""
            {with_}
            SELECT page.hit_type, page.hit_pk, page.hit_slug, page.hit_title, page.hit_score,
                   ({total}) AS total,
                   ts_headline(
                       %s::regconfig,
                       CASE WHEN length(page.source) <= {SNIPPET_SOURCE} THEN page.source
                            ELSE substr(page.source, GREATEST(1, COALESCE(LEAST({first_match}),
                                        1) - {SNIPPET_SOURCE // 4}), {SNIPPET_SOURCE}) END,
                       %s::tsquery, %s)
            FROM (
                SELECT page.*, lower(page.source) AS lowered FROM (
                    SELECT page.*,
                           COALESCE(NULLIF({self._body_sql("page")}, ''), page.hit_names)
                           || '' AS source
                    FROM (SELECT * FROM ranked ORDER BY {order} LIMIT %s OFFSET %s) AS page
                    OFFSET 0
                ) AS page
                OFFSET 0
            ) AS page
            ORDER BY {order}
        """
        params = [
            *with_params, *hits_params,
            tsquery_text(self.parsed.terms, "A"), self.parsed.text[:MAX_QUERY_LENGTH], stop,
            *total_params,
            CONFIG, *stems, tsquery_text(self.parsed.terms), _HEADLINE_OPTIONS,
            None if stop is None else stop - start, start,
        ]
        rows = self._execute(sql, params)
        hits = [
            SearchHit(type=t, pk=pk, slug=slug, title=title, score=score,
                      snippet=snippet_render(snippet))
            for t, pk, slug, title, score, _, snippet in rows
        ]
        return hits, rows[0][5] if rows else 0


# --- SQLite: the same rules in Python -----------------------------------------------------


@dataclass(frozen=True)
class _Analysed:
    """A row's text as the Python engine reads it."""

    fields: dict[str, dict[str, tuple[int, ...]]]  # weight -> stem -> positions
    size: int  # distinct stems: PostgreSQL's length(tsvector)
    names_trigrams: tuple[str, ...]
    factors: dict[str, float]  # weight -> length damping (see LENGTH_DAMPING)


@lru_cache(maxsize=4096)
def _analyse(names: str, body: str) -> _Analysed:
    title, _, others = names.partition("\n")
    fields: dict[str, dict[str, tuple[int, ...]]] = {}
    for weight, text in (("A", title), ("B", others), ("C", body)):
        positions: dict[str, list[int]] = {}
        for stem, position in _lexemes(text):
            positions.setdefault(stem, []).append(position)
        fields[weight] = {stem: tuple(p) for stem, p in positions.items()}
    distinct = len(set(fields["A"]) | set(fields["B"]) | set(fields["C"]))
    factors = {
        "A": min(1.0, NAME_LEXEMES / max(len(fields["A"]), 1)) ** LENGTH_DAMPING,
        "B": 1.0,
        "C": min(1.0, BODY_LEXEMES / max(distinct, 1)) ** LENGTH_DAMPING,
    }
    return _Analysed(fields, distinct, tuple(_trigram_sequence(names)), factors)


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
    return [t for word in _WORD.findall(text.lower()) for t in _trigrams(word)]


def word_similarity(word: str, text: str, sequence: Sequence[str] | None = None) -> float:
    """pg_trgm's word_similarity(word, text): the best Jaccard similarity between the
    trigrams of `word` and those of any contiguous stretch of `text`'s trigrams."""
    wanted = set(_trigrams(word.lower()))
    sequence = _trigram_sequence(text) if sequence is None else sequence
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
    """`parsed` with typo matching only for the words that none of `texts` contains."""
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
    return _unknown(parsed, known)


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
            closest = word_similarity(concept.fuzzy, names, doc.names_trigrams)
            if closest >= FUZZY_THRESHOLD:
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
        return word not in STOP_WORDS and _stem(word) in wanted

    hits = [i for i, token in enumerate(tokens) if any(matches(w) for w in _words(token))]
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
        return f"{_START}{word}{_STOP}" if matches(_words(word)[0]) else word

    return snippet_render(" ".join(_WORD.sub(mark, tokens[i]) for i in window))


class _PythonResults(SearchResults):
    def _ranked(self) -> list[tuple[SearchHit, str, str, int]]:
        if not hasattr(self, "_hits"):
            branches = [
                _live_model(type_)
                .objects.published()
                .annotate(
                    hit_type=Value(type_, output_field=TextField()),
                    hit_title=F(_title_field(type_)),
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

    def _fetch_count(self) -> int:
        return len(self._ranked())

    def _fetch(self, start: int, stop: int | None) -> tuple[list[SearchHit], int]:
        page = self._ranked()[start:stop]
        for hit, names, body, _ in page:
            hit.snippet = _py_snippet(self.parsed, names, body)
        return [hit for hit, *_ in page], len(self._ranked())
