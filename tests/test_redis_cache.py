"""content/redis_cache.py: Django's Redis backend handing out one client per pool."""

import redis

from content.redis_cache import RedisCache


def test_every_call_on_a_pool_gets_the_same_client_without_connecting():
    backend = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    client = backend._cache

    first = client.get_client("a")
    again = client.get_client("b", write=True)

    assert isinstance(first, redis.Redis)
    assert first is again
    assert first.connection_pool is client._get_connection_pool(False)


def test_a_read_replica_has_its_own_client():
    backend = RedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {})
    client = backend._cache

    writer = client.get_client(write=True)
    reader = client.get_client()

    assert writer is client.get_client(write=True)
    assert reader is not writer
    assert reader.connection_pool.connection_kwargs["port"] == 2
