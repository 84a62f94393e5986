from django.urls import path

from . import views

app_name = "enforcement"

urlpatterns = [
    path(
        "incidents/<int:pk>/decisions/",
        views.incident_decisions,
        name="incident_decisions",
    ),
    path("incidents/<int:pk>/import/", views.import_decisions, name="import_decisions"),
    path("incidents/<int:pk>/panel/", views.incident_panel, name="incident_panel"),
    path("decisions/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("transparency-report/", views.transparency, name="transparency"),
]
