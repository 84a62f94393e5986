from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.index, name="index"),
    path("policies", views.set_policy, name="set_policy"),
    path("holds", views.place_hold, name="place_hold"),
    path("holds/<int:pk>/release", views.release_hold, name="release_hold"),
]
