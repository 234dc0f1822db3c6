"""OpenAPI 3.1 description of every /api/v1/ endpoint, served at /api/v1/openapi.json.

It is also the source of the human documentation page (/donnees/api/) and, in the tests,
the contract every API response is validated against (openapi-core). Endpoints written by
other apps (/api/v1/aides, /api/v1/lieu) are described here too.
"""

from __future__ import annotations

import copy

from aides.choices import EtapeProjet, FormeAide, Public, TypeStructure
from portal.lib.opendata import LICENCE
from portal.lib.secret import rule_text
from portal.openapi_schemas import INTEGER, NUMBER, SCHEMAS, STRING, enum, listing, ref
from structures.choices import Statut
from territoires.models import Profession


def param(name, description, schema=STRING, where="query", required=False, example=None):
    result = {"name": name, "in": where, "required": required or where == "path"}
    result.update({"description": description, "schema": schema})
    if example is not None:
        result["example"] = example
    return result


def json_content(schema, media="application/json") -> dict:
    return {"content": {media: {"schema": schema}}}


ERRORS = {
    "400": {
        "description": "Paramètre invalide (message en français).",
        **json_content(ref("Erreur")),
    },
    "404": {"description": "Objet inconnu (message en français).", **json_content(ref("Erreur"))},
}


def operation(summary, description, schema, params=(), example="", media="application/json",
              errors=("400",)):  # fmt: skip
    responses = {"200": {"description": "Succès.", **json_content(schema, media)}}
    responses.update({code: ERRORS[code] for code in errors})
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": list(params),
            "responses": responses,
            "x-exemple": example,
        }
    }


