"""Reads while Redis hangs: the article detail served by the real server (`make serve`) whose
REDIS_URL points at a socket that accepts connections and never answers.

The bench makes a database of its own (a SQLite file in a temporary directory, or, with
`--postgres`, the PostgreSQL database `hipknee_hung_bench` on that server, dropped and created
again), migrates it and loads the seed article, starts a hung "Redis" on a loopback port in
this process, then runs `make serve` as the Makefile has it at that moment (production
settings, gunicorn) with REDIS_URL pointing at the hung socket, HTTPS redirect off and a high
anonymous rate limit (so the limiter's fallback runs, but never refuses). Client threads then
read the detail for `--duration` seconds over keep-alive connections; requests that began
within the first second are left out (the first requests of each worker each pay one socket
timeout, HIPKNEE_REDIS_TIMEOUT), and p50/p99/max of the rest are printed, with /readyz and
/healthz as the server answers them.

`--redis URL` measures the same against a working Redis instead, for comparison (the bench
uses key prefix `hipknee-hung-bench-<pid>` and deletes its keys afterwards).

    .venv/bin/python bench/hung_redis.py [--duration 10] [--clients 4] [--postgres URL]
"""

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.redis_outage import HungRedis  # noqa: E402

PYTHON = sys.executable
SEED_ARTICLE = "/api/v1/articles/hip-problems-and-knee-pain/"
KEY_PREFIX = f"hipknee-hung-bench-{os.getpid()}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def prepare(options, workdir: Path) -> dict:
    """The environment of every command: a fresh database with the seed article."""
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "HIPKNEE_THROTTLE_ANON": "1000000/min",
        "HIPKNEE_CACHE_KEY_PREFIX": KEY_PREFIX,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
    }
    if options.postgres:
        import psycopg

        server = options.postgres.rstrip("/").replace("postgres://", "postgresql://", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute('DROP DATABASE IF EXISTS "hipknee_hung_bench" WITH (FORCE)')
            admin.execute('CREATE DATABASE "hipknee_hung_bench"')
        env["DATABASE_URL"] = f"{options.postgres.rstrip('/')}/hipknee_hung_bench"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    manage = [PYTHON, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v", "0"], ["load_seed_content"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return env


def serve(env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    """`make serve` on a free loopback port, in a process group of its own."""
    port = free_port()
    process = subprocess.Popen(
        ["make", "-s", "serve", "HOST=127.0.0.1", f"PORT={port}"],
        env=env, cwd=ROOT, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            request(connection, "/healthz")
            connection.close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise SystemExit(f"hung_redis: make serve did not start; see {log}") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def measure(port: int, options) -> dict:
    """Each client thread reads the detail for `duration` seconds; (start, seconds, status,
    body) of every request."""
    results: list[tuple[float, float, int, bytes]] = []
    lock = threading.Lock()
    began = time.monotonic()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while (started := time.monotonic()) - began < options.duration:
            status, body = request(connection, SEED_ARTICLE)
            mine.append((started - began, time.monotonic() - started, status, body))
        connection.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(options.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds of reading (default 10)")
    parser.add_argument("--clients", type=int, default=4,
                        help="client threads, each on one keep-alive connection (default 4)")
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server (postgres://user@host:port) instead of SQLite")
    parser.add_argument("--redis", metavar="URL",
                        help="a working Redis to measure instead of the hung one")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hipknee-hung-") as tmp, HungRedis() as hung:
        workdir = Path(tmp)
        env = prepare(options, workdir)
        env["REDIS_URL"] = options.redis or hung.url
        log = workdir / "serve.log"
        process, port = serve(env, log)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            status, expected = request(connection, SEED_ARTICLE)
            connection.close()
            assert status == 200, (status, expected[:300])
            results = measure(port, options)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ready_started = time.monotonic()
            ready = request(connection, "/readyz")
            ready_took = time.monotonic() - ready_started
            alive = request(connection, "/healthz")
            connection.close()
        finally:
            stop(process)
            if options.redis:
                import redis

                client = redis.Redis.from_url(options.redis)
                for key in client.scan_iter(f"{KEY_PREFIX}:*"):
                    client.delete(key)

    after = sorted(took for started, took, _, _ in results if started >= 1.0)
    first = sorted(took for started, took, _, _ in results if started < 1.0)
    wrong = [(status, body[:200]) for _, _, status, body in results
             if status != 200 or body != expected]
    report = {
        "redis": "working" if options.redis else "hung (accepts, never answers)",
        "database": "postgresql" if options.postgres else "sqlite",
        "clients": options.clients,
        "requests_after_first_second": len(after),
        "p50_ms": round(statistics.median(after) * 1000, 1),
        "p99_ms": round(percentile(after, 0.99) * 1000, 1),
        "max_ms": round(after[-1] * 1000, 1),
        "first_second_max_ms": round(first[-1] * 1000, 1) if first else None,
        "not_the_expected_200": len(wrong),
        "readyz": [ready[0], json.loads(ready[1]).get("checks"), round(ready_took * 1000, 1)],
        "healthz": alive[0],
        "redis_connections_accepted": None if options.redis else hung.accepted,
    }
    print(json.dumps(report, indent=2))
    if wrong:
        raise SystemExit(f"hung_redis: {len(wrong)} answers differ, e.g. {wrong[0]}")


if __name__ == "__main__":
    main()
