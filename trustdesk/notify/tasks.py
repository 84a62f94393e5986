from django_tasks import task

from . import outbox


@task()
def deliver_pending() -> dict[str, int]:
    """Every minute (core.scheduler): send what the outbox holds."""
    return outbox.deliver_pending()
