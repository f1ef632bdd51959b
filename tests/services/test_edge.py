"""Edge purges (content/services/edge.py): exactly the keys of the items whose public
representation changed are queued in the publishing transaction (dependents included, a
scheduled expiry at its moment), sent after the commit to a real HTTP server on 127.0.0.1,
retried by the worker while the edge fails, never given up, and reported by /readyz."""

import datetime as dt
import io
import json
import logging
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from content.caching import CODE_FINGERPRINT
from content.choices import ContentType
from content.models import EdgePurge, Synonym
from content.services.edge import backoff, edge_purges_claim, edge_purges_send_due
from content.services.synonyms import synonym_save
from tests.editorial_steps import Staff

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@dataclass
class FakeEdge:
    """Answers each purge with the next scripted status (200 once the script is used up)."""

    script: list[int] = field(default_factory=list)
    received: list[tuple[str, dict, bytes]] = field(default_factory=list)
    port: int = 0

    def start(self) -> ThreadingHTTPServer:
        edge = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                edge.received.append((self.command, dict(self.headers), body))
                status = edge.script.pop(0) if edge.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_PURGE = do_POST = _answer

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    @property
    def keys(self) -> list[str]:
        return [headers.get("Surrogate-Key") for _, headers, _ in self.received]


@pytest.fixture
def fake_edge(settings):
    edge = FakeEdge()
    server = edge.start()
    settings.HIPKNEE_EDGE_PURGE_URL = f"http://127.0.0.1:{edge.port}/"
    yield edge
    server.shutdown()


@pytest.fixture
def staff():
    return Staff()


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def queued() -> list[tuple[str, str, dt.datetime | None]]:
    return [(p.reason, p.keys, p.next_attempt_at)
            for p in EdgePurge.objects.filter(sent_at__isnull=True).order_by("id")]


def test_without_an_edge_nothing_is_queued(staff, clock, settings):
    settings.HIPKNEE_EDGE_PURGE_URL = ""

    staff.go_live(ContentType.SYMPTOM, "stiffness")

    assert EdgePurge.objects.count() == 0


def test_a_publish_queues_the_items_keys_in_its_transaction(staff, clock, fake_edge):
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    assert queued() == [("published symptom:stiffness",
                         "symptom:stiffness list:symptom search lookup", T0)]


def test_a_publish_that_rolls_back_queues_nothing(staff, clock, fake_edge):
    revision = staff.create(ContentType.SYMPTOM, "stiffness")
    staff.approve(revision)

    with pytest.raises(RuntimeError), transaction.atomic():
        staff.publish(revision)
        raise RuntimeError("the transaction fails after publishing")

    assert EdgePurge.objects.count() == 0


def test_unpublishing_a_linked_item_purges_it_and_the_article_showing_it(
    staff, clock, fake_edge
):
    stiffness = staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live(ContentType.SYMPTOM, "swelling")
    staff.go_live_with(ContentType.ARTICLE, {
        "slug": "hip-and-knee", "title": "Hip and knee", "summary": "A summary.",
        "sections": [{"kind": "symptoms", "heading": "Symptoms", "body": "<p>What.</p>",
                      "items": [{"group": "common", "text": "Stiff.",
                                 "entity": {"type": "symptom", "slug": "stiffness"}}]}],
    })
    EdgePurge.objects.all().delete()
    clock.shift(MINUTE)

    staff.unpublish(stiffness)

    # Exactly the withdrawn symptom and the article linking it: not the unrelated symptom.
    assert queued() == [
        ("unpublished symptom:stiffness", "symptom:stiffness list:symptom search lookup",
         T0 + MINUTE),
        ("updated article:hip-and-knee", "article:hip-and-knee list:article search lookup",
         T0 + MINUTE),
    ]


