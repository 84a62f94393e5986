from django_tasks import task

from . import submission


@task()
def submit_statements() -> dict[str, int | str]:
    """Every minute (core.scheduler): send queued DSA statements of reasons."""
    result = submission.run()
    return {
        "submitted": result.submitted,
        "rejected": result.rejected,
        "recovered": result.recovered,
        "requests": result.requests,
        "stopped": result.stopped,
    }
