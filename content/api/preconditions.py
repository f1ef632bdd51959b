"""`If-Match` on editorial writes, as RFC 9110 §13.1.1 defines it.

The field is `*` or a comma-separated list of entity tags, each `"opaque"` or weak
`W/"opaque"` (the opaque part may itself hold commas). If-Match compares strongly: a tag
matches only when neither it nor the current ETag is weak and their opaque parts are equal,
so a weak tag never matches. A write that must name what it was based on answers:

- no If-Match (or one that lists no tag), or `*`: 428 (`*` would overwrite a colleague's
  edit, so it is not accepted as a precondition);
- a value that is not `*` nor a list of entity tags: 400, naming If-Match;
- a list in which no tag strongly matches the current ETag: 412, with the current ETag in
  the response's `ETag` header and in `detail`.
"""

import re
from typing import NamedTuple

from rest_framework.exceptions import ValidationError

from content.api.errors import PreconditionFailed, PreconditionRequired

HEADER = "If-Match"
#: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text (RFC 9110).
_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
#: A list (`#entity-tag`): elements separated by commas and optional whitespace, empty
#: elements allowed (RFC 9110 §5.6.1).
_TAG_LIST = re.compile(
    rf"[ \t,]*(?:{_ENTITY_TAG}(?:[ \t]*,[ \t,]*{_ENTITY_TAG})*)?[ \t,]*"
)
_TAG = re.compile(r'(W/)?"([^"]*)"')


class EntityTag(NamedTuple):
    weak: bool
    opaque: str

    def __str__(self) -> str:
        return f'{"W/" if self.weak else ""}"{self.opaque}"'


def parse_entity_tags(value: str) -> list[EntityTag]:
    """The entity tags of a list-valued field; ValueError if it is not such a list."""
    if not _TAG_LIST.fullmatch(value):
        raise ValueError(value)
    return [EntityTag(bool(weak), opaque) for weak, opaque in _TAG.findall(value)]


def strong_match(tags: list[EntityTag], current: EntityTag) -> bool:
    """Whether any tag equals `current` by strong comparison (RFC 9110 §8.8.3.2)."""
    return not current.weak and any(not tag.weak and tag.opaque == current.opaque
                                    for tag in tags)


def if_match_require(request, current_etag: str) -> None:
    """Let the write go on only if If-Match names `current_etag` (see the module)."""
    value = request.headers.get(HEADER, "").strip()
    if value == "*":
        raise PreconditionRequired(
            'If-Match: * is not accepted because it would overwrite a colleague\'s edit; '
            'send the ETag of the revision you edited, e.g. "rev-3".'
        )
    try:
        tags = parse_entity_tags(value)
    except ValueError:
        raise ValidationError({HEADER: [
            'Expected `*` or a comma-separated list of entity tags such as "rev-3" '
            '(the ETag exactly as this API sent it, in double quotes).'
        ]}, code="malformed") from None
    if not tags:
        raise PreconditionRequired()
    (current,) = parse_entity_tags(current_etag)
    if strong_match(tags, current):
        return
    detail = (
        f"If-Match does not name the latest revision, whose ETag is {current}; nothing was "
        "saved. Reload, reapply your change and send that ETag in If-Match."
    )
    if any(tag.weak and tag.opaque == current.opaque for tag in tags):
        detail += f" If-Match compares strongly, so the weak W/{current} never matches."
    raise PreconditionFailed(detail, etag=current_etag)