REGION = param("region", "Code INSEE de la région (11 Île-de-France, 44 Grand Est).", example="11")
DEPARTEMENT = param("departement", "Code INSEE du département.", example="93")
STRUCTURE_FILTERS = [
    REGION,
    DEPARTEMENT,
    param("commune", "Code INSEE de la commune.", example="93066"),
    param("type", "Type de structure (répétable).", enum(TypeStructure), example="msp"),
    param("statut", "Statut du projet (répétable).", enum(Statut), example="ouvert"),
    param("annee_min", "Année de décision minimale.", INTEGER, example=2020),
    param("annee_max", "Année de décision maximale (incluse).", INTEGER, example=2024),
    param("qpv", "En quartier prioritaire : oui ou non.", {"enum": ["oui", "non"]}),
    param("rurale", "En zone rurale : oui ou non.", {"enum": ["oui", "non"]}),
]
AIDES_FILTERS = [
    param("commune", "Commune : code INSEE, nom ou code postal.", example="93066"),
    param("lat", "Latitude WGS84 du lieu d'exercice.", NUMBER),
    param("lon", "Longitude WGS84 du lieu d'exercice.", NUMBER),
    param("adresse", "Adresse (si le géocodeur est activé sur ce portail)."),
    param("profession", "Profession.", enum(Profession), example="medecin-generaliste"),
    param("etape", "Étape du projet.", enum(EtapeProjet)),
    param("public", "Public visé.", enum(Public)),
    param("financeur", "Identifiant du financeur."),
    param("forme", "Forme de l'aide.", enum(FormeAide)),
    param(
        "date",
        "Aides ouvertes à cette date (AAAA-MM-JJ, aujourd'hui par défaut).",
        {"type": "string", "format": "date"},
    ),
    param("fermees", "Inclure les aides fermées à cette date.", {"enum": ["on", "true", "1"]}),
    param(
        "tri",
        "Tri : pertinence, montant ou cloture.",
        {"enum": ["pertinence", "montant", "cloture"]},
    ),
]
PATHS = {
    "/api/v1/statistiques": operation(
        "Bilan chiffré",
        "Les chiffres du bilan calculés à partir des structures et professionnels publiés : "
        "structures par type, professionnels par profession, par département (structures + "
        "professionnels), en QPV, en zone rurale, montants, par année. "
        + rule_text()
        + " Les cases masquées valent null ; « secret_statistique » donne le seuil et le "
        "nombre de cases masquées.",
        ref("Statistiques"),
        [REGION],
        "/api/v1/statistiques?region=11",
    ),
    "/api/v1/structures": operation(
        "Structures soutenues (GeoJSON)",
        "Les structures soutenues publiées, en FeatureCollection GeoJSON (WGS84, coordonnées "
        "arrondies à 4 décimales). Sans adresse ni donnée personnelle.",
        ref("Structures"),
        STRUCTURE_FILTERS,
        "/api/v1/structures?departement=93&type=msp",
        media="application/geo+json",
    ),
    "/api/v1/structures/{id}": operation(
        "Une structure soutenue",
        "Une structure publiée, en Feature GeoJSON.",
        ref("Structure"),
        [param("id", "Identifiant de la structure.", INTEGER, where="path")],
        "",
        media="application/geo+json",
        errors=("404",),
    ),
    "/api/v1/aides": operation(
        "Aides applicables",
        "Les aides publiées, avec les filtres du moteur de recherche « Trouver une aide » : "
        "lieu, profession, étape, public, financeur, forme, date. Chaque aide dit pourquoi "
        "elle s'applique.",
        ref("Aides"),
        AIDES_FILTERS,
        "/api/v1/aides?commune=93066&profession=medecin-generaliste",
    ),
    "/api/v1/lieu": operation(
        "Commune et zones d'un lieu",
        "La commune (et l'arrondissement) d'un point ou d'un code INSEE, avec les zones "
        "(zonages ARS par profession, QPV, zones rurales) qui s'y appliquent.",
        ref("Lieu"),
        [
            param("lat", "Latitude WGS84.", NUMBER, example=48.9362),
            param("lon", "Longitude WGS84.", NUMBER, example=2.3574),
            param("commune", "Code INSEE de la commune (à la place du point)."),
        ],
        "/api/v1/lieu?lat=48.9362&lon=2.3574",
        errors=("400", "404"),
    ),
    "/api/v1/territoires/regions": operation(
        "Régions",
        "Les régions du référentiel.",
        listing("Region"),
        [],
        "/api/v1/territoires/regions",
    ),
    "/api/v1/territoires/regions/{code}": operation(
        "Une région",
        "Une région, ses départements, sa population municipale.",
        ref("RegionDetail"),
        [param("code", "Code INSEE de la région.", where="path")],
        "/api/v1/territoires/regions/11",
        errors=("404",),
    ),
    "/api/v1/territoires/departements": operation(
        "Départements",
        "Les départements, éventuellement d'une seule région.",
        listing("Departement"),
        [REGION],
        "/api/v1/territoires/departements?region=44",
    ),
    "/api/v1/territoires/departements/{code}": operation(
        "Un département",
        "Un département, sa région, sa population, son nombre de communes.",
        ref("DepartementDetail"),
        [param("code", "Code INSEE du département.", where="path")],
        "/api/v1/territoires/departements/93",
        errors=("404",),
    ),
    "/api/v1/territoires/communes": operation(
        "Communes",
        "Les communes (et arrondissements municipaux) d'un département ou d'une "
        "région : l'un des deux paramètres est obligatoire.",
        listing("Commune"),
        [DEPARTEMENT, REGION],
        "/api/v1/territoires/communes?departement=75",
    ),
    "/api/v1/territoires/communes/{code}": operation(
        "Une commune",
        "Une commune ou un arrondissement municipal.",
        ref("CommuneDetail"),
        [param("code", "Code INSEE de la commune.", where="path")],
        "/api/v1/territoires/communes/77379",
        errors=("404",),
    ),
    "/api/v1/openapi.json": operation(
        "Cette description",
        "La description OpenAPI 3.1 de l'API.",
        {"type": "object"},
        [],
        "/api/v1/openapi.json",
        errors=(),
    ),
}

DESCRIPTION = {
    "openapi": "3.1.0",
    "info": {
        "title": "API des données ouvertes — Portail de l'accès aux soins",
        "version": "1.0.0",
        "description": (
            "API en lecture seule des aides contre les déserts médicaux, des structures "
            "soutenues, des statistiques du bilan et du référentiel territorial. Réponses en "
            "JSON (UTF-8), en-têtes ETag et Last-Modified pour la mise en cache, erreurs en "
            "français (400 : paramètre invalide ; 404 : objet inconnu)."
        ),
        "license": {"name": LICENCE["nom"], "url": LICENCE["url"]},
    },
    "servers": [{"url": "/"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}


def description() -> dict:
    return copy.deepcopy(DESCRIPTION)


def endpoints() -> list[dict]:
    """The operations for the documentation page, in the description's order."""
    result = []
    for path, item in DESCRIPTION["paths"].items():
        get = item["get"]
        result.append(
            {
                "path": path,
                "summary": get["summary"],
                "description": get["description"],
                "parameters": [
                    {
                        "name": p["name"],
                        "where": "chemin" if p["in"] == "path" else "requête",
                        "required": p["required"],
                        "description": p["description"],
                        "values": p["schema"].get("enum", []),
                    }
                    for p in get["parameters"]
                ],
                "example": get["x-exemple"],
                "id": path.strip("/").replace("/", "-").replace("{", "").replace("}", ""),
            }
        )
    return result
