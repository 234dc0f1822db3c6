from django.urls import path

from aides import api, views

app_name = "aides"

urlpatterns = [
    path("aides/", views.finder, name="finder"),
    path("aides/<slug:slug>/", views.detail, name="detail"),
    path("api/v1/aides", api.aides, name="api"),
]
