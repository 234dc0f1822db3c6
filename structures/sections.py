"""Sections of the territoires département page: key figures and published structures.

Registered by StructuresConfig.ready() through territoires.sections: territoires never
imports this module.
"""

from portal.lib.secret import SECRET_LABEL
from structures.maps import carte_departement
from structures.models import Structure
from structures.stats import departement_key_figures
from territoires import maps as carto
from territoires.sections import register

TABLE_ROWS = 30


def chiffres_cles(request, departement) -> dict:
    figures = departement_key_figures(departement)
    return {"departement": departement, "chiffres": figures, "secret_label": SECRET_LABEL}


def structures(request, departement) -> dict:
    result = carte_departement(request, departement, Structure.objects.published())
    return {
        "departement": departement,
        "result": result,
        "carte": result.carte,
        # The page may already load Leaflet for its own map: then only the extra assets.
        "header_supplement": carto.extra_header(result.carte),
        "lignes": result.lignes[:TABLE_ROWS],
        "tronque": len(result.lignes) > TABLE_ROWS,
    }


def register_sections() -> None:
    # Key figures first, the structures after the zonings of territoires (10-11).
    sections = [
        ("public-chiffres", "structures/departement/chiffres.html", chiffres_cles, 5),
        ("public-structures", "structures/departement/structures.html", structures, 20),
    ]
    for key, template, context, order in sections:
        register("departement", key, template, context, order)
