"""The edge cache `make edge` runs in front of the API: Varnish (Debian's `varnish` and
`varnish-modules` packages, for the xkey module) with hipknee_api/edge.vcl. The real-edge tests
(tests/edge/) and `make bench`'s edge rows start the very same command.

    python -m hipknee_api.edge --listen 127.0.0.1:8080 --origin 127.0.0.1:8000

writes the VCL with the origin filled in to the working directory (default
/tmp/hipknee-edge-<listen port>) and runs varnishd in the foreground (`command()` gives the
argument list). The origin must send its purges to the edge: HIPKNEE_EDGE_PURGE_URL =
http://<listen>/ (`make edge` sets it).
"""

import argparse
import os
import shutil
from pathlib import Path

VCL = Path(__file__).resolve().with_name("edge.vcl")
#: Where Debian's varnish-modules installs the xkey module.
XKEY_GLOB = "/usr/lib/*/varnish/vmods/libvmod_xkey.so"
#: Room for the surrogate-key headers of a large page (three forms of a few KB each).
PARAMETERS = {
    "http_resp_hdr_len": "65536",
    "http_resp_size": "262144",
    "workspace_backend": "512k",
    "workspace_client": "256k",
}


def missing() -> str | None:
    """Why the edge cannot run here (None when it can): varnishd or the xkey module absent."""
    if shutil.which("varnishd") is None and not Path("/usr/sbin/varnishd").exists():
        return "varnishd is not installed (Debian packages varnish and varnish-modules)"
    if not list(Path("/").glob(XKEY_GLOB.lstrip("/"))):
        return "the xkey module is not installed (Debian package varnish-modules)"
    return None


def vcl_text(origin: str) -> str:
    """The VCL with the origin (HOST:PORT) filled in."""
    host, _, port = origin.rpartition(":")
    return VCL.read_text().replace("@ORIGIN_HOST@", host).replace("@ORIGIN_PORT@", port)


def command(listen: str, origin: str, workdir: Path, *, storage: str = "malloc,256m"
            ) -> list[str]:
    """The varnishd argument list serving the edge on `listen` (HOST:PORT) in front of
    `origin`, with its VCL written into `workdir` (its instance directory, `-n`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    vcl = workdir / "hipknee.vcl"
    vcl.write_text(vcl_text(origin))
    vcl.chmod(0o644)
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    argv = [varnishd, "-F", "-a", listen, "-f", str(vcl), "-n", str(workdir / "instance"),
            "-s", storage]
    for name, value in PARAMETERS.items():
        argv += ["-p", f"{name}={value}"]
    if os.geteuid() != 0:
        argv += ["-j", "none"]  # no privilege separation to set up without root
    return argv


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the edge cache as `make edge` does.")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="HOST:PORT of the edge")
    parser.add_argument("--origin", default="127.0.0.1:8000", help="HOST:PORT of the API")
    parser.add_argument("--workdir", default=None, help="varnishd's working directory")
    options = parser.parse_args()
    if (reason := missing()) is not None:
        raise SystemExit(f"make edge: {reason}; install them with "
                         "`apt-get install varnish varnish-modules`.")
    port = options.listen.rpartition(":")[2]
    workdir = Path(options.workdir or f"/tmp/hipknee-edge-{port}")
    argv = command(options.listen, options.origin, workdir)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
