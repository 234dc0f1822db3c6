from django.urls import path

from portal.views import coming_soon

app_name = "aides"

urlpatterns = [
    path("aides/", coming_soon, {"title": "Trouver une aide"}, name="finder"),
]
