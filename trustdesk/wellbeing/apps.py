from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "trustdesk.wellbeing"
    label = "wellbeing"
    verbose_name = "Wellbeing"
