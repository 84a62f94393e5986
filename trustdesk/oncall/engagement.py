"""Evaluating engagement rules against an incident, and engaging who they name.

Runs inside the incident service's transaction (via its hooks), so the participants, the
match, the audit event and the notification outbox rows commit with the incident change.
"""

from __future__ import annotations

from django.db import IntegrityError, models, transaction
from django.urls import reverse

from trustdesk.accounts.models import User
from trustdesk.audit import services as audit
from trustdesk.incidents import services as incidents
from trustdesk.incidents.models import Incident
from trustdesk.intake.models import Report, ReporterType
from trustdesk.notify.services import notify
from trustdesk.regulatory.models import AuthorityKind, RegulatoryRequest
from trustdesk.taxonomy.severity import Severity

from .models import EngagementMatch, EngagementRule, RestrictedCondition, SourceType

_WORST_FIRST: list[str] = [Severity.SEV1, Severity.SEV2, Severity.SEV3, Severity.SEV4]


# Incidents have no source field: it is derived from what hangs on them. Internal reports and
# detection systems are not a source a rule can ask for.
REPORTER_SOURCES: dict[str, str] = {
    ReporterType.USER: SourceType.USER,
    ReporterType.TRUSTED_FLAGGER: SourceType.TRUSTED_FLAGGER,
    ReporterType.REGULATOR: SourceType.REGULATOR,
    ReporterType.LAW_ENFORCEMENT: SourceType.LAW_ENFORCEMENT,
    ReporterType.NGO: SourceType.NGO,
    ReporterType.PRESS: SourceType.PRESS,
}
AUTHORITY_SOURCES: dict[str, str] = {
    AuthorityKind.COURT: SourceType.COURT,
    AuthorityKind.REGULATOR: SourceType.REGULATOR,
    AuthorityKind.LAW_ENFORCEMENT: SourceType.LAW_ENFORCEMENT,
    AuthorityKind.PROSECUTOR: SourceType.LAW_ENFORCEMENT,
    AuthorityKind.GOVERNMENT: SourceType.GOVERNMENT,
    AuthorityKind.CLEARINGHOUSE: SourceType.NGO,
    AuthorityKind.TRUSTED_FLAGGER: SourceType.TRUSTED_FLAGGER,
    AuthorityKind.INDIVIDUAL: SourceType.USER,
}


def source_types(incident: Incident) -> set[str]:
    """Where the incident came from: its attached reports' reporter types and its linked
    regulatory requests' authority kinds."""
    reporters = Report.objects.filter(group__incident=incident).values_list(
        "reporter_type", flat=True
    )
    kinds = RegulatoryRequest.objects.filter(incident=incident).values_list(
        "authority__kind", flat=True
    )
    found = {REPORTER_SOURCES.get(r) for r in set(reporters)}
    found |= {AUTHORITY_SOURCES.get(k) for k in set(kinds)}
    return {s for s in found if s}


def _words(rule: EngagementRule) -> list[str]:
    return [w.strip().lower() for w in rule.text_contains.split(",") if w.strip()]


def evaluate(rule: EngagementRule, incident: Incident) -> list[str] | None:
    """The reasons the rule matches, one per condition it has; None when it does not."""
    reasons: list[str] = []
    categories = {c.code: c.name for c in rule.categories.all()}
    if categories:
        if incident.category.code not in categories:
            return None
        reasons.append(f"category is {categories[incident.category.code]}")
    for label, wanted, have in (
        ("keyword", rule.keywords.all(), incident.keywords.all()),
        ("market", rule.markets.all(), incident.markets.all()),
    ):
        wanted_codes = {o.code for o in wanted}
        if wanted_codes:
            hits = sorted(wanted_codes & {o.code for o in have})
            if not hits:
                return None
            reasons.append(f"{label} {', '.join(hits)}")
    if rule.min_severity:
        if _WORST_FIRST.index(incident.severity) > _WORST_FIRST.index(rule.min_severity):
            return None
        reasons.append(f"severity {incident.severity} (at least {rule.min_severity})")
    words = _words(rule)
    if words:
        text = f"{incident.title} {incident.summary}".lower()
        found = [w for w in words if w in text]
        if not found:
            return None
        reasons.append(f"mentions {', '.join(found)}")
    if rule.restricted == RestrictedCondition.ONLY and not incident.restricted:
        return None
    if rule.restricted == RestrictedCondition.NEVER and incident.restricted:
        return None
    if rule.restricted == RestrictedCondition.ONLY:
        reasons.append("incident is restricted")
    if rule.source_types:
        hits = sorted(set(rule.source_types) & source_types(incident))
        if not hits:
            return None
        reasons.append(f"source {', '.join(SourceType(h).label.lower() for h in hits)}")
    return reasons


