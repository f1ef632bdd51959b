"""GET /api/v1/changes/ (content/api/feed.py), and the feed's promise: a client that replays
it from the start ends with exactly the set of items the public API shows."""

import datetime as dt
import random
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.db.models import F

from content.changes import cursor_decode, cursor_encode
from content.choices import ChangeAction, ContentType, EditorialStatus, ReviewDecision
from content.exceptions import ContentError
from content.models import LIVE_MODELS, Change, Document
from content.services.publishing import publish_due
from tests.editorial_steps import Staff

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
FEED = "/api/v1/changes/"


@pytest.fixture
def staff():
    return Staff()


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def entry(change: Change) -> dict:
    return {
        "type": change.type,
        "slug": change.slug,
        "action": change.action,
        "cursor": cursor_encode(change),
        "at": change.at.isoformat(),
    }


# --- the endpoint ----------------------------------------------------------------------------


def test_feed_lists_changes_oldest_first(api_client, staff, clock, django_assert_num_queries):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    clock.shift(MINUTE)
    staff.go_live(ContentType.WARNING_SIGN, "numbness", expire_at=T0 + 5 * MINUTE)
    clock.shift(MINUTE)
    staff.update(document)
    published, numbness, updated, expiry = Change.objects.order_by("at", "id")
    # The page's select inside a savepoint; PostgreSQL adds the shared feed lock.
    expected = 4 if connection.vendor == "postgresql" else 3

    with django_assert_num_queries(expected):
        response = api_client.get(FEED)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [entry(published), entry(numbness), entry(updated)],
        "next_cursor": cursor_encode(updated),
    }
    assert response.json()["results"][2] == {
        "type": "symptom",
        "slug": "stiffness",
        "action": "updated",
        "cursor": cursor_encode(updated),
        "at": "2026-03-02T09:02:00+00:00",
    }
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"

    clock.shift(3 * MINUTE)  # numbness expires at 09:05 although publish_scheduled never ran
    response = api_client.get(FEED, {"since": cursor_encode(updated)})

    assert response.json() == {"results": [entry(expiry)], "next_cursor": cursor_encode(expiry)}
    assert response.json()["results"][0]["at"] == "2026-03-02T09:05:00+00:00"
    assert api_client.get("/api/v1/warning-signs/numbness/").status_code == 404


def test_since_resumes_after_the_cursor_and_page_size_limits(api_client, staff, clock):
    for slug in ("a", "b", "c"):
        staff.go_live(ContentType.SYMPTOM, slug)
    a, b, c = Change.objects.order_by("at", "id")

    first = api_client.get(FEED, {"page_size": 2})
    second = api_client.get(FEED, {"page_size": 2, "since": first.json()["next_cursor"]})
    third = api_client.get(FEED, {"page_size": 2, "since": second.json()["next_cursor"]})

    assert first.json() == {"results": [entry(a), entry(b)], "next_cursor": cursor_encode(b)}
    assert first["Cache-Control"] == "public, max-age=86400, immutable"
    assert second.json() == {"results": [entry(c)], "next_cursor": cursor_encode(c)}
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert third.json() == {"results": [], "next_cursor": cursor_encode(c)}


def test_compact_from_the_start_is_one_entry_per_live_item(
    api_client, staff, clock, django_assert_num_queries
):
    stiffness = staff.go_live(ContentType.SYMPTOM, "stiffness")
    withdrawn = staff.go_live(ContentType.SYMPTOM, "swelling")
    clock.shift(MINUTE)
    staff.update(stiffness)
    staff.unpublish(withdrawn)
    staff.go_live(ContentType.WARNING_SIGN, "numbness", expire_at=T0 + 5 * MINUTE)
    clock.shift(MINUTE)
    staff.go_live(ContentType.CONDITION, "hip-bursitis")
    changes = list(Change.objects.order_by("at", "id"))
    updated, numbness, bursitis, expiry = changes[2], changes[4], changes[5], changes[6]
    expected = 4 if connection.vendor == "postgresql" else 3

    with django_assert_num_queries(expected):  # the newest-entry test is in the one select
        response = api_client.get(FEED, {"compact": "true"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [entry(updated), entry(numbness), entry(bursitis)],
        "next_cursor": cursor_encode(bursitis),
    }
    # Read in pages: a page can shrink as items change, so none is cached as immutable.
    first = api_client.get(FEED, {"compact": "true", "page_size": 2})
    assert first.json()["results"] == [entry(updated), entry(numbness)]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"

    # After a cursor, tombstones count (the client may hold the item): swelling's, then
    # numbness's expiry and stiffness's unpublishing, which supersede what came before.
    clock.shift(5 * MINUTE)  # numbness expired
    staff.unpublish(stiffness)
    response = api_client.get(FEED, {"compact": "true", "since": cursor_encode(updated)})
    tombstone = Change.objects.order_by("at", "id").last()
    assert response.json() == {
        "results": [entry(changes[3]), entry(bursitis), entry(expiry), entry(tombstone)],
        "next_cursor": cursor_encode(tombstone),
    }


@pytest.mark.parametrize("compact", ["yes", "1", "True", ""])
def test_compact_is_true_or_false(api_client, compact):
    response = api_client.get(FEED, {"compact": compact})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "compact", "message": "Must be `true` or `false`.", "code": "invalid"}
    ]


