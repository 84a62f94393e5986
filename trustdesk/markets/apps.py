from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "trustdesk.markets"
    label = "markets"
    verbose_name = "Market profiles and risk calendar"
