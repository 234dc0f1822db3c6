"""JSON schemas of the open-data API's answers (components of portal.openapi).

Schemas of answers written by other apps (/api/v1/aides, /api/v1/lieu) name the keys
clients rely on and allow additional ones.
"""

from __future__ import annotations

from aides.choices import TypeStructure
from structures.choices import Statut

STRING, INTEGER, BOOLEAN, NUMBER = (
    {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"},
)  # fmt: skip


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, required=None, extra=False) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": extra}
    schema["required"] = list(properties) if required is None else required
    return schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def listing(item: str) -> dict:
    return obj({"licence": ref("Licence"), "nombre": INTEGER, "results": array(ref(item))})


def array(items: dict) -> dict:
    return {"type": "array", "items": items}


def counts() -> dict:
    return {"type": "object", "additionalProperties": INTEGER}


def secret_counts() -> dict:
    """Counts of professionals: null where the statistical secret hides the cell."""
    return {"type": "object", "additionalProperties": nullable(INTEGER)}


def enum(choices) -> dict:
    return {"type": "string", "enum": [str(v) for v in choices.values]}


_STRUCTURE_PROPERTIES = obj(
    {
        "id": INTEGER, "nom": STRING, "type": enum(TypeStructure), "type_libelle": STRING,
        "statut": enum(Statut), "statut_libelle": STRING, "commune_code": nullable(STRING),
        "commune_nom": nullable(STRING), "departement": nullable(STRING), "region": STRING,
        "aides": array(STRING), "aides_noms": array(STRING), "montant_accorde": nullable(NUMBER),
        "date_decision": nullable({"type": "string", "format": "date"}),
        "annee": nullable(INTEGER), "en_qpv": BOOLEAN, "qpv_code": nullable(STRING),
        "qpv_nom": nullable(STRING), "en_zone_rurale": BOOLEAN, "professionnels": counts(),
        "demonstration": BOOLEAN,
    }
)  # fmt: skip
_POINT = obj({"type": {"const": "Point"}, "coordinates": array(NUMBER)})
_ZONE = obj(
    {
        "categorie": STRING, "categorie_libelle": STRING, "kind": STRING,
        "profession": nullable(STRING), "libelle": STRING, "code": STRING, "partiel": BOOLEAN,
        "eligibilites": array(STRING), "zonage": {"type": "object"}, "demonstration": BOOLEAN,
    },
    required=["categorie", "kind", "libelle"],
    extra=True,
)  # fmt: skip
_COMMUNE_LIEU = obj(
    {"code": STRING, "nom": STRING, "departement": {}, "region": {}}, required=["code", "nom"],
    extra=True,
)  # fmt: skip

SCHEMAS = {
    "Licence": obj({"nom": STRING, "url": {"type": "string", "format": "uri"}}),
    "Erreur": obj({"erreur": STRING, "details": {"type": ["object", "array"]}}, ["erreur"]),
    "Statistiques": obj(
        {
            "region": nullable(obj({"code": STRING, "nom": STRING})),
            "structures": obj(
                {"total": INTEGER, "par_type": counts(), "par_statut": counts(), "montant": NUMBER}
            ),
            # null: statistical secret (portal.lib.secret), said in "secret_statistique".
            "professionnels": obj(
                {
                    "total": nullable(INTEGER),
                    "par_profession": secret_counts(),
                    "montant": nullable(NUMBER),
                }
            ),
            "par_departement": secret_counts(),
            "en_qpv": nullable(INTEGER),
            "en_zone_rurale": nullable(INTEGER),
            "montant_total": nullable(NUMBER),
            "par_annee": array(
                obj(
                    {
                        "annee": nullable(INTEGER),
                        "structures": INTEGER,
                        "professionnels": nullable(INTEGER),
                        "montant": nullable(NUMBER),
                    }
                )
            ),
            "secret_statistique": obj(
                {"seuil": INTEGER, "cellules_masquees": INTEGER, "regle": STRING}
            ),
            "demonstration": BOOLEAN,
            "mise_a_jour": nullable({"type": "string", "format": "date-time"}),
            "licence": ref("Licence"),
        }
    ),
    "Structure": obj(
        {
            "type": {"const": "Feature"},
            "id": INTEGER,
            "geometry": nullable(_POINT),
            "properties": _STRUCTURE_PROPERTIES,
            "licence": ref("Licence"),
        },
        required=["type", "id", "geometry", "properties"],
    ),
    "Structures": obj(
        {
            "type": {"const": "FeatureCollection"},
            "licence": ref("Licence"),
            "mise_a_jour": nullable({"type": "string", "format": "date-time"}),
            "nombre": INTEGER,
            "features": array(ref("Structure")),
        }
    ),
    "Region": obj({"code": STRING, "nom": STRING, "nombre_departements": INTEGER}),
    "RegionDetail": obj(
        {
            "code": STRING,
            "nom": STRING,
            "population": nullable(INTEGER),
            "departements": array(obj({"code": STRING, "nom": STRING})),
            "bbox": nullable(array(NUMBER)),
            "licence": ref("Licence"),
        }
    ),
    "Departement": obj({"code": STRING, "nom": STRING, "region": STRING}),
    "DepartementDetail": obj(
        {
            "code": STRING,
            "nom": STRING,
            "region": obj({"code": STRING, "nom": STRING}),
            "population": nullable(INTEGER),
            "nombre_communes": INTEGER,
            "bbox": nullable(array(NUMBER)),
            "licence": ref("Licence"),
        }
    ),
    "Commune": obj(
        {
            "code": STRING,
            "nom": STRING,
            "type": {"enum": ["commune", "arrondissement"]},
            "departement": STRING,
            "region": STRING,
            "population": nullable(INTEGER),
            "codes_postaux": array(STRING),
            "commune_parente": nullable(STRING),
        }
    ),
    "Aides": obj(
        {
            "count": INTEGER,
            "date": {"type": "string", "format": "date"},
            "lieu": nullable({"type": "object"}),
            "avertissements": array(STRING),
            "results": array(
                obj(
                    {
                        "slug": STRING,
                        "nom": STRING,
                        "montant": nullable(STRING),
                        "ouverte": BOOLEAN,
                        "pourquoi": array(STRING),
                        "url": {"type": "string"},
                    },
                    required=["slug", "nom", "url"],
                    extra=True,
                )
            ),
        },
        required=["count", "results"],
        extra=True,
    ),
    "Lieu": obj(
        {
            "commune": _COMMUNE_LIEU,
            "arrondissement": nullable(_COMMUNE_LIEU),
            "zones": array(_ZONE),
            "aides": array({"type": "object"}),
        },
        required=["commune", "arrondissement"],
        extra=True,
    ),
}
# The detail of a commune adds its EPCI and bounding box to the list item.
SCHEMAS["CommuneDetail"] = obj(
    {
        **SCHEMAS["Commune"]["properties"],
        "epci": nullable(obj({"code": STRING, "nom": STRING, "type": STRING})),
        "bbox": nullable(array(NUMBER)),
        "licence": ref("Licence"),
    }
)
