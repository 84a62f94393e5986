from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "trustdesk.oncall"
    label = "oncall"
    verbose_name = "On-call and engagement"

    def ready(self) -> None:
        # Registered explicitly (DESIGN.md): incidents never imports oncall.
        from trustdesk.incidents import services as incidents

        from . import engagement

        if engagement.on_incident_created not in incidents.on_created:
            incidents.on_created.append(engagement.on_incident_created)
        if engagement.on_incident_transition not in incidents.on_transition:
            incidents.on_transition.append(engagement.on_incident_transition)
