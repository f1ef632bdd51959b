"""The command that serves the API in production: `make serve` runs it, and bench/run.py and the
real-server tests (tests/server/) start the very same one, so what they measure and check is
what is deployed.

    python -m hipknee_api.server --bind HOST:PORT

is `gunicorn --config hipknee_api/gunicorn_conf.py --bind HOST:PORT` (every setting is in that
file; its docstring says why gevent workers). `command(bind, app)` gives the argument list; a
different WSGI app (bench/raw_app.py) is served with exactly the same settings.
"""

import argparse
import os
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().with_name("gunicorn_conf.py")


def command(bind: str, app: str | None = None) -> list[str]:
    """The argument list that serves `app` (the API by default) on `bind` (HOST:PORT)."""
    return [sys.executable, "-m", "gunicorn", "--config", str(CONFIG), "--bind", bind,
            *([app] if app else [])]


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the API as `make serve` does.")
    parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT")
    parser.add_argument("app", nargs="?", default=None,
                        help="another WSGI app to serve with the same settings")
    options = parser.parse_args()
    argv = command(options.bind, options.app)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
