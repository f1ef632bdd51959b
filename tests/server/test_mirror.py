"""The feed's promise, against a real server with the reference client (content/mirror.py):
after a seeded random walk of editorial steps over HTTP, a mirror that followed the change feed
during the walk, and mirrors replaying it from the start (compacted or whole), hold byte for
byte every public detail and article section the live API serves, and nothing else.

The walk starts from the seed (every type, with its links) and, over all six types, creates and
publishes, edits and republishes (renames, re-links), unpublishes, schedules a few seconds
ahead, publishes with an expiry a few seconds ahead, and runs the scheduler. The mirror that
follows the feed is only right if every change to what an item shows (an article's links, a
condition's articles, causes, symptoms, warning signs and treatments, and each of those's
conditions) reached the feed as that item's own entry.
"""

import datetime as dt
import json
import random
import subprocess
import sys
import time
from collections import Counter

from content.mirror import PATHS, Mirror, fetch
from tests.server.conftest import ROOT, Served

STEPS = 300
SEED = 20261205
REFS = {"article": ("condition", "cause", "symptom", "warning_sign", "treatment"),
        **dict.fromkeys(("cause", "symptom", "warning_sign", "treatment"), ("condition",))}
SECTIONS = {"causes": ("causes",), "symptoms": ("common", "less_common"),
            "when_to_see_a_doctor": ("see_a_doctor", "immediate"),
            "treatment": ("conventional", "alternative", "home_remedy")}


#: How many `updated` entries say that what an item shows changed, not the item itself: its
#: live revision is the one its previous entry named.
DEPENDENT_UPDATES = """
from content.models import Change
last, count = {}, 0
for change in Change.objects.order_by("at", "id"):
    count += change.action == "updated" and last.get(change.document_id) == change.version
    last[change.document_id] = change.version
print(count)
"""


def _manage(server: Served, *args: str) -> str:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=server.env,
                          cwd=ROOT, check=True, capture_output=True, text=True).stdout


def _moment(seconds: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).isoformat()


class Walk:
    """Editorial steps over HTTP, with what the walk knows of every item."""

    def __init__(self, server: Served, rng: random.Random) -> None:
        self.server, self.rng = server, rng
        self.items: list[tuple[str, str]] = []
        self.done: Counter = Counter()
        self.latest_moment = time.time()
        self.counter = 0
        for type_, path in PATHS.items():
            status, _, body = server.json("GET", f"/api/v1/{path}/?page_size=100")
            assert status == 200, body
            self.items += [(type_, row["slug"]) for row in body["results"]
                           if (type_, row["slug"]) != ("article", "hip-and-knee")]

    def call(self, method: str, path: str, body=None, *, token: str, **kwargs):
        status, headers, answer = self.server.json(method, path, body, token=token, **kwargs)
        assert status < 500, (method, path, status, answer)
        return status, headers, answer

    def refs(self, type_: str) -> list[dict]:
        known = [item for item in self.items if item[0] == type_]
        picked = self.rng.sample(known, k=min(len(known), self.rng.randint(0, 3)))
        return [{"type": t, "slug": s} for t, s in picked]

    def content(self, type_: str) -> dict:
        """Random content of a type: a new name, and links to items the walk knows."""
        self.counter += 1
        n, pick = self.counter, self.rng.choice
        name = f"Walk {type_.replace('_', ' ')} {n}"
        if type_ == "article":
            kind = pick(list(SECTIONS))
            entities = [ref for ref_type in REFS["article"][1:] for ref in self.refs(ref_type)]
            return {
                "title": name, "summary": f"Summary {n}.", "conditions": self.refs("condition"),
                "sections": [
                    {"kind": "introduction", "heading": "Introduction", "body": f"<p>{n}</p>",
                     "items": []},
                    {"kind": kind, "heading": kind.title(), "body": "<p>Body.</p>",
                     "items": [{"group": pick(SECTIONS[kind]), "title": f"Item {i}",
                                "text": f"Text {n}.{i}.", "entity": entity}
                               for i, entity in enumerate(entities)]},
                ],
            }
        return {
            "condition": {"name": name, "body_region": pick(["hip", "knee"]),
                          "description": f"About {n}.", "also_known_as": [f"Alias {n}"]},
            "cause": {"name": name, "description": f"How {n}.",
                      "conditions": self.refs("condition")},
            "symptom": {"name": name, "description": f"Feels {n}.",
                        "frequency": pick(["common", "less_common"]),
                        "conditions": self.refs("condition")},
            "warning_sign": {"text": f"{name}.", "urgency": pick(["see_a_doctor", "immediate"]),
                             "conditions": self.refs("condition")},
            "treatment": {"name": name, "description": f"Does {n}.",
                          "category": pick(["conventional", "alternative", "home_remedy"]),
                          "examples": [f"Example {n}"], "caution": None,
                          "conditions": self.refs("condition")},
        }[type_]

    def approve_and_publish(self, url: str, revision: int) -> str:
        status, _, _ = self.call("POST", f"{url}reviews/",
                                 {"revision": revision, "decision": "approved"}, token="reviewer")
        assert status == 201
        body: dict = {"revision": revision}
        roll = self.rng.random()
        if roll < 0.15:
            body["go_live_at"] = _moment(self.rng.uniform(1, 4))
        if 0.15 <= roll < 0.35 or (roll < 0.05):
            start = 4 if "go_live_at" in body else 0
            body["expire_at"] = _moment(start + self.rng.uniform(1, 5))
        status, _, answer = self.call("POST", f"{url}publish/", body, token="publisher")
        if status != 200:
            return f"refused {answer['code']}"
        self.latest_moment = max(self.latest_moment, time.time() + 10)
        return "scheduled" if "go_live_at" in body else (
            "published with expiry" if "expire_at" in body else "published")

    def create(self) -> str:
        type_ = self.rng.choice(list(PATHS))
        slug = f"walk-{type_.replace('_', '-')}-{self.counter + 1}"
        status, _, answer = self.call("POST", f"/api/v1/editorial/{PATHS[type_]}/",
                                      {"slug": slug, **self.content(type_)}, token="editor")
        assert status == 201, answer
        self.items.append((type_, slug))
        return self.approve_and_publish(f"/api/v1/editorial/{PATHS[type_]}/{slug}/", 1)

    def edit(self) -> str:
        type_, slug = self.rng.choice(self.items)
        url = f"/api/v1/editorial/{PATHS[type_]}/{slug}/"
        status, headers, answer = self.call("GET", url, token="editor")
        etag, content = headers["ETag"], self.content(type_)
        if type_ in REFS and self.rng.random() < 0.5:  # only re-link, or only rename
            relinked = {key: value for key, value in content.items()
                        if key in ("conditions", "sections")}
            status, _, answer = self.call("PATCH", url, relinked, token="editor",
                                          headers={"If-Match": etag})
            if status == 200:
                return self.approve_and_publish(url, answer["latest_revision"])
            # The same links again: refused as an edit that changes nothing; rename instead.
            assert (status, answer["code"]) == (409, "no_changes"), answer
        status, headers, answer = self.call("PATCH", url, content, token="editor",
                                            headers={"If-Match": etag})
        assert status == 200, answer
        return self.approve_and_publish(url, answer["latest_revision"])

    def unpublish(self) -> str:
        type_, slug = self.rng.choice(self.items)
        status, _, answer = self.call(
            "POST", f"/api/v1/editorial/{PATHS[type_]}/{slug}/unpublish/", {},
            token="publisher")
        return "unpublished" if status == 200 else f"refused {answer['code']}"

    def scheduler(self) -> str:
        _manage(self.server, "publish_scheduled")
        return "scheduler ran"

    def pause(self) -> str:
        time.sleep(self.rng.uniform(0.2, 1.5))  # let schedules and expiries come
        return "paused"


