from django_tasks import task

from . import reminders


@task()
def send_risk_reminders() -> dict[str, int]:
    """Hourly (core.scheduler): reminders before elections and other risk dates."""
    return {"notified": reminders.send_due()}
