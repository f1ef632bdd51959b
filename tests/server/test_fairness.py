"""Kept-alive connections share a worker fairly (hipknee_api/gunicorn_worker.py): after each
request the connection's greenlet goes to the back of the queue, so a client whose next
request is always already there (pipelined, or a fast client on loopback) cannot hold the
worker while other connections wait. Before, a worker went on reading a connection for as
long as it found a request waiting: under load a few connections were answered in under a
millisecond and the rest waited up to a second and more (wrk's p99 at 32 connections).

The turn is a timer, not `gevent.sleep(0)`: with two or more workers gunicorn accepts one new
connection per pass of a worker's event loop, and gevent ran the callbacks `sleep(0)` queues
fifty at a time before polling the sockets again, so new clients of a busy server were taken
in one per fifty requests.
"""

import socket
import threading
import time

import pytest

from tests.server.conftest import serving

PIPELINED = 400
#: Connections kept busy (each with PIPELINED requests waiting), and connections arriving then.
BUSY, ARRIVING = 8, 16
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory):
    """The served API with a single worker, so both connections share it."""
    with serving(tmp_path_factory.mktemp("one-worker"), label="oneworker",
                 extra_env={"WEB_CONCURRENCY": "1"}) as server:
        yield server


def _answered(connection: socket.socket, count: int, times: list) -> None:
    """Read `count` responses from `connection`, noting when each had begun to arrive."""
    seen, buffered = 0, b""
    while seen < count:
        chunk = connection.recv(65536)
        if not chunk:
            return
        buffered += chunk
        arrived = buffered.count(b"HTTP/1.1 200")
        times.extend([time.monotonic()] * (arrived - seen))
        seen = arrived


@pytest.mark.solo
def test_a_connection_with_requests_always_waiting_does_not_hold_the_worker(one_worker):
    greedy = socket.create_connection((one_worker.host, one_worker.port), timeout=30)
    other = socket.create_connection((one_worker.host, one_worker.port), timeout=30)
    greedy_times, other_times = [], []
    reader = threading.Thread(target=_answered, args=(greedy, PIPELINED, greedy_times))
    reader.start()

    greedy.sendall(REQUEST * PIPELINED)  # every request is waiting from the start
    time.sleep(0.005)  # the worker is into them
    other.sendall(REQUEST)
    _answered(other, 1, other_times)
    reader.join(timeout=60)
    greedy.close()
    other.close()

    assert len(greedy_times) == PIPELINED
    served_first = sum(1 for moment in greedy_times if moment < other_times[0])
    # The other connection is answered after a few of the greedy one's requests, not after
    # all of them.
    assert served_first < PIPELINED / 2, served_first


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    """The served API with make serve's two workers, which take turns accepting."""
    with serving(tmp_path_factory.mktemp("two-workers"), label="twoworkers",
                 extra_env={"WEB_CONCURRENCY": "2"}) as server:
        yield server


@pytest.mark.solo
def test_new_connections_are_taken_in_while_the_workers_are_busy(two_workers):
    """With two or more workers gunicorn accepts one connection per pass of a worker's event
    loop; a pass must not wait for dozens of requests of the busy connections."""
    address = (two_workers.host, two_workers.port)
    busy = [socket.create_connection(address, timeout=30) for _ in range(BUSY)]
    busy_times = [[] for _ in busy]
    readers = [threading.Thread(target=_answered, args=(connection, PIPELINED, times))
               for connection, times in zip(busy, busy_times, strict=True)]
    for reader in readers:
        reader.start()
    for connection in busy:
        connection.sendall(REQUEST * PIPELINED)
    time.sleep(0.02)  # both workers are into them

    arriving = [socket.create_connection(address, timeout=30) for _ in range(ARRIVING)]
    for connection in arriving:
        connection.sendall(REQUEST)
    arriving_times = []
    for connection in arriving:
        _answered(connection, 1, arriving_times)
    for reader in readers:
        reader.join(timeout=60)
    for connection in busy + arriving:
        connection.close()

    assert [len(times) for times in busy_times] == [PIPELINED] * BUSY
    assert len(arriving_times) == ARRIVING
    last = max(arriving_times)
    served_first = sum(1 for times in busy_times for moment in times if moment < last)
    print(f"\nbusy requests answered before the last arriving connection's first: "
          f"{served_first} of {BUSY * PIPELINED}")
    # Before: 812 of 3,200 (each worker took one new connection per fifty requests).
    assert served_first < BUSY * PIPELINED / 8, served_first
