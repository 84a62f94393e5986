"""Recording enforcement decisions, their reversal on appeal, and queueing their DSA
statements of reasons. Every function here is one transaction with its audit rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.incidents.services import record_event
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.regulatory.models import RegulatoryRequest

from .models import (
    AppealOutcome,
    EnforcementDecision,
    PuidRecord,
    SorSubmission,
)
from .rows import clean_row
from .sor import build_statement, eea_countries, validate_statement

# Statement field -> our field, so a schema error names what the person typed.
_SOR_TO_FIELD = {
    "decision_visibility": "restriction",
    "decision_monetary": "restriction",
    "decision_provision": "restriction",
    "decision_account": "restriction",
    "decision_visibility_other": "restriction_other",
    "decision_monetary_other": "restriction_other",
    "decision_ground": "ground",
    "illegal_content_legal_ground": "legal_ground",
    "incompatible_content_ground": "tos_clause",
    "incompatible_content_explanation": "tos_explanation",
    "decision_facts": "explanation",
    "application_date": "applied_at",
}

MAX_ROWS = 1000


def _eea_scope(decision: EnforcementDecision) -> list[str]:
    eea = set(eea_countries())
    return sorted(code for code in decision.territorial_scope if code in eea)


def statement_for(decision: EnforcementDecision) -> dict[str, Any] | None:
    """The statement of reasons to send, or None when the decision has no effect in the
    EEA (the DSA asks for none then). Only EEA codes go to the database."""
    scope = _eea_scope(decision)
    if not scope:
        return None
    statement = build_statement(decision)
    statement["territorial_scope"] = scope
    return statement


def _prepare(
    rows: Sequence[dict[str, Any]],
    *,
    actor: User,
    incident: Incident | None,
    regulatory_request: RegulatoryRequest | None,
    now: datetime,
) -> tuple[list[EnforcementDecision], dict[int, dict[str, str]]]:
    decisions: list[EnforcementDecision] = []
    problems: dict[int, dict[str, str]] = {}
    puids = Counter(str(row.get("puid") or "").strip() for row in rows)
    for index, raw in enumerate(rows):
        values, errors = clean_row(raw, now=now)
        if values["puid"] and puids[values["puid"]] > 1:
            errors["puid"] = "used by more than one row"
        decision = EnforcementDecision(
            incident=incident, regulatory_request=regulatory_request, created_by=actor, **values
        )
        if not errors:
            statement = statement_for(decision)
            for sor_field, messages in (validate_statement(statement) if statement else {}).items():
                errors.setdefault(_SOR_TO_FIELD.get(sor_field, sor_field), messages[0])
        if errors:
            problems[index] = errors
        decisions.append(decision)
    taken = set(
        PuidRecord.objects.filter(puid__in=[d.puid for d in decisions]).values_list(
            "puid", flat=True
        )
    )
    for index, decision in enumerate(decisions):
        if decision.puid in taken:
            problems.setdefault(index, {})["puid"] = "already used; a PUID is never reused"
    return decisions, problems


@transaction.atomic
def bulk_create_decisions(
    *,
    actor: User,
    rows: Sequence[dict[str, Any]],
    incident: Incident | None = None,
    regulatory_request: RegulatoryRequest | None = None,
    row_label: str = "decisions.{index}.{field}",
    row_offset: int = 0,
) -> list[EnforcementDecision]:
    """Record many decisions at once, all or nothing.

    Each row is cleaned, and its statement of reasons (when it applies in the EEA) is
    validated against the DSA schema before anything is written. Any error rejects the whole
    lot with every error keyed by ``row_label`` (``decisions.3.territorial_scope`` for the
    API, ``row 5: territorial_scope`` for files). Valid statements are queued for submission.
    """
    if incident is None and regulatory_request is None:
        raise InvalidInput({"incident": "a decision belongs to an incident or a request"})
    if regulatory_request is not None and incident is None:
        incident = regulatory_request.incident
    if not rows:
        raise InvalidInput({"decisions": "give at least one decision"})
    if len(rows) > MAX_ROWS:
        raise InvalidInput({"decisions": f"at most {MAX_ROWS} decisions at a time"})
    now = timezone.now()
    decisions, problems = _prepare(
        rows, actor=actor, incident=incident, regulatory_request=regulatory_request, now=now
    )
    if problems:
        raise InvalidInput(
            {
                row_label.format(index=index + row_offset, field=field): message
                for index, errors in sorted(problems.items())
                for field, message in errors.items()
            }
        )
    try:
        with transaction.atomic():
            EnforcementDecision.objects.bulk_create(decisions)
            created = list(EnforcementDecision.objects.filter(puid__in=[d.puid for d in decisions]))
            PuidRecord.objects.bulk_create(
                [PuidRecord(puid=d.puid, decision_id=d.pk, created_at=now) for d in created]
            )
    except IntegrityError:
        # Another request took one of these PUIDs between our check and our insert.
        raise InvalidInput({"puid": "already used; a PUID is never reused"}) from None
    created = sorted(created, key=lambda d: d.pk)
    queued = [
        SorSubmission(decision=d, puid=d.puid, payload=statement, queued_at=now)
        for d in created
        if (statement := statement_for(d)) is not None
    ]
    SorSubmission.objects.bulk_create(queued)
    for decision in created:
        audit.record(
            actor=actor,
            action="enforcement.decision.create",
            obj=decision,
            after={
                "restriction": decision.restriction,
                "ground": decision.ground,
                "target": decision.target,
                "puid": decision.puid,
                "incident": decision.incident_id,
                "regulatory_request": decision.regulatory_request_id,
            },
        )
    if incident is not None:
        kinds = Counter(d.get_restriction_display() for d in created)
        summary = ", ".join(f"{count} x {kind}" for kind, count in sorted(kinds.items()))
        record_event(
            actor=actor,
            incident_id=incident.pk,
            text=f"Enforcement decisions recorded: {summary}",
            data={"enforcement_decisions": [d.pk for d in created]},
            action="enforcement.decisions.recorded",
        )
    return created


def create_decision(
    *,
    actor: User,
    row: dict[str, Any],
    incident: Incident | None = None,
    regulatory_request: RegulatoryRequest | None = None,
) -> EnforcementDecision:
    """Record one decision (errors are keyed by the field name alone)."""
    return bulk_create_decisions(
        actor=actor,
        rows=[row],
        incident=incident,
        regulatory_request=regulatory_request,
        row_label="{field}",
    )[0]


@transaction.atomic
def reverse_decision(
    *,
    actor: User,
    decision: EnforcementDecision,
    outcome: str,
    appealed_at: datetime | None = None,
    at: datetime | None = None,
) -> EnforcementDecision:
    """Record the outcome of an appeal (internal complaint). A reversed or partially reversed
    decision gets its reversal time; an upheld one keeps its restriction."""
    decision = EnforcementDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.appeal_outcome:
        raise Conflict(
            f"the appeal outcome is already recorded ({decision.get_appeal_outcome_display()})",
            field="outcome",
        )
    if outcome not in AppealOutcome.values:
        raise InvalidInput({"outcome": f"must be one of {', '.join(AppealOutcome.values)}"})
    at = at or timezone.now()
    if appealed_at is not None and appealed_at > at:
        raise InvalidInput({"appealed_at": "cannot be after the outcome"})
    decision.appeal_outcome = outcome
    decision.appealed_at = appealed_at
    decision.appeal_decided_at = at
    decision.reversed_at = None if outcome == AppealOutcome.UPHELD else at
    decision.save(
        update_fields=["appeal_outcome", "appealed_at", "appeal_decided_at", "reversed_at"]
    )
    audit.record(
        actor=actor,
        action="enforcement.decision.appeal",
        obj=decision,
        after={"appeal_outcome": outcome, "reversed_at": str(decision.reversed_at or "")},
    )
    if decision.incident_id is not None:
        record_event(
            actor=actor,
            incident_id=decision.incident_id,
            text=f"Appeal on {decision.target}: {decision.get_appeal_outcome_display()}",
            data={"enforcement_decision": decision.pk, "appeal_outcome": outcome},
            action="enforcement.decision.appeal",
        )
    return decision
