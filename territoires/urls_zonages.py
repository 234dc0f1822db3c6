from django.urls import path

from territoires import views_zonages

app_name = "zonages"

urlpatterns = [
    path("zonages/", views_zonages.index, name="index"),
]
