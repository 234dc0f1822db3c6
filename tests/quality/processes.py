"""Processes for the production drills of tests/quality: a database of their own, manage.py,
and a browser that speaks HTTP to gunicorn or HTTPS to nginx (cookies, CSRF, forms)."""

from __future__ import annotations

import html.parser
import http.client
import os
import secrets
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.quality.test_deploy import ROOT

HOST = "portail.example.fr"
PASSWORD = "mot-de-passe-solide-2"


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def new_database(tmp_path: Path, label: str):
    """(DATABASE_URL of a new, empty database, function that drops it): on the PostgreSQL
    server of DATABASE_URL when the suite runs on PostgreSQL, else a SQLite file."""
    if not on_postgresql():
        return f"sqlite:///{tmp_path / f'{label}.sqlite3'}", lambda: None
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = f"portail_{label}_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def manage(env, *args, timeout=300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, f"manage.py {' '.join(args)} : {result.stderr[-3000:]}"
    return result.stdout


# --- A browser speaking HTTP to one instance, or HTTPS to nginx --------------------------


class _Form(html.parser.HTMLParser):
    """The fields of the first form with `marker` in its attributes, as a browser posts them."""

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.inside, self.done = marker, False, False
        self.fields: list[tuple[str, str]] = []
        self._select = self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.marker in " ".join(map(str, attrs.values())):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if "checked" in attrs else "")))
        elif tag == "select" and name:
            self._select = [name, None, None]  # name, first option, selected
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in attrs:
                self._select[2] = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self._select is not None:
            name, first, chosen = self._select
            if chosen is not None or first is not None:
                self.fields.append((name, chosen if chosen is not None else first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(page: str, marker: str) -> list[tuple[str, str]]:
    parser = _Form(marker)
    parser.feed(page)
    assert parser.fields, f"formulaire « {marker} » introuvable"
    return parser.fields


class Browser:
    """Cookies and CSRF by hand, on 127.0.0.1:`port`: HTTPS to nginx (`tls`), or HTTP to
    gunicorn itself, saying (as nginx would) that the client came over TLS."""

    def __init__(self, port: int, tls: bool = False):
        self.port, self.tls = port, tls
        self.cookies: dict[str, str] = {}

    def _connection(self):
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=30)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, content_type=None):
        headers = {"Host": HOST, "Accept-Language": "fr"}
        if not self.tls:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.update(Origin=f"https://{HOST}", Referer=f"https://{HOST}{path}")
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), content

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, files=None):
        if files:
            boundary = secrets.token_hex(16)
            parts = []
            for name, value in fields:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (filename, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")
        return self.request("POST", path, urlencode(fields).encode())

    def submit(self, path, marker, changes=(), files=None):
        """GET the page, then POST its form with `changes` (name → value) applied."""
        status, _, page = self.get(path)
        assert status == 200, (path, status)
        fields = dict(form_fields(page, marker))
        fields.update(changes)
        return self.post(path, list(fields.items()), files=files)

    def log_in(self, username, password=PASSWORD):
        return self.submit(
            "/admin/login/?next=/admin/", "login-form",
            {"username": username, "password": password},
        )  # fmt: skip


def first_change_seen(check, limit: float) -> float:
    """Seconds until `check()` is true, asked again and again for at most `limit` seconds."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > limit:
            pytest.fail(f"changement invisible après {limit} s")
        time.sleep(0.1)
    return time.monotonic() - start
