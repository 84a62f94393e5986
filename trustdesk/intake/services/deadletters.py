"""Dead letters: deliveries we accepted but could not parse, kept verbatim and replayable."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import Conflict, InvalidInput

from ..incoming import ParseError, Result
from ..models import DeadLetter
from .receive import receive_report


def keep_dead_letter(
    *, channel: str, raw: bytes, error: str, source: str = "", meta: dict[str, Any] | None = None
) -> DeadLetter:
    """Keep what could not be parsed. Call it outside the failed transaction, so the dead
    letter survives the rollback."""
    with transaction.atomic():
        return DeadLetter.objects.create(
            channel=channel, raw=raw, error=error[:5000], source=source[:200], meta=meta or {}
        )


def replay_dead_letter(*, actor: User, dead_letter: DeadLetter, raw: bytes | None = None) -> Result:
    """Parse the payload again (as kept, or as corrected by a lead) and receive it. A failure
    is counted on the dead letter with its new error, and raised as ``InvalidInput``."""
    from ..channels import channel_for

    try:
        with transaction.atomic():
            locked = DeadLetter.objects.select_for_update().get(pk=dead_letter.pk)
            if locked.replayed_at is not None:
                raise Conflict(
                    f"Already replayed as report R-{locked.report_id}.", field="dead_letter"
                )
            payload = bytes(locked.raw) if raw is None else raw
            incoming = channel_for(locked.channel).parse(payload, locked.meta)
            result = receive_report(report=incoming, actor=actor)
            locked.replayed_at = timezone.now()
            locked.replayed_by = actor
            locked.report = result.report
            locked.attempts += 1
            if raw is not None:
                locked.meta = {**locked.meta, "corrected": True, "original_error": locked.error}
            locked.save(update_fields=["replayed_at", "replayed_by", "report", "attempts", "meta"])
            audit.record(
                actor=actor,
                action="intake.dead_letter.replay",
                obj=locked,
                after={
                    "report": result.report.pk if result.report else None,
                    "corrected": raw is not None,
                },
            )
            return result
    except (ParseError, InvalidInput) as exc:
        error = exc.message
        DeadLetter.objects.filter(pk=dead_letter.pk).update(
            attempts=F("attempts") + 1, error=error[:5000]
        )
        raise InvalidInput({"payload": error}) from exc
