from django.urls import path

from territoires.zonages import views

app_name = "zonages"

urlpatterns = [
    path("zonages/", views.index, name="index"),
]