def test_an_empty_feed(api_client):
    response = api_client.get(FEED, {"since": ""})

    assert response.status_code == 200
    assert response.json() == {"results": [], "next_cursor": None}


def test_a_tombstone_carries_no_content(api_client, staff, clock):
    document = staff.go_live(ContentType.SYMPTOM, "stiffness")
    staff.unpublish(document)

    results = api_client.get(FEED).json()["results"]

    assert [sorted(r) for r in results] == [["action", "at", "cursor", "slug", "type"]] * 2
    assert results[1]["action"] == "unpublished"


@pytest.mark.parametrize("since", ["yesterday", "42", "YzEuMTc3MjQ0MjAwMDAwMDAwMA", "c1.1.2"])
def test_a_malformed_cursor_is_a_400_problem(api_client, since):
    response = api_client.get(FEED, {"since": since})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    message = "Not a cursor from this feed: pass back a `cursor` or `next_cursor` unchanged."
    assert response.json() == {
        "type": "urn:hipknee:problem:invalid",
        "title": "The request is not valid.",
        "status": 400,
        "detail": f"since: {message}",
        "code": "invalid",
        "errors": [{"field": "since", "message": message, "code": "invalid"}],
    }


@pytest.mark.parametrize("page_size", ["0", "-1", "ten", "1.5"])
def test_a_bad_page_size_is_a_400_problem(api_client, page_size):
    response = api_client.get(FEED, {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "page_size", "message": "Enter a whole number of at least 1.", "code": "invalid"}
    ]


