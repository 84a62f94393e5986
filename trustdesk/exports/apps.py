from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "trustdesk.exports"
    label = "exports"
    verbose_name = "Regulator exports"
