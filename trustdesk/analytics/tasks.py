from django.utils import timezone
from django_tasks import task

from . import weekly


@task()
def send_weekly_report() -> dict[str, int]:
    """Mondays at 06:00 UTC (core.scheduler): last week's insights to every lead."""
    return {"sent": weekly.send_weekly(now=timezone.now())}
