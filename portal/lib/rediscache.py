"""Django's Redis cache, with one `redis.Redis` client per connection pool.

Django's backend builds a new client object for every operation, and redis-py fills its
response-callback table on each construction: about a tenth of a millisecond per cache read,
three reads per cached page, which was most of what serving a page from the cache cost.
The client is thread-safe and Django keeps one backend per thread anyway.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
