"""Zone categories the portal knows by name, so that annexes need only say "ZIP" or "ZAC".

The slug (`code`) is what aids refer to; it stays the same from one arrêté to the next.
Eligibility classes are defaults: agents can correct them per act in the admin.
Unknown labels are accepted too (a new arrêté may invent a category): they get a slug made
from the label and no eligibility until an agent says which aids they open.
"""

from dataclasses import dataclass

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


# Médecins généralistes (Île-de-France 2022: ZIP+, ZIP, ZAC; elsewhere ZIP, ZAC).
MEDECIN = (
    KnownCategory("zip-plus", "ZIP+", 1, (CONV, COLL), ("zip+", "zip plus", "zip renforcee")),
    KnownCategory(
        "zip",
        "Zone d'intervention prioritaire (ZIP)",
        2,
        (CONV, COLL),
        ("zip", "zone d intervention prioritaire"),
    ),
    KnownCategory(
        "zac",
        "Zone d'action complémentaire (ZAC)",
        3,
        (COLL,),
        ("zac", "zone d action complementaire"),
    ),
    KnownCategory(
        "hors-zonage", "Hors zonage", 4, (), ("hors zonage", "hors zone", "non zone", "aucun")
    ),
)

# Infirmiers, masseurs-kinésithérapeutes, sages-femmes, orthophonistes, chirurgiens-dentistes.
NIVEAUX = (
    KnownCategory(
        "tres-sous-dotee",
        "Zone très sous-dotée",
        1,
        (CONV, COLL),
        ("tres sous dotee", "tres sous dote", "tsd"),
    ),
    KnownCategory(
        "sous-dotee", "Zone sous-dotée", 2, (CONV, COLL), ("sous dotee", "sous dote", "sd")
    ),
    KnownCategory("intermediaire", "Zone intermédiaire", 3, (), ("intermediaire", "int")),
    KnownCategory("non-prioritaire", "Zone non prioritaire", 4, (), ("non prioritaire",)),
    KnownCategory("tres-dotee", "Zone très dotée", 5, (), ("tres dotee", "tres dote", "td")),
    KnownCategory("sur-dotee", "Zone sur-dotée", 6, (), ("sur dotee", "surdotee", "sur dote")),
)

QPV = KnownCategory("qpv", "Quartier prioritaire de la politique de la ville", 1, (COLL,), ("qpv",))
RURAL = (
    KnownCategory(
        "frr",
        "France Ruralités Revitalisation (FRR)",
        1,
        (COLL,),
        ("frr", "france ruralites revitalisation"),
    ),
    KnownCategory("frr-plus", "FRR+", 2, (COLL,), ("frr+", "frr plus")),
    KnownCategory(
        "zrr",
        "Zone de revitalisation rurale (ZRR)",
        3,
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


def find_known(label: str, kind: str, profession: str) -> KnownCategory | None:
    """The known category a label of the annex means ("ZIP", "Zone très sous-dotée"…)."""
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
