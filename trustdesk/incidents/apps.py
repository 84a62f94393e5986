from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "trustdesk.incidents"
    label = "incidents"
    verbose_name = "Incidents"
