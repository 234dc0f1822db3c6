from django.contrib import admin
from django.urls import include, path

from portal import api, health, views

admin.site.site_header = "Portail de l'accès aux soins — espace agents"
admin.site.site_title = "Espace agents"
admin.site.index_title = "Administration des données"

site_patterns = (
    [
        path("", views.home, name="home"),
        path("sante", health.sante, name="sante"),
        path("accessibilite/", views.accessibilite, name="accessibilite"),
        path("mentions-legales/", views.mentions, name="mentions"),
        path("donnees/", views.donnees, name="donnees"),
        path("donnees/api/", views.documentation_api, name="donnees_api"),
        path("donnees/api/console/", api.docs, name="donnees_api_console"),
        # The /api/v1/ open-data API, named "portal:api_<endpoint>" (url_name of each operation).
        path("api/v1/", include(api.urlpatterns())),
    ],
    "portal",
)

urlpatterns = [
    path("", include(site_patterns)),
    path("", include("territoires.urls")),
    path("", include("territoires.zonages.urls")),
    path("", include("aides.urls")),
    path("", include("aides.alertes.urls")),
    path("", include("structures.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
