from django.urls import path

from aides import downloads, views
from aides.installation import views as installation
from aides.integrer import views as integrer
from aides.resultats import views as resultats

app_name = "aides"

urlpatterns = [
    path("aides/", views.finder, name="finder"),
    # Before aides/<slug>/: neither is an aid.
    path("aides/resultats/courriel/", resultats.courriel, name="resultats_courriel"),
    path("aides/ou-minstaller/", installation.ou_minstaller, name="ou_minstaller"),
    path("aides/<slug:slug>/", views.detail, name="detail"),
    path("integrer/", integrer.page, name="integrer"),
    path("integrer/recherche/", integrer.recherche, name="integrer_recherche"),
    path("donnees/aides.csv", downloads.aides_csv, name="csv"),
    path("donnees/aides.json", downloads.aides_json, name="json"),
]
