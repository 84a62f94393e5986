from django_tasks import task

from . import escalation, handoffs, updates


@task()
def sweep_pages() -> dict[str, int]:
    """Every minute (core.scheduler): move unacknowledged pages to their next step, remind
    commanders whose stakeholder update is overdue, and hand shifts over."""
    return {
        "advanced": escalation.sweep(),
        "update_reminders": updates.remind_late(),
        **handoffs.sweep(),
    }
