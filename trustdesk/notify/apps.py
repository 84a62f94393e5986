from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "trustdesk.notify"
    label = "notify"
    verbose_name = "Notifications"
