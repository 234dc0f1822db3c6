"""Weekly alert digests (aides/alertes), and the purge of unconfirmed alert requests.

Requests never confirmed within 7 days are deleted first. Run it once a week (cron): issue
14's task queue has not landed yet; when it does, a periodic task calls
`aides.alertes.abonnements.send_digests` instead of this command.
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