def test_an_expiry_is_purged_at_its_moment_and_forgotten_if_withdrawn_first(
    staff, clock, fake_edge
):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)

    assert queued()[1] == ("unpublished symptom:stiffness",
                           "symptom:stiffness list:symptom search lookup", T0 + 10 * MINUTE)
    edge_purges_send_due()
    assert fake_edge.keys == ["symptom:stiffness list:symptom search lookup"]  # not yet due

    clock.shift(MINUTE)
    staff.unpublish(document)
    assert [reason for reason, _, _ in queued()] == ["unpublished symptom:stiffness"]
    assert queued()[0][2] == T0 + MINUTE  # the scheduled one went with its feed entry


def test_a_due_expiry_is_sent_by_the_worker(staff, clock, fake_edge):
    staff.go_live(ContentType.SYMPTOM, "stiffness", expire_at=T0 + 10 * MINUTE)
    edge_purges_send_due()
    clock.shift(10 * MINUTE)

    call_command("deliver_webhooks", "--once", stdout=io.StringIO())

    assert len(fake_edge.received) == 2
    assert EdgePurge.objects.filter(sent_at__isnull=True).count() == 0


def test_a_synonym_change_purges_search(clock, fake_edge):
    synonym_save(synonym=Synonym(name="knee", terms=["knee", "patella"]))

    assert queued() == [("synonyms knee saved", "search", T0)]


def test_the_commit_sends_its_purges_at_once_in_one_request(
    staff, clock, fake_edge, django_capture_on_commit_callbacks, settings
):
    edge_url, settings.HIPKNEE_EDGE_PURGE_URL = settings.HIPKNEE_EDGE_PURGE_URL, ""
    stiffness = staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live_with(ContentType.ARTICLE, {
        "slug": "hip-and-knee", "title": "Hip and knee", "summary": "A summary.",
        "sections": [{"kind": "symptoms", "heading": "Symptoms", "body": "<p>What.</p>",
                      "items": [{"group": "common", "text": "Stiff.",
                                 "entity": {"type": "symptom", "slug": "stiffness"}}]}],
    })
    settings.HIPKNEE_EDGE_PURGE_URL = edge_url

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff.unpublish(stiffness)

    [(method, headers, body)] = fake_edge.received
    assert (method, headers["Surrogate-Key"], body) == (
        "PURGE", "symptom:stiffness list:symptom search lookup article:hip-and-knee "
        "list:article", b"")
    assert [(p.sent_at, p.attempts, p.last_error) for p in EdgePurge.objects.all()] == [
        (T0, 1, ""), (T0, 1, "")]
    assert sum(callback.__name__ == "_send_now" for callback in callbacks) == 1


def test_several_due_purges_go_in_one_request_with_their_keys_once(
    staff, clock, fake_edge
):
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.go_live(ContentType.SYMPTOM, "swelling")

    edge_purges_send_due()

    assert fake_edge.keys == [
        "symptom:stiffness list:symptom search lookup symptom:swelling"]


def test_cloudflare_format_posts_the_tags_with_the_configured_headers(
    staff, clock, fake_edge, settings
):
    settings.HIPKNEE_EDGE_PURGE_FORMAT = "cloudflare"
    settings.HIPKNEE_EDGE_PURGE_HEADERS = '{"Authorization": "Bearer t0ken"}'
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    edge_purges_send_due()

    [(method, headers, body)] = fake_edge.received
    assert (method, headers["Authorization"], json.loads(body)) == (
        "POST", "Bearer t0ken",
        {"tags": ["symptom:stiffness", "list:symptom", "search", "lookup"]})


def test_a_failing_edge_is_retried_with_backoff_logged_and_never_given_up(
    staff, clock, fake_edge, caplog
):
    fake_edge.script = [503] * 20
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    with caplog.at_level(logging.ERROR, logger="content.services.edge"):
        for _ in range(12):
            edge_purges_send_due()
            clock.shift(dt.timedelta(minutes=2))
    [purge] = EdgePurge.objects.all()

    assert purge.sent_at is None
    assert purge.attempts == 12
    assert purge.last_error == f"http://127.0.0.1:{fake_edge.port}/: HTTP 503: ok"
    assert "Edge purge" in caplog.records[0].getMessage()
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 30)] == [1, 2, 4, 60, 60, 60]

    fake_edge.script = []
    edge_purges_send_due()
    purge.refresh_from_db()
    assert (purge.sent_at is not None, purge.attempts) == (True, 13)


