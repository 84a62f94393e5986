from django_tasks import task

from .spikes import services


@task()
def detect_spikes() -> dict[str, int]:
    """Hourly (core.scheduler): learn the buckets closed since the last run, raise or extend
    spike alerts, and put one suspected incident per spike in the triage queue."""
    result = services.detect_spikes()
    return {"buckets": result.buckets, "opened": result.opened, "ended": result.ended}
