from django.urls import path

from aides import downloads, views
from aides.installation import views as installation

app_name = "aides"

urlpatterns = [
    path("aides/", views.finder, name="finder"),
    path("aides/ou-minstaller/", installation.ou_minstaller, name="ou_minstaller"),
    path("aides/<slug:slug>/", views.detail, name="detail"),
    path("donnees/aides.csv", downloads.aides_csv, name="csv"),
    path("donnees/aides.json", downloads.aides_json, name="json"),
]
