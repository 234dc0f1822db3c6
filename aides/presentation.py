"""Labels of an aid for pages (values stored as slugs → French words)."""

from aides.choices import Public, TypeStructure
from territoires.models import Profession

# "pour les infirmiers": the professions as sentences name them.
PROFESSIONS_PLURIEL = {
    Profession.MEDECIN_GENERALISTE: "médecins généralistes",
    Profession.INFIRMIER: "infirmiers",
    Profession.MASSEUR_KINESITHERAPEUTE: "masseurs-kinésithérapeutes",
    Profession.SAGE_FEMME: "sages-femmes",
    Profession.ORTHOPHONISTE: "orthophonistes",
    Profession.CHIRURGIEN_DENTISTE: "chirurgiens-dentistes",
}


def pluriel(profession: str) -> str:
    return PROFESSIONS_PLURIEL.get(profession, profession)


def labels(values, choices) -> list[str]:
    known = dict(choices.choices)
    return [str(known.get(v, v)) for v in values]


def pour_qui(aide) -> list[str]:
    parts = []
    publics = set(aide.publics)
    professions = labels(aide.professions, Profession) or ["toutes les professions de santé"]
    if Public.PROFESSIONNEL in publics:
        parts.append("Professionnels : " + ", ".join(p.lower() for p in professions))
    if Public.ETUDIANT in publics:
        parts.append("Étudiants et internes : " + ", ".join(p.lower() for p in professions))
    if Public.STRUCTURE in publics:
        kinds = labels(aide.types_structure, TypeStructure) or ["toute structure"]
        parts.append("Structures : " + ", ".join(k.lower() for k in kinds))
    return parts or professions


def territoire(aide) -> str:
    names = [f"Région {nom}" for _, nom in aide.rel.regions]
    names += [f"{nom} ({code})" for _, code, nom in aide.rel.departements]
    names += [nom for _, nom in aide.rel.communes]
    return ", ".join(names) if names else "Toute la France"
