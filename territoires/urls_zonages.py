from django.urls import path

from portal.views import coming_soon

app_name = "zonages"

urlpatterns = [
    path("zonages/", coming_soon, {"title": "Zonages"}, name="index"),
]
