"""Slow clients against the served API: how fast other clients are answered meanwhile.

`SlowClients` holds connections that send a request's headers one line every `interval`
seconds and never finish them (the "slowloris" pattern); when the server closes one (gunicorn's
gevent worker gives a request `keepalive` seconds to arrive), it is opened again at once, so
`count` of them are open all along. `probe` meanwhile asks for each path in turn on a fresh
connection and records how long each answer took.

Run alone, the script starts the API exactly as `make serve` does (hipknee_api/server.py:
gunicorn, gevent workers, production settings, no HTTPS redirect, rate limits off, a throwaway
SECRET_KEY) on a SQLite database of its own with the seed article, holds 64 slow connections for
30 s and prints the latency percentiles of the other clients; `--url` measures a server that is
already running instead. tests/server/test_slow_clients.py runs the same for a few seconds.

    .venv/bin/python bench/slow_clients.py [--sockets 64] [--hold 30] [--interval 2]
        [--url http://127.0.0.1:8000]
"""

import argparse
import contextlib
import http.client
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLE = "/api/v1/articles/hip-problems-and-knee-pain/"


class SlowClients:
    """`count` connections to host:port trickling request headers, one line every `interval`
    seconds, reopened as soon as the server closes one; a context manager."""

    def __init__(self, host: str, port: int, count: int, interval: float) -> None:
        self.host, self.port, self.count, self.interval = host, port, count, interval
        self.sockets: list[socket.socket] = []
        self.opened = 0
        #: Connections the server closed (or answered) while they were still sending headers.
        self.closed_by_server = 0
        self.lines_sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def _open(self) -> socket.socket:
        connection = socket.create_connection((self.host, self.port), timeout=5)
        connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: {self.host}\r\n".encode())
        self.opened += 1
        return connection

    def _trickle(self) -> None:
        line = 0
        while not self._stop.wait(self.interval):
            line += 1
            for index, connection in enumerate(self.sockets):
                if self._stop.is_set():
                    return
                try:
                    if select.select([connection], [], [], 0)[0]:
                        raise ConnectionResetError  # closed, or answered: not slow any more
                    connection.sendall(f"X-Slow-{line}: {'x' * 20}\r\n".encode())
                    self.lines_sent += 1
                except (OSError, ValueError):  # ValueError: a socket left closed before
                    self.closed_by_server += 1
                    connection.close()
                    with contextlib.suppress(OSError):  # else again on the next line
                        self.sockets[index] = self._open()

    def __enter__(self) -> "SlowClients":
        self.sockets = [self._open() for _ in range(self.count)]
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for connection in self.sockets:
            connection.close()


def probe(host: str, port: int, paths: list[str], seconds: float, *,
          timeout: float = 5.0, pause: float = 0.02,
          headers: dict | None = None) -> dict[str, list]:
    """Each path in turn, each on a new connection (with `headers`), for `seconds`: path ->
    list of (seconds taken, status), status None when no answer came within `timeout`."""
    results: dict[str, list] = {path: [] for path in paths}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in paths:
            started = time.monotonic()
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = None
            finally:
                connection.close()
            results[path].append((time.monotonic() - started, status))
        time.sleep(pause)
    return results


def summary(samples: list) -> dict:
    """Count, failures (no answer, or not 200), and p50/p99/max of the answers in ms."""
    times = sorted(took for took, status in samples if status == 200)

    def percentile(share: float) -> float | None:
        if not times:
            return None
        return round(times[min(len(times) - 1, int(len(times) * share))] * 1000, 1)

    return {
        "requests": len(samples),
        "failed": sum(1 for _, status in samples if status != 200),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "max_ms": round(times[-1] * 1000, 1) if times else None,
    }


def measure(host: str, port: int, paths: list[str], *, sockets: int, hold: float,
            interval: float, headers: dict | None = None) -> dict:
    """Hold `sockets` slow connections for `hold` seconds while probing `paths` (each request
    with `headers`)."""
    with SlowClients(host, port, sockets, interval) as slow:
        time.sleep(min(1.0, interval / 2))  # every slow connection has sent its first line
        samples = probe(host, port, paths, hold, headers=headers)
        still_open = sum(
            1 for connection in slow.sockets
            if connection.fileno() != -1 and not select.select([connection], [], [], 0)[0]
        )
    return {
        "slow_sockets": sockets,
        "hold_s": hold,
        "interval_s": interval,
        "slow_connections_opened": slow.opened,
        "closed_by_server": slow.closed_by_server,
        "header_lines_sent": slow.lines_sent,
        "slow_sockets_open_at_end": still_open,
        "paths": {path: summary(found) for path, found in samples.items()},
    }


def _free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def _serve(workdir: Path) -> tuple[subprocess.Popen, int]:
    """The API as `make serve` runs it, on a fresh SQLite database with the seed article."""
    sys.path.insert(0, str(ROOT))
    from hipknee_api.server import command

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
        "SECRET_KEY": "slow-clients-only-not-secret-5Tq8Wm2Zr7Lx4Kc9Nv1Hb6Pd3Gs0Jf",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HIPKNEE_THROTTLE_ANON": "off",
        "HIPKNEE_THROTTLE_KEY": "off",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "DATABASE_URL": f"sqlite:///{workdir / 'slow.sqlite3'}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for step in (["migrate", "--noinput", "-v", "0"], ["load_seed_content"]):
        subprocess.run([*manage, *step], env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    log = (workdir / "gunicorn.log").open("wb")
    server = subprocess.Popen(command(f"127.0.0.1:{port}"), env=env, cwd=ROOT,
                              stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("slow_clients: the server did not start") from None
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description="Slow clients against the served API.")
    parser.add_argument("--sockets", type=int, default=64)
    parser.add_argument("--hold", type=float, default=30, help="seconds")
    parser.add_argument("--interval", type=float, default=2,
                        help="seconds between two header lines of a slow client")
    parser.add_argument("--url", help="a running server (default: start one as make serve)")
    parser.add_argument("--paths", default=f"/healthz,{SEED_ARTICLE}")
    options = parser.parse_args()
    paths = options.paths.split(",")

    with tempfile.TemporaryDirectory(prefix="hipknee-slow-") as tmp:
        server = None
        if options.url:
            parts = urlsplit(options.url)
            host, port = parts.hostname, parts.port or 80
        else:
            server, port = _serve(Path(tmp))
            host = "127.0.0.1"
        try:
            before = {path: summary(found)
                      for path, found in probe(host, port, paths, 2).items()}
            result = measure(host, port, paths, sockets=options.sockets, hold=options.hold,
                             interval=options.interval)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    result["without_slow_clients"] = before
    print(f"{options.sockets} slow connections (a header line every {options.interval:g} s) "
          f"for {options.hold:g} s; other clients, one request at a time:")
    for label, figures in (("quiet", before), ("during", result["paths"])):
        for path, row in figures.items():
            print(f"  {label:6} {path:50} {row['requests']:5} requests, {row['failed']} failed; "
                  f"p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms, max {row['max_ms']} ms")
    print(f"  slow connections opened {result['slow_connections_opened']}, closed by the "
          f"server {result['closed_by_server']}, open at the end "
          f"{result['slow_sockets_open_at_end']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
