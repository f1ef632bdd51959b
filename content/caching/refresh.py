"""One reader at a time for what a process keeps and reads again now and then.

A process keeps a few values read from the database for a second (the database's content
version beside Redis's, content/caching/versions.py; the API keys it has found usable,
content/api/authentication.py). Under gevent a worker has many requests in flight, and when
such a value falls due every one of them read it again: the same query a few dozen times (each
request's greenlet on a database connection of its own, opened for it). `Refresh` lets the
first request read it; the others go on with the value it replaces, older by at most that one
read, and read it themselves only when there is none.
"""

import contextlib
import threading
from collections.abc import Hashable, Iterator


class Refresh:
    """Which of this process's kept values a request is reading again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reading: set[Hashable] = set()

    @contextlib.contextmanager
    def reading(self, key: Hashable) -> Iterator[bool]:
        """True for the one request that reads `key` again until it is done, False for the
        others meanwhile (they use what is kept, or read it themselves if nothing is)."""
        with self._lock:
            mine = key not in self._reading
            self._reading.add(key)
        try:
            yield mine
        finally:
            if mine:
                with self._lock:
                    self._reading.discard(key)
