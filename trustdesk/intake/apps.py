from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "trustdesk.intake"
    label = "intake"
    verbose_name = "Intake"
