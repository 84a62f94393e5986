import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from trustdesk.lib.regions import Region

from . import services
from .models import Program
from .services.runs import bounds

logger = logging.getLogger(__name__)


@task()
def run_quality_cycle() -> dict[str, object]:
    """Daily (core.scheduler): collect accuracy signals on recently closed work, draw each
    region's sample for its last complete period (once; later days find it drawn, and a
    missed day catches up), and remind leads of goal follow-ups that have come due.

    Daily rather than weekly so a programme's period length can change without touching the
    schedule, and so a run missed because no worker was up is made the next day."""
    now = timezone.now()
    today = now.date()
    runs, signals = [], 0
    for region in Region.values:
        program = Program.for_region(region)
        start = services.last_complete_period(today, program.period_days)
        begin, _ = bounds(start - timedelta(days=program.period_days), program.period_days)
        signals += services.collect_signals(start=begin, end=now)
        run = services.run_period(region=region, period_start=start)
        runs.append(run.pk)
    reminders = services.remind_follow_ups(today)
    logger.info("quality cycle: runs %s, %d new signals, %d reminders", runs, signals, reminders)
    return {"runs": runs, "signals": signals, "reminders": reminders}
