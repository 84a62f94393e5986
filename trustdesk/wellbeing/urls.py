from django.urls import path

from . import views

app_name = "wellbeing"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("preferences/", views.preferences, name="preferences"),
    path("team/", views.team, name="team"),
    path("exposures/start", views.start, name="start"),
    path("exposures/<int:pk>/end", views.end, name="end"),
    path("incidents/<int:incident_id>/suggestion", views.suggestion, name="suggestion"),
]
