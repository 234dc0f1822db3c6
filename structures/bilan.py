"""The bilan as tables: what the page shows, what each CSV holds, what each chart draws.

A table is the source of truth; its chart (DSFR Chart `<bar-chart>`) is drawn from the
same numbers and hidden from assistive technologies, which read the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from portal.lib.secret import SECRET_LABEL
from structures.stats import Bilan, amount

# Chart axis labels must stay short to be read; the tables keep the full labels.
SHORT_LABELS = {
    "Maison de santé pluriprofessionnelle": "MSP",
    "Communauté professionnelle territoriale de santé (CPTS)": "CPTS",
    "Maison médicale de garde": "Maison méd. de garde",
    "Sécurisation de cabinet": "Sécurisation",
    "Infirmier ou infirmière": "Infirmier·e",
    "Masseur-kinésithérapeute": "Kinésithérapeute",
}


def short(labels) -> list[str]:
    return [SHORT_LABELS.get(label, label) for label in labels]


@dataclass
class Graphique:
    x: list[str]
    series: list[tuple[str, list]]  # (name, values)
    horizontal: bool = False
    unite: str = ""

    def attrs(self) -> dict:
        return {
            "x": json.dumps([self.x] * len(self.series), ensure_ascii=False),
            "y": json.dumps([values for _, values in self.series]),
            "name": json.dumps([name for name, _ in self.series], ensure_ascii=False),
            "horizontal": "true" if self.horizontal else "false",
            "unit_tooltip": self.unite,
        }


@dataclass
class Tableau:
    slug: str
    titre: str
    colonnes: list[str]
    lignes: list[list] = field(default_factory=list)
    total: list | None = None
    graphique: Graphique | None = None
    note: str = ""

    @property
    def csv_rows(self) -> list[list]:
        return [*self.lignes, *([self.total] if self.total else [])]


def _montant(value) -> int | float:
    return amount(value)


def tables(bilan: Bilan) -> list[Tableau]:
    par_type = Tableau(
        "structures-par-type",
        "Structures soutenues par type",
        ["Type de structure", "Structures", "Montant accordé (€)"],
        [[c.libelle, c.nombre, _montant(c.montant)] for c in bilan.par_type],
        ["Total", bilan.structures, _montant(bilan.montant_structures)],
    )
    par_type.graphique = Graphique(
        short(c.libelle for c in bilan.par_type),
        [("Structures", [c.nombre for c in bilan.par_type])],
        horizontal=True,
    )
    par_profession = Tableau(
        "professionnels-par-profession",
        "Professionnels soutenus par profession",
        ["Profession", "Professionnels", "Montant versé (€)"],
        [[c.libelle, c.nombre, _montant(c.montant)] for c in bilan.par_profession],
        ["Total", bilan.professionnels, _montant(bilan.montant_professionnels)],
        note=(
            "Les professionnels ne sont jamais listés un par un : seuls ces totaux sont publiés, "
            "sous le secret statistique."
        ),
    )
    par_profession.graphique = Graphique(
        short(c.libelle for c in bilan.par_profession),
        [("Professionnels", [c.nombre for c in bilan.par_profession])],
        horizontal=True,
    )
    deps = [d for d in bilan.par_departement if d.code or d.total]
    par_departement = Tableau(
        "par-departement",
        "Structures et professionnels soutenus par département",
        [
            "Département",
            "Code",
            "Structures",
            "Professionnels",
            "Total",
            "Structures pour 100 000 habitants",
        ],
        [
            [
                d.nom,
                d.code or "",
                d.structures,
                d.professionnels,
                d.total,
                d.structures_pour_100k if d.structures_pour_100k is not None else "",
            ]
            for d in deps
        ],
        [
            "Total",
            "",
            bilan.structures,
            bilan.professionnels,
            None if bilan.professionnels is None else bilan.structures + bilan.professionnels,
            "",
        ],
        note="Hors département : réseaux de santé régionaux, sans commune unique.",
    )
    par_departement.graphique = Graphique(
        [d.code or "Hors dép." for d in deps],
        [
            ("Structures", [d.structures for d in deps]),
            ("Professionnels", [d.professionnels for d in deps]),
        ],
    )
    zones = Tableau(
        "qpv-et-zones-rurales",
        "En quartier prioritaire et en zone rurale",
        ["Lieu", "Structures", "Professionnels", "Total"],
        [[z.libelle, z.structures, z.professionnels, z.total] for z in (bilan.qpv, bilan.rurale)],
        note=(
            "Déduit du lieu de chaque dossier et des zonages en vigueur, jamais saisi à la main. "
            "Zone rurale : commune classée France Ruralités Revitalisation (FRR) au "
            "10 juillet 2025."
        ),
    )
    zones.graphique = Graphique(
        ["QPV", "Zone rurale"],
        [
            ("Structures", [bilan.qpv.structures, bilan.rurale.structures]),
            ("Professionnels", [bilan.qpv.professionnels, bilan.rurale.professionnels]),
        ],
    )
    annees = Tableau(
        "par-annee",
        "Par année de décision",
        [
            "Année",
            "Structures",
            "Montant accordé aux structures (€)",
            "Professionnels",
            "Montant versé aux professionnels (€)",
        ],
        [
            [
                str(a.annee) if a.annee else "Non renseignée",
                a.structures,
                _montant(a.montant_structures),
                a.professionnels,
                _montant(a.montant_professionnels),
            ]
            for a in bilan.par_annee
        ],
        [
            "Total",
            bilan.structures,
            _montant(bilan.montant_structures),
            bilan.professionnels,
            _montant(bilan.montant_professionnels),
        ],
    )
    annees.graphique = Graphique(
        [row[0] for row in annees.lignes],
        [
            ("Structures", [a.structures for a in bilan.par_annee]),
            ("Professionnels", [a.professionnels for a in bilan.par_annee]),
        ],
    )
    montants = Tableau(
        "montants",
        "Montants accordés",
        ["Bénéficiaires", "Montant (€)"],
        [
            ["Structures", _montant(bilan.montant_structures)],
            ["Professionnels", _montant(bilan.montant_professionnels)],
        ],
        ["Total", _montant(bilan.montant_total)],
    )
    statuts = Tableau(
        "structures-par-statut",
        "Structures soutenues par statut du projet",
        ["Statut", "Structures"],
        [[c.libelle, c.nombre] for c in bilan.par_statut],
        ["Total", bilan.structures],
    )
    result = [par_type, par_profession, par_departement, zones, annees, montants, statuts]
    for tableau in result:
        # Hidden by the statistical secret (None): said in words in the table and the CSV.
        tableau.lignes = [_secret_cells(ligne) for ligne in tableau.lignes]
        tableau.total = _secret_cells(tableau.total) if tableau.total else tableau.total
    return result


def _secret_cells(ligne: list) -> list:
    return [SECRET_LABEL if cell is None else cell for cell in ligne]


def table(bilan: Bilan, slug: str) -> Tableau | None:
    return next((t for t in tables(bilan) if t.slug == slug), None)


SLUGS = [
    "structures-par-type", "professionnels-par-profession", "par-departement",
    "qpv-et-zones-rurales", "par-annee", "montants", "structures-par-statut",
]  # fmt: skip
