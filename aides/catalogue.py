"""Load the aid catalogue (aides/data/catalogue.json, package data) into the database.

The catalogue is data, reviewed like code. Loading is one transaction: any error (unknown
territory, unknown category field, bad date) writes nothing. Existing aids are left as
agents edited them unless `update=True`; a run that changes nothing writes nothing (so
history only records real changes).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from aides.models import Aide, Bareme, ConditionZonage, Financeur, PalierBareme
from portal.lib.uploads import read_text, validate_upload
from territoires.models import Commune, Departement, Region

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "catalogue.json"

AIDE_FIELDS = (
    "nom", "sigle", "resume", "description", "forme", "publics", "professions",
    "types_structure", "etapes", "nature_montant", "montant_min", "montant_max", "taux",
    "duree_mois", "montant_texte", "montant_confirme", "conditions", "contreparties",
    "demarches", "contact", "date_ouverture", "date_cloture", "statut", "source_juridique",
    "url_officielle", "verifie_le", "informations_verifiees", "note_verification",
    "demonstration",
)  # fmt: skip
DATE_FIELDS = ("date_ouverture", "date_cloture", "verifie_le")
LIST_FIELDS = ("publics", "professions", "types_structure", "etapes")
BOOL_DEFAULT_TRUE = ("montant_confirme", "informations_verifiees")
KNOWN_KEYS = set(AIDE_FIELDS) | {
    "slug", "financeurs", "regions", "departements", "communes", "conditions_zonage", "bareme",
}  # fmt: skip


class CatalogueError(Exception):
    """A French message listing what is wrong with the catalogue file."""


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existing, left as agents edited them

    def summary(self) -> str:
        return (
            f"{len(self.created)} créée(s), {len(self.updated)} mise(s) à jour, "
            f"{len(self.unchanged)} inchangée(s), {len(self.kept)} conservée(s) telle(s) "
            "que modifiée(s) par les agents"
        )


class _DryRun(Exception):
    pass


def read(path: Path | str = DEFAULT_PATH) -> dict:
    try:
        with open(path, "rb") as fichier:
            validate_upload(fichier, ["json"])
            data = json.loads(read_text(fichier))
    except FileNotFoundError as exc:
        raise CatalogueError(f"Fichier introuvable : {path}") from exc
    except ValidationError as exc:
        raise CatalogueError(" ".join(exc.messages)) from exc
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"Le catalogue n'est pas un JSON valide (ligne {exc.lineno}) : {exc.msg}"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("aides"), list):
        raise CatalogueError(
            "Le catalogue doit être un objet JSON avec une liste « aides » (voir "
            "aides/data/catalogue.json)."
        )
    return data


def load(data: dict, *, update=False, dry_run=False) -> Report:
    """Create (and with `update`, refresh) financers, scales and aids from `data`."""
    report = Report()
    try:
        with transaction.atomic():
            _load(data, report, update)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _load(data, report, update):
    default_date = _date(data.get("verifie_le"), "verifie_le")
    financeurs = {row["slug"]: _financeur(row) for row in data.get("financeurs", [])}
    baremes = {row["nom"]: _bareme(row) for row in data.get("baremes", [])}
    errors = []
    for index, row in enumerate(data.get("aides", []), start=1):
        slug = row.get("slug") or f"n° {index}"
        try:
            _aide(row, financeurs, baremes, default_date, report, update)
        except (CatalogueError, ValidationError, KeyError, ValueError, TypeError) as exc:
            errors.append(f"Aide {slug} : {_message(exc)}")
    if errors:
        raise CatalogueError("\n".join(errors))


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ; ".join(f"{k} : {', '.join(v)}" for k, v in exc.message_dict.items())
    if isinstance(exc, KeyError):
        return f"champ obligatoire absent : {exc.args[0]}"
    return str(exc)


def _date(value, name):
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise CatalogueError(f"date invalide pour {name} : {value!r} (attendu AAAA-MM-JJ)") from exc


def _financeur(row) -> Financeur:
    defaults = {"nom": row["nom"], "type": row.get("type", "autre"), "site": row.get("site", "")}
    return Financeur.objects.get_or_create(slug=row["slug"], defaults=defaults)[0]


def _bareme(row) -> Bareme:
    bareme, created = Bareme.objects.get_or_create(
        nom=row["nom"],
        defaults={
            "variable": row.get("variable", Bareme.Variable.DISTANCE_KM),
            "description": row.get("description", ""),
            "verifie": row.get("verifie", False),
            "source": row.get("source", ""),
        },
    )
    if created:
        origines = _territories(Commune, row.get("origines", []))
        bareme.origines.set(origines)
        for step in row.get("paliers", []):
            PalierBareme.objects.create(
                bareme=bareme, de=step["de"], a=step["a"], montant=step["montant"]
            )
    return bareme


def _territories(model, codes):
    codes = list(codes)
    found = list(model.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {obj.code for obj in found})
    if missing:
        label = model._meta.verbose_name_plural
        raise CatalogueError(
            f"{label} absent(e)s du référentiel : {', '.join(missing)} "
            "(lancez d'abord python manage.py import_cog)"
        )
    return found


def _aide(row, financeurs, baremes, default_date, report, update):
    unknown = set(row) - KNOWN_KEYS
    if unknown:
        raise CatalogueError(f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
    values = {name: row.get(name) for name in AIDE_FIELDS if name in row}
    for name in DATE_FIELDS:
        if name in values:
            values[name] = _date(values[name], name)
    values.setdefault("verifie_le", default_date)
    for name in BOOL_DEFAULT_TRUE:
        values.setdefault(name, True)
    for name, value in list(values.items()):
        if value is None and name not in DATE_FIELDS and name not in (
            "montant_min", "montant_max", "taux", "duree_mois",
        ):  # fmt: skip
            values[name] = ""
    values["bareme"] = baremes[row["bareme"]] if row.get("bareme") else None
    relations = {
        "financeurs": [financeurs[slug] for slug in row["financeurs"]],
        "regions": _territories(Region, row.get("regions", [])),
        "departements": _territories(Departement, row.get("departements", [])),
        "communes": _territories(Commune, row.get("communes", [])),
    }
    conditions = [_condition_values(c) for c in row.get("conditions_zonage", [])]

    aide = Aide.objects.filter(slug=row["slug"]).first()
    if aide is not None and not update:
        report.kept.append(aide.slug)
        return
    created = aide is None
    if created:
        aide = Aide(slug=row["slug"])
    changed = created or _assign(aide, values)
    if created:
        _assign(aide, values)
    aide.full_clean()
    if changed:
        aide.save()
    changed |= _set_relations(aide, relations)
    changed |= _set_conditions(aide, conditions)
    target = report.created if created else report.updated if changed else report.unchanged
    target.append(aide.slug)


def _assign(aide, values) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(aide, name) != value:
            setattr(aide, name, value)
            changed = True
    return changed


def _set_relations(aide, relations) -> bool:
    changed = False
    for name, objects in relations.items():
        manager = getattr(aide, name)
        if {o.pk for o in manager.all()} != {o.pk for o in objects}:
            manager.set(objects)
            changed = True
    return changed


def _condition_values(row) -> tuple:
    departement = None
    if row.get("departement"):
        departement = _territories(Departement, [row["departement"]])[0]
    return (
        row.get("profession", ""),
        ", ".join(c.strip() for c in row.get("categories", "").split(",") if c.strip()),
        departement.pk if departement else None,
        row.get("libelle", ""),
    )


def _set_conditions(aide, wanted) -> bool:
    current = [
        (c.profession, c.categories, c.departement_id, c.libelle)
        for c in aide.conditions_zonage.all()
    ]
    if sorted(current, key=repr) == sorted(wanted, key=repr):
        return False
    aide.conditions_zonage.all().delete()
    for profession, categories, departement_id, libelle in wanted:
        condition = ConditionZonage(
            aide=aide,
            profession=profession,
            categories=categories,
            departement_id=departement_id,
            libelle=libelle,
        )
        condition.full_clean()
        condition.save()
    return True
