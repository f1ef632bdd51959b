"""Clinical codes: the code systems content may carry, how a code is checked, and the
ICD-10-CM classification a lookup walks (docs/api.md#clinical-codes).

A code on content is `{"system", "code"}`. ICD-10-CM codes are checked against the official
code set bundled by the pinned `simple-icd-10-cm` package (no download at run time; a child
Python reads it once per process and hands back a compact table, `_icd10cm`). SNOMED CT
concept ids are checked by form and Verhoeff check digit only: their descriptions are
licensed, we store ids.

Every function raises `CodeInvalid` with a message that names the code; the snapshot gate
(`content.snapshots`) and the lookup (`content.api.lookup`) turn it into their own errors.
"""

from __future__ import annotations

import dataclasses
import functools
import marshal
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

from content.choices import CodeSystem

#: The HL7 OIDs of the code systems (Infobutton `mainSearchCriteria.v.cs`).
OID_OF_SYSTEM = {
    CodeSystem.ICD10CM: "2.16.840.1.113883.6.90",
    CodeSystem.SNOMEDCT: "2.16.840.1.113883.6.96",
}
SYSTEM_OF_OID = {oid: system for system, oid in OID_OF_SYSTEM.items()}

#: The name of each system in schema.org `MedicalCode.codingSystem`.
CODING_SYSTEM_NAME = {CodeSystem.ICD10CM: "ICD-10-CM", CodeSystem.SNOMEDCT: "SNOMED CT"}

#: A category (M16), with an optional subcategory part (M16.11, S72.001A); the dot may be
#: left out (M1611) and letters may be lowercase.
ICD10CM_FORM = re.compile(r"^([A-Z][0-9][0-9A-Z])\.?([0-9A-Z]{1,4})?$")
#: A block of categories, e.g. M15-M19.
ICD10CM_BLOCK_FORM = re.compile(r"^[A-Z][0-9][0-9A-Z]-[A-Z][0-9][0-9A-Z]$")
#: A SNOMED CT identifier: 6 to 18 digits, no leading zero.
SNOMEDCT_FORM = re.compile(r"^[1-9][0-9]{5,17}$")
#: The partition identifiers (second and third digits from the right) of concept ids, in
#: the international (0x) and extension (1x) namespaces.
SNOMEDCT_CONCEPT_PARTITIONS = {"00", "10"}
#: The project root, for the child Python that reads the code set.
_ROOT = Path(__file__).resolve().parent.parent


