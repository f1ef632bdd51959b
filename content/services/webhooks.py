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

Sending uses the standard library (`http.client`), not `requests`: one POST needs nothing
more, and owning the connection lets us connect to the exact address we checked. An attempt
has one deadline, HIPKNEE_WEBHOOK_TIMEOUT_SECONDS from its start: resolving the name,
connecting (and the TLS handshake), sending and reading the answer each get only the time
left (`_DeadlineSocket`), so a receiver that drips its answer a byte at a time cannot hold an
attempt longer than that; of a non-2xx answer we read at most RESPONSE_EXCERPT bytes.

A worker claims one delivery at a time (`deliveries_claim`): the row's next_attempt_at moves
to the end of a lease longer than the attempt can take (its deadline + LEASE_MARGIN), and
that moment is the claim's token. `delivery_record` writes the outcome only if the row still
carries the token, so a claim never expires while its worker is sending, and a worker that
lost its claim anyway (paused past its lease) records nothing.

Target policy, checked in one place (`target_resolve`) when subscribing, from the API and the
admin, and again at every attempt: an absolute http(s) URL without credentials or fragment,
on a port of HIPKNEE_WEBHOOK_ALLOWED_PORTS (80 and 443 unless configured); and unless
HIPKNEE_WEBHOOK_ALLOW_PRIVATE is set, every address its name resolves to must be public: not
loopback, private, link-local, carrier-grade NAT, multicast or reserved, nor an IPv6 form
that carries such an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo,
ISATAP; `_non_public`). The connection then goes to that checked address (so a DNS answer
that changes in between cannot redirect it), and redirects are never followed.
"""

import datetime as dt
import hashlib
import hmac
import http.client
import io
import ipaddress
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from content.changes import change_entry, feed_lock
from content.choices import ChangeAction, DeliveryStatus
from content.exceptions import ContentInvalid
from content.models import Change, WebhookDelivery, WebhookSubscription
from content.plaintext import bidi_error
from content.services import permissions

USER_AGENT = "HipKnee-Webhooks/1"
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 200
MAX_URL_LENGTH = 2000
#: How the admin form and the editorial API both describe a subscription's URL and secret.
URL_HELP = (
    "The http(s) URL that receives each event as a signed JSON POST; in production it must "
    "resolve to a public address and use port 80 or 443 (unless the operator allows others)."
)
SECRET_HELP = (
    f"{MIN_SECRET_LENGTH}–{MAX_SECRET_LENGTH} characters, shared with the subscriber: it signs "
    "every delivery (X-HipKnee-Signature). It is stored and never shown again."
)
MAX_BACKOFF = dt.timedelta(hours=1)
#: How much of an answer's body we read and keep for the delivery record (non-2xx only).
RESPONSE_EXCERPT = 500
#: How much longer than one attempt's deadline a claim lasts: room for the database writes
#: around the attempt. A worker that stops mid-attempt delays its delivery by deadline + this.
LEASE_MARGIN = dt.timedelta(seconds=30)


class TargetRefused(Exception):
    """The webhook URL cannot be used as a target (bad form, or a non-public address)."""


def _invalid(field: str, message: str, code: str = "invalid") -> ContentInvalid:
    return ContentInvalid([{"field": field, "message": message, "code": code}])


def signature(*, secret: str, timestamp: str, body: str) -> str:
    """The X-HipKnee-Signature value: sha256=<hex HMAC-SHA256 of secret over ts.body>."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


#: IPv6 ranges whose addresses carry an IPv4 address (RFC 4291, 6052, 8215, 3056, 4380).
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")


