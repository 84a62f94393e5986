from django_tasks import task

from .purge import run_purge


@task()
def purge_expired() -> dict[str, object]:
    """Daily: delete what is past its retention and under no hold or duty."""
    run = run_purge()
    return {"run": run.pk, "deleted": run.deleted, "kept": run.kept}
