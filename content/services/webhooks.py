"""Webhooks: subscriptions, the delivery outbox, signing, sending and retries.

Each change-feed entry is queued for every subscriber of its action as a `WebhookDelivery`
row, in the publishing transaction (`deliveries_enqueue`), so nothing is sent for a write
that rolls back and nothing is lost for one that commits. The worker
(`manage.py deliver_webhooks`) claims due rows, POSTs them after the commit, and records
each attempt; a failure is retried with exponential backoff (HIPKNEE_WEBHOOK_BACKOFF_SECONDS,
doubled each time, at most an hour apart) until HIPKNEE_WEBHOOK_MAX_ATTEMPTS.

A delivery is a JSON POST whose body is the feed entry (`type`, `slug`, `action`, `cursor`,
`at`) with headers X-HipKnee-Event (the action), X-HipKnee-Delivery (the row's UUID: the
same on every retry, for idempotency), X-HipKnee-Timestamp (Unix seconds of this attempt)
and X-HipKnee-Signature: `sha256=` + hex HMAC-SHA256 of the secret over
`"<timestamp>.<body>"`.

Sending uses the standard library (`http.client`), not `requests`: one POST with a timeout
needs nothing more, and owning the connection lets us connect to the exact address we
checked. Unless HIPKNEE_WEBHOOK_ALLOW_PRIVATE is set, a target whose name resolves to any
non-public address (loopback, private, link-local, carrier-grade NAT, multicast, reserved)
is refused, both when subscribing and at every attempt; the connection then goes to that
checked address (so a DNS answer that changes in between cannot redirect it), and
redirects are never followed.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from content.choices import ChangeAction, DeliveryStatus
from content.exceptions import ContentInvalid
from content.feed import change_entry, feed_lock
from content.models import Change, WebhookDelivery, WebhookSubscription
from content.plaintext import bidi_error

USER_AGENT = "HipKnee-Webhooks/1"
MIN_SECRET_LENGTH = 16
MAX_BACKOFF = dt.timedelta(hours=1)
#: How much of an answer's body we keep for the delivery record.
RESPONSE_EXCERPT = 500


class TargetRefused(Exception):
    """The webhook URL cannot be used as a target (bad form, or a non-public address)."""


def _invalid(field: str, message: str, code: str = "invalid") -> ContentInvalid:
    return ContentInvalid([{"field": field, "message": message, "code": code}])


def signature(*, secret: str, timestamp: str, body: str) -> str:
    """The X-HipKnee-Signature value: sha256=<hex HMAC-SHA256 of secret over ts.body>."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target_resolve(url: str) -> tuple[str, int, list[str]]:
    """`(host, port, addresses)` of a webhook URL, refusing what may not be a target."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise TargetRefused("The URL is not valid.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("Use an absolute http:// or https:// URL.")
    if parts.username or parts.password:
        raise TargetRefused("Credentials in the URL are not supported; check the signature.")
    if parts.fragment:
        raise TargetRefused("A URL fragment is never sent; remove it.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host {parts.hostname!r} does not resolve.") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE:
        private = [a for a in addresses if not _public(a)]
        if private:
            raise TargetRefused(
                f"The host {parts.hostname!r} resolves to a non-public address "
                f"({', '.join(private)}); webhooks go only to public addresses."
            )
    return parts.hostname, port, addresses


def _event_types(value) -> list[str]:
    if value is None:
        return list(ChangeAction.values)
    if not isinstance(value, list) or not value:
        raise _invalid("event_types", "Give a non-empty list of event types.", "not_a_list")
    unknown = [v for v in value if v not in ChangeAction.values]
    if unknown:
        raise _invalid(
            "event_types",
            f"Unknown event type(s) {unknown!r}; expected some of: "
            f"{', '.join(ChangeAction.values)}.",
            "invalid_choice",
        )
    return [v for v in ChangeAction.values if v in value]


@transaction.atomic
def webhook_subscribe(
    *, url: str, secret: str, event_types: list[str] | None = None, description: str = "",
    user=None,
) -> WebhookSubscription:
    """Register a subscriber (all event types unless `event_types` names some).

    It also receives entries already queued for the future (scheduled expiries).
    """
    if not isinstance(url, str) or len(url) > 2000:
        raise _invalid("url", "Give a URL of at most 2000 characters.")
    try:
        target_resolve(url)
    except TargetRefused as error:
        raise _invalid("url", str(error), "target_refused") from error
    if not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= 200:
        raise _invalid(
            "secret", f"Give a secret of {MIN_SECRET_LENGTH} to 200 characters.", "invalid"
        )
    events = _event_types(event_types)
    if error := bidi_error("description", description):
        raise ContentInvalid([error])
    feed_lock(shared=False)  # no feed entry is written between our save and our backfill
    subscription = WebhookSubscription(
        url=url,
        secret=secret,
        event_types=events,
        description=(description or "").strip()[:200],
        created_by=user if user is not None and user.is_authenticated else None,
    )
    subscription.full_clean()
    subscription.save()
    now = timezone.now()
    for change in Change.objects.filter(at__gt=now, action__in=events).order_by("at", "id"):
        _enqueue(subscription=subscription, change=change)
    return subscription


@transaction.atomic
def webhook_unsubscribe(*, subscription: WebhookSubscription) -> None:
    """Remove a subscriber and its queued and recorded deliveries."""
    subscription.deliveries.all().delete()
    subscription.delete()


def _enqueue(*, subscription: WebhookSubscription, change: Change) -> WebhookDelivery:
    body = json.dumps(change_entry(change), ensure_ascii=False, separators=(",", ":"))
    return WebhookDelivery.objects.create(
        subscription=subscription,
        change=change,
        event=change.action,
        body=body,
        next_attempt_at=change.at,
    )


def deliveries_enqueue(*, change: Change) -> list[WebhookDelivery]:
    """Queue `change` for every subscriber of its action (inside the caller's transaction)."""
    return [
        _enqueue(subscription=subscription, change=change)
        for subscription in WebhookSubscription.objects.order_by("id")
        if change.action in subscription.event_types
    ]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `host` (Host header) over a socket to the checked `address`."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to `host` (SNI and certificate name) over a socket to the checked `address`."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class AttemptResult:
    """What one POST achieved: a 2xx, or why not."""

    ok: bool
    status_code: int | None
    error: str


def _post(url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
    try:
        host, port, addresses = target_resolve(url)
    except TargetRefused as error:
        return AttemptResult(ok=False, status_code=None, error=f"Refused: {error}")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = (
        _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    )
    conn = connection_class(
        host, port, address=addresses[0], timeout=settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS
    )
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        return AttemptResult(ok=False, status_code=None, error=f"{type(error).__name__}: {error}")
    finally:
        conn.close()
    if 200 <= response.status < 300:
        return AttemptResult(ok=True, status_code=response.status, error="")
    reason = "redirects are not followed" if 300 <= response.status < 400 else excerpt.strip()
    return AttemptResult(
        ok=False,
        status_code=response.status,
        error=f"HTTP {response.status}" + (f": {reason}" if reason else ""),
    )


def delivery_attempt(*, delivery: WebhookDelivery) -> AttemptResult:
    """POST one delivery, signed with its subscription's secret (no database writes)."""
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-HipKnee-Event": delivery.event,
        "X-HipKnee-Delivery": str(delivery.pk),
        "X-HipKnee-Timestamp": timestamp,
        "X-HipKnee-Signature": signature(
            secret=delivery.subscription.secret, timestamp=timestamp, body=delivery.body
        ),
    }
    return _post(delivery.subscription.url, headers, delivery.body.encode("utf-8"))


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after `attempts` failed ones: base × 2^(attempts−1)."""
    base = dt.timedelta(seconds=settings.HIPKNEE_WEBHOOK_BACKOFF_SECONDS)
    return min(base * (2 ** (attempts - 1)), MAX_BACKOFF)


def _lease() -> dt.timedelta:
    """How long a claimed delivery is hidden from other workers while it is being sent."""
    return dt.timedelta(seconds=settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS * 2 + 30)


@transaction.atomic
def deliveries_claim(*, limit: int = 50) -> list[WebhookDelivery]:
    """Take up to `limit` due deliveries for this worker (others skip them for a lease)."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "created_at")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    claimed = list(due.select_related("subscription")[:limit])
    WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
        next_attempt_at=now + _lease()
    )
    return claimed


@transaction.atomic
def delivery_record(*, delivery: WebhookDelivery, result: AttemptResult) -> WebhookDelivery:
    """Record one attempt: success, a retry after backoff, or giving up."""
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error[:2000]
    if result.ok:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.HIPKNEE_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    # An update, not save(): the subscription may have been deleted while we were sending.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=delivery.attempts,
        last_attempt_at=delivery.last_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        status=delivery.status,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
    )
    return delivery


def deliveries_send_due(*, limit: int = 50) -> list[WebhookDelivery]:
    """Claim, send and record every due delivery (up to `limit`); the worker's one step."""
    done = []
    for delivery in deliveries_claim(limit=limit):
        result = delivery_attempt(delivery=delivery)
        done.append(delivery_record(delivery=delivery, result=result))
    return done
