"""Public pages of the supported structures: maps, bilan and their downloads."""

from django.urls import path

from structures import downloads, views

app_name = "structures"

urlpatterns = [
    path("carte/", views.carte, name="carte"),
    path("carte/<str:code>/", views.carte_departement_view, name="carte_departement"),
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
