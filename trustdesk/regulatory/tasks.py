from django_tasks import task

from . import escalation


@task()
def sweep_deadlines() -> dict[str, int]:
    """Every minute (core.scheduler): reminders and escalations for running clocks."""
    return {"escalated": escalation.sweep()}
