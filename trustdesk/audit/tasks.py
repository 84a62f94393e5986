import logging

from django_tasks import task

from .services import verify_chain

logger = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict[str, object]:
    """Nightly: check the chain. A broken chain is logged at ERROR for the operators' alerts."""
    result = verify_chain()
    if not result.ok:
        logger.error("audit chain broken at event #%s: %s", result.broken_at, result.reason)
    return {"ok": result.ok, "checked": result.checked, "broken_at": result.broken_at}
