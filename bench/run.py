"""`make bench`: the public API served exactly as `make serve` serves it, against the raw-WSGI
ceiling under the same server settings, on SQLite and on PostgreSQL with Redis, on loopback
only, in a few minutes.

For each database the bench creates its own database (a SQLite file in a temporary directory;
the PostgreSQL database `hipknee_bench`, dropped and created again; Redis database 14,
flushed), migrates it, loads the seed article, generates a few hundred articles with sections
and items and a few thousand entities (bench/seed.py), stores their renderings as `make serve`
does (`refresh_renderings`) and creates an API key (`create_api_key`). It counts the database
queries of every endpoint in-process (bench/queries.py), then starts the API with `make
serve`'s command (`python -m hipknee_api.server --bind ...`: gunicorn, gevent workers, every
setting of hipknee_api/gunicorn_conf.py, so WEB_CONCURRENCY etc. apply alike) and `make
serve`'s settings: production settings with their defaults (persistent database connections
with health checks, rate limits on, the access log on, DEBUG off), given only what `make
serve` needs from an operator (a throwaway SECRET_KEY, DATABASE_URL, REDIS_URL) and a high
rate for API keys (HIPKNEE_THROTTLE_KEY, `API_KEY_RATE`). wrk sends every request as a client
of a TLS-terminating proxy would reach the app (`X-Forwarded-Proto: https`, so the HTTPS
redirect stays on) with the bench's key (`X-API-Key`: authenticated, rate-limited and counted
on every request). With the same command and settings it serves the raw WSGI app
(bench/raw_app.py), pre-encoded bodies of exactly the API's sizes.

On a machine with two or more cores the servers are pinned to one core and wrk to another
(`taskset`), so that neither the API nor the raw app is measured against a load generator on
its own core. wrk drives each endpoint and its raw counterpart in turn (32 connections), so
both see the same machine at the same moment. The uncached detail (the first request after a
publish: the body stored at publish time) is measured on a second API server with the response
cache off, and, for reference, the same detail rendered by the serializers (no cache, no stored
copy) on a third.

Through the edge (`make edge`'s Varnish, hipknee_api/edge.py, in front of the same API server
and pinned to the servers' core) it measures the cached article detail and list as anonymous
readers get them, beside the raw app in the same run at 64 connections (`EDGE_CONNECTIONS`),
and repeats the slow-client run of bench/slow_clients.py through the edge. Skipped, saying so,
when varnishd is not installed; `--only edge` runs only these rows.

Prints one table per database and writes everything to bench-results/bench.json. Never part
of `make test`: figures depend on the machine; the targets are checked and printed, not
asserted.

    .venv/bin/python bench/run.py [--rounds 3] [--duration 1] [--databases sqlite,postgresql]
        [--only edge]
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hipknee_api import gunicorn_conf  # noqa: E402  (the settings make serve reads)

PYTHON = sys.executable
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES", "postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SEED_ARTICLE = "/api/v1/articles/hip-problems-and-knee-pain/"
#: The bench key's rate: rate limiting stays on, and never refuses the bench.
API_KEY_RATE = "100000000/hour"
#: What make serve is given by an operator; everything else keeps production's default.
SECRET_KEY = "bench-only-not-secret-3Jv8Qm1Xr5Tz9Lw2Hc6Nb4Pk7Df0Gs"

#: name -> path of each endpoint measured with the representation cache on.
ENDPOINTS = {
    "article detail": SEED_ARTICLE,
    "section": f"{SEED_ARTICLE}sections/symptoms/",
    "article list (20)": "/api/v1/articles/?page_size=20",
    "symptoms ?frequency=common": "/api/v1/symptoms/?frequency=common",
    "search": "/api/v1/search/?q=" + quote("runner's knee"),
}
NOT_MODIFIED = "304 (If-None-Match)"
UNCACHED = "article detail, uncached"
#: A reference, not a target: the serializers' render, with neither the cache nor a stored copy.
RENDERED = "article detail, rendered"
#: A reference, not a target: Django's floor here, a trivial view through every middleware.
FLOOR = "floor: /healthz (no DRF)"
FLOOR_PATH = "/healthz"
TARGETS = {
    "article detail": 0.35,
    "article list (20)": 0.30,
    NOT_MODIFIED: 0.40,
    UNCACHED: 0.09,
}
P99_TARGET_MS = 30
#: Through the edge: anonymous readers (an API-key request passes to the origin), 64 connections.
EDGE_ENDPOINTS = {
    "edge: article detail": SEED_ARTICLE,
    "edge: article list (20)": "/api/v1/articles/?page_size=20",
}
EDGE_CONNECTIONS = 64
EDGE_TARGET = 5.0
EDGE_P99_TARGET_MS = 10
#: The slow-client run through the edge: connections, seconds held, seconds between lines.
SLOW_CLIENTS = {"sockets": 64, "hold": 10, "interval": 1}
UNCACHED_QUERY_TARGET = 3
RSS_TARGET_MB = 150

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, '
    .. '"p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"bench: {' '.join(args[:3])} failed")
    return result.stdout


#: Headers of every request the bench sends (the API key is added once created).
CLIENT_HEADERS = {"X-Forwarded-Proto": "https"}


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={**CLIENT_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Server:
    """A gunicorn master on a loopback port, started as `make serve` starts it; `app` None
    serves the API, else that WSGI app with the same settings."""

    def __init__(self, app: str | None, env: dict, options, log: Path, ready_path: str) -> None:
        self.port = free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [*pinned(options.server_cpu), *serve_command(f"127.0.0.1:{self.port}", app)],
            env=env, cwd=ROOT, stdout=self.log, stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                get(self.port, ready_path)
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"bench: {app or 'the API'} did not start; see {log}") \
                        from None
                time.sleep(0.1)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process, from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        sizes = []
        for pid in children.read_text().split():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def cpu_seconds(self) -> float:
        """CPU time (user and system) the master and its workers have used, from /proc."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        ticks = 0
        for pid in [self.process.pid, *children.read_text().split()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:  # a worker that has just been replaced
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Edge(Server):
    """Varnish as `make edge` runs it (hipknee_api/edge.py, the repository's VCL) in front of
    the API on `origin_port`, pinned to the servers' core; its CPU time is varnishd's."""

    def __init__(self, origin_port: int, options, log: Path) -> None:
        from hipknee_api.edge import command

        self.port = free_port()
        # varnishd's own users must reach its working directory (not a private temp dir).
        self.workdir = Path(f"/tmp/hipknee-bench-edge-{self.port}")
        self.workdir.mkdir(mode=0o755, parents=True, exist_ok=True)
        self.log = log.open("ab")
        argv = command(f"127.0.0.1:{self.port}", f"127.0.0.1:{origin_port}", self.workdir)
        self.process = subprocess.Popen([*pinned(options.server_cpu), *argv], env=os.environ,
                                        stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(self.port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench: varnishd did not start; see {log}")
            time.sleep(0.1)

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def serve_command(bind: str, app: str | None = None) -> list[str]:
    """`make serve`'s command line (its last step), serving `app` if given."""
    return [PYTHON, "-m", "hipknee_api.server", "--bind", bind, *([app] if app else [])]


def pinned(cpu: int | None) -> list[str]:
    """The prefix that runs a command on `cpu` only (nothing when not pinning)."""
    return [] if cpu is None else ["taskset", "-c", str(cpu)]


def cpus() -> tuple[int | None, int | None]:
    """(server's core, wrk's core): two distinct cores this process may use, or (None, None)
    on one core or without taskset."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2 or shutil.which("taskset") is None:
        return None, None
    return allowed[0], allowed[1]


def wrk(server: Server, path: str, options, script: Path, headers: dict | None = None) -> dict:
    """wrk's figures for `path`, and the server's CPU time per request meanwhile."""
    args = [*pinned(options.wrk_cpu), "wrk", "-t", str(options.wrk_threads),
            "-c", str(options.connections), "-d", f"{options.duration}s", "-s", str(script)]
    for name, value in {**options.client_headers, **(headers or {})}.items():
        args += ["-H", f"{name}: {value}"]
    cpu_before = server.cpu_seconds()
    output = subprocess.run(
        [*args, f"http://127.0.0.1:{server.port}{path}"], capture_output=True, text=True,
        check=True,
    ).stdout
    cpu = server.cpu_seconds() - cpu_before
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    report = json.loads(line.removeprefix("WRKJSON "))
    seconds = report["duration_us"] / 1e6
    return {
        "req_s": round(report["requests"] / seconds, 1),
        "cpu_us": round(cpu / max(1, report["requests"]) * 1e6, 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "max_ms": round(report["max_us"] / 1000, 2),
        "requests": report["requests"],
        "errors": report["errors"],
    }


def compare(api: Server, path: str, raw: Server, raw_path: str, options, script: Path,
            headers: dict | None = None) -> tuple[dict, dict, float]:
    """The API and its raw counterpart, alternating in `options.rounds` rounds of
    `options.duration` seconds each, so that both see the same machine: (API figures, raw
    figures, ratio). Figures are medians over the rounds (req/s, p50, p99, server CPU per
    request), which a burst of load from something else on the machine moves less than a
    mean."""
    apis, raws = [], []
    for _ in range(options.rounds):
        raws.append(wrk(raw, raw_path, options, script))
        apis.append(wrk(api, path, options, script, headers))

    def median(values):
        return sorted(values)[len(values) // 2]

    def summary(runs):
        return {
            "req_s": median([run["req_s"] for run in runs]),
            "p50_ms": median([run["p50_ms"] for run in runs]),
            "p99_ms": median([run["p99_ms"] for run in runs]),
            "cpu_us": median([run["cpu_us"] for run in runs]),
            "max_ms": max(run["max_ms"] for run in runs),
            "requests": sum(run["requests"] for run in runs),
            "errors": sum(run["errors"] for run in runs),
            "rounds": runs,
        }

    ratio = median([api["req_s"] / raw["req_s"] for api, raw in zip(apis, raws, strict=True)])
    return summary(apis), summary(raws), round(ratio, 3)


def warm(server: Server, path: str, options, script: Path, headers=None) -> None:
    """A second of load, so that every worker (and its local cache) has served the path."""
    quick = argparse.Namespace(**{**vars(options), "duration": 1})
    wrk(server, path, quick, script, headers)


#: Environment variables the app reads (hipknee_api/settings/), by prefix and by name: never
#: passed on from the caller's environment, so the bench measures production's defaults.
#: gunicorn's (WEB_CONCURRENCY, GUNICORN_*) apply to the bench as they do to make serve.
SERVER_SETTING_PREFIXES = ("HIPKNEE_", "SECURE_", "POSTGRES_", "CONN_")
SERVER_SETTINGS = {"DEBUG", "LOG_LEVEL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
                   "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}


def prepare_database(name: str, workdir: Path) -> dict:
    """The environment of one database run, with that database created empty."""
    # make serve's environment: production settings with their defaults. Settings it reads are
    # removed from the caller's environment, so that the bench measures the defaults.
    env = {
        name: value for name, value in os.environ.items()
        if not name.startswith(SERVER_SETTING_PREFIXES) and name not in SERVER_SETTINGS
    }
    env.update({
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "hipknee_api.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "HIPKNEE_THROTTLE_KEY": API_KEY_RATE,
        "REDIS_URL": "",
    })
    if name == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        return env
    import psycopg
    import redis

    with psycopg.connect(f"postgresql://{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute('DROP DATABASE IF EXISTS "hipknee_bench" WITH (FORCE)')
        admin.execute('CREATE DATABASE "hipknee_bench"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    env["DATABASE_URL"] = f"postgres://{POSTGRES_SERVER}/hipknee_bench"
    env["REDIS_URL"] = REDIS_URL
    return env


def bench_database(name: str, options, workdir: Path, script: Path) -> dict:
    started = time.monotonic()
    env = prepare_database(name, workdir)
    manage = [PYTHON, str(ROOT / "manage.py")]
    run([*manage, "migrate", "--noinput", "-v", "0"], env)
    run([*manage, "load_seed_content"], env)
    seeded = run([PYTHON, str(ROOT / "bench" / "seed.py"), "--articles", str(options.articles),
                  "--entities", str(options.entities)], env).strip()
    run([*manage, "refresh_renderings"], env)  # as make serve does before serving
    api_key = run([*manage, "create_api_key", "make bench"], env).strip()
    options.client_headers = {**CLIENT_HEADERS, "X-API-Key": api_key}
    queries = json.loads(run([PYTHON, str(ROOT / "bench" / "queries.py"),
                              json.dumps(ENDPOINTS)], {**env, "BENCH_API_KEY": api_key}))
    print(f"   {name}: database ready in {time.monotonic() - started:.0f} s ({seeded})",
          flush=True)

    log = workdir / f"gunicorn-{name}.log"
    api = Server(None, env, options, log, "/healthz")
    raw = None
    try:
        sizes, etag = {}, None
        for endpoint, path in ENDPOINTS.items():
            status, headers, body = get(api.port, path, {"X-API-Key": api_key})
            assert status == 200, (endpoint, status, body[:300])
            sizes[endpoint] = len(body)
            if endpoint == "article detail":
                etag = headers["ETag"]
        sizes[FLOOR] = len(get(api.port, FLOOR_PATH, {"X-API-Key": api_key})[2])
        raw_env = {**env, "RAW_SIZES": ",".join(str(size) for size in set(sizes.values()))}
        raw = Server("bench.raw_app:application", raw_env, options, log, "/304")

        rows = []
        measured_here = [] if options.only == "edge" else [
            *ENDPOINTS.items(), (NOT_MODIFIED, SEED_ARTICLE), (FLOOR, FLOOR_PATH)]
        for endpoint, path in measured_here:
            headers = {"If-None-Match": etag} if endpoint == NOT_MODIFIED else None
            # The "raw" is the raw app serving the detail's bytes; a 304 is measured
            # against it too (the raw app's own bodiless 304 is recorded as well).
            raw_path = f"/{sizes['article detail' if endpoint == NOT_MODIFIED else endpoint]}"
            warm(api, path, options, script, headers)
            measured, baseline, ratio = compare(api, path, raw, raw_path, options,
                                                script, headers)
            if endpoint == NOT_MODIFIED:
                _, raw_304, ratio_304 = compare(api, path, raw, "/304", options,
                                                script, headers)
                measured = {**measured, "raw_304_req_s": raw_304["req_s"],
                            "ratio_to_raw_304": ratio_304}
            rows.append(_row(endpoint, path, sizes.get(endpoint, 0), measured, baseline, ratio,
                             queries.get(endpoint, queries["article detail"])
                             if endpoint != FLOOR else None,
                             not_modified=endpoint == NOT_MODIFIED))
        rss = api.worker_rss_mb()
        edge = bench_edge(api, raw, sizes, options, script, log)
        rows += edge.pop("rows")

        rss_uncached = []
        for label, extra in ([] if options.only == "edge" else
                             [(UNCACHED, {}), (RENDERED, {"HIPKNEE_STORED_RENDERINGS": "0"})]):
            api.stop()
            uncached_env = {**env, "HIPKNEE_RESPONSE_CACHE": "0", **extra}
            api = Server(None, uncached_env, options, log, "/healthz")
            warm(api, SEED_ARTICLE, options, script)
            measured, baseline, ratio = compare(api, SEED_ARTICLE, raw,
                                                f"/{sizes['article detail']}", options, script)
            rows.append(_row(label, SEED_ARTICLE, sizes["article detail"], measured, baseline,
                             ratio,
                             queries["article detail"], uncached=label == UNCACHED,
                             rendered=label == RENDERED))
            rss_uncached += api.worker_rss_mb()
    finally:
        api.stop()
        if raw is not None:
            raw.stop()
    return {
        "database": "SQLite (local-memory cache)" if name == "sqlite"
        else "PostgreSQL + Redis",
        "seed": seeded,
        "endpoints": rows,
        "worker_rss_mb": {"cached_run": rss, "uncached_run": rss_uncached},
        "edge": edge,
        "seconds": round(time.monotonic() - started, 1),
    }


def bench_edge(api: Server, raw: Server, sizes: dict, options, script: Path, log: Path
               ) -> dict:
    """The edge rows (anonymous readers through Varnish vs the raw app, 64 connections) and
    the slow-client run through the edge; {"rows": []} with why, when varnishd is missing."""
    from bench.slow_clients import measure
    from hipknee_api.edge import missing

    if (reason := missing()) is not None:
        print(f"   edge rows skipped: {reason}", flush=True)
        return {"rows": [], "skipped": reason}
    edge_options = argparse.Namespace(**{**vars(options), "connections": EDGE_CONNECTIONS,
                                         "client_headers": dict(CLIENT_HEADERS)})
    edge = Edge(api.port, options, log)
    try:
        rows = []
        for endpoint, path in EDGE_ENDPOINTS.items():
            origin_endpoint = endpoint.removeprefix("edge: ")
            status, _, body = get(edge.port, path)
            assert status == 200, (endpoint, status, body[:300])
            warm(edge, path, edge_options, script)
            measured, baseline, ratio = compare(edge, path, raw, f"/{sizes[origin_endpoint]}",
                                                edge_options, script)
            rows.append(_row(endpoint, path, len(body), measured, baseline, ratio, None))
        print(f"   edge: slow clients ({SLOW_CLIENTS['sockets']} connections, "
              f"{SLOW_CLIENTS['hold']} s)", flush=True)
        slow = measure("127.0.0.1", edge.port, [SEED_ARTICLE, EDGE_ENDPOINTS[
            "edge: article list (20)"]], headers=CLIENT_HEADERS, **SLOW_CLIENTS)
    finally:
        edge.stop()
    return {"rows": rows, "connections": EDGE_CONNECTIONS, "slow_clients": slow}


def _row(endpoint, path, size, measured, baseline, ratio, queries, *, not_modified=False,
         uncached=False, rendered=False) -> dict:
    if queries is None:
        per_request = 0
    elif not_modified:
        per_request = queries["not_modified"]
    elif uncached:
        per_request = queries["uncached"]
    elif rendered:
        per_request = queries["rendered"]
    else:
        per_request = queries["cached"]
    return {
        "endpoint": endpoint,
        "path": path,
        "bytes": size,
        **measured,
        "raw_req_s": baseline["req_s"],
        "raw_p99_ms": baseline["p99_ms"],
        "raw_cpu_us": baseline["cpu_us"],
        "ratio": ratio,
        # Server CPU per request, raw over API: the ratio on a core of the server's own, which
        # other load on the machine moves much less than req/s.
        "cpu_ratio": round(baseline["cpu_us"] / measured["cpu_us"], 3)
        if measured["cpu_us"] else None,
        "queries_per_request": per_request,
        "queries": queries,
    }


def check_targets(result: dict) -> list[dict]:
    """Each target of the issue, with the measured figure and whether it is met."""
    rows = {row["endpoint"]: row for row in result["endpoints"]}
    checks = [
        {"target": f"{name} >= {floor} x raw",
         "measured": f"{rows[name]['ratio']} (server CPU per request: {rows[name]['cpu_ratio']})",
         "met": rows[name]["ratio"] >= floor}
        for name, floor in TARGETS.items() if name in rows
    ]
    cached = [row for row in result["endpoints"]
              if row["endpoint"] not in (UNCACHED, RENDERED, FLOOR, *EDGE_ENDPOINTS)]
    if cached:
        worst = max(cached, key=lambda row: row["p99_ms"])
        checks.append({"target": f"p99 < {P99_TARGET_MS} ms at 32 connections (cached)",
                       "measured": f"{worst['p99_ms']} ms ({worst['endpoint']})",
                       "met": worst["p99_ms"] < P99_TARGET_MS})
    if UNCACHED in rows:
        uncached_queries = rows[UNCACHED]["queries"]["uncached"]
        checks.append({"target": f"uncached detail <= {UNCACHED_QUERY_TARGET} queries",
                       "measured": uncached_queries,
                       "met": uncached_queries <= UNCACHED_QUERY_TARGET})
    for name in EDGE_ENDPOINTS:
        if name in rows:
            row = rows[name]
            checks.append({"target": f"{name} >= {EDGE_TARGET:g} x raw, p99 < "
                                     f"{EDGE_P99_TARGET_MS} ms at {EDGE_CONNECTIONS} connections",
                           "measured": f"{row['ratio']} x raw, p99 {row['p99_ms']} ms",
                           "met": row["ratio"] >= EDGE_TARGET
                           and row["p99_ms"] < EDGE_P99_TARGET_MS})
    if UNCACHED not in rows:  # only the edge rows ran: the API's workers were barely loaded
        return checks
    rss = max(result["worker_rss_mb"]["cached_run"] + result["worker_rss_mb"]["uncached_run"])
    checks.append({"target": f"worker RSS < {RSS_TARGET_MB} MB", "measured": f"{rss} MB",
                   "met": rss < RSS_TARGET_MB})
    return checks


def print_table(result: dict, options) -> None:
    print(f"\n== {result['database']}: {server_settings(options)}; wrk {options.connections} "
          f"connections, {options.wrk_threads} thread(s); {options.rounds} rounds of "
          f"{options.duration} s per row (medians); load average "
          f"{' '.join(f'{load:.2f}' for load in result['load_average'])} before, "
          f"{' '.join(f'{load:.2f}' for load in result['load_average_after'])} after "
          "(the bench's own server and wrk add up to 2)")
    header = (f"{'endpoint':28} {'bytes':>7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'raw req/s':>9} {'ratio':>6} {'cpu us':>7} {'raw cpu':>7} {'cpu ratio':>9}  "
              "queries/request (rendered, uncached, first, hit, 304)")
    print(header)
    print("-" * len(header))
    for row in result["endpoints"]:
        q = row["queries"]
        counts = (f"({q['rendered']}, {q['uncached']}, {q['first']}, {q['cached']}, "
                  f"{q['not_modified']})" if q else "")
        print(f"{row['endpoint']:28} {row['bytes']:>7} {row['req_s']:>8.0f} "
              f"{row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['raw_req_s']:>9.0f} "
              f"{row['ratio']:>6.2f} {row['cpu_us']:>7.0f} {row['raw_cpu_us']:>7.0f} "
              f"{row['cpu_ratio'] or 0:>9.2f}  {row['queries_per_request']:<3} {counts}"
              + (f"  errors: {row['errors']}" if row["errors"] else ""))
    for row in result["endpoints"]:
        if "ratio_to_raw_304" in row:
            print(f"{row['endpoint']}: against the detail's raw bytes, as the issue defines "
                  f"raw; against the raw app's own bodiless 304 ({row['raw_304_req_s']:.0f} "
                  f"req/s) the ratio is {row['ratio_to_raw_304']:.2f}")
    slow = result.get("edge", {}).get("slow_clients")
    if slow:
        figures = "; ".join(
            f"{path}: {found['requests']} requests, {found['failed']} failed, p50 "
            f"{found['p50_ms']} ms, p99 {found['p99_ms']} ms, max {found['max_ms']} ms"
            for path, found in slow["paths"].items())
        print(f"edge rows: anonymous, {EDGE_CONNECTIONS} connections (raw app too); through "
              f"the edge while {slow['slow_sockets']} slow clients trickled headers for "
              f"{slow['hold_s']} s: {figures}")
    elif result.get("edge", {}).get("skipped"):
        print(f"edge rows skipped: {result['edge']['skipped']}")
    rss = result["worker_rss_mb"]
    print(f"worker RSS after the run: {rss['cached_run']} MB (cached), "
          f"{rss['uncached_run']} MB (uncached and rendered)")
    for check in result["targets"]:
        print(f"  [{'met' if check['met'] else 'MISSED'}] {check['target']}: "
              f"{check['measured']}")


def server_settings(options) -> str:
    """The server's settings, as `make serve` has them (hipknee_api/gunicorn_conf.py)."""
    where = (f"pinned to CPU {options.server_cpu}, wrk to CPU {options.wrk_cpu}"
             if options.server_cpu is not None else "server and wrk unpinned")
    return (f"make serve: {gunicorn_conf.workers} workers of "
            f"{gunicorn_conf.worker_class.rsplit('.', 1)[-1]}, "
            f"{gunicorn_conf.worker_connections} connections each, production settings, "
            f"rate limit on (API key at {API_KEY_RATE}); {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the public API (see bench/run.py).")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=1,
                        help="seconds of load per round, for the API and the raw app each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=None,
                        help="wrk threads (default: 1 when wrk has a core of its own, else 2)")
    parser.add_argument("--no-pin", action="store_true",
                        help="run the servers and wrk on any core (no taskset)")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--entities", type=int, default=3000)
    parser.add_argument("--only", choices=["edge"], default=None,
                        help="measure only the rows through the edge (and its slow clients)")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "bench.json"))
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (apt-get install wrk; `make bench` does).")
    options.server_cpu, options.wrk_cpu = (None, None) if options.no_pin else cpus()
    if options.wrk_threads is None:
        options.wrk_threads = 1 if options.wrk_cpu is not None else 2
    options.client_headers = dict(CLIENT_HEADERS)

    started = time.monotonic()
    report = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "load_average": os.getloadavg()},
        "settings": {"server": server_settings(options),
                     "server_cpu": options.server_cpu, "wrk_cpu": options.wrk_cpu,
                     "api_key_rate": API_KEY_RATE,
                     "connections": options.connections, "duration_s": options.duration,
                     "rounds": options.rounds,
                     "wrk_threads": options.wrk_threads, "articles": options.articles,
                     "entities": options.entities},
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="hipknee-bench-") as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(WRK_REPORT)
        for name in options.databases.split(","):
            print(f"==> {name}: creating, migrating and seeding the database", flush=True)
            load_average = os.getloadavg()
            result = bench_database(name, options, Path(tmp), script)
            result["load_average"] = [round(load, 2) for load in load_average]
            result["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
            result["targets"] = check_targets(result)
            report["databases"][name] = result
            print_table(result, options)
    report["seconds"] = round(time.monotonic() - started, 1)
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nWrote {out} ({report['seconds']:.0f} s in all).")


if __name__ == "__main__":
    main()
