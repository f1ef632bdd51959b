"""Webhooks (content/services/webhooks.py): subscribing, the outbox, signed delivery to a
real HTTP receiver on 127.0.0.1, retries with backoff, the attempt's deadline, claims under
concurrent workers, and the refusal of private targets and ports."""

import datetime as dt
import json
import threading
import time
import uuid
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction

from content.changes import cursor_encode
from content.choices import ChangeAction, ContentType, DeliveryStatus, Role
from content.exceptions import ActionForbidden, ContentInvalid
from content.models import Change, WebhookDelivery, WebhookSubscription
from content.services import webhooks
from content.services.webhooks import (
    AttemptResult,
    backoff,
    deliveries_claim,
    deliveries_send_due,
    delivery_record,
    signature,
    webhook_subscribe,
    webhook_unsubscribe,
)
from hipknee_api.settings.base import env_ports
from tests.editorial_steps import Staff
from tests.factories import UserFactory
from tests.webhook_receiver import Receiver, start, start_silent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SECRET = "s3cret-shared-with-the-mirror"


@pytest.fixture
def staff():
    return Staff()


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def receiver():
    receiver = Receiver(secret=SECRET)
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


def errors_of(excinfo) -> list[dict]:
    return excinfo.value.errors


# --- signing ---------------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    assert signature(secret="key", timestamp="1700000000", body='{"a":1}') == (
        "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
    )


def test_backoff_doubles_from_the_base_and_is_capped_at_an_hour(settings):
    settings.HIPKNEE_WEBHOOK_BACKOFF_SECONDS = 30

    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 8, 12)] == [
        30, 60, 120, 240, 1920, 3600, 3600,
    ]


# --- subscribing -----------------------------------------------------------------------------


def test_subscribe_defaults_to_every_event_type(receiver):
    subscription = webhook_subscribe(url=receiver.url, secret=SECRET)

    assert subscription.event_types == ["published", "updated", "unpublished"]
    assert subscription.secret == SECRET


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.EDITORS, Role.MEDICAL_REVIEWERS])
def test_only_a_publisher_may_subscribe_or_unsubscribe_whatever_the_face(role):
    """The service checks the role itself: a face cannot do what the service refuses."""
    outsider, publisher = UserFactory(roles=[role]), UserFactory(roles=[Role.PUBLISHERS])
    with pytest.raises(ActionForbidden, match="'publishers' role"):
        webhook_subscribe(url="https://93.184.215.14/hook", secret=SECRET, user=outsider)
    assert not WebhookSubscription.objects.exists()

    subscription = webhook_subscribe(url="https://93.184.215.14/hook", secret=SECRET,
                                     user=publisher)
    with pytest.raises(ActionForbidden):
        webhook_unsubscribe(subscription=subscription, user=outsider)
    assert WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    webhook_unsubscribe(subscription=subscription, user=publisher)
    assert not WebhookSubscription.objects.exists()


def test_subscribe_keeps_event_types_in_canonical_order(receiver):
    subscription = webhook_subscribe(
        url=receiver.url, secret=SECRET, event_types=["unpublished", "published"]
    )

    assert subscription.event_types == ["published", "unpublished"]


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"url": "ftp://example.org/x"}, "url", "target_refused"),
        ({"url": "/relative/path"}, "url", "target_refused"),
        ({"url": "http://user:pw@127.0.0.1/x"}, "url", "target_refused"),
        ({"url": "http://127.0.0.1/x#frag"}, "url", "target_refused"),
        ({"url": "http://127.0.0.1:99999/x"}, "url", "target_refused"),
        ({"secret": "short"}, "secret", "invalid"),
        ({"event_types": []}, "event_types", "not_a_list"),
        ({"event_types": ["deleted"]}, "event_types", "invalid_choice"),
    ],
)
def test_subscribe_refuses_invalid_input(kwargs, field, code):
    arguments = {"url": "http://127.0.0.1:8080/hook", "secret": SECRET, **kwargs}

    with pytest.raises(ContentInvalid) as excinfo:
        webhook_subscribe(**arguments)

    [error] = errors_of(excinfo)
    assert (error["field"], error["code"]) == (field, code)


