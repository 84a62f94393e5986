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
    path("calendar", views.calendar, name="calendar"),
    path("feeds/<str:token>/me.ics", views.token_my_ics, name="token_my_ics"),
    path(
        "feeds/<str:token>/rotations/<int:pk>.ics",
        views.token_rotation_ics,
        name="token_rotation_ics",
    ),
    path("rotations/new", views.edit_rotation, name="new_rotation"),
    path("rotations/<int:pk>/edit", views.edit_rotation, name="edit_rotation"),
    path("policies/", views.policies, name="policies"),
    path("policies/new", views.edit_policy, name="new_policy"),
    path("policies/<int:pk>/edit", views.edit_policy, name="edit_policy"),
    path("rules/", views.rules, name="rules"),
    path("rules/new", views.edit_rule, name="new_rule"),
    path("rules/<int:pk>/edit", views.edit_rule, name="edit_rule"),
]
