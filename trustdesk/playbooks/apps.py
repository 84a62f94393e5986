from django.apps import AppConfig


class PlaybooksConfig(AppConfig):
    name = "trustdesk.playbooks"
    label = "playbooks"
    verbose_name = "Playbooks"

    def ready(self) -> None:
        # The incidents app never imports this one; it calls the hooks registered here.
        from trustdesk.incidents import services as incident_services

        from .services import on_incident_created

        if on_incident_created not in incident_services.on_created:
            incident_services.on_created.append(on_incident_created)
