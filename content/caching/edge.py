"""The edge: what a shared HTTP cache in front of the API (Varnish, Fastly, Cloudflare) is told
about each public response, and the names it is purged by.

**Surrogate keys.** Every public 200 names what it shows, in the three header forms the
common caches read (`xkey` for Varnish's xkey module, `Surrogate-Key` for Fastly, `Cache-Tag`
for Cloudflare; docs/caching.md#the-edge):

* `<type>:<slug>` for every published item it shows: the item of a detail or section, each
  row of a list page or search result, each linked entity (an article's conditions and the
  items its sections link to, a condition's causes and articles, …). They are read from the
  response itself (`response_keys`: every link to an item's detail, and the request's path),
  so they name exactly what the representation shows, whatever renders it (JSON, JSON-LD,
  body formats, a stored rendering) and at no query;
* the collection it belongs to: `list:<type>` for every page of a type's list (any filter),
  `search`, `lookup`, `index`;
* `all`, on every public response (a purge of everything: `purge_edge --all`, and once per
  release `purge_edge --new-release`, which `make serve` runs).

**Purges** name the same keys (`change_keys`): a change-feed entry for an item (published,
updated or unpublished; the feed writes one for the item and one for every visible item
whose representation shows it: `content.caching.renderings.dependents`, read through
content/services/feed.py) purges that item's key, its type's lists, search and lookup. They
are queued in the publishing transaction and sent after it commits (content/services/edge.py).

**Lifetimes.** With an edge configured (`HIPKNEE_EDGE_PURGE_URL`), a response also says how
long the edge may keep it (`s-maxage` and `Surrogate-Control: max-age`): long
(`HIPKNEE_EDGE_MAX_AGE`, a day), since purges keep it true, but never past the next moment
time alone changes the public content (an expiry, a review falling overdue:
content/caching/validity.py), and `stale-if-error` (`HIPKNEE_EDGE_STALE_IF_ERROR`): how long
the edge may serve it while the origin is down. The browser's `max-age` stays short. Without
an edge configured no response gets an edge lifetime (a shared cache nobody purges would keep
withdrawn content), no purge is queued, and the surrogate keys are still sent.
"""

import datetime as dt
import functools
import math
import re
import time

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from content.caching.validity import next_public_change
from content.types import registry

#: Every public response carries it: purging it empties the edge.
ALL_KEY = "all"
SEARCH_KEY = "search"
LOOKUP_KEY = "lookup"
INDEX_KEY = "index"
#: The headers naming a response's keys: Varnish xkey (space-separated), Fastly (space-
#: separated), Cloudflare (comma-separated).
KEY_HEADERS = (("xkey", " "), ("Surrogate-Key", " "), ("Cache-Tag", ","))


def edge_enabled() -> bool:
    """Whether an edge cache is configured: purges are queued and responses get an edge
    lifetime only then."""
    return bool(getattr(settings, "HIPKNEE_EDGE_PURGE_URL", ""))


def item_key(type_: str, slug: str) -> str:
    """The key of one published item: every response showing it names it."""
    return f"{type_}:{slug}"


def list_key(type_: str) -> str:
    """The key of every page of one type's public list."""
    return f"list:{type_}"


def change_keys(type_: str, slug: str) -> list[str]:
    """What to purge when the public representation of this item changed: the responses
    showing it, its type's lists (a new or withdrawn item moves every page), search and
    lookup."""
    return [item_key(type_, slug), list_key(type_), SEARCH_KEY, LOOKUP_KEY]


@functools.lru_cache(maxsize=8)
def _patterns(script_prefix: str) -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    """(a link to an item's detail, in a body or a path; a collection path; path -> type)."""
    index = reverse("api:index")
    by_path = {spec.path: spec.name for spec in registry}
    paths = "|".join(re.escape(path) for path in sorted(by_path, key=len, reverse=True))
    item = re.compile(rf"{re.escape(index)}({paths})/([A-Za-z0-9_-]+)/".encode())
    collection = re.compile(
        rf"{re.escape(index)}(?:({paths})/|(search)/|(lookup)/)?\Z"
    )
    return item, collection, by_path


def response_keys(path: str, body: bytes) -> list[str]:
    """The surrogate keys of a public response: `all`, its collection (from the path), and
    every item whose detail its path or body links to, in first-seen order."""
    item, collection, by_path = _patterns(get_script_prefix())
    keys = [ALL_KEY]
    found = collection.match(path)
    if found is not None:
        type_path, search, lookup = found.groups()
        if type_path:
            keys.append(list_key(by_path[type_path]))
        else:
            keys.append(SEARCH_KEY if search else LOOKUP_KEY if lookup else INDEX_KEY)
    for source in (path.encode(), body):
        for match in item.finditer(source):
            keys.append(item_key(by_path[match.group(1).decode()], match.group(2).decode()))
    return list(dict.fromkeys(keys))


def key_headers(keys: list[str]) -> dict[str, str]:
    """The key headers of a response naming `keys`."""
    return {name: separator.join(keys) for name, separator in KEY_HEADERS}


def edge_lifetime(valid_until: float, now: float | None = None) -> int:
    """Seconds the edge may keep a response that stays true until `valid_until` (epoch
    seconds; inf when no moment is known): HIPKNEE_EDGE_MAX_AGE at most."""
    now = time.time() if now is None else now
    longest = settings.HIPKNEE_EDGE_MAX_AGE
    if math.isinf(valid_until):
        return longest
    return max(0, min(longest, int(valid_until - now)))


def edge_cache_control(lifetime: int) -> tuple[str, str]:
    """(the Cache-Control directives the edge reads, Surrogate-Control) for a response the
    edge may keep `lifetime` seconds."""
    stale = settings.HIPKNEE_EDGE_STALE_IF_ERROR
    return (
        f"s-maxage={lifetime}, stale-if-error={stale}",
        f"max-age={lifetime}, stale-if-error={stale}",
    )


def valid_until_now() -> float:
    """When content read now stops being true by time alone (one query), for a response that
    was not stored in the response cache (which knows it already)."""
    moment: dt.datetime | None = next_public_change(timezone.now())
    return moment.timestamp() if moment is not None else math.inf
