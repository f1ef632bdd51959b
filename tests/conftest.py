"""Fixtures shared by the whole suite."""

import runpy
import sys

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def production_settings(monkeypatch):
    """A function: the names hipknee_api/settings/production.py defines under the environment
    (a SECRET_KEY, and `env` on top of the test's), base.py read afresh with it. Never the
    settings the suite runs on: production.py changes the dicts it imports from base.py (its
    DATABASES' pool), and the suite's own are the cached base.py's."""

    def read(**env) -> dict:
        monkeypatch.setenv("SECRET_KEY", "x" * 60)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delitem(sys.modules, "hipknee_api.settings.base")
        return runpy.run_module("hipknee_api.settings.production")

    return read


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with an empty cache, without the process's local copies of its
    entries and content version (content/caching/) and without the API keys it trusts
    (content/api/authentication.py), as a fresh deploy would: two tests can
    have the same content version (the database's is the change feed's newest id, and a frozen
    clock seeds the cache's), so an entry of one must never answer the other."""
    from django.core.cache import cache

    from content.api.authentication import key_check_clear
    from content.caching import local_clear

    cache.clear()
    local_clear()
    key_check_clear()
    yield
    local_clear()
    key_check_clear()


class _LaterEachTime:
    """A monotonic clock an hour later at each reading."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 3600.0
        return self.now


@pytest.fixture(autouse=True)
def database_check_clock(monkeypatch):
    """The clock by which each process reads the database's content version again at least
    every HIPKNEE_CONTENT_VERSION_CHECK seconds beside a version held in Redis
    (content/caching/versions.py) says that each read comes that long after the last, so the
    database's version is read on every request: the same query counts as with the
    local-memory cache (where the version is the database's), whatever the test's duration,
    and publishes are seen although the test's transaction never commits (its on-commit
    callbacks, which move the cache's number on, never run). Tests of the check itself, and
    of the cache's number alone, set a clock of their own."""
    from content.caching import versions

    monkeypatch.setattr(versions._database_check, "clock", _LaterEachTime())


@pytest.fixture
def hung_redis():
    """A Redis that accepts connections and never answers (tests/redis_outage.py)."""
    from tests.redis_outage import HungRedis

    with HungRedis() as server:
        yield server
