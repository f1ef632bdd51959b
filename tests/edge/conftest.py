"""A real edge: Varnish (hipknee_api/edge.py, the VCL of `make edge`) in front of the API served
as `make serve` serves it (tests/server/conftest.py's `serving`), with the delivery worker.

The origin sends its purges to the edge (HIPKNEE_EDGE_PURGE_URL) and trusts it as one proxy
hop (HIPKNEE_NUM_PROXIES=1). Skipped, saying why, only when varnishd or its xkey module is not
installed; .ci/run installs both, so the tests run in CI (where CI=true makes a missing
varnishd a failure, not a skip).
"""

import dataclasses
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from hipknee_api.edge import command, missing
from tests.server.conftest import ROOT, Served, _free_port, _wait_until_up, serving


@dataclass
class Edge:
    """The origin, the same server seen through the edge, and the varnishd process."""

    origin: Served
    edge: Served
    varnish: subprocess.Popen
    workdir: Path

    def stats(self, *fields: str) -> dict[str, int]:
        """Varnish counters (varnishstat), e.g. MAIN.cache_hit."""
        output = subprocess.run(
            ["varnishstat", "-n", str(self.workdir / "instance"), "-1",
             *[arg for name in fields for arg in ("-f", name)]],
            check=True, capture_output=True, text=True).stdout
        return {line.split()[0]: int(line.split()[1]) for line in output.splitlines()}


@pytest.fixture(scope="module")
def edge(tmp_path_factory) -> Edge:
    if (reason := missing()) is not None:
        if os.environ.get("CI") == "true":  # .ci/run installs them: never skip there
            pytest.fail(f"{reason}, in CI")
        pytest.skip(f"{reason}: the edge tests need them (.ci/run installs them)")
    port = _free_port()
    extra_env = {"HIPKNEE_EDGE_PURGE_URL": f"http://127.0.0.1:{port}/",
                 "HIPKNEE_NUM_PROXIES": "1"}
    # varnishd's own users must reach its working directory: not under pytest's private tmp.
    workdir = Path(f"/tmp/hipknee-edge-test-{port}")
    workdir.mkdir(mode=0o755, parents=True, exist_ok=True)
    with serving(tmp_path_factory.mktemp("edge"), label="edge", extra_env=extra_env) as origin:
        log = origin.log.with_name("varnish.log")
        with log.open("wb") as output:
            worker = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "deliver_webhooks", "--interval",
                 "0.2"], env=origin.env, cwd=ROOT, stdout=output, stderr=output)
            varnish = subprocess.Popen(
                command(f"127.0.0.1:{port}", f"127.0.0.1:{origin.port}", workdir),
                stdout=output, stderr=output)
        through = dataclasses.replace(origin, port=port, log=log)
        try:
            _wait_until_up(through, varnish)
            yield Edge(origin=origin, edge=through, varnish=varnish, workdir=workdir)
        finally:
            for process in (varnish, worker):
                process.terminate()
                process.wait(timeout=30)
            shutil.rmtree(workdir, ignore_errors=True)
