"""Production settings read from the environment (hipknee_api/settings/production.py): the
database connections."""

import pytest
from django.core.exceptions import ImproperlyConfigured

POSTGRES = "postgres://app@db.example.org:5432/hipknee"


@pytest.fixture
def database(monkeypatch, production_settings):
    """A function: production's default database under `env`, with none of the database
    settings of the caller's environment."""
    for name in ("HIPKNEE_DB_POOL", "HIPKNEE_DB_POOL_SIZE", "HIPKNEE_DB_POOL_TIMEOUT",
                 "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "POSTGRES_RANDOM_PAGE_COST"):
        monkeypatch.delenv(name, raising=False)
    return lambda **env: production_settings(**env)["DATABASES"]["default"]


def test_on_postgresql_each_worker_has_a_pool_of_ten_connections(database):
    configured = database(DATABASE_URL=POSTGRES)

    assert (configured["CONN_MAX_AGE"], configured["CONN_HEALTH_CHECKS"]) == (0, True)
    assert configured["OPTIONS"] == {
        "options": "-c random_page_cost=1.1",
        "pool": {"min_size": 2, "max_size": 10, "timeout": 5.0},
    }


def test_the_pools_size_and_wait_come_from_the_environment(database):
    configured = database(DATABASE_URL=POSTGRES, HIPKNEE_DB_POOL_SIZE="1",
                          HIPKNEE_DB_POOL_TIMEOUT="0.5", POSTGRES_RANDOM_PAGE_COST="")

    assert configured["OPTIONS"] == {"pool": {"min_size": 1, "max_size": 1, "timeout": 0.5}}


def test_a_pool_of_no_connections_is_refused_at_start(database):
    with pytest.raises(ImproperlyConfigured, match="HIPKNEE_DB_POOL_SIZE must be 1 or more"):
        database(DATABASE_URL=POSTGRES, HIPKNEE_DB_POOL_SIZE="0")


@pytest.mark.parametrize(
    ("url", "env"),
    [(POSTGRES, {"HIPKNEE_DB_POOL": "0"}), ("sqlite:////tmp/hipknee.sqlite3", {})],
)
def test_without_a_pool_a_connection_is_kept_for_a_client_connection(database, url, env):
    configured = database(DATABASE_URL=url, **env)

    assert (configured["CONN_MAX_AGE"], configured["CONN_HEALTH_CHECKS"]) == (60, True)
    assert "pool" not in configured["OPTIONS"]


def test_reading_production_leaves_the_suites_own_database_settings_alone(
    database, settings
):
    before = repr(settings.DATABASES)

    database(DATABASE_URL=POSTGRES)

    assert repr(settings.DATABASES) == before
