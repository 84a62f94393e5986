from django.urls import path

from .views import adherence, checklist, library

app_name = "playbooks"

urlpatterns = [
    path("", library.library, name="library"),
    path("new", library.create, name="create"),
    path("adherence/", adherence.adherence_view, name="adherence"),
    path("<int:pk>/", library.detail, name="detail"),
    path("<int:pk>/edit", library.edit, name="edit"),
    path("<int:pk>/archive", library.archive, name="archive"),
    path("incidents/<int:incident_id>/checklist", checklist.checklist, name="checklist"),
    path("incidents/<int:incident_id>/apply", checklist.apply, name="apply"),
    path("incidents/<int:incident_id>/steps/<int:run_id>/done", checklist.complete, name="done"),
    path("incidents/<int:incident_id>/steps/<int:run_id>/skip", checklist.skip, name="skip"),
    path("incidents/<int:incident_id>/steps/<int:run_id>/reopen", checklist.reopen, name="reopen"),
    path("incidents/<int:incident_id>/clocks", checklist.sync_clocks, name="sync_clocks"),
    path("incidents/<int:incident_id>/owners", checklist.fill_owners, name="fill_owners"),
    path(
        "incidents/<int:incident_id>/adherence",
        checklist.incident_adherence,
        name="incident_adherence",
    ),
]
