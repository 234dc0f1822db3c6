"""Turning command-line or form values into an ActeSpec, with French messages."""

import datetime as dt

from territoires.models import Profession, Region, ZonageKind
from territoires.zonages.importers.sync import ActeSpec

DEFAULT_EDITEURS = {ZonageKind.QPV: "ANCT", ZonageKind.RURAL: "État"}


def parse_date(value, label: str, errors: list[str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{label} : date « {value} » invalide (format AAAA-MM-JJ attendu).")
        return None


def default_titre(kind: str, profession: str, region: Region | None, date_acte: dt.date) -> str:
    where = f" — {region.nom}" if region else ""
    if kind == ZonageKind.ARS and profession:
        return (
            f"Arrêté ARS du {date_acte:%d/%m/%Y} — zonage {Profession(profession).label.lower()}"
            f"{where}"
        )
    return f"{ZonageKind(kind).label} ({date_acte:%d/%m/%Y}){where}"


def make_spec(
    *,
    kind,
    profession="",
    region_code="",
    arrete_date=None,
    source_url="",
    titre="",
    editeur="",
    valide_du=None,
    valide_au=None,
    demonstration=False,
) -> tuple[ActeSpec | None, list[str]]:
    errors = []
    if kind not in ZonageKind.values:
        errors.append(f"Nature « {kind} » inconnue (valeurs : {', '.join(ZonageKind.values)}).")
    if kind == ZonageKind.ARS and profession not in Profession.values:
        errors.append(
            f"Profession « {profession or '(vide)'} » inconnue (valeurs : "
            f"{', '.join(Profession.values)})."
        )
    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors.append(f"Région « {region_code} » inconnue (importez d'abord le COG).")
    elif kind == ZonageKind.ARS:
        errors.append("Un zonage ARS est régional : indiquez le code de la région.")
    date_acte = parse_date(arrete_date, "Date de l'acte", errors)
    if date_acte is None and arrete_date in (None, ""):
        errors.append("La date de l'acte est obligatoire.")
    debut = parse_date(valide_du, "Début de validité", errors) or date_acte
    fin = parse_date(valide_au, "Fin de validité", errors)
    if errors:
        return None, errors
    if not editeur:
        editeur = f"ARS {region.nom}" if kind == ZonageKind.ARS else DEFAULT_EDITEURS[kind]
    spec = ActeSpec(
        kind=kind,
        profession=profession if kind == ZonageKind.ARS else (profession or ""),
        region=region,
        titre=titre or default_titre(kind, profession, region, date_acte),
        editeur=editeur,
        date_acte=date_acte,
        url=source_url or "",
        valide_du=debut,
        valide_au=fin,
        demonstration=demonstration,
    )
    return spec, []
