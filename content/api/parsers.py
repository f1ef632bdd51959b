"""The JSON request parser: strict JSON whose strings a database can store.

DRF's JSONParser already refuses malformed JSON, NaN and Infinity. This one also refuses,
with 400, strings (keys included) that contain U+0000 or a lone surrogate ("\\ud800"):
PostgreSQL stores neither in text or jsonb and UTF-8 cannot encode a lone surrogate, so either
would otherwise fail deep inside a write as a 500. A document nested too deeply for Python's
parser is a 400 too, not a RecursionError.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _bad_string(value: str) -> str | None:
    """Why `value` cannot be stored, or None."""
    if "\x00" in value:
        return "contains a NUL character (U+0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate, which is not valid Unicode"
    return None


def _check(data, path: str) -> None:
    """Raise ParseError naming the first unstorable string in `data`."""
    if isinstance(data, str):
        reason = _bad_string(data)
        if reason:
            raise ParseError(f"The text at {path or 'the top level'} {reason}.")
    elif isinstance(data, dict):
        for key, value in data.items():
            reason = _bad_string(key)
            if reason:
                raise ParseError(f"A key in {path or 'the top level'} {reason}.")
            _check(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _check(value, f"{path}[{index}]")


class JSONParser(parsers.JSONParser):
    """JSON bodies, refusing strings PostgreSQL could not store."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            _check(data, "")
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
        return data
