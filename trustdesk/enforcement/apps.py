from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "trustdesk.enforcement"
    label = "enforcement"
    verbose_name = "Enforcement decisions"
