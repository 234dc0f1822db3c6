from django.urls import path

from territoires import views

app_name = "territoires"

urlpatterns = [
    path("territoires/departements/<str:code>/", views.departement, name="departement"),
    path("territoires/communes/<str:code>/", views.commune, name="commune"),
]