def _public_ipv4(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global and not ip.is_multicast


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, each with the name of the form."""
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _MAPPED:
        return [("IPv4-mapped address of", low)]
    if ip in _COMPATIBLE and int(ip) > 1:  # :: and ::1 are not IPv4-compatible addresses
        return [("IPv4-compatible address of", low)]
    if ip in _NAT64:
        return [("NAT64 address of", low)]
    if ip in _SIX_TO_FOUR:
        return [("6to4 address of", ip.sixtofour)]
    if ip in _TEREDO:
        server, client = ip.teredo
        return [("Teredo address of client", client), ("Teredo address of server", server)]
    if (int(ip) >> 32) & 0xFDFFFFFF == 0x00005EFE:  # interface id 0[2]00:5efe:a.b.c.d
        return [("ISATAP address of", low)]
    return []


def _non_public(address: str) -> str | None:
    """Why `address` may not be a webhook target (None when it may): the address itself,
    or how it embeds a non-public IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 4:
        return None if _public_ipv4(ip) else address
    if ip in _NAT64_LOCAL:  # local use (RFC 8215); where it puts the IPv4 address varies
        return f"{address}: local-use NAT64 prefix 64:ff9b:1::/48"
    for form, ipv4 in _embedded_ipv4(ip):
        if not _public_ipv4(ipv4):
            return f"{address}: {form} {ipv4}"
    if ip in _MAPPED:  # connected over IPv4: its IPv4 address is what counts
        return None
    return None if ip.is_global and not ip.is_multicast else address


def _allowed_ports() -> str:
    return ", ".join(map(str, settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS))


def _resolve(host: str, port: int, deadline: float) -> list[str]:
    """The addresses `host` resolves to, or TimeoutError at `deadline`.

    getaddrinfo cannot be interrupted, so it runs in a daemon thread that we stop waiting
    for at the deadline (it ends on its own when the resolver gives up).
    """
    outcome: dict[str, object] = {}

    def lookup():
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as error:  # noqa: BLE001 (handed to the waiting thread)
            outcome["error"] = error

    thread = threading.Thread(target=lookup, name="webhook-resolve", daemon=True)
    thread.start()
    thread.join(max(deadline - time.monotonic(), 0))
    if thread.is_alive():
        raise TimeoutError(f"resolving {host!r}")
    if "error" in outcome:
        raise outcome["error"]
    return list(dict.fromkeys(info[4][0] for info in outcome["infos"]))


def target_resolve(url: str, *, deadline: float | None = None) -> tuple[str, int, list[str]]:
    """`(host, port, addresses)` of a webhook URL, refusing what may not be a target.

    The one check of the target policy (module docstring), for the API, the admin and every
    attempt. Resolving the name ends by `deadline` (time.monotonic(); by default one
    attempt's timeout from now).
    """
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
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    allowed = settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS
    if allowed is not None and port not in allowed:
        raise TargetRefused(
            f"Port {port} is not allowed for webhooks; use one of: {_allowed_ports()}."
        )
    if deadline is None:
        deadline = time.monotonic() + settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS
    try:
        addresses = _resolve(parts.hostname, port, deadline)
    except TimeoutError as error:
        raise TargetRefused(
            f"The host {parts.hostname!r} did not resolve within "
            f"{settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS:g} s."
        ) from error
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host {parts.hostname!r} does not resolve.") from error
    if not settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE:
        private = [reason for reason in map(_non_public, addresses) if reason]
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

    It also receives entries already queued for the future (scheduled expiries). Only a
    publisher may (`permissions.MANAGE_WEBHOOKS`; `user=None` is the system).
    """
    permissions.MANAGE_WEBHOOKS.check(user)
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise _invalid("url", f"Give a URL of at most {MAX_URL_LENGTH} characters.")
    try:
        target_resolve(url)
    except TargetRefused as error:
        raise _invalid("url", str(error), "target_refused") from error
    if not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        raise _invalid(
            "secret", f"Give a secret of {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters.",
            "invalid",
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
def webhook_unsubscribe(*, subscription: WebhookSubscription, user=None) -> None:
    """Remove a subscriber and its queued and recorded deliveries (publishers only)."""
    permissions.MANAGE_WEBHOOKS.check(user)
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


def _time_left(deadline: float) -> float:
    """Seconds until `deadline` (time.monotonic()); TimeoutError once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the attempt's deadline has passed")
    return left


class _DeadlineSocket:
    """A connected socket whose every send and receive ends by one deadline.

    A socket timeout bounds each operation, not their sum: an answer dripped a byte at a time
    keeps each read short and the attempt long. Here each operation gets only the time left.
    This is all of the socket that http.client uses once connected. As with a socket, the
    connection is closed once the object and every reader made from it are.
    """

    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        self._deadline = deadline
        self._readers = 0
        self._closed = False

    def _arm(self) -> None:
        self._sock.settimeout(_time_left(self._deadline))

    def sendall(self, data) -> None:
        with memoryview(data) as view, view.cast("B") as left:
            while left:
                self._arm()
                left = left[self._sock.send(left):]

    def recv_into(self, buffer, nbytes: int = 0) -> int:
        self._arm()
        return self._sock.recv_into(buffer, nbytes)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed:
            self.close()

    def close(self) -> None:
        self._closed = True
        if not self._readers:
            self._sock.close()


class _DeadlineReader(io.RawIOBase):
    """The read side of a `_DeadlineSocket`, as http.client's response reads it."""

    def __init__(self, sock: _DeadlineSocket):
        super().__init__()
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock.reader_closed()
        super().close()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to `host` (Host header) over a socket to the checked `address`, by `deadline`."""

    def __init__(self, host, port, *, address, deadline):
        super().__init__(host, port)
        self._address = address
        self._deadline = deadline

    def _socket(self) -> socket.socket:
        return socket.create_connection(
            (self._address, self.port), _time_left(self._deadline)
        )

    def connect(self):
        self.sock = _DeadlineSocket(self._socket(), self._deadline)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to `host` (SNI and certificate name) over a socket to the checked `address`."""

    default_port = http.client.HTTPS_PORT

    def connect(self):
        sock = self._socket()
        try:
            sock.settimeout(_time_left(self._deadline))  # the handshake, as a whole
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = _DeadlineSocket(sock, self._deadline)


@dataclass
class AttemptResult:
    """What one POST achieved: a 2xx, or why not."""

    ok: bool
    status_code: int | None
    error: str


def _timed_out(stage: str) -> str:
    return (
        f"Timeout: the attempt did not finish within "
        f"{settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS:g} s ({stage})."
    )


def _post(url: str, headers: dict[str, str], body: bytes) -> AttemptResult:
    """One POST, from resolving the name to reading the answer, within one deadline."""
    deadline = time.monotonic() + settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS
    try:
        host, port, addresses = target_resolve(url, deadline=deadline)
    except TargetRefused as error:
        return AttemptResult(ok=False, status_code=None, error=f"Refused: {error}")
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = (
        _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    )
    conn = connection_class(host, port, address=addresses[0], deadline=deadline)
    response = None
    stage = "connecting"
    try:
        conn.connect()
        stage = "sending the request"
        conn.request("POST", path, body=body, headers=headers)
        stage = "waiting for the answer"
        response = conn.getresponse()
        if 200 <= response.status < 300:  # accepted: the rest of the answer is not needed
            return AttemptResult(ok=True, status_code=response.status, error="")
        stage = f"reading the body of an HTTP {response.status} answer"
        excerpt = response.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
    except TimeoutError:
        status_code = response.status if response is not None else None
        return AttemptResult(ok=False, status_code=status_code, error=_timed_out(stage))
    except (OSError, http.client.HTTPException) as error:
        return AttemptResult(ok=False, status_code=None, error=f"{type(error).__name__}: {error}")
    finally:
        if response is not None:
            response.close()
        conn.close()
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


def _lease(count: int) -> dt.timedelta:
    """How long `count` claimed deliveries stay hidden from other workers: longer than
    attempting them one after another can take (each ends by its deadline)."""
    return count * dt.timedelta(seconds=settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN


@transaction.atomic
def deliveries_claim(*, limit: int = 1) -> list[WebhookDelivery]:
    """Take up to `limit` due deliveries for this worker, for a lease (`_lease`).

    Each row's next_attempt_at becomes the lease's end, which is also the claim's token:
    `delivery_record` checks it. Rows another worker is claiming are skipped (SKIP LOCKED on
    PostgreSQL; SQLite runs one writing transaction at a time).
    """
    now = timezone.now()
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "created_at")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    claimed = list(due.select_related("subscription")[:limit])
    if claimed:
        lease_end = now + _lease(len(claimed))
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            next_attempt_at=lease_end
        )
        for delivery in claimed:
            delivery.next_attempt_at = lease_end
    return claimed