def live_bodies(server: Served) -> dict[str, str]:
    """Every public detail and article section the live API serves now, by URL."""
    api = f"http://{server.host}:{server.port}/api/v1"
    bodies = {}
    for path in PATHS.values():
        url = f"{api}/{path}/?page_size=100"
        while url:
            page = json.loads(fetch(url))
            for row in page["results"]:
                body = fetch(row["url"])
                bodies[row["url"]] = body.decode()
                for section in json.loads(body).get("sections", []):
                    section_url = f"{row['url']}sections/{section['kind']}/"
                    bodies[section_url] = fetch(section_url).decode()
            url = page["next"]
    return bodies


def test_a_mirror_following_the_feed_equals_the_live_api(served: Served):
    _manage(served, "load_seed_content")
    api = f"http://{served.host}:{served.port}/api/v1"
    rng = random.Random(SEED)
    walk = Walk(served, rng)
    follower = Mirror(api)
    follower.sync()
    first = served.json("GET", "/api/v1/changes/?page_size=1000")[2]["next_cursor"]
    steps = {walk.create: 4, walk.edit: 6, walk.unpublish: 1.5, walk.scheduler: 0.3,
             walk.pause: 0.7, follower.sync: 1.5}
    for _ in range(STEPS):
        step = rng.choices(list(steps), weights=list(steps.values()))[0]
        outcome = step()
        walk.done[outcome if isinstance(outcome, str) else "mirror synced"] += 1

    # Every schedule and expiry of the walk has come, and the scheduler has run.
    time.sleep(max(0.0, walk.latest_moment - time.time()))
    walk.scheduler()
    follower.sync()
    live = live_bodies(served)
    assert follower.bodies == live
    compacted, whole = Mirror(api), Mirror(api)
    started = time.monotonic()
    compacted.sync()
    compacted_took = time.monotonic() - started
    whole.sync(compact=False)
    whole_took = time.monotonic() - started - compacted_took
    assert compacted.bodies == live
    assert whole.bodies == live

    # The walk exercised what the invariant is about.
    done = walk.done
    assert sum(done.values()) == STEPS
    assert min(done["published"], done["scheduled"], done["published with expiry"],
               done["unpublished"], done["mirror synced"], done["scheduler ran"]) >= 3, done
    entries, cursor = [], first
    while True:
        page = served.json("GET", f"/api/v1/changes/?page_size=1000&since={cursor}")[2]
        entries += page["results"]
        cursor = page["next_cursor"]
        if len(page["results"]) < 1000:
            break
    actions = Counter(entry["action"] for entry in entries)
    dependent = int(_manage(served, "shell", "-c", DEPENDENT_UPDATES).split()[-1])
    print(f"walk: {dict(done)}; feed during the walk: {dict(actions)}; "
          f"updates of items whose own revision did not change: {dependent}; replay from "
          f"zero to {len(live)} bodies: compacted {compacted_took:.2f} s, whole "
          f"{whole_took:.2f} s")
    assert dependent >= 50
    assert len({entry["type"] for entry in entries}) == 6
    assert actions["updated"] > done["published"] + done["scheduled"]
