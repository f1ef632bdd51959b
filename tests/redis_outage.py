"""Stand-ins for a Redis that is down, for the tests of content/caching/backend.py and of what
depends on it: a server that accepts connections and never answers (hung), and a port nothing
listens on (refused)."""

import contextlib
import socket
import threading


class HungRedis:
    """A TCP server on 127.0.0.1 that accepts every connection, reads what it is sent and
    never answers: what a client sees of a Redis that is stopped (SIGSTOP), stuck in a long
    command, or behind a network path that drops replies."""

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(256)
        self.port = self._server.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.accepted = 0
        self._connections: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hung-redis", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            self.accepted += 1
            self._connections.append(connection)  # kept open, never read or written

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._server.close()
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def refused_url() -> str:
    """A Redis URL on a loopback port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def redis_cache_settings(location: str, *, timeout: float = 0.1, open_seconds: float = 5.0,
                         prefix: str = "outage-test") -> dict:
    """CACHES for the project's Redis backend at `location`, with the production defaults of
    HIPKNEE_REDIS_TIMEOUT and HIPKNEE_REDIS_CIRCUIT_OPEN_SECONDS unless given."""
    return {"default": {
        "BACKEND": "content.caching.backend.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout,
                    "circuit_open_seconds": open_seconds},
    }}
