"""Zone categories the portal knows by name, so that annexes need only say "ZIP" or "ZAC".

One vocabulary for every importer: an annex's "Zone très sous-dotée" and a CartoSanté
export's `1_Tres_sous_dotee` are the same category. The slug (`code`) is what aids refer
to; it stays the same from one arrêté to the next. `ordre` follows CartoSanté's numbering
(1, 1b, 2, 3, 4, 5, 5b), from the most to the least under-served.
Eligibility classes are defaults: agents can correct them per act in the admin.
Unknown labels are accepted by the annex import (a new arrêté may invent a category): they
get a slug made from the label and no eligibility until an agent says which aids they open.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.utils.text import slugify

from territoires.models import ClasseEligibilite, Profession, ZonageKind
from territoires.text import normalize_name

CONV = ClasseEligibilite.AIDES_CONVENTIONNELLES.value
COLL = ClasseEligibilite.AIDES_COLLECTIVITES.value


@dataclass(frozen=True)
class KnownCategory:
    code: str
    libelle: str
    ordre: int
    eligibilites: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    # The category cannot decide (no result): aids that depend on it are "à vérifier".
    a_verifier: bool = False


# CartoSanté's "N/A - résultat non disponible": unknown, never "not eligible".
_NON_DISPONIBLE_ALIASES = ("n/a - resultat non disponible", "n/a", "non disponible")

# Médecins généralistes (Île-de-France 2022: ZIP+, ZIP, ZAC; elsewhere ZIP, ZAC; CartoSanté
# 1_ZIP, 2_ZAC, 3_HZ, 4_ZAR). ZAR is a category of some regional arrêtés (Grand Est): its
# label stays neutral until its wording is checked in the arrêté. It opens no aid class: the
# catalogue's Grand Est aids, like the national ones, name ZIP or ZAC only.
MEDECIN = (
    KnownCategory("zip-plus", "ZIP+", 1, (CONV, COLL), ("zip+", "zip plus", "zip renforcee")),
    KnownCategory(
        "zip",
        "Zone d'intervention prioritaire (ZIP)",
        2,
        (CONV, COLL),
        ("zip", "zone d intervention prioritaire", "1_ZIP"),
    ),
    KnownCategory(
        "zac",
        "Zone d'action complémentaire (ZAC)",
        3,
        (COLL,),
        ("zac", "zone d action complementaire", "2_ZAC"),
    ),
    KnownCategory(
        "hors-zonage",
        "Hors zonage",
        4,
        (),
        ("hors zonage", "hors zone", "non zone", "aucun", "hz", "3_HZ"),
    ),
    KnownCategory("zar", "ZAR (catégorie de l'arrêté régional)", 5, (), ("zar", "4_ZAR")),
    KnownCategory(
        "non-disponible", "Résultat non disponible", 6, (), _NON_DISPONIBLE_ALIASES, True
    ),
)

# Infirmiers, masseurs-kinésithérapeutes, sages-femmes, orthophonistes, chirurgiens-dentistes.
# "Non prioritaire" (CartoSanté 5b): the kiné (2023) and dentist (2025) agreements' zones
# where an installation requires a departure. "Sous-dense" (1b): orthophonistes.
NIVEAUX = (
    KnownCategory(
        "tres-sous-dotee",
        "Zone très sous-dotée",
        1,
        (CONV, COLL),
        ("tres sous dotee", "tres sous dote", "tsd", "1_Tres_sous_dotee"),
    ),
    KnownCategory(
        "sous-dense", "Zone sous-dense", 2, (CONV, COLL), ("sous dense", "1b_Sous_dense")
    ),
    KnownCategory(
        "sous-dotee",
        "Zone sous-dotée",
        3,
        (CONV, COLL),
        ("sous dotee", "sous dote", "sd", "2_Sous_dotee"),
    ),
    KnownCategory(
        "intermediaire", "Zone intermédiaire", 4, (), ("intermediaire", "int", "3_intermediaire")
    ),
    KnownCategory(
        "tres-dotee", "Zone très dotée", 5, (), ("tres dotee", "tres dote", "td", "4_Tres_dotee")
    ),
    KnownCategory(
        "sur-dotee",
        "Zone sur-dotée",
        6,
        (),
        ("sur dotee", "surdotee", "sur dote", "5_Sur_dotee"),
    ),
    KnownCategory(
        "non-prioritaire", "Zone non prioritaire", 7, (), ("non prioritaire", "5b_Non_prioritaire")
    ),
    KnownCategory(
        "non-disponible", "Résultat non disponible", 8, (), _NON_DISPONIBLE_ALIASES, True
    ),
)

QPV = KnownCategory("qpv", "Quartier prioritaire de la politique de la ville", 1, (COLL,), ("qpv",))
RURAL = (
    KnownCategory(
        "frr",
        "France Ruralités Revitalisation (FRR)",
        1,
        (COLL,),
        ("frr", "frr socle", "france ruralites revitalisation"),
    ),
    KnownCategory("frr-plus", "FRR+", 2, (COLL,), ("frr+", "frr plus")),
    KnownCategory(
        "frr-beneficiaire",
        "Commune bénéficiaire du dispositif FRR",
        3,
        (COLL,),
        ("frr beneficiaire",),
    ),
    KnownCategory(
        "zrr",
        "Zone de revitalisation rurale (ZRR)",
        4,
        (COLL,),
        ("zrr", "zone de revitalisation rurale"),
    ),
)


def known_categories(kind: str, profession: str) -> tuple[KnownCategory, ...]:
    if kind == ZonageKind.QPV:
        return (QPV,)
    if kind == ZonageKind.RURAL:
        return RURAL
    if profession == Profession.MEDECIN_GENERALISTE:
        return MEDECIN
    return NIVEAUX


def _key(label: str) -> str:
    return normalize_name(label.replace("+", " plus "))


@lru_cache(maxsize=1024)
def find_known(label: str, kind: str, profession: str) -> KnownCategory | None:
    """The known category a label means ("ZIP", "Zone très sous-dotée", "1_ZIP"…); cached:
    a national export asks 35,000 times for its few labels."""
    key = _key(label)
    for category in known_categories(kind, profession):
        names = {
            _key(category.libelle),
            _key(category.code.replace("-", " ")),
            *map(_key, category.aliases),
        }
        if key in names or key.removeprefix("zone ") in names:
            return category
    return None


def slug_for(label: str) -> str:
    return slugify(label.replace("+", " plus"))[:40] or "categorie"
