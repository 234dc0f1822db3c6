"""Public pages of the supported structures: maps, bilan and their downloads."""

from django.urls import path

from structures import downloads, views

app_name = "structures"

urlpatterns = [
    path("carte/", views.carte, name="carte"),
    path("carte/<str:code>/", views.carte_departement_view, name="carte_departement"),
    # Layers of the maps: the version (data version and date) makes each URL immutable.
    path(
        "carte/couches/<str:version>/<str:code>/communes.geojson",
        views.couche_communes,
        name="couche_communes",
    ),
    path(
        "carte/couches/<str:version>/<str:code>/departement.geojson",
        views.couche_departement,
        name="couche_departement",
    ),
    path(
        "carte/couches/<str:version>/<str:code>/qpv.geojson",
        views.couche_qpv,
        name="couche_qpv",
    ),
    path(
        "carte/couches/<str:version>/<str:code>/structures.geojson",
        views.couche_structures,
        name="couche_structures",
    ),
    path(
        "carte/couches/<str:version>/<str:code>/departements.geojson",
        views.couche_departements,
        name="couche_departements",
    ),
    path("bilan/", views.bilan, name="bilan"),
    path("bilan/<slug:slug>.csv", views.bilan_csv, name="bilan_csv"),
    path("donnees/structures.csv", downloads.structures_csv, name="csv"),
    path("donnees/structures.geojson", downloads.structures_geojson, name="geojson"),
    path(
        "donnees/professionnels-par-commune.csv",
        downloads.professionnels_csv,
        name="professionnels_csv",
    ),
]
