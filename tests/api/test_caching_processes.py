"""Two server processes, one PostgreSQL and one Redis: a publish through one is served by the
other at once, although the other has the item cached (content/caching.py).

The servers are real servers, started as `make serve` starts them (hipknee_api/server.py:
gunicorn, gevent workers), under production settings on loopback ports, with a
database of their own (`<test database>_twoproc`, created and migrated here) and Redis
database 15. Everything goes over HTTP: editorial writes with tokens from `issue_token`
through server A, public reads through server B.

A second pair has a server A that cannot reach Redis at all (a socket that accepts and never
answers): what it withdraws is still gone from B within two seconds, through the database's
content version (HIPKNEE_CONTENT_VERSION_CHECK).
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis
from django.conf import settings

from tests.redis_outage import HungRedis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
#: This run's own cache keys and database: runs on one machine at once do not meet.
KEY_PREFIX = f"hipknee-twoproc-{os.getpid()}"

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs a database server both processes share: run with a PostgreSQL DATABASE_URL "
    "(make test-postgres)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """A database of this test's own, on the server the suite uses, created empty."""
    config = settings.DATABASES["default"]
    name = f"{dj_database_url.parse(os.environ['DATABASE_URL'])['NAME']}_twoproc_{os.getpid()}"
    credentials = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    server = f"{credentials}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    with psycopg.connect(f"postgresql://{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://{server}/{name}"


def _forget(database_url: str) -> None:
    """Drop this run's database and cache keys."""
    parsed = dj_database_url.parse(database_url)
    server = database_url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{parsed["NAME"]}" WITH (FORCE)')
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{KEY_PREFIX}:*"):
        client.delete(key)


@pytest.fixture(scope="module")
def environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "HIPKNEE_CACHE_KEY_PREFIX": KEY_PREFIX,
        "SECRET_KEY": "two-process-test-only-8Hq3Zr6Vt1Lp9Wx4Nc7Bm2Ky5Dg0Fs",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "HIPKNEE_THROTTLE_ANON": "off",
        "HIPKNEE_THROTTLE_KEY": "off",
        "HIPKNEE_RESPONSE_CACHE": "1",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)

    def token(username: str, role: str, *extra: str) -> str:
        result = subprocess.run(
            [*manage, "issue_token", username, "--role", role, *extra],
            env=env, check=True, cwd=ROOT, capture_output=True, text=True,
        )
        return result.stdout.strip()

    tokens = {
        "editor": token("eddie", "editors"),
        "reviewer": token("rita", "medical_reviewers", "--name", "Dr Rita Shah",
                          "--credentials", "MD"),
        "publisher": token("paul", "publishers"),
    }
    yield env, tokens
    _forget(env["DATABASE_URL"])


