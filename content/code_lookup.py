"""The read behind GET /api/v1/lookup/: published conditions for clinical codes, walking up
the ICD-10-CM classification when no condition carries the exact code
(docs/api.md#lookup-by-clinical-code).

`code_lookup()` answers one `CodeMatch` per requested code, in order, in three queries
whatever their number: the published conditions that carry any code, then the published
articles about the matched ones and those articles' sections that have a health aspect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects

from content.choices import CodeSystem
from content.codes import code_display, icd10cm_exists, icd10cm_levels
from content.models import Article, Condition, Section
from content.models.entities import code_key

#: The most codes one lookup answers.
MAX_CODES = 50


@dataclass
class CodeMatch:
    """What the content holds for one requested code."""

    system: str
    code: str
    #: The requested code's official description; None if it is not in the code set (or
    #: the system's descriptions are not shipped).
    description: str | None
    #: The code that matched (the requested one or one it belongs to), its level ("exact",
    #: "subcategory", "category" or "block") and description; None when nothing matched.
    matched_code: str | None = None
    level: str | None = None
    matched_description: str | None = None
    conditions: list = field(default_factory=list)


def _levels(system: str, code: str) -> list[tuple[str, str]]:
    """The codes to try for `code`, most specific first, each with its level."""
    if system == CodeSystem.ICD10CM:
        if not icd10cm_exists(code):
            return []
        return [(code, "exact"), *icd10cm_levels(code)[1:]]
    return [(code, "exact")]


def code_lookup(system: str, codes: list[str], *, language: str = "en") -> list[CodeMatch]:
    """Published conditions for each of `codes` (each already of `system`'s form, see
    content.codes.code_form), with their published articles and those articles' sections
    that have a health aspect. Content is in English: another `language` matches nothing."""
    results = [CodeMatch(system, code, code_display(system, code)) for code in codes]
    if not language.lower().startswith("en"):
        return results
    by_key: dict[str, list[Condition]] = {}
    coded = Condition.objects.published().exclude(code_keys="").only("slug", "name", "codes")
    for row in coded.order_by("name", "slug"):
        for code in row.codes:
            by_key.setdefault(code_key(code["system"], code["code"]), []).append(row)
    matched: dict[int, Condition] = {}
    for result in results:
        for code, level in _levels(system, result.code):
            rows = by_key.get(code_key(system, code))
            if rows:
                result.matched_code, result.level = code, level
                result.matched_description = code_display(system, code)
                result.conditions = rows
                matched.update((row.pk, row) for row in rows)
                break
    sections = Section.objects.exclude(health_aspect=None).order_by("position").only(
        "article_id", "kind", "heading", "health_aspect", "position"
    )
    articles = (
        Article.objects.published().only("slug", "title").order_by("title", "slug")
        .prefetch_related(Prefetch("sections", queryset=sections))
    )
    prefetch_related_objects(list(matched.values()), Prefetch("articles", queryset=articles))
    return results
