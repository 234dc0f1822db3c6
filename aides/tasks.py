"""The aids' daily background tasks (django-tasks, run by `manage.py db_worker`).

- `verifier_liens`: every published aid's official page and the links of "comment la demander"
  are fetched (redirects followed, final address recorded); the result of each is kept in
  `LienVerifie` for the agents' follow-up page. It never unpublishes an aid: an agent decides.
- `archiver_aides_closes`: published aids past their closing date become "archivée"; the aids
  whose "vérifié le" is older than a year are counted (the follow-up page lists them).

Both are idempotent (a second run changes nothing more) and retried on transient failures
(site slow or in error, database briefly unreachable) a bounded number of times; a final failure
is logged and stored with the task's result in French. `manage.py schedule_daily_tasks`
enqueues them (django-tasks has no scheduler: a systemd timer or cron runs that command).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks import task

from aides.choices import StatutAide
from aides.models import Aide, LienVerifie

logger = logging.getLogger(__name__)

USER_AGENT = "PortailAccesSoins-verification-liens/1.0"
# Links written in "comment la demander": http(s) addresses up to a space or a closing sign.
LINK_RE = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
TRAILING = ".,;:!?»"
DB_TRIES = 3
VERIFICATION_MAX_AGE = dt.timedelta(days=365)


class EchecTache(RuntimeError):
    """A task that failed after its retries; the message is French (stored in its result)."""


def liens_de(aide: Aide) -> list[str]:
    """The addresses checked for an aid, without duplicates, official page first."""
    found = [aide.url_officielle] if aide.url_officielle else []
    found += [m.group(0).rstrip(TRAILING) for m in LINK_RE.finditer(aide.demarches or "")]
    return list(dict.fromkeys(url[:500] for url in found))


class AdressePrivee(urllib.error.URLError):
    """An address an agent wrote that points inside the hosting network: never fetched."""


def _verifier_hote(url: str) -> None:
    """Refuse hosts that resolve to a private, loopback or link-local address (an agent's link
    must not make the worker probe the internal network); settings.LINK_CHECK_PRIVATE_HOSTS
    allows them (tests, a local demo)."""
    if settings.LINK_CHECK_PRIVATE_HOSTS:
        return
    parts = urllib.parse.urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or 443)
    except (OSError, UnicodeError):
        return  # unknown host: urlopen says so
    if any(not ipaddress.ip_address(info[4][0]).is_global for info in infos):
        raise AdressePrivee("adresse privée")


class _Redirections(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _verifier_hote(newurl)  # each hop, not only the address written
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_Redirections)


def _fetch_once(url: str, timeout: float) -> dict:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        _verifier_hote(url)
        with _opener.open(request, timeout=timeout) as response:
            code, final = response.status, response.geturl()
    except urllib.error.HTTPError as error:
        code = error.code
        family = "4xx" if code < 500 else "5xx"
        message = (
            f"La page répond « erreur {code} » : elle n'existe plus ou refuse l'accès."
            if family == "4xx"
            else f"Le site répond « erreur {code} » (erreur du serveur)."
        )
        return {"statut": family, "code_http": code, "url_finale": "", "message": message}
    except TimeoutError:
        return _injoignable(f"Le site n'a pas répondu en {timeout:g} secondes.")
    except AdressePrivee:
        return _injoignable("Adresse refusée : elle désigne un réseau privé, pas un site public.")
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return _injoignable(f"Le site n'a pas répondu en {timeout:g} secondes.")
        return _injoignable("Le site est injoignable (adresse inconnue ou connexion refusée).")
    except (OSError, ValueError):
        return _injoignable("Le site est injoignable (connexion interrompue ou adresse invalide).")
    if final != url:
        return {
            "statut": LienVerifie.Statut.REDIRIGE,
            "code_http": code,
            "url_finale": final[:500],
            "message": "La page a été déplacée : mettez à jour l'adresse avec l'adresse finale.",
        }
    return {"statut": LienVerifie.Statut.OK, "code_http": code, "url_finale": final[:500],
            "message": "La page répond."}  # fmt: skip


def _injoignable(message: str) -> dict:
    return {"statut": LienVerifie.Statut.INJOIGNABLE, "code_http": None, "url_finale": "",
            "message": message}  # fmt: skip


def verifier_url(url: str) -> dict:
    """One link's verdict, retried when the failure may be transient (slow site, 5xx)."""
    tries = max(1, settings.LINK_CHECK_TRIES)
    for attempt in range(1, tries + 1):
        result = _fetch_once(url, settings.LINK_CHECK_TIMEOUT)
        transient = result["statut"] in (LienVerifie.Statut.INJOIGNABLE, "5xx")
        if not transient or attempt == tries:
            break
        time.sleep(settings.LINK_CHECK_RETRY_DELAY)
    if transient and tries > 1:
        result["message"] += f" ({tries} essais)"
    return result