def test_page_size_is_capped_at_1000(api_client, staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    response = api_client.get(FEED, {"page_size": "5000"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_pages_carry_an_etag_that_changes_with_their_content(api_client, staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness")
    first = api_client.get(FEED)
    etag = first["ETag"]

    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
    assert api_client.get(FEED)["ETag"] == etag

    not_modified = api_client.get(FEED, HTTP_IF_NONE_MATCH=etag)

    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert api_client.get(FEED, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304

    staff.go_live(ContentType.SYMPTOM, "swelling")
    changed = api_client.get(FEED, HTTP_IF_NONE_MATCH=etag)

    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert len(changed.json()["results"]) == 2


def test_head_answers_like_get_without_a_body(api_client, staff, clock):
    staff.go_live(ContentType.SYMPTOM, "stiffness")

    response = api_client.head(FEED)

    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == api_client.get(FEED)["ETag"]


def test_the_feed_is_read_only(api_client):
    response = api_client.post(FEED, {}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


# --- the replay invariant --------------------------------------------------------------------

PATHS = {
    ContentType.SYMPTOM: "symptoms",
    ContentType.WARNING_SIGN: "warning-signs",
    ContentType.CONDITION: "conditions",
}
STEPS = 200


class Mirror:
    """A client that keeps a copy of the public content up to date from the feed alone."""

    def __init__(self, client) -> None:
        self.client = client
        self.items: set[tuple[str, str]] = set()
        self.cursor: str | None = None
        self.position = None
        self.seen: Counter = Counter()
        self.early_expiries = 0

    def sync(self, page_size: int) -> None:
        while True:
            params = {"page_size": page_size, **({"since": self.cursor} if self.cursor else {})}
            response = self.client.get(FEED, params)
            assert response.status_code == 200, response.content
            page = response.json()
            for change in page["results"]:
                self.apply(change)
            self.cursor = page["next_cursor"]
            if len(page["results"]) < page_size:
                return

    def apply(self, change: dict) -> None:
        key = (change["type"], change["slug"])
        position = cursor_decode(change["cursor"])
        assert self.position is None or position > self.position, "cursor went backwards"
        self.position = position
        self.seen[change["action"]] += 1
        if change["action"] == ChangeAction.PUBLISHED:
            assert key not in self.items, f"published twice without unpublishing: {key}"
            self.items.add(key)
        elif change["action"] == ChangeAction.UPDATED:
            assert key in self.items, f"update of an item not published: {key}"
        else:
            assert key in self.items, f"tombstone for an item not published: {key}"
            self.items.remove(key)
            status = Document.objects.get(type=key[0], slug=key[1]).status
            self.early_expiries += status == EditorialStatus.PUBLISHED


def public_items(client) -> set[tuple[str, str]]:
    """Every (type, slug) the public list endpoints show now."""
    items = set()
    for type_, path in PATHS.items():
        url = f"/api/v1/{path}/?page_size=100"
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content
            items |= {(type_, row["slug"]) for row in response.json()["results"]}
            url = response.json()["next"]
    visible = {
        (type_, slug)
        for type_ in PATHS
        for slug in LIVE_MODELS[type_].objects.published().values_list("slug", flat=True)
    }
    assert items == visible
    return items


def test_replaying_the_feed_gives_exactly_the_public_state(api_client, staff, clock):
    """A seeded random walk of STEPS editorial actions through the services; a mirror
    that follows the feed (in random page sizes, at random moments, including between an
    expiry and the next publish_scheduled run) always equals what the public API shows,
    and so does a new client replaying the whole feed at the end."""
    rng = random.Random(20260302)
    mirror = Mirror(api_client)
    documents: list[Document] = []
    done: Counter = Counter()

    def pick() -> Document | None:
        return rng.choice(documents) if documents else None

    def pick_approved() -> Document | None:
        """Mostly a document whose latest revision is approved (else any, to be refused)."""
        approved = list(Document.objects.filter(
            latest_revision__reviews__decision=ReviewDecision.APPROVED,
            latest_revision__reviews__content_hash=F("latest_revision__content_hash"),
        ).distinct().order_by("pk"))
        return rng.choice(approved) if approved and rng.random() < 0.8 else pick()

    def later(low: int, high: int) -> dt.datetime:
        from django.utils import timezone

        return timezone.now() + rng.randint(low, high) * MINUTE

    def create():
        type_ = rng.choice(list(PATHS))
        documents.append(staff.create(type_, f"item-{len(documents) + 1}").document)

    def edit():
        staff.edit(pick())

    def approve():
        document = pick()
        document.refresh_from_db()
        staff.approve(document.latest_revision)

    def publish():
        document = pick_approved()
        document.refresh_from_db()
        expire_at = later(1, 40) if rng.random() < 0.4 else None
        staff.publish(document.latest_revision, expire_at=expire_at)

    def schedule():
        document = pick_approved()
        document.refresh_from_db()
        go_live_at = later(1, 30)
        expire_at = go_live_at + rng.randint(1, 40) * MINUTE if rng.random() < 0.4 else None
        staff.publish(document.latest_revision, go_live_at=go_live_at, expire_at=expire_at)

    def unpublish():
        live = list(Document.objects.filter(live_revision__isnull=False).order_by("pk"))
        staff.unpublish(rng.choice(live) if live else pick())

    def run_publish_due():
        publish_due()

    def tick():
        clock.shift(rng.randint(1, 15) * MINUTE)

    def to_next_expiry():
        """Jump to the exact second the next expiry takes effect."""
        from django.utils import timezone

        now = timezone.now()
        upcoming = Document.objects.filter(expire_at__gt=now).order_by("expire_at").first()
        if upcoming is not None:
            clock.move_to(upcoming.expire_at)

    def sync():
        mirror.sync(page_size=rng.randint(1, 7))
        assert mirror.items == public_items(api_client)

    actions = {
        create: 3, edit: 2, approve: 4, publish: 3, schedule: 2, unpublish: 1.5,
        run_publish_due: 1.5, tick: 2, to_next_expiry: 1, sync: 3,
    }
    create()
    for _ in range(STEPS):
        action = rng.choices(list(actions), weights=list(actions.values()))[0]
        try:
            action()
            done[action.__name__] += 1
        except ContentError as error:  # refused by the rules (no approval, nothing live, …)
            done[f"{action.__name__}: {error.code}"] += 1

    mirror.sync(page_size=5)
    public = public_items(api_client)
    assert mirror.items == public
    replay = Mirror(api_client)
    replay.sync(page_size=3)
    assert replay.items == public
    # The walk really exercised what the invariant is about.
    assert min(done["publish"], done["schedule"], done["unpublish"], done["sync"]) >= 5, done
    assert min(mirror.seen.values()) >= 5 and len(mirror.seen) == 3, mirror.seen
    assert mirror.early_expiries >= 1, "no expiry was seen before publish_scheduled ran"
    assert len(public) >= 3, public
