from django.urls import path

from aides.alertes import views

app_name = "alertes"

urlpatterns = [
    path("alertes/creer/", views.creer, name="creer"),
    path("alertes/confirmer/<str:signed>/", views.confirmer, name="confirmer"),
    path("alertes/desabonner/<str:signed>/", views.desabonner, name="desabonner"),
    path("alertes/supprimer/", views.supprimer, name="suppression"),
    path("alertes/supprimer/<str:signed>/", views.supprimer_confirmer, name="supprimer"),
]
