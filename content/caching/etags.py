"""Entity tags (RFC 9110 §8.8.3): the one parser of `If-Match` and `If-None-Match`, and the two
comparisons.

A field is `*` or a comma-separated list of entity tags, each `"opaque"` or weak `W/"opaque"`
(the opaque part may itself hold commas; empty list elements are allowed, §5.6.1).

- `If-None-Match` (public GETs, content/caching/responses.py; the change feed) compares
  **weakly** (§13.1.2): a tag names the response when the opaque parts are equal, weak or not.
  `*` names any response. A value that is not a list of entity tags names nothing, so the full
  response is sent.
- `If-Match` (editorial writes, content/api/preconditions.py) compares **strongly**
  (§13.1.1): only when neither tag is weak and the opaque parts are equal.
"""

import re
from typing import NamedTuple

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


def parse_entity_tag(value: str) -> EntityTag:
    """One entity tag, e.g. an ETag this API sends; ValueError if it is not exactly one."""
    tags = parse_entity_tags(value)
    if len(tags) != 1:
        raise ValueError(value)
    return tags[0]


def strong_match(tags: list[EntityTag], current: EntityTag) -> bool:
    """Whether any tag equals `current` by strong comparison (RFC 9110 §8.8.3.2)."""
    return not current.weak and any(not tag.weak and tag.opaque == current.opaque
                                    for tag in tags)


def weak_match(tags: list[EntityTag], current: EntityTag) -> bool:
    """Whether any tag equals `current` by weak comparison (RFC 9110 §8.8.3.2)."""
    return any(tag.opaque == current.opaque for tag in tags)


def if_none_match(value: str | None, etag: str) -> bool:
    """Whether an If-None-Match field value names the response whose ETag is `etag`: `*`, or
    a listed tag equal to it by weak comparison. False without the field, and for a value that
    is not a list of entity tags (the full response is never wrong)."""
    if value is None:
        return False
    if value.strip() == "*":
        return True
    try:
        tags = parse_entity_tags(value)
    except ValueError:
        return False
    return weak_match(tags, parse_entity_tag(etag))
