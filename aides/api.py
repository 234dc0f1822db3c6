"""`GET /api/v1/aides`: the finder's search as JSON, with its French 400s.

The finder (aides.search) is the validator of record: an unknown parameter or a bad value is
refused here as it is reported on the page, by field (`details`).
"""

import datetime as dt
import json
from typing import Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from ninja import Field, Query, Router

from aides.choices import EtapeProjet, FormeAide, Public
from aides.filters import SORTS
from aides.raisons import COMMUNE
from aides.search import as_json, non_applicable_json, run
from portal.lib.responses import JSON_PARAMS, bad_request
from portal.lib.schemas import (
    NUMBER,
    Erreur,
    Reference,
    Strict,
    accepts,
    enum,
    example,
    param,
)
from territoires.models import Profession

router = Router(tags=["Aides"])

MAX_RESULTS = 200
FLAGS = ("", "0", "1")


class AidesQuery(Strict):
    commune: accepts() = param("Commune : code INSEE, nom ou code postal.", example="93066")
    lat: accepts(NUMBER) = param("Latitude WGS84 du lieu d'exercice.")
    lon: accepts(NUMBER) = param("Longitude WGS84 du lieu d'exercice.")
    adresse: accepts() = param("Adresse (si le géocodeur est activé sur ce portail).")
    profession: accepts(enum(Profession)) = param("Profession.", example="medecin-generaliste")
    etape: accepts(enum(EtapeProjet)) = param("Étape du projet.")
    public: accepts(enum(Public)) = param("Public visé.")
    financeur: accepts() = param("Identifiant du financeur.")
    forme: accepts(enum(FormeAide)) = param("Forme de l'aide.")
    date: accepts({"type": "string", "format": "date"}) = param(
        "Réponse à cette date (AAAA-MM-JJ, aujourd'hui par défaut) : aides ouvertes et "
        "zonages en vigueur ce jour-là (avant le 1er juillet 2024, les ZRR ; après, les FRR).",
        example="2026-12-02",
    )
    fermees: accepts({"type": "string", "enum": ["on", "true", "1"]}) = param(
        "Inclure les aides fermées à cette date."
    )
    tri: accepts({"type": "string", "enum": list(SORTS)}) = param(
        "Tri : pertinence, montant ou cloture."
    )
    non_applicables: accepts({"type": "string", "enum": ["0", "1"]}) = param(
        "1 : ajouter la liste des aides qui passent les filtres mais ne s'appliquent pas à "
        "ce lieu, chacune avec pourquoi."
    )


class AidesLieu(Strict):
    commune: Reference | None
    lat: float | None
    lon: float | None


class AideTrouvee(Strict):
    slug: str
    nom: str
    sigle: str
    financeurs: list[str]
    forme: str
    montant: str | None
    montant_confirme: bool
    ouverte: bool
    date_cloture: dt.date | None
    pourquoi: list[str]
    lieu_verifie: bool
    demonstration: bool
    url: str
    statut: Literal["eligible", "a_verifier"] = Field(
        description="eligible : l'aide s'applique ici ; a_verifier : les données ne permettent "
        "pas de conclure (zone sur une partie de la commune, résultat non disponible, "
        "profession sans zonage intégré dans la région, zonage pouvant différer à l'adresse)."
    )
    a_verifier_parce_que: list[str] = Field(description="Ce qui reste à vérifier (a_verifier).")
    limites: list[str] = Field(
        description="Limites des zonages invoqués : un zonage plus récent publié, pas intégré."
    )


class AideNonApplicable(Strict):
    slug: str
    nom: str
    url: str
    pourquoi_pas: list[str] = Field(description="Pourquoi l'aide ne s'applique pas à ce lieu.")


class Aides(Strict):
    count: int
    date: dt.date
    lieu: AidesLieu | None
    avertissements: list[str]
    results: list[AideTrouvee]
    non_applicables: list[AideNonApplicable] | None = Field(
        None, description="Avec non_applicables=1 seulement."
    )


@router.get(
    "/aides",
    url_name="api_aides",
    response={200: Aides, 400: Erreur},
    summary="Aides applicables",
    description=(
        "Les aides publiées, avec les filtres du moteur de recherche « Trouver une aide » : "
        "lieu, profession, étape, public, financeur, forme, date. Chaque aide est éligible "
        "(et dit pourquoi) ou à vérifier (et dit ce qui reste à vérifier) ; avec "
        "non_applicables=1, les aides qui ne s'appliquent pas à ce lieu disent pourquoi."
    ),
    openapi_extra=example("/api/v1/aides?commune=93066&profession=medecin-generaliste"),
)
def aides(request, query: Query[AidesQuery]):
    params = request.GET.copy()
    flag = params.pop("non_applicables", [""])[-1]
    result = run(params)
    errors = dict(result.search.errors)
    if flag not in FLAGS:
        errors["non_applicables"] = ["Indiquez 1 (avec la liste) ou 0 (sans)."]
    if errors:
        return bad_request(errors)
    head = {
        "count": 0,
        "date": result.search.date.isoformat(),
        "lieu": _lieu(result.lieu),
        "avertissements": result.notices,
    }
    origin = request.build_absolute_uri("/")
    count, parts = result.kept(f"api:{flag}:{origin}", lambda found: _listed(found, request, flag))
    head["count"] = count
    nom = _dumps(result.lieu.commune.nom if result.lieu.commune is not None else "")[1:-1]
    listed = "".join(f', "{name}": {text.replace(MARK, nom)}' for name, text in parts)
    return HttpResponse(_dumps(head)[:-1] + listed + "}", content_type="application/json")


def _dumps(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, **JSON_PARAMS)


MARK = _dumps(COMMUNE)[1:-1]  # the commune's name in the reasons, as JSON writes it


def _listed(found, request, flag: str) -> tuple[int, list[tuple[str, str]]]:
    """The lists of the answer as JSON text, the commune's name left as MARK: the same for
    every commune with the same signature, so kept beside the verdicts."""
    results = [r for r in found if r.applicable]
    parts = [("results", _dumps([as_json(r, request) for r in results[:MAX_RESULTS]]))]
    if flag == "1":
        others = [r for r in found if not r.applicable][:MAX_RESULTS]
        parts.append(("non_applicables", _dumps([non_applicable_json(r, request) for r in others])))
    return len(results), parts


def _lieu(lieu):
    if not lieu.connu:
        return None
    commune = lieu.commune
    return {
        "commune": {"code": commune.code, "nom": commune.nom} if commune else None,
        "lat": lieu.lat,
        "lon": lieu.lon,
    }
