"""Fixtures shared by the whole suite."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture(autouse=True)
def no_local_cache_copies():
    """Each test starts without the process's local copies of shared-cache entries
    (content/caching.py): a frozen clock can hand two tests the same content version."""
    from content.caching import local_clear

    local_clear()
    yield
    local_clear()


@pytest.fixture
def hung_redis():
    """A Redis that accepts connections and never answers (tests/redis_outage.py)."""
    from tests.redis_outage import HungRedis

    with HungRedis() as server:
        yield server
