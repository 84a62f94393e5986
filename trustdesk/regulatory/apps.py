from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    name = "trustdesk.regulatory"
    label = "regulatory"
    verbose_name = "Regulatory requests"
