"""The map of « Où m'installer ? »: communes coloured by the number of aids a newcomer could
claim there. The same figures are the page's table (its alternative for RGAA)."""

from __future__ import annotations

from portal.lib.maps import MapParts, new_map, render_map
from portal.lib.numbers import euros
from territoires import maps as territoires_maps
from territoires.models import Contour

FRANCE_BOUNDS = (1.4, 47.4, 8.3, 50.2)  # Île-de-France + Grand Est
# A département is drawn as the other commune maps; a région or more is coarser (page weight).
TOLERANCE_LARGE = territoires_maps.TOLERANCE_DEPARTEMENTS
COMMUNES_STYLE = {**territoires_maps.CHOROPLETH_STYLE, "color": "#666666", "weight": 0.3}


def classes(lignes) -> list[territoires_maps.Classe]:
    return territoires_maps.classes([ligne.reponse.aides for ligne in lignes])


def _answer(reponse) -> str:
    text = f"{reponse.aides} aide{'s' * (reponse.aides > 1)}"
    if reponse.montant:
        text += f", jusqu'à {euros(reponse.montant)} connus"
    return text


def carte(request, lignes, bins, *, detail: bool) -> MapParts:
    tolerance = territoires_maps.TOLERANCE_COMMUNES if detail else TOLERANCE_LARGE
    outlines = territoires_maps.outlines(
        Contour.Niveau.COMMUNE, [ligne.code for ligne in lignes], tolerance, together=True
    )
    fmap = new_map(bounds=outlines.bounds or FRANCE_BOUNDS, maxZoom=territoires_maps.MAX_ZOOM)
    # Communes of one signature share their answer: its words and colour are made once.
    shared = {
        reponse: (territoires_maps.colour(reponse.aides, bins), _answer(reponse))
        for reponse in {ligne.reponse for ligne in lignes}
    }
    features = territoires_maps.choropleth_features(
        outlines.shapes,
        (
            (
                ligne.code,
                shared[ligne.reponse][0],
                f"{ligne.nom} ({ligne.code}) : {shared[ligne.reponse][1]}",
            )
            for ligne in lignes
        ),
    )
    territoires_maps.choropleth(fmap, features, name="Communes", style=COMMUNES_STYLE)
    return render_map(fmap, request)
