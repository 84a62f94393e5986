from django.apps import AppConfig


class PostmortemsConfig(AppConfig):
    name = "trustdesk.postmortems"
    label = "postmortems"
    verbose_name = "Post-mortems"

    def ready(self) -> None:
        # The incidents app never imports this one: it calls the hooks registered here.
        from trustdesk.incidents import services as incident_services

        from .services import on_incident_transition

        if on_incident_transition not in incident_services.on_transition:
            incident_services.on_transition.append(on_incident_transition)
