from django.urls import path

from .views import exports, incident, pages

app_name = "postmortems"

urlpatterns = [
    path("", pages.index, name="index"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/sections/<slug:key>", pages.save_section, name="save_section"),
    path("<int:pk>/facts", pages.refresh_facts, name="refresh_facts"),
    path("<int:pk>/timeline", pages.save_timeline, name="save_timeline"),
    path("<int:pk>/factors", pages.add_factor, name="add_factor"),
    path("<int:pk>/factors/<int:link_id>/remove", pages.remove_factor, name="remove_factor"),
    path("<int:pk>/actions", pages.add_action, name="add_action"),
    path("<int:pk>/actions/<int:item_id>/status", pages.action_status, name="action_status"),
    path("<int:pk>/reviewers", pages.set_reviewers, name="set_reviewers"),
    path("<int:pk>/transition", pages.transition, name="transition"),
    path("<int:pk>/review", pages.decide, name="decide"),
    path("<int:pk>/comments", pages.comment, name="comment"),
    path("<int:pk>/print", exports.printable, name="print"),
    path("<int:pk>.md", exports.as_markdown, name="markdown"),
    path("<int:pk>.pdf", exports.as_pdf, name="pdf"),
    path("similar/<int:incident_id>/", incident.incident_panel, name="incident_panel"),
    path("require/<int:incident_id>", incident.require, name="require"),
]
