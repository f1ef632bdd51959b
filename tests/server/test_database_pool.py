"""On PostgreSQL a worker's database connections are a pool of HIPKNEE_DB_POOL_SIZE
(hipknee_api/settings/production.py): many clients at once hold no more than that, where each
client connection held one of its own and 150 of them took PostgreSQL past max_connections."""

import http.client

import psycopg
import pytest
from django.conf import settings

from tests.server.conftest import _postgres_server, serving

CLIENTS = 24
POOL_SIZE = 2
WORKERS = 2

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL's pool: SQLite opens no server connections",
)


def _sessions(database: str) -> int:
    with psycopg.connect(f"postgresql://{_postgres_server()}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s",
                             [database]).fetchone()[0]


def test_many_clients_at_once_hold_at_most_the_pools_connections(tmp_path_factory):
    extra = {"HIPKNEE_DB_POOL_SIZE": str(POOL_SIZE), "WEB_CONCURRENCY": str(WORKERS),
             # Every request reads the database (the stored rendering), none the cache.
             "HIPKNEE_RESPONSE_CACHE": "0"}
    with serving(tmp_path_factory.mktemp("pool"), label="pool", extra_env=extra) as server:
        database = server.env["DATABASE_URL"].rpartition("/")[2]
        clients = [http.client.HTTPConnection(server.host, server.port, timeout=30)
                   for _ in range(CLIENTS)]
        try:
            for client in clients:  # all sent before any is read: served side by side
                client.request("GET", server.article)
            statuses = []
            for client in clients:
                response = client.getresponse()
                response.read()
                statuses.append(response.status)
            # Every client connection is still open (kept alive), each served a query.
            held = _sessions(database)
        finally:
            for client in clients:
                client.close()

    assert statuses == [200] * CLIENTS
    assert held <= WORKERS * POOL_SIZE
