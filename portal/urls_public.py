"""Routes of the open data and the /api/v1/ API (namespace "portal", see portal.urls)."""

from django.urls import include, path

from portal import api, views_donnees

pages = [
    path("donnees/", views_donnees.donnees, name="donnees"),
    path("donnees/api/", views_donnees.documentation_api, name="donnees_api"),
    path("donnees/api/console/", api.docs, name="donnees_api_console"),
]

# Named "portal:api_<endpoint>" (url_name of each operation).
api_v1 = [path("api/v1/", include(api.urlpatterns()))]

urlpatterns = [*pages, *api_v1]
