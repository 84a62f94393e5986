from django_tasks import task

from . import reminders


@task()
def sweep_reminders() -> dict[str, int]:
    """Hourly (core.scheduler): remind owners of overdue action items and authors of late
    post-mortems, once per reminder interval."""
    result = reminders.sweep()
    return {"actions": result.action_reminders, "postmortems": result.postmortem_reminders}