@contextlib.contextmanager
def _serving(*envs):
    """One server per environment, started as make serve starts it; yields their base URLs."""
    processes, bases = [], []
    for env in envs:
        port = _free_port()
        processes.append(
            subprocess.Popen(
                # make serve's command (gunicorn, gevent workers, hipknee_api/gunicorn_conf.py)
                [sys.executable, "-m", "hipknee_api.server", "--bind", f"127.0.0.1:{port}"],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            _wait_until_up(base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def servers(environment):
    env, tokens = environment
    with _serving(env, env) as bases:
        yield bases, tokens


@pytest.fixture(scope="module")
def servers_apart(environment):
    """Server A cannot reach Redis (its REDIS_URL is a server that accepts connections and
    never answers); server B shares Redis with nobody but reads the same database."""
    env, tokens = environment
    with HungRedis() as hung, _serving({**env, "REDIS_URL": hung.url}, env) as bases:
        yield bases, tokens


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def call(method: str, url: str, body=None, token=None, headers=None):
    """(status, headers, parsed JSON body or None) of one request."""
    request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
    if token:
        request.add_header("Authorization", f"Token {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
        request.data = json.dumps(body).encode()
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        raw = response.read()
        return response.status, response.headers, json.loads(raw) if raw else None


def test_a_publish_through_one_process_is_served_by_the_other_at_once(servers):
    (a, b), tokens = servers
    editorial = f"{a}/api/v1/editorial/symptoms/"
    public = f"{b}/api/v1/symptoms/stiffness/"

    def approve_and_publish(revision: int) -> None:
        status, _, body = call("POST", f"{editorial}stiffness/reviews/",
                               {"revision": revision, "decision": "approved"},
                               tokens["reviewer"])
        assert status == 201, body
        status, _, body = call("POST", f"{editorial}stiffness/publish/",
                               {"revision": revision}, tokens["publisher"])
        assert status == 200, body

    status, _, body = call("POST", editorial, {
        "slug": "stiffness", "name": "Stiffness", "description": "Tight in the morning.",
        "frequency": "common",
    }, tokens["editor"])
    assert status == 201, body
    approve_and_publish(1)

    # B renders revision 1 and caches it (in the shared Redis); B serves it again from there.
    status, headers, first = call("GET", public)
    assert (status, first["version"], first["name"]) == (200, 1, "Stiffness")
    status, again_headers, _ = call("GET", public, headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    assert again_headers["ETag"] == headers["ETag"]
    stored = redis.Redis.from_url(REDIS_URL).keys(f"{KEY_PREFIX}:*response:*")
    assert stored, "server B stored no response in Redis"

    # Revision 2 goes live through A: B serves it at once, and the list too.
    status, _, body = call("PATCH", f"{editorial}stiffness/", {"name": "Joint stiffness"},
                           tokens["editor"], headers={"If-Match": '"rev-1"'})
    assert status == 200, body
    approve_and_publish(2)
    status, new_headers, second = call("GET", public, headers={"If-None-Match": headers["ETag"]})
    assert (status, second["version"], second["name"]) == (200, 2, "Joint stiffness")
    assert new_headers["ETag"] != headers["ETag"]
    status, _, listed = call("GET", f"{b}/api/v1/symptoms/")
    assert [(r["slug"], r["version"]) for r in listed["results"]] == [("stiffness", 2)]

    # Unpublished through A: gone from B at once.
    status, _, body = call("POST", f"{editorial}stiffness/unpublish/", {}, tokens["publisher"])
    assert status == 200, body
    status, headers, body = call("GET", public)
    assert (status, headers["Content-Type"]) == (404, "application/problem+json")
    status, _, listed = call("GET", f"{b}/api/v1/symptoms/")
    assert listed["results"] == []



def test_a_withdrawal_by_a_process_that_cannot_reach_redis_is_gone_from_the_others_within_2_s(
    servers_apart,
):
    """A's bump of the version in Redis is lost; B, which has the item cached in Redis, still
    stops serving it within HIPKNEE_CONTENT_VERSION_CHECK (1 s): it reads the database's
    version too."""
    (a, b), tokens = servers_apart
    editorial = f"{a}/api/v1/editorial/symptoms/"
    public = f"{b}/api/v1/symptoms/swelling/"
    version_key = f"{KEY_PREFIX}:1:content:version"
    status, _, body = call("POST", editorial, {
        "slug": "swelling", "name": "Swelling", "description": "Puffy around the joint.",
        "frequency": "common",
    }, tokens["editor"])
    assert status == 201, body
    status, _, body = call("POST", f"{editorial}swelling/reviews/",
                           {"revision": 1, "decision": "approved"}, tokens["reviewer"])
    assert status == 201, body
    status, _, body = call("POST", f"{editorial}swelling/publish/", {"revision": 1},
                           tokens["publisher"])
    assert status == 200, body

    # B serves it (within a second: A's bump was lost too) and caches it in Redis.
    deadline = time.monotonic() + 5
    while (found := call("GET", public))[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    status, headers, served = found
    assert (status, served["name"]) == (200, "Swelling")
    status, _, _ = call("GET", public, headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    keys = redis.Redis.from_url(REDIS_URL)
    assert keys.keys(f"{KEY_PREFIX}:*response:*"), "server B stored no response in Redis"
    number = keys.get(version_key)

    started = time.monotonic()
    status, _, body = call("POST", f"{editorial}swelling/unpublish/", {}, tokens["publisher"])
    unpublish_took = time.monotonic() - started
    assert status == 200, body
    while (gone := call("GET", public))[0] == 200 and time.monotonic() - started < 10:
        time.sleep(0.02)
    delay = time.monotonic() - started
    print(f"withdrawn item gone from B {delay:.2f} s after A's unpublish began "
          f"(the unpublish took {unpublish_took:.2f} s)")

    assert keys.get(version_key) == number  # A never reached Redis: nothing was bumped
    assert (gone[0], gone[1]["Content-Type"]) == (404, "application/problem+json")
    assert delay < 2
    assert unpublish_took < 1  # A did not wait on its hung Redis for long either
    status, _, listed = call("GET", f"{b}/api/v1/symptoms/")
    assert status == 200
    assert "swelling" not in [row["slug"] for row in listed["results"]]
