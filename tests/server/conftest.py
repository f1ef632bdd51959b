"""The API served as `make serve` serves it, for tests of what only a real server shows (slow
clients, chunked bodies, over-long requests).

`served` starts `hipknee_api.server.command()` (gunicorn, gevent workers, every setting of
hipknee_api/gunicorn_conf.py, two workers) with production settings on a free loopback port,
against a database of its own: a SQLite file when the suite runs on SQLite, a PostgreSQL
database `<database>_served_<pid>` (with the suite's Redis, under a key prefix of its own) when
it runs on PostgreSQL. Content is made over HTTP, with tokens from `issue_token`: one published
article. Everything is removed afterwards.
"""

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import redis
from django.conf import settings

from hipknee_api.server import command

ROOT = Path(__file__).resolve().parents[2]
KEY_PREFIX = f"hipknee-served-{os.getpid()}"
ARTICLE = {
    "slug": "hip-and-knee", "title": "Hip and knee", "summary": "How they connect.",
    "sections": [{"kind": "introduction", "heading": "Introduction", "body": "<p>Hello.</p>",
                  "items": []}],
}


@dataclass
class Served:
    """A running server: where it listens, its tokens per role, its log."""

    host: str
    port: int
    tokens: dict
    log: Path
    article: str = f"/api/v1/articles/{ARTICLE['slug']}/"
    editorial: str = f"/api/v1/editorial/articles/{ARTICLE['slug']}/"
    env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def request(self, method: str, path: str, body=None, *, token: str | None = None,
                headers: dict | None = None, encode_chunked: bool = False):
        """(status, headers, body bytes) of one request on a new connection."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Token {self.tokens[token]}"
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        try:
            connection.request(method, path, body=body, headers=headers,
                               encode_chunked=encode_chunked)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def json(self, method: str, path: str, body=None, **kwargs):
        """(status, headers, parsed body) of one request."""
        status, headers, raw = self.request(method, path, body, **kwargs)
        return status, headers, json.loads(raw) if raw else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_server() -> str:
    config = settings.DATABASES["default"]
    credentials = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"{credentials}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Served:
    with serving(tmp_path_factory.mktemp("served"), label="served") as server:
        yield server


@contextlib.contextmanager
def serving(workdir: Path, *, label: str, extra_env: dict | None = None):
    """A server as `make serve` runs it, with its own database (`<database>_<label>_<pid>` on
    PostgreSQL), `extra_env` added to its environment, and one published article."""
    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    redis_url = os.environ.get("REDIS_URL", "") if on_postgres else ""
    if on_postgres:
        database = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"]
        name = f"{database}_{label}_{os.getpid()}"
        with psycopg.connect(f"postgresql://{_postgres_server()}/postgres",
                             autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        database_url = f"postgres://{_postgres_server()}/{name}"
    else:
        database_url = f"sqlite:///{workdir / f'{label}.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HIPKNEE_CACHE_KEY_PREFIX": f"{KEY_PREFIX}-{label}",
        "SECRET_KEY": "served-test-only-4Rk9Xv2Lq7Mz1Wc8Tn5Hb3Jd6Pf0Gy",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        # Rate limiting stays on (its headers are checked) at a rate no test reaches.
        "HIPKNEE_THROTTLE_ANON": "100000/min",
        "HIPKNEE_THROTTLE_KEY": "100000/min",
        "LOG_LEVEL": "INFO",
        "WEB_CONCURRENCY": "2",
        **(extra_env or {}),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)

    def token(username: str, role: str, *extra: str) -> str:
        return subprocess.run(
            [*manage, "issue_token", username, "--role", role, *extra],
            env=env, check=True, cwd=ROOT, capture_output=True, text=True,
        ).stdout.strip()

    tokens = {
        "editor": token("eddie", "editors"),
        "reviewer": token("rita", "medical_reviewers", "--name", "Dr Rita Shah",
                          "--credentials", "MD"),
        "publisher": token("paul", "publishers"),
    }
    port = _free_port()
    log = workdir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command(f"127.0.0.1:{port}"), env=env, cwd=ROOT,
                                   stdout=output, stderr=output)
    server = Served("127.0.0.1", port, tokens, log, env=env, process=process)
    try:
        _wait_until_up(server, process)
        _publish_article(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        if on_postgres:
            with psycopg.connect(f"postgresql://{_postgres_server()}/postgres",
                                 autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if redis_url:
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(f"{KEY_PREFIX}-{label}:*"):
                client.delete(key)


def _wait_until_up(server: Served, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if server.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start:\n{server.log.read_text()[-3000:]}")
        time.sleep(0.2)


def approve_and_publish(server: Served, revision: int) -> None:
    """Revision `revision` of the article, approved by the reviewer and published."""
    status, _, body = server.json("POST", f"{server.editorial}reviews/",
                                  {"revision": revision, "decision": "approved"},
                                  token="reviewer")
    assert status == 201, body
    status, _, body = server.json("POST", f"{server.editorial}publish/",
                                  {"revision": revision}, token="publisher")
    assert status == 200, body


def _publish_article(server: Served) -> None:
    status, _, body = server.json("POST", "/api/v1/editorial/articles/", ARTICLE, token="editor")
    assert status == 201, body
    approve_and_publish(server, 1)
    status, _, body = server.json("GET", server.article)
    assert (status, body["title"]) == (200, "Hip and knee")