def test_subscribe_refuses_a_host_that_does_not_resolve(monkeypatch):
    def no_answer(host, *args, **kwargs):
        raise webhooks.socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", no_answer)

    with pytest.raises(ContentInvalid) as excinfo:
        webhook_subscribe(url="https://mirror.example.com/hook", secret=SECRET)

    assert errors_of(excinfo) == [{
        "field": "url",
        "message": "The host 'mirror.example.com' does not resolve.",
        "code": "target_refused",
    }]


def test_every_address_of_a_name_must_be_public(settings, monkeypatch):
    """A name with one public and one private address (DNS rebinding) is refused."""
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    def two_answers(host, port, *args, **kwargs):
        return [(2, 1, 6, "", ("93.184.215.14", port)), (2, 1, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", two_answers)

    with pytest.raises(ContentInvalid) as excinfo:
        webhook_subscribe(url="https://mirror.example.com/hook", secret=SECRET)

    assert errors_of(excinfo)[0]["message"] == (
        "The host 'mirror.example.com' resolves to a non-public address (10.0.0.7); "
        "webhooks go only to public addresses."
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.9/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
    ],
)
def test_production_policy_refuses_non_public_targets(settings, url):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    with pytest.raises(ContentInvalid) as excinfo:
        webhook_subscribe(url=url, secret=SECRET)

    [error] = errors_of(excinfo)
    assert error["field"] == "url"
    assert error["code"] == "target_refused"
    assert "non-public address" in error["message"]


def test_production_policy_accepts_a_public_address(settings):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    subscription = webhook_subscribe(url="https://93.184.215.14/hook", secret=SECRET)

    assert subscription.url == "https://93.184.215.14/hook"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1: NAT64 address of 127.0.0.1"),
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe: NAT64 address of 169.254.169.254"),
        ("http://[64:ff9b:1::808:808]/", "64:ff9b:1::808:808: local-use NAT64 prefix "
                                         "64:ff9b:1::/48"),
        ("http://[2002:7f00:1::]/", "2002:7f00:1::: 6to4 address of 127.0.0.1"),
        ("http://[2002:a00:1::1]/", "2002:a00:1::1: 6to4 address of 10.0.0.1"),
        ("http://[::127.0.0.1]/", "::127.0.0.1: IPv4-compatible address of 127.0.0.1"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1: IPv4-mapped address of 10.0.0.1"),
        ("http://[2001:0:4136:e378:8000:0:80ff:fffe]/",
         "2001:0:4136:e378:8000:0:80ff:fffe: Teredo address of client 127.0.0.1"),
        ("http://[2001:0:a00:1:8000:0:f7f7:f7f7]/",
         "2001:0:a00:1:8000:0:f7f7:f7f7: Teredo address of server 10.0.0.1"),
        ("http://[2600::5efe:7f00:1]/", "2600::5efe:7f00:1: ISATAP address of 127.0.0.1"),
        ("http://[2600::200:5efe:a00:1]/", "2600::200:5efe:a00:1: ISATAP address of 10.0.0.1"),
    ],
)
def test_production_policy_refuses_ipv6_forms_of_non_public_ipv4(settings, url, reason):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False
    host = url.split("[", 1)[1].split("]", 1)[0]

    with pytest.raises(ContentInvalid) as excinfo:
        webhook_subscribe(url=url, secret=SECRET)

    assert errors_of(excinfo) == [{
        "field": "url",
        "message": f"The host {host!r} resolves to a non-public address ({reason}); "
        "webhooks go only to public addresses.",
        "code": "target_refused",
    }]


