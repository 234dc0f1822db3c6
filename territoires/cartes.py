"""Maps of the territorial pages: one official outline drawn on a folium map."""

from portal.maps import geojson_layer, new_map, render_map

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
    feature = {"type": "Feature", "geometry": contour.geometrie, "properties": {"nom": label}}
    geojson_layer(fmap, feature, style=OUTLINE_STYLE, tooltip=[("", "nom")], name=label)
    return render_map(fmap, request)
