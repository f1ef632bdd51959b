"""Search configuration that editors maintain: sets of words that mean the same thing.

Patients search in their own words ("physio", "runner's knee", "pins and needles"), not in our
titles. A `Synonym` set lists words or phrases that a searcher means interchangeably; when a
query contains one of them, the search engine (content/search.py) also looks for the others.
Synonyms are search configuration, not content: they are not versioned or reviewed.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models

#: The most terms one synonym set may hold, and the longest term.
MAX_TERMS = 30
MAX_TERM_LENGTH = 100

_SPACES = re.compile(r"\s+")
_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def synonym_term_normalise(term: str) -> str:
    """A term as stored: straight quotes, single spaces, lowercase."""
    return _SPACES.sub(" ", term.translate(_CURLY)).strip().lower()


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
            if len(term) > MAX_TERM_LENGTH:
                errors.append(f"“{term[:40]}…” is longer than {MAX_TERM_LENGTH} characters.")
            elif not re.search(r"[a-z0-9]", term):
                errors.append(f"“{term}” has no letters or digits.")
        if errors:
            raise ValidationError({"terms": errors})
        self.terms = terms
        self.name = _SPACES.sub(" ", self.name).strip()