@pytest.mark.parametrize(
    "url",
    [
        "http://[::ffff:8.8.8.8]/",  # IPv4-mapped: connected over IPv4, to 8.8.8.8
        "http://[64:ff9b::808:808]/",  # well-known NAT64 prefix to a public address
        "http://[2002:808:808::1]/",  # 6to4 of a public address
        "https://[2606:4700:4700::1111]/hook",
    ],
)
def test_production_policy_accepts_ipv6_forms_of_public_addresses(settings, url):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    assert webhook_subscribe(url=url, secret=SECRET).url == url


@pytest.mark.parametrize(
    ("url", "port"),
    [
        ("http://8.8.8.8:25/", 25),
        ("https://93.184.215.14:8443/hook", 8443),
        ("http://93.184.215.14:22/hook", 22),
        ("http://127.0.0.1:6379/", 6379),  # refused for its port even where private is allowed
    ],
)
def test_only_the_allowed_ports_are_targets(settings, url, port):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = "127.0.0.1" in url
    settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS = (80, 443)

    with pytest.raises(ContentInvalid) as excinfo:
        webhook_subscribe(url=url, secret=SECRET)

    assert errors_of(excinfo) == [{
        "field": "url",
        "message": f"Port {port} is not allowed for webhooks; use one of: 80, 443.",
        "code": "target_refused",
    }]


def test_allowed_ports_accept_default_explicit_and_configured_ports(settings):
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False
    settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS = (80, 443, 8443)
    urls = ["https://93.184.215.14/hook", "http://93.184.215.14:80/hook",
            "http://93.184.215.14:443/hook", "https://93.184.215.14:8443/hook"]

    assert [webhook_subscribe(url=url, secret=SECRET).url for url in urls] == urls