def test_an_unreachable_edge_is_an_error_the_worker_retries(staff, clock, settings):
    settings.HIPKNEE_EDGE_PURGE_URL = "http://127.0.0.1:9/"  # the discard port: refused
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    edge_purges_send_due()

    [purge] = EdgePurge.objects.all()
    assert purge.last_error.startswith("http://127.0.0.1:9/: ConnectionRefusedError")
    assert purge.next_attempt_at == T0 + dt.timedelta(seconds=1)


def test_a_claimed_purge_is_not_claimed_again_until_its_lease_ends(staff, clock, fake_edge):
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    first = edge_purges_claim()
    second = edge_purges_claim()
    clock.shift(dt.timedelta(seconds=33))
    third = edge_purges_claim()

    assert (len(first), second, len(third)) == (1, [], 1)


def test_readyz_reports_purges_behind_without_failing_readiness(
    staff, clock, settings, client
):
    settings.HIPKNEE_EDGE_PURGE_URL = "http://127.0.0.1:9/"
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    edge_purges_send_due()

    fresh = client.get("/readyz").json()
    clock.shift(dt.timedelta(seconds=31))
    late = client.get("/readyz")

    assert fresh["edge_purges"] == {
        "status": "ok", "pending": 1, "oldest_pending_since": T0.isoformat(),
        "last_error": "http://127.0.0.1:9/: ConnectionRefusedError: [Errno 111] "
                      "Connection refused"}
    assert late.status_code == 200
    assert late.json()["status"] == "ok"
    assert late.json()["edge_purges"]["status"] == "behind"


def test_readyz_says_nothing_of_purges_without_an_edge(client):
    assert "edge_purges" not in client.get("/readyz").json()


def test_purge_edge_all_purges_every_public_response(clock, fake_edge):
    out = io.StringIO()

    call_command("purge_edge", "--all", stdout=out)

    assert out.getvalue() == "Purged: all\n"
    assert fake_edge.keys == ["all"]


def test_purge_edge_queues_what_it_cannot_send(clock, settings):
    settings.HIPKNEE_EDGE_PURGE_URL = "http://127.0.0.1:9/"
    err = io.StringIO()

    call_command("purge_edge", "article:hip-and-knee", "search", stderr=err)

    assert err.getvalue().startswith("Queued, not sent yet (http://127.0.0.1:9/: Connection")
    assert queued() == [("purge_edge article:hip-and-knee search", "article:hip-and-knee search",
                         T0 + dt.timedelta(seconds=1))]


def test_purge_edge_refuses_without_an_edge(settings):
    settings.HIPKNEE_EDGE_PURGE_URL = ""

    with pytest.raises(CommandError, match="No edge is configured"):
        call_command("purge_edge", "--all")


def test_purge_edge_new_release_purges_everything_once_per_release(clock, fake_edge):
    first, again = io.StringIO(), io.StringIO()

    call_command("purge_edge", "--new-release", stdout=first)
    call_command("purge_edge", "--new-release", stdout=again)

    assert (first.getvalue(), again.getvalue()) == (
        "Purged: all\n", "The edge was purged for this release already.\n")
    assert fake_edge.keys == ["all"]
    assert EdgePurge.objects.get().reason == f"release {CODE_FINGERPRINT}"


def test_purge_edge_new_release_does_nothing_without_an_edge(settings):
    settings.HIPKNEE_EDGE_PURGE_URL = ""
    out = io.StringIO()

    call_command("purge_edge", "--new-release", stdout=out)

    assert out.getvalue() == "No edge configured: nothing to purge.\n"
    assert EdgePurge.objects.count() == 0
