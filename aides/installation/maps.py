"""The map of « Où m'installer ? »: communes coloured by the number of aids a newcomer could
claim there. The same figures are the page's table (its alternative for RGAA).

A département shows each commune (its name in the tooltip). A région or more shows one
shape per answer: the communes that answer the same are dissolved together (a few dozen
shapes instead of 5,000 outlines: 2 MB less per page), kept per process for the same
outlines and groups.
"""

from __future__ import annotations

import threading
from collections import defaultdict

import shapely
from shapely.geometry import mapping, shape

from portal.lib.maps import MapParts, coordinate_decimals, new_map, render_map
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


_dissolved: dict[tuple, tuple[object, dict]] = {}
_lock = threading.Lock()
MAX_DISSOLVED = 32
GRID = 10 ** -coordinate_decimals(TOLERANCE_LARGE)


def _dissolve(outlines, groups: list[tuple[str, ...]]) -> dict[tuple, dict | None]:
    """{codes: union of their light outlines} (the outlines form a coverage)."""
    key = (id(outlines), tuple(groups))
    cached = _dissolved.get(key)
    if cached is not None and cached[0] is outlines:
        return cached[1]
    result = {}
    for codes in groups:
        shapes = [shape(outlines.shapes[code]) for code in codes]
        try:
            union = shapely.coverage_union_all(shapes)
        except shapely.errors.GEOSException:  # rounded outlines: not always noded alike
            union = None
        if union is None or not union.is_valid:
            # On the grid the outlines were rounded to: robust, and as light.
            union = shapely.union_all(shapely.make_valid(shapes), grid_size=GRID)
        result[codes] = None if union.is_empty else mapping(union)
    with _lock:
        if len(_dissolved) >= MAX_DISSOLVED:
            _dissolved.clear()
        _dissolved[key] = (outlines, result)  # the outlines kept: their id stays theirs
    return result


def _by_answer(outlines, lignes, shared) -> list[dict]:
    codes = defaultdict(list)
    for ligne in lignes:
        if ligne.code in outlines.shapes:
            codes[ligne.reponse].append(ligne.code)
    answers = sorted(codes, key=lambda reponse: (-reponse.aides, -reponse.montant))
    groups = [tuple(codes[reponse]) for reponse in answers]
    shapes = _dissolve(outlines, groups)
    features = []
    for reponse, group in zip(answers, groups, strict=True):
        if shapes[group] is None:
            continue
        couleur, answer = shared[reponse]
        n = len(group)
        texte = f"{n} commune{'s' * (n > 1)} : {answer}" if n > 1 else answer
        features.append(
            {
                "type": "Feature",
                "geometry": shapes[group],
                "properties": {"couleur": couleur, "texte": texte},
            }
        )
    return features


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
    if not detail:
        features = _by_answer(outlines, lignes, shared)
        territoires_maps.choropleth_inline(fmap, features, name="Communes", style=COMMUNES_STYLE)
        return render_map(fmap, request)
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
    territoires_maps.choropleth_inline(fmap, features, name="Communes", style=COMMUNES_STYLE)
    return render_map(fmap, request)
