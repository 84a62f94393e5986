from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from trustdesk.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:queue", permanent=False)),
    path("", include("trustdesk.accounts.urls")),
    path("incidents/", include("trustdesk.incidents.urls")),
    path("quality/", include("trustdesk.quality.urls")),
    path("regulatory/", include("trustdesk.regulatory.urls")),
    path("notifications/", include("trustdesk.notify.urls")),
    path("oncall/", include("trustdesk.oncall.urls")),
    path("triage/", include("trustdesk.intake.urls")),
    path("postmortems/", include("trustdesk.postmortems.urls")),
    path("playbooks/", include("trustdesk.playbooks.urls")),
    path("", include("trustdesk.markets.urls")),
    path("analytics/", include("trustdesk.analytics.urls")),
    path("enforcement/", include("trustdesk.enforcement.urls")),
    path("exports/", include("trustdesk.exports.urls")),
    path("wellbeing/", include("trustdesk.wellbeing.urls")),
    path("retention/", include("trustdesk.retention.urls")),
    path("audit/", include("trustdesk.audit.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