class CodeInvalid(ValueError):
    """A code that is malformed, or well-formed but not one `system` accepts on content."""

    def __init__(self, message: str, *, code: str = "invalid_code"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclasses.dataclass(frozen=True)
class _CodeSet:
    """The bundled ICD-10-CM release as plain data: its name, and each chapter, block,
    category and subcategory code → (description, level, ancestors nearest first)."""

    release: str
    items: dict[str, tuple[str, str, tuple[str, ...]]]


#: What a child Python prints for `_icd10cm` (`python -m content.codes`).
_EXPORT_TIMEOUT = 120


@functools.cache
def _icd10cm() -> _CodeSet:
    """The code set, read once per process from a child Python that imports
    `simple_icd_10_cm` and hands back only the table (`_export`): the package keeps the
    parsed release as about 180 MB of Python objects, which every server worker would hold
    and the garbage collector walk; the table is about 30 MB of strings and tuples."""
    child = subprocess.run(
        [sys.executable, "-m", "content.codes"],
        cwd=_ROOT, env={**os.environ, "PYTHONPATH": str(_ROOT)},
        capture_output=True, check=True, timeout=_EXPORT_TIMEOUT,
    )
    release, items = marshal.loads(child.stdout)
    return _CodeSet(release, items)


def _export() -> None:
    """Print the bundled release, marshalled, for `_icd10cm`: (release, {code: (description,
    level, ancestors)}), the level as the code set answers it (a code that is both a block and
    a category, such as B10, is a block)."""
    from importlib import resources

    with warnings.catch_warnings():  # it uses a deprecated importlib.resources call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    def level(code: str) -> str:
        if icd.is_chapter(code):
            return "chapter"
        if icd.is_block(code):
            return "block"
        return "category" if icd.is_category(code) else "subcategory"

    names = [p.name for p in resources.files(icd.data).iterdir()]
    release = next((n.removeprefix("code-list-").removesuffix(".txt") for n in names
                    if n.startswith("code-list-")), "unknown")
    items = {code: (icd.get_description(code), level(code), tuple(icd.get_ancestors(code)))
             for code in icd.get_all_codes(True)}
    sys.stdout.buffer.write(marshal.dumps((release, items)))


def icd10cm_load() -> None:
    """Read the bundled release now (about 2 s, once per process): the WSGI entry point
    calls it so that a server worker does it as it starts, not on its first request."""
    _icd10cm()


def icd10cm_form(code: str) -> str:
    """`code` in the code set's spelling (upper case, with its dot), if it is of the form of
    an ICD-10-CM code or block; raises CodeInvalid otherwise."""
    value = code.strip().upper() if isinstance(code, str) else ""
    if ICD10CM_BLOCK_FORM.match(value):
        return value
    match = ICD10CM_FORM.match(value)
    if match is None:
        raise CodeInvalid(
            f"{code!r} is not of the form of an ICD-10-CM code (a letter, two characters, "
            "then optionally a dot and up to four more, e.g. M16 or M16.11) or block "
            "(M15-M19)."
        )
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def icd10cm_exists(code: str) -> bool:
    """Whether `code` (in the code set's spelling) is a block, category or subcategory of
    the bundled ICD-10-CM release (not a chapter)."""
    item = _icd10cm().items.get(code)
    return item is not None and item[1] != "chapter"


def icd10cm_description(code: str) -> str | None:
    """The official description of an ICD-10-CM code, block or chapter; None if unknown."""
    item = _icd10cm().items.get(code)
    return item[0] if item is not None else None


def icd10cm_release() -> str:
    """Which release the bundled code set is, from its data file's name."""
    return _icd10cm().release


def icd10cm_levels(code: str) -> list[tuple[str, str]]:
    """`code` and what it belongs to, most specific first, each with its level: the code
    itself, its parent codes up to the category, then the block (M16.11 → M16.1 → M16 →
    M15-M19). The chapter is left out: it is too broad to say anything about a patient."""
    items = _icd10cm().items
    levels = [(code, items[code][1])]
    for ancestor in items[code][2]:
        if items[ancestor][1] == "chapter":
            break
        levels.append((ancestor, items[ancestor][1]))
    return levels


def verhoeff_valid(digits: str) -> bool:
    """Whether a string of digits ends in its Verhoeff check digit."""
    check = 0
    for i, digit in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[i % 8][int(digit)]]
    return check == 0


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def snomedct_form(code: str) -> str:
    """`code` if it is of the form of a SNOMED CT concept id (digits, a concept partition,
    a valid Verhoeff check digit); raises CodeInvalid otherwise."""
    value = code.strip() if isinstance(code, str) else ""
    if not SNOMEDCT_FORM.match(value):
        raise CodeInvalid(
            f"{code!r} is not a SNOMED CT concept id (6 to 18 digits, no leading zero)."
        )
    if value[-3:-1] not in SNOMEDCT_CONCEPT_PARTITIONS:
        raise CodeInvalid(
            f"{code!r} is not a SNOMED CT concept id: its partition identifier "
            f"{value[-3:-1]!r} is not that of a concept (00 or 10)."
        )
    if not verhoeff_valid(value):
        raise CodeInvalid(f"{code!r} is not a SNOMED CT concept id: its check digit is wrong.")
    return value


def code_form(system: str, code: str) -> str:
    """`code` in its system's canonical spelling, if it is of that system's form (it may
    still be absent from the code set); raises CodeInvalid otherwise."""
    if system == CodeSystem.ICD10CM:
        return icd10cm_form(code)
    if system == CodeSystem.SNOMEDCT:
        return snomedct_form(code)
    raise CodeInvalid(
        f"{system!r} is not a code system; expected one of: {', '.join(CodeSystem.values)}.",
        code="invalid_system",
    )


def code_normalise(system: str, code: str) -> str:
    """`code` as content stores it: of its system's form and, for ICD-10-CM, a block,
    category or subcategory of the bundled release (billable or not: content about a whole
    category carries the category, content about a group of them its block). Raises
    CodeInvalid naming the code otherwise."""
    value = code_form(system, code)
    if system == CodeSystem.ICD10CM and not icd10cm_exists(value):
        raise CodeInvalid(
            f"{value!r} is not in the ICD-10-CM code set ({icd10cm_release()} release).",
            code="unknown_code",
        )
    return value


def code_display(system: str, code: str) -> str | None:
    """The official description of a stored code: ICD-10-CM's; None for SNOMED CT, whose
    descriptions are licensed and not shipped."""
    if system == CodeSystem.ICD10CM:
        return icd10cm_description(code)
    return None


if __name__ == "__main__":
    _export()
