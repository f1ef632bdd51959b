"""Production settings read from the environment (hipknee_api/settings/production.py): the
database connections."""

import runpy
import sys

import pytest

POSTGRES = "postgres://app@db.example.org:5432/hipknee"


def _production(monkeypatch, **env) -> dict:
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    for name in ("HIPKNEE_DB_POOL", "HIPKNEE_DB_POOL_SIZE", "HIPKNEE_DB_POOL_TIMEOUT",
                 "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "POSTGRES_RANDOM_PAGE_COST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # base.py read anew under this environment (restored afterwards).
    monkeypatch.delitem(sys.modules, "hipknee_api.settings.base")
    return runpy.run_module("hipknee_api.settings.production")["DATABASES"]["default"]


def test_on_postgresql_each_worker_has_a_pool_of_ten_connections(monkeypatch):
    database = _production(monkeypatch, DATABASE_URL=POSTGRES)

    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (0, True)
    assert database["OPTIONS"] == {
        "options": "-c random_page_cost=1.1",
        "pool": {"min_size": 2, "max_size": 10, "timeout": 5.0},
    }


def test_the_pools_size_and_wait_come_from_the_environment(monkeypatch):
    database = _production(monkeypatch, DATABASE_URL=POSTGRES, HIPKNEE_DB_POOL_SIZE="1",
                           HIPKNEE_DB_POOL_TIMEOUT="0.5", POSTGRES_RANDOM_PAGE_COST="")

    assert database["OPTIONS"] == {"pool": {"min_size": 1, "max_size": 1, "timeout": 0.5}}


@pytest.mark.parametrize(
    ("url", "env"),
    [(POSTGRES, {"HIPKNEE_DB_POOL": "0"}), ("sqlite:////tmp/hipknee.sqlite3", {})],
)
def test_without_a_pool_a_connection_is_kept_for_a_client_connection(monkeypatch, url, env):
    database = _production(monkeypatch, DATABASE_URL=url, **env)

    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert "pool" not in database["OPTIONS"]
