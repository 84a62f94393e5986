import logging
from collections.abc import Callable

from django_tasks import task

from .services import VerifyResult, verify_chain

logger = logging.getLogger(__name__)

# Higher apps register here to alert people about a broken chain (the audit app sits below
# notify and cannot import it). Each hook is called once per nightly run that finds a break.
on_chain_broken: list[Callable[[VerifyResult], None]] = []


@task()
def verify_audit_chain() -> dict[str, object]:
    """Nightly: check the chain. A broken chain is logged at ERROR and handed to the hooks."""
    result = verify_chain()
    if not result.ok:
        logger.error("audit chain broken at event #%s: %s", result.broken_at, result.reason)
        for hook in on_chain_broken:
            hook(result)
    return {"ok": result.ok, "checked": result.checked, "broken_at": result.broken_at}
