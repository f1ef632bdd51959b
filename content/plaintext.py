"""What people's text may not hold: bidi overrides anywhere; markup in plain-text fields.

U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) and U+2066–U+2069 (LRI, RLI, FSI, PDI) change the
order in which the characters after them are *displayed*, so text can show readers one thing
while saying another ("Trojan Source"); no English health content needs them. Every write of
people's text refuses them with an error naming the field: revision snapshots
(content/snapshots.py, rich-text bodies included), review comments, change notes, reviewer
display names and credentials, webhook descriptions and search synonym sets. Implicit marks
(U+200E, U+200F, U+061C), which change no order on their own, are allowed.

`validate_plain_text` is the whole check of a plain-text field outside snapshots (a
reviewer's display name and credentials): no control characters, no HTML markup, no bidi
controls, as content/snapshots.py checks a snapshot's plain-text fields.
"""

import re

from django.core.exceptions import ValidationError

#: Curly quotes as their straight forms (str.translate table), wherever people's words are
#: compared: search queries and indexed text (content/search/query.py), synonym terms.
STRAIGHT_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Control characters other than tab and newline; NUL in particular cannot be stored.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What starts an HTML tag, comment or declaration.
MARKUP_RE = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
BIDI_CODE = "bidi_control"
BIDI_MESSAGE = (
    "Bidirectional override and isolate characters (U+202A–U+202E, U+2066–U+2069) are not "
    "allowed: they make text display differently from what it says."
)


def bidi_control_found(value: str) -> str | None:
    """The first bidi override or isolate character in `value`, as U+XXXX, or None."""
    found = BIDI_CONTROLS_RE.search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def bidi_error(field: str, value) -> dict[str, str] | None:
    """The {field, message, code} error of a text holding a bidi control, or None."""
    if not isinstance(value, str):
        return None
    found = bidi_control_found(value)
    if found is None:
        return None
    return {"field": field, "message": f"{BIDI_MESSAGE} Found {found}.", "code": BIDI_CODE}


def validate_no_bidi_controls(value) -> None:
    """Django validator (models, forms): refuses a text holding a bidi control."""
    if isinstance(value, str) and (found := bidi_control_found(value)):
        raise ValidationError(f"{BIDI_MESSAGE} Found {found}.", code=BIDI_CODE)


def validate_plain_text(value) -> None:
    """Django validator of a plain-text field: no control characters, markup or bidi
    controls."""
    if not isinstance(value, str):
        return
    if CONTROL_RE.search(value):
        raise ValidationError("Control characters (such as NUL) are not allowed.",
                              code="invalid")
    if MARKUP_RE.search(value):
        raise ValidationError("This is a plain-text field: HTML markup is not allowed.",
                              code="markup")
    validate_no_bidi_controls(value)