def _with_sources(rule: EngagementRule) -> models.QuerySet[Incident]:
    reporters = [r for r, s in REPORTER_SOURCES.items() if s in rule.source_types]
    kinds = [k for k, s in AUTHORITY_SOURCES.items() if s in rule.source_types]
    has_source = models.Q(
        pk__in=Report.objects.filter(reporter_type__in=reporters).values("group__incident")
    ) | models.Q(
        pk__in=RegulatoryRequest.objects.filter(authority__kind__in=kinds).values("incident")
    )
    return Incident.objects.open().filter(has_source).exclude(engagement_matches__rule=rule)


def sweep_sources() -> int:
    """Every minute: re-check incidents that gained a source since they were created.

    Reports and regulatory requests are attached by the intake and regulatory apps after the
    incident exists; rather than hooking into them, the sweep engages within a minute."""
    fired = 0
    rules = [r for r in EngagementRule.objects.filter(enabled=True) if r.source_types]
    for rule in rules:
        for incident in _with_sources(rule):
            with transaction.atomic():
                fired += len(engage(incident))
    return fired


def people_of(rule: EngagementRule) -> list[User]:
    people: dict[int, User] = {}
    if rule.team is not None:
        people.update({u.pk: u for u in rule.team.members.filter(is_active=True)})
    if rule.person is not None and rule.person.is_active:
        people[rule.person.pk] = rule.person
    return list(people.values())


def _fire(rule: EngagementRule, incident: Incident, reasons: list[str]) -> EngagementMatch | None:
    people = people_of(rule)
    try:
        with transaction.atomic():
            match = EngagementMatch.objects.create(
                rule=rule,
                incident=incident,
                reasons=reasons,
                engaged=sorted(u.username for u in people),
            )
    except IntegrityError:
        return None  # already fired for this incident
    why = f"engagement rule: {rule.name}"
    for person in people:
        incidents.add_participant(
            actor=None, incident=incident, user=person, role=rule.role, reason=why
        )
    audit.record(
        actor=None,
        action="oncall.engagement.fire",
        obj=incident,
        after={"rule": rule.name, "reasons": reasons, "engaged": match.engaged},
    )
    link = reverse("incidents:detail", args=[incident.pk])
    body = "; ".join(reasons)
    if rule.reason:
        body = f"{rule.reason}\nMatched: {body}"
    notify(
        recipients=people,
        event_key=f"incident.{incident.pk}.engaged.{rule.pk}",
        subject=f"You are engaged on {incident.severity}: {incident.title}"[:200],
        body=body,
        link=link,
        thread_key=f"incident-{incident.pk}",
        urgent=incident.severity == "SEV1",
    )
    return match


def engage(incident: Incident) -> list[EngagementMatch]:
    """Fire every enabled rule that matches and has not fired for this incident yet."""
    fired = []
    done = set(incident.engagement_matches.values_list("rule_id", flat=True))
    rules = EngagementRule.objects.filter(enabled=True).exclude(pk__in=done)
    for rule in rules.select_related("team", "person").prefetch_related(
        "categories", "keywords", "markets"
    ):
        reasons = evaluate(rule, incident)
        if reasons is not None:
            match = _fire(rule, incident, reasons)
            if match is not None:
                fired.append(match)
    return fired


def on_incident_created(incident: Incident, actor: User | None) -> None:
    from . import escalation  # both run on creation; paging after the engagement

    engage(incident)
    escalation.start(incident)


def on_incident_transition(incident: Incident, old: str, new: str, actor: User | None) -> None:
    # Severity, markets and keywords change as an incident is understood: re-check rules.
    engage(incident)
