"""Maps of the territorial pages: one official outline drawn on a folium map."""

import folium

from portal.maps import new_map, render_map

from .models import Contour

# DSFR "bleu France".
OUTLINE_STYLE = {"color": "#000091", "weight": 2, "fillColor": "#6a6af4", "fillOpacity": 0.15}


def contour_of(niveau: str, code: str) -> Contour | None:
    return Contour.objects.filter(niveau=niveau, code=code).first()


def contour_map(request, contour: Contour | None, label: str):
    """MapParts for `contour` fitted to its bbox, or None when no outline is known."""
    if contour is None:
        return None
    fmap = new_map(bounds=contour.bbox)
    folium.GeoJson(
        contour.geometrie,
        name=label,
        tooltip=label,
        style_function=lambda feature: OUTLINE_STYLE,
    ).add_to(fmap)
    return render_map(fmap, request)
