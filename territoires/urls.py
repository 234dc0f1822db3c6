from django.urls import path

from territoires import views

app_name = "territoires"

urlpatterns = [
    path("territoires/departements/<str:code>/", views.departement, name="departement"),
    # Before communes/<code>/: "recherche" is not a code (and has no trailing slash).
    path("territoires/communes/recherche", views.recherche_communes, name="recherche"),
    path("territoires/communes/<str:code>/", views.commune, name="commune"),
]
