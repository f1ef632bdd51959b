"""Search: the configuration editors maintain, and PostgreSQL's ranked-search index.

Patients search in their own words ("physio", "runner's knee", "pins and needles"), not in our
titles. A `Synonym` set lists words or phrases that a searcher means interchangeably; when a
query contains one of them, the search engine (content/search.py) also looks for the others.
Synonyms are search configuration, not content: they are not versioned or reviewed.
`SearchEntry` is derived data: the index the search endpoint reads on PostgreSQL.
"""

import re

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models

from content.plaintext import STRAIGHT_QUOTES, validate_no_bidi_controls
from content.querysets import PublishedQuerySet
from content.types import registry

#: The most terms one synonym set may hold, and the longest term.
MAX_TERMS = 30
MAX_TERM_LENGTH = 100

_SPACES = re.compile(r"\s+")


def synonym_term_normalise(term: str) -> str:
    """A term as stored: straight quotes, single spaces, lowercase."""
    return _SPACES.sub(" ", term.translate(STRAIGHT_QUOTES)).strip().lower()


class Synonym(models.Model):
    """Words or phrases a searcher uses interchangeably, e.g. physio / physical therapy."""

    name = models.CharField(
        max_length=MAX_TERM_LENGTH,
        unique=True,
        help_text="A short label for editors, e.g. “physiotherapy”. Unique; the seed loader "
        "uses it to leave sets that already exist untouched.",
    )
    terms = models.JSONField(
        default=list,
        help_text="Two or more words or phrases that mean the same thing to a searcher, e.g. "
        "[“physio”, “physiotherapy”, “physical therapy”]. A query containing any of them "
        "also finds content that uses the others. Matching ignores case and word endings.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Normalise the terms (case, quotes, spaces, duplicates) and check them."""
        if not isinstance(self.terms, list) or not all(isinstance(t, str) for t in self.terms):
            raise ValidationError({"terms": "Enter a list of words or phrases."})
        terms = list(dict.fromkeys(synonym_term_normalise(t) for t in self.terms))
        terms = [t for t in terms if t]
        errors = []
        if len(terms) < 2:
            errors.append("Enter at least two different words or phrases.")
        if len(terms) > MAX_TERMS:
            errors.append(f"Enter at most {MAX_TERMS} words or phrases.")
        for term in terms:
            try:
                validate_no_bidi_controls(term)
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            if len(term) > MAX_TERM_LENGTH:
                errors.append(f"“{term[:40]}…” is longer than {MAX_TERM_LENGTH} characters.")
            elif not re.search(r"[a-z0-9]", term):
                errors.append(f"“{term}” has no letters or digits.")
        problems = {"terms": errors} if errors else {}
        try:
            validate_no_bidi_controls(self.name)
        except ValidationError as error:
            problems["name"] = error.messages
        if problems:
            raise ValidationError(problems)
        self.terms = terms
        self.name = _SPACES.sub(" ", self.name).strip()


class SearchEntry(models.Model):
    """PostgreSQL's ranked-search index: one narrow row per live row of every type.

    A copy of each live row's search columns (content/search.py derives them on publish) and
    of what the visibility rule reads (`live`, `expire_at`), so that the search endpoint scores,
    counts and pages every type in one table: one GIN index to probe, one set of plans, and
    rows a tenth as wide as the live tables, whose prose stays where it is (read only for a
    page's snippets). Written only by content/search.py (`search_entries_sync`) whenever the
    row's index or visibility changes; never edited. Filled on PostgreSQL only: the SQLite
    engine reads the live rows themselves.
    """

    type = models.CharField(max_length=16, choices=registry.choices())
    row_id = models.BigIntegerField(help_text="Primary key of the live row in its type's table.")
    slug = models.CharField(max_length=120)
    title = models.TextField(help_text="The live row's title, name or (warning sign) text.")
    live = models.BooleanField()
    expire_at = models.DateTimeField(null=True)
    search_names = models.TextField(help_text="As the live row's search_names.")
    search_vector = SearchVectorField(null=True)
    search_names_vector = SearchVectorField(null=True)
    search_size = models.PositiveIntegerField(default=0)
    search_name_size = models.PositiveIntegerField(default=0)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["type", "row_id"], name="searchentry_one_per_row"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.slug}"


class SearchWord(models.Model):
    """PostgreSQL's vocabulary for typos: every word of the names `SearchEntry` has held.

    A typo ("osteoarthritus", a word no entry holds) is read as the words here close to it
    (pg_trgm's word similarity, through a trigram index on this small table), and then
    found by their stems in the names' GIN index (ranking.typo_corrections): the trigram
    work is done once per distinct word, not once per entry whose names are close.
    Written by content/search/indexing.py (`search_entries_sync`) as entries are written;
    words whose entries have gone stay (they lead only to names holding the same stem)
    until `search_reindex` rebuilds it. Empty on SQLite, whose engine reads the rows' names.
    """

    word = models.TextField(primary_key=True)

    def __str__(self) -> str:
        return self.word

