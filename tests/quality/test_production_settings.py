"""Production settings, in a fresh process as a server would start them."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import io, json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.utils.module_loading import import_string

out = io.StringIO()
try:
    call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    deploy = "ok"
except SystemCheckError as error:
    deploy = str(error)
client = Client(HTTP_HOST="example.org")
plain = client.get("/sante")
secure = client.get("/sante", secure=True)
print(json.dumps({
    "deploy": deploy, "deploy_output": out.getvalue(),
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "throttle_db": issubclass(
        import_string(settings.AXES_HANDLER),
        import_string("axes.handlers.database.AxesDatabaseHandler"),
    ),
}))
"""


def production_probe() -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_")) and key != "DATABASE_URL"
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_check_deploy_and_force_https():
    seen = production_probe()
    assert seen["deploy"] == "ok", seen["deploy"]
    assert "no issues" in seen["deploy_output"]
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://example.org/")
    assert seen["secure_status"] == 200
    assert "max-age=31536000" in seen["hsts"]
    assert "includeSubDomains" in seen["hsts"]
    assert "script-src 'self' 'nonce-" in seen["csp"]
    assert seen["cookies_secure"] == [True, True]
    # Login failures are counted in the database every worker and server shares.
    assert seen["throttle_db"] is True


def test_check_deploy_does_flag_a_weak_secret_key(settings):
    """The check is real: a short key such as `x` is reported (security.W009)."""
    settings.SECRET_KEY = "x"
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "security.W009" in ids
