"""Fuzz the running API with schemathesis against the committed schema (`make fuzz`).

Starts the server as `make serve` does (`python -m hipknee_api.server`: gunicorn, gevent
workers) with the production settings on a free port of 127.0.0.1 (rate limits off, no HTTPS
redirect, no request-line limit) over a fresh database (a SQLite file, or the PostgreSQL
database named by --database-url, dropped and created anew) with the seed content and one
staff user holding every editorial role. Then runs schemathesis twice against
hipknee_api/openapi.yaml: the public operations anonymously, the editorial ones with that
user's token. Checks: no 5xx, and every status code, content type, header and body is the one
the schema documents.

Bounded: --max-examples per operation (default 25) and --max-failures per run. Registering a
webhook is left out: it resolves the fuzzed host names through DNS, and fuzzing sends traffic
to 127.0.0.1 only. At the end the server's JSON access log is read back: how many requests it
answered, by status, and any 5xx. Exit status 0 only when both runs passed and the server
answered no 5xx.
"""

import argparse
import collections
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "hipknee_api" / "openapi.yaml"
EDITORIAL = "^/api/v1/editorial/"
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_postgres(url: str) -> None:
    """Drop and create the database `url` names (it must be one of ours, for fuzzing only)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("hipknee_fuzz"):
        raise SystemExit(f"refusing to recreate {name!r}: name a database hipknee_fuzz*")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not become ready in 60 s")


def schemathesis(base: str, args: argparse.Namespace, *extra: str) -> int:
    command = [
        str(BIN / "schemathesis"), "run", str(SCHEMA),
        "--url", base,
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(args.max_examples),
        "--max-failures", str(args.max_failures),
        "--seed", str(args.seed),
        # One worker: schemathesis 4.32's coverage phase can fail with CPython's "AST
        # constructor recursion depth mismatch" when two threads generate at once.
        "--workers", "1",
        "--request-timeout", "30",
        "--suppress-health-check", "all",
        *extra,
    ]
    print("\n$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}).returncode


def served(log: Path) -> collections.Counter:
    """Status codes of the requests the server logged, and the lines of its 5xx answers."""
    statuses: collections.Counter = collections.Counter()
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "hipknee.access":
            statuses[entry["status"]] += 1
            if entry["status"] >= 500:
                print("5xx:", line)
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--max-failures", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument(
        "--scope", choices=["all", "public", "editorial"], default="all",
        help="fuzz the public operations, the editorial ones, or both (default)",
    )
    parser.add_argument(
        "--database-url", default="",
        help="postgres://…/hipknee_fuzz… to fuzz on PostgreSQL; a fresh SQLite file otherwise",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hipknee-fuzz-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'fuzz.sqlite3'}"
    if database_url.startswith("postgres"):
        fresh_postgres(database_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "0",
        "HIPKNEE_THROTTLE_ANON": "off",
        "HIPKNEE_THROTTLE_KEY": "off",
        "DEBUG": "0",
        "LOG_LEVEL": "INFO",
    }
    manage(env, "migrate", "--noinput")
    manage(env, "load_seed_content")
    token = manage(
        env, "issue_token", "fuzzer", "--role", "editors", "--role", "medical_reviewers",
        "--role", "publishers", "--name", "Dr Fuzz", "--credentials", "MD",
    ).strip()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            # make serve's command (hipknee_api/server.py), with no request-line limit: a long
            # URL is the app's to answer (400 problem+json); the server's own 414 for lines
            # over 4094 bytes is not an operation of the schema.
            [sys.executable, "-m", "hipknee_api.server", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env={**env, "GUNICORN_LIMIT_REQUEST_LINE": "0", "GUNICORN_TIMEOUT": "60"},
            stdout=log_file, stderr=subprocess.STDOUT,
        )
    started = time.monotonic()
    try:
        wait_until_up(base, server, log)
        public = editorial = 0
        if args.scope in ("all", "public"):
            public = schemathesis(base, args, "--exclude-path-regex", EDITORIAL)
        if args.scope in ("all", "editorial"):
            editorial = schemathesis(
                base, args,
                "--include-path-regex", EDITORIAL,
                "--exclude-operation-id", "v1_editorial_webhooks_create",
                "--header", f"Authorization: Token {token}",
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    statuses = served(log)
    total = sum(statuses.values())
    errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"\nFuzzing: the server answered {total} requests in "
        f"{time.monotonic() - started:.0f} s, by status: "
        + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    )
    print(f"Fuzzing ({args.scope}): {errors} server errors; schemathesis public run "
          f"{'passed' if public == 0 else 'FAILED'}, editorial run "
          f"{'passed' if editorial == 0 else 'FAILED'}. Server log: {log}")
    return 0 if public == 0 and editorial == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
