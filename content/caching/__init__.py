"""Caching of the public API, in one package; its one interface is what this module exports.

The concepts, and the one name each has in code, settings and docs:

- **content version** (versions.py): a token that moves on whenever what the public may see
  changes. Publishing calls `content_changed()`; readers call `versioned_get(key)` (the version
  and a cached value together) or `content_version()`.
- **cached response** (responses.py): the bytes, headers and validators of a public 200,
  stored in Django's cache under `response_key()` with the version it was rendered under
  (``HIPKNEE_RESPONSE_CACHE``). Each process also keeps **local copies** of the entries it last
  read or wrote (`local_keep`, ``HIPKNEE_LOCAL_CACHE_ENTRIES``); `local_clear()` forgets them.
- **validity** (validity.py): when content rendered now stops being true by the clock alone.
- **rendering** (renderings.py; the `Rendering` model): the JSON of a public detail or section
  rendered at publish time and stored in the database (``HIPKNEE_STORED_RENDERINGS``); the
  `refresh_renderings` command renders what is missing.
- **entity tags** (etags.py): parsing `If-Match`/`If-None-Match`, strong and weak comparison.
- **backend** (backend.py): Django's Redis cache with a circuit breaker
  (``content.caching.backend.RedisCache``).
- **refresh** (refresh.py): what a process keeps for a second (the database's content
  version, usable API keys) is read again by one request at a time, not by each in flight.
- **code fingerprint** (fingerprint.py): part of every key, so that no release serves what
  another rendered.
- **edge** (edge.py): what a shared cache in front of the API is told: the **surrogate keys**
  of each public response (`response_keys`) and of each change (`change_keys`, purged by
  content/services/edge.py), and the edge's lifetime (``HIPKNEE_EDGE_*``).

The HTTP face (conditional GET, Cache-Control, the view mixin and the middleware) is
content/api/caching.py.
"""

from content.caching.fingerprint import CODE_FINGERPRINT
from content.caching.validity import content_valid_until, next_public_change
from content.caching.versions import (
    VERSION_KEY,
    content_changed,
    content_version,
    content_version_bump,
    local_clear,
    local_keep,
    version_source,
    versioned_get,
)

__all__ = [
    "CODE_FINGERPRINT",
    "VERSION_KEY",
    "content_changed",
    "content_valid_until",
    "content_version",
    "content_version_bump",
    "local_clear",
    "local_keep",
    "next_public_change",
    "version_source",
    "versioned_get",
]
