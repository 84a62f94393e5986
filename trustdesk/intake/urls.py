from django.urls import path

from .views import deadletters, evidence, submit, triage

app_name = "intake"

urlpatterns = [
    path("", triage.queue, name="triage"),
    path("groups/<int:pk>/", triage.group_detail, name="group"),
    path("groups/<int:pk>/open-incident", triage.open_incident, name="open_incident"),
    path("groups/<int:pk>/attach", triage.attach, name="attach"),
    path("groups/<int:pk>/dismiss", triage.dismiss, name="dismiss"),
    path("groups/<int:pk>/spam", triage.spam, name="spam"),
    path("groups/<int:pk>/reopen", triage.reopen, name="reopen"),
    path("new/", submit.new_report, name="new_report"),
    path("reports/<int:pk>/received", submit.received, name="received"),
    path("import/", submit.import_reports, name="import"),
    path("dead-letters/", deadletters.dead_letters, name="dead_letters"),
    path("dead-letters/<int:pk>/", deadletters.dead_letter, name="dead_letter"),
    path("evidence/<int:pk>", evidence.blurred, name="evidence"),
    path("evidence/<int:pk>/reveal", evidence.reveal, name="evidence_reveal"),
    path("evidence/<int:pk>/original", evidence.original, name="evidence_original"),
]
