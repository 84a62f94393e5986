"""Triage decisions on a group: open an incident from it, attach it to an open incident,
dismiss it with a reason, or mark it as spam. Each is one transaction with its audit event,
and the incident's timeline records what joined it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput
from trustdesk.taxonomy.models import Category, Keyword, Market

from ..models import GroupStatus, Report, ReportGroup

GROUP_TRANSITIONS: dict[GroupStatus, tuple[GroupStatus, ...]] = {
    GroupStatus.OPEN: (
        GroupStatus.CONVERTED,
        GroupStatus.ATTACHED,
        GroupStatus.DISMISSED,
        GroupStatus.SPAM,
    ),
    # A dismissal or spam verdict can be undone; an incident link cannot (merge instead).
    GroupStatus.DISMISSED: (GroupStatus.OPEN,),
    GroupStatus.SPAM: (GroupStatus.OPEN,),
    GroupStatus.CONVERTED: (),
    GroupStatus.ATTACHED: (),
}
FALLBACK_CATEGORY = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"


def _move(*, actor: User, group: ReportGroup, to: GroupStatus, reason: str = "") -> ReportGroup:
    group = ReportGroup.objects.select_for_update().get(pk=group.pk)
    allowed = GROUP_TRANSITIONS[GroupStatus(group.status)]
    if to not in allowed:
        raise IllegalTransition(group.status, to, allowed)
    before = group.status
    group.status = to
    group.status_reason = reason
    group.decided_by = actor
    group.decided_at = timezone.now()
    group.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
    audit.record(
        actor=actor,
        action=f"intake.group.{to.value}",
        obj=group,
        before={"status": before},
        after={"status": to.value, "reason": reason, "incident": group.incident_id},
    )
    return group


def _timeline(incident: Incident, group: ReportGroup, actor: User, verb: str) -> None:
    channels = sorted(set(Report.objects.filter(group=group).values_list("channel", flat=True)))
    incident_services.record_event(
        actor=actor,
        incident_id=incident.pk,
        text=f"{verb} triage group {group.ref}: {group.report_count} report(s) via "
        f"{', '.join(channels) or 'no channel'}, first seen "
        f"{group.first_seen_at:%Y-%m-%d %H:%M} UTC",
        data={"source": "intake", "group": group.pk, "report_count": group.report_count},
        action="intake.group.timeline",
    )


@transaction.atomic
def open_incident_from_group(
    *,
    actor: User,
    group: ReportGroup,
    title: str = "",
    severity: str = "",
    region: str = "",
) -> Incident:
    """Open an incident with the group's category, markets, keywords and suggested severity
    (each can be overridden), and link the group to it."""
    if group.status != GroupStatus.OPEN:
        raise IllegalTransition(
            group.status, GroupStatus.CONVERTED, GROUP_TRANSITIONS[GroupStatus(group.status)]
        )
    category = group.category or Category.objects.get(code=FALLBACK_CATEGORY)
    allowed_keywords = set(category.keywords.values_list("code", flat=True))
    region = region or group.region or actor.region
    if not region:
        raise InvalidInput({"region": "The group has no market; choose a region."})
    incident = incident_services.create_incident(
        actor=actor,
        title=title.strip() or group.title,
        category=category,
        severity=severity or group.suggested_severity,
        markets=Market.objects.filter(code__in=group.markets),
        keywords=Keyword.objects.filter(code__in=set(group.keyword_codes) & allowed_keywords),
        summary=group.summary,
        region=region,
        restricted=True if group.restricted else None,
        detected_at=group.first_seen_at,
    )
    ReportGroup.objects.filter(pk=group.pk).update(incident=incident)
    group.incident = incident
    group = _move(actor=actor, group=group, to=GroupStatus.CONVERTED)
    _timeline(incident, group, actor, "Opened from")
    return incident


@transaction.atomic
def attach_group(*, actor: User, group: ReportGroup, incident: Incident) -> ReportGroup:
    """Attach the group's reports to an open incident. Later reports about the same
    content join the incident on their own."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise Conflict(
            f"{incident.ref} is {incident.get_status_display()}; attach to an open incident.",
            field="incident",
        )
    if group.status != GroupStatus.OPEN:
        raise IllegalTransition(
            group.status, GroupStatus.ATTACHED, GROUP_TRANSITIONS[GroupStatus(group.status)]
        )
    ReportGroup.objects.filter(pk=group.pk).update(incident=incident)
    group = _move(actor=actor, group=group, to=GroupStatus.ATTACHED)
    _timeline(incident, group, actor, "Attached")
    return group


@transaction.atomic
def dismiss_group(*, actor: User, group: ReportGroup, reason: str) -> ReportGroup:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why this group is not an incident."})
    return _move(actor=actor, group=group, to=GroupStatus.DISMISSED, reason=reason[:2000])


@transaction.atomic
def mark_spam(*, actor: User, group: ReportGroup, reason: str = "") -> ReportGroup:
    return _move(actor=actor, group=group, to=GroupStatus.SPAM, reason=(reason or "").strip())


@transaction.atomic
def reopen_group(*, actor: User, group: ReportGroup, reason: str = "") -> ReportGroup:
    """Undo a dismissal or a spam verdict."""
    return _move(actor=actor, group=group, to=GroupStatus.OPEN, reason=(reason or "").strip())
