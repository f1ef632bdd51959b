"""Django's Redis cache backend, with one redis client per connection pool.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object, with its table of
some 170 response callbacks, on every cache call: about a fifth of the CPU of a response
served from the cache. A `redis.Redis` only borrows connections from its pool and is safe to
share between threads, so one per pool does the same work. Configured in
hipknee_api/settings/base.py when `REDIS_URL` is set.
"""

from django.core.cache.backends import redis


class ReusingRedisCacheClient(redis.RedisCacheClient):
    """Hands out the same `redis.Redis` for every call that uses the same pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with `ReusingRedisCacheClient`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
