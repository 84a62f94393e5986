from django_tasks import task

from . import engagement, escalation, handoffs, updates


@task()
def sweep_pages() -> dict[str, int]:
    """Every minute (core.scheduler): move unacknowledged pages to their next step, remind
    commanders whose stakeholder update is overdue, hand shifts over, and engage rules on
    incidents whose reports or regulatory requests were attached since."""
    return {
        "advanced": escalation.sweep(),
        "engaged_by_source": engagement.sweep_sources(),
        "update_reminders": updates.remind_late(),
        **handoffs.sweep(),
    }
