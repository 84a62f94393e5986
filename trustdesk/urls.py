from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from trustdesk.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:queue", permanent=False)),
    path("", include("trustdesk.accounts.urls")),
    path("incidents/", include("trustdesk.incidents.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