def _avec_reprises(fonction, nom: str):
    """Run `fonction`, again after a database error, at most DB_TRIES times; then a French error."""
    for attempt in range(1, DB_TRIES + 1):
        try:
            return fonction()
        except DatabaseError as error:
            logger.warning("%s : erreur de base de données (essai %d/%d) : %s",
                           nom, attempt, DB_TRIES, error)  # fmt: skip
            if attempt == DB_TRIES:
                message = f"{nom} a échoué après {DB_TRIES} essais : base de données indisponible."
                logger.error(message)
                raise EchecTache(message) from error
            time.sleep(settings.LINK_CHECK_RETRY_DELAY)


def verifier_liens_maintenant() -> dict:
    """Check every published aid's links now; return counts by result."""
    aides = list(Aide.objects.filter(statut=StatutAide.PUBLIEE).only("id", "url_officielle",
                                                                     "demarches"))  # fmt: skip
    verdicts = {aide.pk: {url: verifier_url(url) for url in liens_de(aide)} for aide in aides}
    return _avec_reprises(lambda: _enregistrer(verdicts), "La vérification des liens")


@transaction.atomic
def _enregistrer(verdicts: dict) -> dict:
    now = timezone.now()
    # Links removed from an aid, or of an aid no longer published, are no longer followed.
    LienVerifie.objects.exclude(aide_id__in=verdicts).delete()
    existing = {(lien.aide_id, lien.url): lien for lien in LienVerifie.objects.all()}
    counts: dict[str, int] = {}
    for aide_id, links in verdicts.items():
        LienVerifie.objects.filter(aide_id=aide_id).exclude(url__in=links).delete()
        for url, result in links.items():
            lien = existing.get((aide_id, url)) or LienVerifie(aide_id=aide_id, url=url)
            for field, value in result.items():
                setattr(lien, field, value)
            lien.verifie_le = now
            if result["statut"] in (LienVerifie.Statut.OK, LienVerifie.Statut.REDIRIGE):
                lien.dernier_succes_le = now
            lien.save()
            counts[result["statut"]] = counts.get(result["statut"], 0) + 1
    return counts


def archiver_aides_closes_maintenant(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()

    @transaction.atomic
    def archive() -> dict:
        count = 0
        for aide in Aide.objects.closed_before(today).select_for_update():
            aide.statut = StatutAide.ARCHIVEE
            aide._change_reason = "Archivée automatiquement : date de clôture passée"
            aide.save(update_fields=["statut", "modifie_le"])  # one save each: history
            count += 1
        a_reverifier = Aide.objects.verified_before(today - VERIFICATION_MAX_AGE).count()
        return {"archivees": count, "a_reverifier": a_reverifier}

    result = _avec_reprises(archive, "L'archivage des aides closes")
    logger.info("%d aide(s) archivée(s) ; %d aide(s) vérifiée(s) il y a plus d'un an.",
                result["archivees"], result["a_reverifier"])  # fmt: skip
    return result


@task()
def verifier_liens() -> dict:
    """Daily: check the links of every published aid (aides/tasks.py)."""
    return verifier_liens_maintenant()


@task()
def archiver_aides_closes() -> dict:
    """Daily: archive published aids past their closing date (aides/tasks.py)."""
    return archiver_aides_closes_maintenant()


TACHES_QUOTIDIENNES = [verifier_liens, archiver_aides_closes]
