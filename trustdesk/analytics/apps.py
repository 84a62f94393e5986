from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "trustdesk.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from trustdesk.notify.transports import register_email_extras

        from . import weekly

        register_email_extras(weekly.EVENT_PREFIX, weekly.email_extras)
