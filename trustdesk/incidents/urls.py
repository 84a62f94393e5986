from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new", views.create, name="create"),
    path("form/category-fields", views.category_fields, name="category_fields"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit", views.edit, name="edit"),
    path("<int:pk>/transition", views.transition, name="transition"),
    path("<int:pk>/participants", views.add_participant, name="add_participant"),
    path(
        "<int:pk>/participants/<int:participant_id>/remove",
        views.remove_participant,
        name="remove_participant",
    ),
    path("<int:pk>/tasks", views.add_task, name="add_task"),
    path("<int:pk>/tasks/<int:task_id>/status", views.set_task_status, name="set_task_status"),
    path("<int:pk>/notes", views.add_note, name="add_note"),
    path("<int:pk>/events/<int:event_id>/pin", views.pin_event, name="pin_event"),
]