def delivery_record(
    *, delivery: WebhookDelivery, result: AttemptResult
) -> WebhookDelivery | None:
    """Record one attempt of a claimed delivery: success, a retry after backoff, or giving up.

    Only while the claim holds (the row still has the attempts and next_attempt_at it was
    claimed with); otherwise, as when it was removed meanwhile, nothing is written and the
    result is None.
    """
    now = timezone.now()
    attempts = delivery.attempts + 1
    status, delivered_at, next_attempt_at = DeliveryStatus.PENDING, None, None
    if result.ok:
        status, delivered_at = DeliveryStatus.SUCCEEDED, now
    elif attempts >= settings.HIPKNEE_WEBHOOK_MAX_ATTEMPTS:
        status = DeliveryStatus.FAILED
    else:
        next_attempt_at = now + backoff(attempts)
    outcome = {
        "attempts": attempts,
        "last_attempt_at": now,
        "last_status_code": result.status_code,
        "last_error": result.error[:2000],
        "status": status,
        "delivered_at": delivered_at,
        "next_attempt_at": next_attempt_at,
    }
    # An update, not save(): it is the claim check, and the subscription may be gone.
    held = WebhookDelivery.objects.filter(
        pk=delivery.pk,
        status=DeliveryStatus.PENDING,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
    ).update(**outcome)
    if not held:
        return None
    for field, value in outcome.items():
        setattr(delivery, field, value)
    return delivery


def deliveries_send_due(*, limit: int = 50) -> list[WebhookDelivery]:
    """Claim, send and record due deliveries one at a time, until none is due or `limit`
    attempts were made; the worker's one step. Returns the attempts it recorded."""
    done = []
    for _ in range(limit):
        claimed = deliveries_claim(limit=1)
        if not claimed:
            break
        [delivery] = claimed
        result = delivery_attempt(delivery=delivery)
        recorded = delivery_record(delivery=delivery, result=result)
        if recorded is not None:
            done.append(recorded)
    return done
