"""Edge purges: the outbox of surrogate keys to purge, and sending it (docs/caching.md#the-edge).

When a change to the public content commits, the edge must drop exactly the responses it
made untrue. The change feed already knows which items those are: every publish, update,
unpublish or expiry writes an entry for the item and one for every visible item whose
representation shows it (content/services/feed.py, from `renderings.dependents`). So each
feed entry queues one `EdgePurge` of its item's keys (`content.caching.edge.change_keys`) in
the same transaction (`edge_purge_for_change`), due at the entry's moment: at once, or at a
scheduled expiry. A synonym change purges search (`edge_purge_enqueue`). Nothing is queued
without an edge configured (`HIPKNEE_EDGE_PURGE_URL`).

Sending: once the transaction commits, the publishing process sends what is due at once
(`edge_purges_send_due`, in an on-commit hook that never raises), so an edge answers the new
content within milliseconds; the worker (`manage.py deliver_webhooks`, every second) sends
whatever that missed (a crash, an unreachable edge, a scheduled expiry), retrying with
backoff (HIPKNEE_EDGE_PURGE_BACKOFF_SECONDS, doubled, at most MAX_BACKOFF) for as long as it
takes: a purge is never given up, so withdrawn content cannot stay at the edge unnoticed.
Each failed attempt is logged as an error, and /readyz reports pending purges
(`edge_purges_status`). A worker claims due purges for a lease, as webhook deliveries are
claimed, so two senders never send one purge twice at once (a purge sent twice is harmless).

One request purges the keys of every claimed row (at most MAX_KEYS_PER_REQUEST keys), to
every edge of HIPKNEE_EDGE_PURGE_URL (comma-separated); it succeeds when each answers 2xx.
Formats (HIPKNEE_EDGE_PURGE_FORMAT): `surrogate-key`, a request (HIPKNEE_EDGE_PURGE_METHOD,
PURGE by default) whose `Surrogate-Key` header lists the keys, which our Varnish VCL
(hipknee_api/edge.vcl) and Fastly's batch purge API accept; `cloudflare`, a JSON POST
`{"tags": [...]}` as Cloudflare's purge API takes. HIPKNEE_EDGE_PURGE_HEADERS adds headers
(API tokens) to every request.
"""

import datetime as dt
import http.client
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from content.caching.edge import SEARCH_KEY, change_keys, edge_enabled
from content.models import Change, EdgePurge

logger = logging.getLogger(__name__)

USER_AGENT = "HipKnee-Edge-Purge/1"
#: At most this many keys per request (Fastly's batch purge takes 256).
MAX_KEYS_PER_REQUEST = 256
MAX_BACKOFF = dt.timedelta(minutes=1)
#: How much longer than its requests a claim lasts (room for the database writes).
LEASE_MARGIN = dt.timedelta(seconds=30)


def _send_after_commit() -> None:
    """Send what is due once the current transaction commits (registered once per
    transaction: the first call sends every due purge)."""
    if any(entry[1] is _send_now for entry in connection.run_on_commit):
        return
    transaction.on_commit(_send_now)


def _send_now() -> None:
    try:
        edge_purges_send_due()
    except Exception:
        logger.exception("Could not send edge purges after a commit; the worker retries them.")


def edge_purge_enqueue(*, keys: list[str], reason: str, change: Change | None = None,
                       due: dt.datetime | None = None) -> EdgePurge | None:
    """Queue a purge of `keys` (inside the caller's transaction), due at `due` (now by
    default); None without an edge configured."""
    if not edge_enabled():
        return None
    now = timezone.now()
    purge = EdgePurge.objects.create(
        keys=" ".join(dict.fromkeys(keys)), reason=reason[:200], change=change,
        next_attempt_at=max(due, now) if due is not None else now,
    )
    if purge.next_attempt_at <= now:
        _send_after_commit()
    return purge


def edge_purge_for_change(*, change: Change) -> EdgePurge | None:
    """Queue the purge of a change-feed entry: its item's keys, due at the entry's moment."""
    return edge_purge_enqueue(
        keys=change_keys(change.type, change.slug),
        reason=f"{change.action} {change.type}:{change.slug}",
        change=change, due=change.at,
    )


def edge_purge_search(*, reason: str) -> EdgePurge | None:
    """Queue the purge of every search response (a synonym change)."""
    return edge_purge_enqueue(keys=[SEARCH_KEY], reason=reason)


def _targets() -> list[str]:
    return [url.strip() for url in settings.HIPKNEE_EDGE_PURGE_URL.split(",") if url.strip()]


def _extra_headers() -> dict[str, str]:
    raw = settings.HIPKNEE_EDGE_PURGE_HEADERS
    return {str(k): str(v) for k, v in json.loads(raw).items()} if raw else {}


@dataclass
class PurgeResult:
    """What one purge request achieved: every edge answered 2xx, or why not."""

    ok: bool
    error: str


