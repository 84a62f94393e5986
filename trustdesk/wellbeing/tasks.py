from django_tasks import task

from . import services


@task()
def sweep_exposures() -> dict[str, int]:
    """Every 10 minutes (core.scheduler): close exposure events whose page never sent its
    end beacon (counted for the capped duration), and delete those past retention."""
    return {"closed": services.close_stale(), "purged": services.purge_expired()}
