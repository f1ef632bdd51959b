"""Slow clients cannot take the served API down (hipknee_api/gunicorn_conf.py: gevent workers).

64 connections trickle request headers, a line a second, for 5 s (bench/slow_clients.py holds
them 30 s and prints the figures); meanwhile /healthz and an article detail answer other
clients at once. Under the former 2 workers x 4 threads, 8 such connections were enough for
every other request to wait until they gave up.
"""

import pytest

from bench.slow_clients import SlowClients, probe, summary


@pytest.mark.solo
def test_other_clients_are_answered_within_a_second_while_64_slow_clients_hold_connections(
    served,
):
    paths = ["/healthz", served.article]

    with SlowClients(served.host, served.port, count=64, interval=1) as slow:
        samples = probe(served.host, served.port, paths, seconds=5, timeout=5)
        trickled = slow.lines_sent

    assert trickled >= 64 * 3  # the slow clients were sending all along
    for path in paths:
        figures = summary(samples[path])
        assert figures["requests"] >= 20, (path, figures)
        assert figures["failed"] == 0, (path, figures)
        assert figures["max_ms"] < 1000, (path, figures)
