import socket

import pytest


@pytest.fixture(autouse=True)
def _fast_and_offline(settings, monkeypatch):
    """Tests never reach the network (the geocoder is replayed from recorded answers)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def guard(*args, **kwargs):
        raise RuntimeError("Accès réseau interdit pendant les tests.")

    real_connect = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in {"127.0.0.1", "localhost", "::1"}
            and "/" not in host
        ):
            guard()
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(autouse=True)
def _fresh_zone_index():
    """The zone index is per process; a rolled-back test must not leave its zones in it."""
    from territoires.zones import reset_index

    reset_index()
    yield
    reset_index()
