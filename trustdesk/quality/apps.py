from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "trustdesk.quality"
    label = "quality"
    verbose_name = "Quality reviews"
