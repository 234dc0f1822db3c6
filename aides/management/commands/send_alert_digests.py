"""Weekly alert digests (aides/alertes), and the purge of unconfirmed alert requests.

Requests never confirmed within 7 days are deleted first. Run once a week by a systemd timer
(deploy/systemd/portail-alertes.timer) or cron; it sends each alert only what changed since
its last message.
"""

from django.core.management.base import BaseCommand

from aides.alertes.abonnements import purge, send_digests


class Command(BaseCommand):
    help = "Envoie les alertes dont la recherche a changé et supprime les demandes non confirmées."

    def handle(self, *args, **options):
        purged = purge()
        sent = send_digests()
        self.stdout.write(
            f"{sent} message(s) envoyé(s), {purged} demande(s) non confirmée(s) supprimée(s)."
        )
