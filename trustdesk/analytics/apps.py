from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "trustdesk.analytics"
    label = "analytics"
    verbose_name = "Analytics"
