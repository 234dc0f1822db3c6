from django.contrib import admin
from django.urls import include, path

from portal import health, urls_public, views

admin.site.site_header = "Portail de l'accès aux soins — espace agents"
admin.site.site_title = "Espace agents"
admin.site.index_title = "Administration des données"

site_patterns = (
    [
        path("", views.home, name="home"),
        path("sante", health.sante, name="sante"),
        path("accessibilite/", views.accessibilite, name="accessibilite"),
        path("mentions-legales/", views.mentions, name="mentions"),
        # Open data and the /api/v1/ open-data API.
        *urls_public.urlpatterns,
    ],
    "portal",
)

urlpatterns = [
    path("", include(site_patterns)),
    path("", include("territoires.urls")),
    path("", include("territoires.zonages.urls")),
    path("", include("aides.urls")),
    path("", include("structures.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
