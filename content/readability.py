"""Readability of what the public reads: one home for the figures the admin shows while
editing, the editorial API's revision detail carries and publishing stores as an article's
`reading_grade`.

Health-literacy guidance (NIH, AMA, NHS) asks for patient material at about a 6th–8th grade
reading level. The figures come from `textstat` (offline: syllables from the CMU
pronouncing dictionary, else Pyphen's hyphenation):

* `flesch_kincaid_grade` — Flesch–Kincaid grade level (words per sentence, syllables per word);
* `coleman_liau_index` — Coleman–Liau index (letters and sentences per 100 words), a second,
  syllable-free opinion that also works on short texts (SMOG needs 30 sentences);
* `words_per_sentence` and the `longest_sentences` (at most three, longest first).

Text is judged as a reader meets it: a section is its body (HTML as plain text) and its
items' texts; an entity is its prose fields. Every paragraph, list entry and item ends a
sentence, even without a full stop. The target is the setting `HIPKNEE_READING_GRADE_TARGET`
(default 8): a text above it is `above_target`.
"""

import re

import textstat
from django.conf import settings

from content.blocks import blocks_from_fields
from content.bodyformats import html_to_text
from content.choices import BlockType
from content.types import FieldKind, registry

#: The grade patient material should not exceed unless the setting says otherwise.
DEFAULT_TARGET_GRADE = 8
#: How many of the longest sentences are named.
LONGEST = 3

_LINE_END = re.compile(r"[.!?…:;]['\"”’)]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])['\"”’)]*\s+")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def target_grade() -> float:
    """The reading grade texts should not exceed (`HIPKNEE_READING_GRADE_TARGET`)."""
    return float(getattr(settings, "HIPKNEE_READING_GRADE_TARGET", DEFAULT_TARGET_GRADE))


def _sentences(text: str) -> list[str]:
    """The sentences of plain text: split after . ! ? …, and at every line break (a
    paragraph, list entry or item is a sentence of its own)."""
    sentences = []
    for line in text.splitlines():
        line = _LIST_MARK.sub("", line).strip()
        if not line:
            continue
        sentences += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return sentences


def _words(sentence: str) -> int:
    return textstat.lexicon_count(sentence)


def text_readability(text: str) -> dict | None:
    """The readability figures of plain `text`, or None when it has no words."""
    sentences = [s for s in _sentences(text or "") if _words(s)]
    if not sentences:
        return None
    # textstat finds sentences by their full stops: give every sentence one.
    joined = " ".join(s if _LINE_END.search(s) else f"{s}." for s in sentences)
    words = sum(_words(s) for s in sentences)
    grade = round(textstat.flesch_kincaid_grade(joined), 1)
    longest = sorted(enumerate(sentences), key=lambda e: (-_words(e[1]), e[0]))[:LONGEST]
    return {
        "flesch_kincaid_grade": grade,
        "coleman_liau_index": round(textstat.coleman_liau_index(joined), 1),
        "words": words,
        "sentences": len(sentences),
        "words_per_sentence": round(words / len(sentences), 1),
        "longest_sentences": [{"text": s, "words": _words(s)} for _, s in longest],
        "above_target": grade > target_grade(),
    }


def section_text(section: dict) -> str:
    """What a reader reads of a snapshot's section: its blocks in reading order, a
    paragraph's text and a list's items' texts (the list headings are not counted, as they
    never were)."""
    parts = []
    blocks = section["blocks"] if "blocks" in section else blocks_from_fields(
        section.get("body") or "", section.get("groups") or [], section.get("items") or [])
    for block in blocks:
        if block["type"] == BlockType.PARAGRAPH:
            parts.append(html_to_text(block["body"]))
        else:
            parts += [item.get("text") or "" for item in block["items"]]
    return "\n\n".join(p for p in parts if p.strip())


def snapshot_readability(type_: str, content: dict) -> dict:
    """The readability of a snapshot of `type_`: `overall` (everything a reader reads),
    each prose field in `fields` and each section in `sections` (kind, heading, figures);
    a text without words has null figures."""
    fields: dict[str, dict | None] = {}
    sections: list[dict] = []
    texts: list[str] = []
    for field in registry[type_].fields:
        if field.kind is FieldKind.PROSE:
            text = content.get(field.name) or ""
            fields[field.name] = text_readability(text)
            texts.append(text)
        elif field.kind is FieldKind.SECTIONS:
            for section in content.get(field.name) or []:
                text = section_text(section)
                sections.append({"kind": section.get("kind"), "heading": section.get("heading"),
                                 "readability": text_readability(text)})
                texts.append(text)
    return {
        "target_grade": target_grade(),
        "overall": text_readability("\n\n".join(t for t in texts if t.strip())),
        "fields": fields,
        "sections": sections,
    }


def reading_grade(type_: str, content: dict) -> float | None:
    """The overall Flesch–Kincaid grade of a snapshot (an article's public `reading_grade`)."""
    overall = snapshot_readability(type_, content)["overall"]
    return overall["flesch_kincaid_grade"] if overall else None
