from django.urls import path

from . import views

app_name = "regulatory"

urlpatterns = [
    path("", views.board_view, name="board"),
    path("rows", views.board_rows, name="board_rows"),
    path("new", views.create, name="log_request"),
    path("new/choices", views.form_part, {"part": "choices"}, name="form_choices"),
    path("new/details", views.form_part, {"part": "details"}, name="form_details"),
    path("rules/", views.rules, name="rules"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("compliance/export", views.compliance_export, name="compliance_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition", views.transition, name="transition"),
    path("<int:pk>/actioned", views.actioned, name="actioned"),
    path("<int:pk>/respond", views.respond, name="respond"),
    path("<int:pk>/pause", views.pause, name="pause"),
    path("<int:pk>/resume", views.resume, name="resume"),
    path("<int:pk>/extend", views.extend, name="extend"),
    path("<int:pk>/evidence", views.upload_evidence, name="upload_evidence"),
    path("<int:pk>/evidence/<int:evidence_id>", views.download_evidence, name="evidence"),
    path("<int:pk>/owner", views.assign, name="assign"),
    path("<int:pk>/incident", views.link, name="link"),
]
