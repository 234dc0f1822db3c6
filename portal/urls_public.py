"""Routes of the open data and the /api/v1/ API (namespace "portal", see portal.urls)."""

from django.urls import path

from portal import api, views_donnees

pages = [
    path("donnees/", views_donnees.donnees, name="donnees"),
    path("donnees/api/", views_donnees.documentation_api, name="donnees_api"),
]

api_v1 = [
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
    path("api/v1/statistiques", api.statistiques, name="api_statistiques"),
    path("api/v1/structures", api.structures, name="api_structures"),
    path("api/v1/structures/<int:id>", api.structure, name="api_structure"),
    path("api/v1/territoires/regions", api.regions, name="api_regions"),
    path("api/v1/territoires/regions/<str:code>", api.region, name="api_region"),
    path("api/v1/territoires/departements", api.departements, name="api_departements"),
    path("api/v1/territoires/departements/<str:code>", api.departement, name="api_departement"),
    path("api/v1/territoires/communes", api.communes, name="api_communes"),
    path("api/v1/territoires/communes/<str:code>", api.commune, name="api_commune"),
]

urlpatterns = [*pages, *api_v1]
