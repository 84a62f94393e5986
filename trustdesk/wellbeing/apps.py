from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "trustdesk.wellbeing"
    label = "wellbeing"
    verbose_name = "Wellbeing"

    def ready(self) -> None:
        # Intake never imports this app; it calls the hooks registered here.
        from trustdesk.intake import evidence

        from .services import on_evidence_revealed, viewing_for

        if on_evidence_revealed not in evidence.on_reveal:
            evidence.on_reveal.append(on_evidence_revealed)
        if viewing_for not in evidence.viewing_hooks:
            evidence.viewing_hooks.append(viewing_for)
