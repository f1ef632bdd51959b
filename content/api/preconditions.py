"""`If-Match` on editorial writes, as RFC 9110 §13.1.1 defines it (entity tags are parsed and
compared by content/caching/etags.py, which If-None-Match uses too).

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

from rest_framework.exceptions import ValidationError

from content.api.errors import PreconditionFailed, PreconditionRequired
from content.caching.etags import parse_entity_tag, parse_entity_tags, strong_match

HEADER = "If-Match"


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
    current = parse_entity_tag(current_etag)
    if strong_match(tags, current):
        return
    detail = (
        f"If-Match does not name the latest revision, whose ETag is {current}; nothing was "
        "saved. Reload, reapply your change and send that ETag in If-Match."
    )
    if any(tag.weak and tag.opaque == current.opaque for tag in tags):
        detail += f" If-Match compares strongly, so the weak W/{current} never matches."
    raise PreconditionFailed(detail, etag=current_etag)
