"""The production cache backend (CACHE_URL=redis://…) against a private redis-server: what
the app servers share works, and reads no longer build a client each."""

import shutil
import socket
import subprocess
import time

import pytest
import redis

from portal.lib.rediscache import RedisCache


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    binary = shutil.which("redis-server")
    assert binary, "redis-server manque : ./dev.sh test l'installe (apt)"
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


def test_two_app_servers_share_what_one_writes(server):
    one, other = RedisCache(server, {}), RedisCache(server, {})
    one.clear()
    one.set("portal:dataversion", "7.abc", timeout=None)
    assert other.get("portal:dataversion") == "7.abc"
    assert not other.add("portal:dataversion", "6.old")  # never over a published token
    one.set_many({"a": 1, "b": [2]}, timeout=60)
    assert other.get_many(["a", "b", "missing"]) == {"a": 1, "b": [2]}
    other.delete("a")
    assert one.get("a") is None


def test_reads_reuse_one_client(server, monkeypatch):
    cache = RedisCache(server, {})
    cache.set("k", "v")
    built = []
    real = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    for _ in range(20):
        assert cache.get("k") == "v"
    assert len(built) <= 1
