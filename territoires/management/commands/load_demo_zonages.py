"""Step of setup_demo: demonstration ARS and rural zonings where no real act exists, and the
real QPV when available."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from territoires.models import Profession, Zonage, ZonageKind
from territoires.zonages.importers.demo import REGIONS, load_demo


class Command(BaseCommand):
    help = (
        "Charge les zonages de démonstration (Île-de-France et Grand Est, toutes professions, "
        "zones rurales) là où aucun zonage réel n'est importé, retire ceux qu'un zonage réel "
        "remplace, et importe les QPV 2024 réels du dossier local s'ils ne le sont pas déjà."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", action="append", choices=REGIONS)
        parser.add_argument("--profession", action="append", choices=Profession.values)

    def handle(self, *args, **opts):
        result = load_demo(opts["region"] or REGIONS, opts["profession"])
        for titre in result.retired:
            self.stdout.write(f"Retiré (un zonage réel le remplace) : « {titre} ».")
        changed = [p for p in result.plans if p.has_changes]
        for plan in changed:
            self.stdout.write(f"{plan.spec.titre} : {plan.summary()[-1]}")
        covered = f" ; {result.covered} zonage(s) réel(s) à leur place" if result.covered else ""
        self.stdout.write(
            f"Zonages de démonstration : {len(result.plans)} acte(s), "
            f"{len(changed)} créé(s) ou mis à jour, {len(result.retired)} retiré(s){covered}."
        )
        if not Zonage.objects.filter(kind=ZonageKind.QPV).exists():
            call_command("import_qpv_local", stdout=self.stdout, stderr=self.stderr)