def _request(url: str, keys: list[str]) -> str | None:
    """Send one purge of `keys` to the edge at `url`: None if it answered 2xx, else why not."""
    parts = urlsplit(url)
    headers = {"User-Agent": USER_AGENT, **_extra_headers()}
    if settings.HIPKNEE_EDGE_PURGE_FORMAT == "cloudflare":
        method, body = "POST", json.dumps({"tags": keys}).encode()
        headers["Content-Type"] = "application/json"
    else:
        method, body = settings.HIPKNEE_EDGE_PURGE_METHOD, None
        headers["Surrogate-Key"] = " ".join(keys)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = connection_class(parts.hostname, parts.port,
                            timeout=settings.HIPKNEE_EDGE_PURGE_TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(300).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException) as error:
        return f"{url}: {type(error).__name__}: {error}"
    finally:
        conn.close()
    if 200 <= response.status < 300:
        return None
    return f"{url}: HTTP {response.status}" + (f": {excerpt}" if excerpt else "")


def edge_purge_send(keys: list[str]) -> PurgeResult:
    """Purge `keys` from every configured edge (no database writes)."""
    errors = [error for url in _targets() if (error := _request(url, keys)) is not None]
    return PurgeResult(ok=not errors, error="; ".join(errors))


def backoff(attempts: int) -> dt.timedelta:
    """The wait after `attempts` failed attempts: base × 2^(attempts−1), at most a minute."""
    base = dt.timedelta(seconds=settings.HIPKNEE_EDGE_PURGE_BACKOFF_SECONDS)
    return min(base * (2 ** min(attempts - 1, 16)), MAX_BACKOFF)


@transaction.atomic
def edge_purges_claim() -> list[EdgePurge]:
    """Take due purges (at most MAX_KEYS_PER_REQUEST keys in all) for a lease; each row's
    next_attempt_at becomes the lease's end, the claim's token (`edge_purges_record`)."""
    now = timezone.now()
    due = EdgePurge.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True)
    claimed, keys = [], set()
    for purge in due[:MAX_KEYS_PER_REQUEST]:
        more = keys | set(purge.keys.split())
        if claimed and len(more) > MAX_KEYS_PER_REQUEST:
            break
        claimed.append(purge)
        keys = more
    if claimed:
        lease = dt.timedelta(seconds=settings.HIPKNEE_EDGE_PURGE_TIMEOUT_SECONDS) * max(
            1, len(_targets())) + LEASE_MARGIN
        EdgePurge.objects.filter(pk__in=[p.pk for p in claimed]).update(
            next_attempt_at=now + lease)
        for purge in claimed:
            purge.next_attempt_at = now + lease
    return claimed


def edge_purges_record(*, purges: list[EdgePurge], result: PurgeResult) -> int:
    """Record one attempt of claimed purges: sent, or a retry after backoff (never given up).
    Only rows whose claim still holds are written; returns how many."""
    now = timezone.now()
    recorded = 0
    for purge in purges:
        attempts = purge.attempts + 1
        outcome = {
            "attempts": attempts, "last_attempt_at": now, "last_error": result.error[:2000],
            "sent_at": now if result.ok else None,
            "next_attempt_at": None if result.ok else now + backoff(attempts),
        }
        held = EdgePurge.objects.filter(
            pk=purge.pk, sent_at__isnull=True, attempts=purge.attempts,
            next_attempt_at=purge.next_attempt_at,
        ).update(**outcome)
        if held:
            recorded += 1
            for field, value in outcome.items():
                setattr(purge, field, value)
            if not result.ok:
                logger.error("Edge purge %s (%s) failed, attempt %d, next at %s: %s",
                             purge.pk, purge.keys, attempts,
                             outcome["next_attempt_at"].isoformat(), result.error)
    return recorded


def edge_purges_send_due(*, limit: int = 20) -> list[EdgePurge]:
    """Claim, send and record due purges until none is due or `limit` requests were made;
    the worker's step (and what runs after each publishing commit). Returns the purges whose
    attempt was recorded."""
    if not edge_enabled():
        return []
    done: list[EdgePurge] = []
    for _ in range(limit):
        claimed = edge_purges_claim()
        if not claimed:
            break
        keys = list(dict.fromkeys(k for purge in claimed for k in purge.keys.split()))
        result = edge_purge_send(keys)
        edge_purges_record(purges=claimed, result=result)
        done.extend(claimed)
        if not result.ok:
            break  # the edge is failing: the rest waits for the next round
    return done


def edge_purges_status(now: dt.datetime | None = None) -> dict:
    """What /readyz says about the outbox: `ok`, or `behind` when a purge has waited more than
    HIPKNEE_EDGE_PURGE_ALERT_SECONDS past its moment (the edge may be serving what changed),
    with the count of due purges, the oldest one's moment and the last error."""
    now = now or timezone.now()
    due = EdgePurge.objects.filter(sent_at__isnull=True, created_at__lte=now).exclude(
        change__at__gt=now)
    oldest = due.order_by("created_at").values("created_at", "change__at", "last_error").first()
    since = None
    if oldest is not None:
        since = max(oldest["created_at"], oldest["change__at"] or oldest["created_at"])
    late = since is not None and (now - since).total_seconds() > (
        settings.HIPKNEE_EDGE_PURGE_ALERT_SECONDS)
    return {
        "status": "behind" if late else "ok",
        "pending": due.count(),
        "oldest_pending_since": since.isoformat() if since else None,
        "last_error": (oldest or {}).get("last_error") or None,
    }