def test_a_port_no_longer_allowed_is_refused_at_delivery(settings, staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    settings.HIPKNEE_WEBHOOK_ALLOWED_PORTS = (80, 443)

    [delivery] = deliveries_send_due()

    assert (delivery.status, delivery.last_error) == (
        "pending", f"Refused: Port {receiver.port} is not allowed for webhooks; use one of: "
        "80, 443."
    )
    assert receiver.received == []


def test_allowed_ports_setting_reads_a_list_or_a_star(monkeypatch):
    monkeypatch.delenv("HIPKNEE_WEBHOOK_ALLOWED_PORTS", raising=False)
    assert env_ports("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "80,443") == (80, 443)
    monkeypatch.setenv("HIPKNEE_WEBHOOK_ALLOWED_PORTS", " 443, 8443 ")
    assert env_ports("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "80,443") == (443, 8443)
    monkeypatch.setenv("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "*")
    assert env_ports("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "80,443") is None
    for wrong in ("25,smtp", "0", "70000", ","):
        monkeypatch.setenv("HIPKNEE_WEBHOOK_ALLOWED_PORTS", wrong)
        with pytest.raises(ImproperlyConfigured):
            env_ports("HIPKNEE_WEBHOOK_ALLOWED_PORTS", "80,443")


# --- the outbox ------------------------------------------------------------------------------


def test_each_change_is_queued_for_subscribers_of_its_action(staff, clock, receiver):
    everything = webhook_subscribe(url=receiver.url, secret=SECRET)
    removals = webhook_subscribe(url=receiver.url, secret=SECRET, event_types=["unpublished"])

    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.unpublish(document)

    queued = [
        (d.subscription_id, d.event, d.status, d.attempts, d.next_attempt_at)
        for d in WebhookDelivery.objects.order_by("change__id", "subscription_id")
    ]
    assert queued == [
        (everything.pk, "published", "pending", 0, T0),
        (everything.pk, "unpublished", "pending", 0, T0),
        (removals.pk, "unpublished", "pending", 0, T0),
    ]
    change = Change.objects.get(action=ChangeAction.PUBLISHED)
    assert json.loads(WebhookDelivery.objects.get(change=change).body) == {
        "type": "symptom",
        "slug": "stiffness",
        "action": "published",
        "cursor": cursor_encode(change),
        "at": "2026-03-02T09:00:00+00:00",
    }


def test_nothing_is_queued_when_the_publication_rolls_back(staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret=SECRET)
    revision = staff.create(ContentType.SYMPTOM, "stiffness")
    staff.approve(revision)

    with pytest.raises(RuntimeError), transaction.atomic():
        staff.publish(revision)
        raise RuntimeError("the request failed after publishing")

    assert WebhookDelivery.objects.count() == 0
    assert Change.objects.count() == 0


def test_a_new_subscriber_also_gets_scheduled_expiries(staff, clock, receiver):
    staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + dt.timedelta(hours=1))

    subscription = webhook_subscribe(url=receiver.url, secret=SECRET)

    assert [(d.event, d.next_attempt_at) for d in subscription.deliveries.all()] == [
        ("unpublished", T0 + dt.timedelta(hours=1)),
    ]


def test_unsubscribing_removes_queued_deliveries(staff, clock, receiver):
    subscription = webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    webhook_unsubscribe(subscription=subscription)

    assert WebhookDelivery.objects.count() == 0
    assert deliveries_send_due() == []
    assert receiver.received == []


# --- delivery --------------------------------------------------------------------------------


def test_delivery_is_a_signed_json_post_retried_after_a_failure(staff, clock, receiver):
    receiver.script = [500]
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    delivery = WebhookDelivery.objects.get()

    [first] = deliveries_send_due()

    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert first.last_error == "HTTP 500: receiver says no"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert deliveries_send_due() == []  # not due before the backoff has passed

    clock.shift(dt.timedelta(seconds=30))
    [second] = deliveries_send_due()

    assert (second.status, second.attempts, second.last_status_code) == ("succeeded", 2, 200)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.SUCCEEDED, 2, None
    )
    assert delivery.delivered_at == T0 + dt.timedelta(seconds=30)
    assert delivery.last_error == ""
    assert [r.answered for r in receiver.received] == [500, 200]
    assert all(r.signature_valid for r in receiver.received)
    assert [r.path for r in receiver.received] == ["/hooks/hipknee?source=test"] * 2
    one, two = receiver.received
    assert one.body == two.body == delivery.body.encode()
    assert one.json["slug"] == "stiffness"
    for request, moment in ((one, T0), (two, T0 + dt.timedelta(seconds=30))):
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-HipKnee-Event"] == "published"
        assert request.headers["X-HipKnee-Delivery"] == str(delivery.pk)
        assert request.headers["X-HipKnee-Timestamp"] == str(int(moment.timestamp()))
        assert request.headers["User-Agent"] == "HipKnee-Webhooks/1"
    assert uuid.UUID(one.headers["X-HipKnee-Delivery"]).version == 4


def test_a_wrong_secret_fails_the_receivers_check(staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret="another-secret-entirely")
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    deliveries_send_due()

    assert [r.signature_valid for r in receiver.received] == [False]


def test_delivery_is_given_up_after_the_last_attempt(settings, staff, clock, receiver):
    settings.HIPKNEE_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.script = [503, 503, 503]
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    for wait in (0, 30, 60):
        clock.shift(dt.timedelta(seconds=wait))
        deliveries_send_due()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED, 3, None
    )
    clock.shift(dt.timedelta(days=1))
    assert deliveries_send_due() == []
    assert len(receiver.received) == 3


def test_redirects_are_not_followed(staff, clock, receiver):
    receiver.script = [302]
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    [delivery] = deliveries_send_due()

    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (
        "pending", 302, "HTTP 302: redirects are not followed"
    )
    assert len(receiver.received) == 1


def test_an_unreachable_receiver_is_a_failed_attempt(staff, clock, receiver):
    subscription = webhook_subscribe(url=receiver.url, secret=SECRET)
    subscription.url = "http://127.0.0.1:9/closed-port"
    subscription.save()
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    [delivery] = deliveries_send_due()

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error.startswith("ConnectionRefusedError")


def test_a_dripping_receiver_is_cut_off_at_the_attempts_deadline(
    settings, staff, clock, receiver
):
    """One byte every 0.3 s never trips a per-read timeout; the attempt's deadline ends it."""
    settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.drip = 0.3  # for 10 s
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    started = time.monotonic()
    [delivery] = deliveries_send_due()
    took = time.monotonic() - started

    assert took < 1.5
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error == (
        "Timeout: the attempt did not finish within 1 s (waiting for the answer)."
    )
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (1, T0 + dt.timedelta(seconds=30))
    assert len(receiver.received) == 1


def test_a_tls_handshake_that_never_completes_is_cut_off_at_the_deadline(
    settings, staff, clock
):
    settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS = 1
    server = start_silent()
    try:
        subscription = webhook_subscribe(
            url=f"https://127.0.0.1:{server.server_address[1]}/hook", secret=SECRET
        )
        staff.go_live(ContentType.SYMPTOM, "stiffness")

        started = time.monotonic()
        [delivery] = deliveries_send_due()
        took = time.monotonic() - started
    finally:
        server.shutdown()
        server.server_close()

    assert 0.9 < took < 1.5
    assert (delivery.subscription, delivery.attempts, delivery.last_error) == (
        subscription, 1, "Timeout: the attempt did not finish within 1 s (connecting)."
    )


def test_only_the_start_of_a_refusals_body_is_read_and_kept(staff, clock, receiver):
    receiver.script = [500]
    receiver.refusal = b"x" * 5_000_000
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    [delivery] = deliveries_send_due()

    assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500: " + "x" * 500)


def test_the_target_is_checked_again_at_delivery(settings, staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    settings.HIPKNEE_WEBHOOK_ALLOW_PRIVATE = False

    [delivery] = deliveries_send_due()

    assert delivery.status == "pending"
    assert delivery.last_error.startswith("Refused: The host '127.0.0.1' resolves to a non-public")
    assert receiver.received == []


def test_an_expiry_is_sent_at_expire_at_without_publish_scheduled(staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret=SECRET, event_types=["unpublished"])
    staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + dt.timedelta(minutes=10))

    assert deliveries_send_due() == []
    clock.shift(dt.timedelta(minutes=10))
    [delivery] = deliveries_send_due()

    assert delivery.status == "succeeded"
    assert receiver.received[0].json["action"] == "unpublished"
    assert receiver.received[0].json["at"] == "2026-03-02T09:10:00+00:00"


def test_a_cancelled_expiry_is_never_sent(staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret=SECRET, event_types=["unpublished"])
    document = staff.go_live(ContentType.SYMPTOM, "stiffness",
                             expire_at=T0 + dt.timedelta(minutes=10))
    staff.update(document)  # the new revision has no expiry

    clock.shift(dt.timedelta(hours=1))

    assert deliveries_send_due() == []
    assert receiver.received == []


def test_a_claimed_delivery_is_not_claimed_again_during_its_lease(staff, clock, receiver):
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    assert len(deliveries_claim()) == 1
    assert deliveries_claim() == []
    clock.shift(dt.timedelta(seconds=webhooks.settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS * 2 + 30))
    assert len(deliveries_claim()) == 1


def test_a_claim_lasts_the_attempts_deadline_plus_the_margin(settings, staff, clock, receiver):
    settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS = 10
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live(ContentType.SYMPTOM, "swelling")

    one = deliveries_claim()  # one delivery: 10 s + 30 s
    [other] = WebhookDelivery.objects.exclude(pk=one[0].pk)
    clock.shift(dt.timedelta(seconds=39))
    both = deliveries_claim(limit=5)  # only the unclaimed one is due

    assert [d.next_attempt_at for d in one] == [T0 + dt.timedelta(seconds=40)]
    assert [(d.pk, d.next_attempt_at) for d in both] == [
        (other.pk, T0 + dt.timedelta(seconds=39 + 40))
    ]
    clock.shift(dt.timedelta(seconds=1))
    assert [d.pk for d in deliveries_claim(limit=5)] == [one[0].pk]


def test_a_worker_that_lost_its_claim_records_nothing(staff, clock, receiver):
    """Paused past its lease, a worker finds its delivery claimed again: it writes nothing,
    and the new claim's attempt is the one recorded."""
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    [first] = deliveries_claim()
    clock.shift(dt.timedelta(minutes=5))
    [second] = deliveries_claim()
    failed = AttemptResult(ok=False, status_code=503, error="HTTP 503")

    assert delivery_record(delivery=first, result=failed) is None
    stored = WebhookDelivery.objects.get()
    assert (stored.attempts, stored.last_error, stored.next_attempt_at) == (
        0, "", second.next_attempt_at
    )
    recorded = delivery_record(delivery=second, result=AttemptResult(True, 200, ""))
    assert (recorded.status, recorded.attempts) == ("succeeded", 1)
    assert delivery_record(delivery=second, result=failed) is None  # recorded once only
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.last_status_code) == ("succeeded", 1, 200)


EVENTS = 30


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_every_event_exactly_once(settings, monkeypatch, receiver):
    """Two workers (threads, each with its own database connection: SKIP LOCKED on
    PostgreSQL) share 30 events sent to a receiver taking 0.3 or 1.5 s per call.

    The lease margin is cut to 2 s (deadline 2 s: a claim lasts 4 s), far shorter than
    a batch of these calls, so a claim that could expire while being sent would show here.
    """
    settings.HIPKNEE_WEBHOOK_TIMEOUT_SECONDS = 2
    monkeypatch.setattr(webhooks, "LEASE_MARGIN", dt.timedelta(seconds=2))
    receiver.delay = lambda request: 1.5 if int(request.json["slug"][6:]) % 5 == 0 else 0.3
    webhook_subscribe(url=receiver.url, secret=SECRET)
    staff = Staff()
    for number in range(EVENTS):
        staff.go_live(ContentType.SYMPTOM, f"event-{number}")
    recorded: dict[str, list] = {"a": [], "b": []}
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        """The worker's loop (deliver_webhooks): a step, or a short wait when none was due."""
        try:
            barrier.wait(timeout=10)
            give_up = time.monotonic() + 40
            pending = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
            while pending.exists() and time.monotonic() < give_up:
                done = deliveries_send_due(limit=50)
                recorded[name].extend(done)
                if not done:
                    time.sleep(0.05)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(name,)) for name in recorded]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    sent = Counter(r.headers["X-HipKnee-Delivery"] for r in receiver.received)
    deliveries = WebhookDelivery.objects.all()
    assert sorted(sent.values()) == [1] * EVENTS  # every event once: no duplicate, none lost
    assert set(sent) == {str(d.pk) for d in deliveries}
    assert {(d.status, d.attempts) for d in deliveries} == {("succeeded", 1)}
    assert len(recorded["a"]) + len(recorded["b"]) == EVENTS
    assert recorded["a"] and recorded["b"]  # both workers sent some


def test_deliver_webhooks_once_sends_what_is_due(staff, clock, receiver, capsys):
    subscription = webhook_subscribe(url=receiver.url, secret=SECRET)
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live(ContentType.SYMPTOM, "swelling")

    call_command("deliver_webhooks", "--once")

    deliveries = list(WebhookDelivery.objects.order_by("change__id"))
    assert [(d.status, d.attempts) for d in deliveries] == [("succeeded", 1), ("succeeded", 1)]
    assert [r.json["slug"] for r in receiver.received] == ["stiffness", "swelling"]
    assert capsys.readouterr().out.splitlines() == [
        f"published {d.pk} → {subscription.url}: delivered, attempt 1" for d in deliveries
    ] + ["2 delivery attempt(s)."]
