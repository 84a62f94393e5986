from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "trustdesk.retention"
    label = "retention"
    verbose_name = "Retention and legal hold"

    def ready(self) -> None:
        # Data governance sits above notify, so it wires the audit-chain alert (the audit
        # app cannot import notify).
        from trustdesk.audit import tasks as audit_tasks

        from .alerts import alert_broken_chain

        if alert_broken_chain not in audit_tasks.on_chain_broken:
            audit_tasks.on_chain_broken.append(alert_broken_chain)
