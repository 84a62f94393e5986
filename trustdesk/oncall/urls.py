from django.urls import path

from . import views

app_name = "oncall"

urlpatterns = [
    path("", views.rotations, name="rotations"),
    path("rotations/<int:pk>.ics", views.rotation_ics, name="rotation_ics"),
    path("pages/<int:pk>/ack", views.acknowledge_page, name="ack_page"),
    path("incidents/<int:pk>/updates", views.status_updates, name="updates"),
    path("handoffs/<int:pk>", views.handoff, name="handoff"),
    path("me.ics", views.my_ics, name="my_ics"),
    path("rules/", views.rules, name="rules"),
    path("rules/new", views.edit_rule, name="new_rule"),
    path("rules/<int:pk>/edit", views.edit_rule, name="edit_rule"),
]
