from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "trustdesk.retention"
    label = "retention"
    verbose_name = "Retention and legal hold"
