"""How a group grows as reports join it: counts, markets, sources, routing, and the
suggested severity with its reasons."""

from __future__ import annotations

import uuid
from collections import defaultdict

from trustdesk.accounts.models import Team, User
from trustdesk.incidents import services as incident_services
from trustdesk.taxonomy.severity import RubricInputs, suggest

from .. import bulk, dedup
from ..models import Report, ReporterType, ReportGroup

# Most serious first: the one the rubric is told about.
_SOURCE_ORDER = (
    ReporterType.LAW_ENFORCEMENT,
    ReporterType.REGULATOR,
    ReporterType.PRESS,
    ReporterType.TRUSTED_FLAGGER,
    ReporterType.NGO,
    ReporterType.DETECTION,
    ReporterType.INTERNAL,
    ReporterType.USER,
)
_new_group = bulk.Maker(ReportGroup)


def _title(report: Report) -> str:
    text = report.title or report.text.strip().split("\n")[0]
    return (text or f"Report via {report.get_channel_display()}")[:200]


def new_group(report: Report, fp: dedup.Fingerprint) -> ReportGroup:
    """An unsaved group opened by this report. The fingerprint names what opened it."""
    if fp.content_keys:
        fingerprint = "content:" + fp.content_keys[0]
    elif fp.signature is not None:
        fingerprint = f"text:{fp.bands[0]:x}"
    elif fp.account_keys:
        fingerprint = "account:" + fp.account_keys[0]
    else:
        fingerprint = "report:" + uuid.uuid4().hex
    return _new_group(
        None,
        fingerprint=fingerprint[:64],
        title=_title(report),
        summary=report.text[:1000],
        first_seen_at=report.received_at,
        last_seen_at=report.received_at,
        signature=dedup.pack(fp.signature) if fp.signature is not None else None,
        created_at=report.created_at,
    )


def absorb(group: ReportGroup, report: Report, teams: dict[str, Team]) -> None:
    """Count the report into its group. A restricted-by-default category wins over a milder
    one, and makes the group need-to-know."""
    group.report_count += 1
    group.first_seen_at = min(group.first_seen_at, report.received_at)
    group.last_seen_at = max(group.last_seen_at, report.received_at)
    if report.market is not None and report.market.code not in group.markets:
        group.markets = [*group.markets, report.market.code]
    if report.verified and report.reporter_type not in group.source_types:
        group.source_types = [*group.source_types, report.reporter_type]
    group.minors_involved = group.minors_involved or report.minors_involved
    category = report.category
    if category is not None and (
        group.category is None
        or (category.restricted_by_default and not group.category.restricted_by_default)
    ):
        group.category = category
    if category is not None and category.restricted_by_default:
        group.restricted = True
    if report.keyword_codes:
        group.keyword_codes = sorted(set(group.keyword_codes) | set(report.keyword_codes))
    if not group.region and report.market is not None:
        group.region = report.market.region
        group.team = teams.get(group.region)


# The rubric is a pure function of its inputs, and a batch's groups mostly share them (one
# report, one market, the same category): each distinct input is judged once per process.
_SUGGESTIONS: dict[RubricInputs, tuple[str, tuple[str, ...]]] = {}
_SUGGESTIONS_KEPT = 10_000


def suggest_severity(group: ReportGroup) -> None:
    span_hours = (group.last_seen_at - group.first_seen_at).total_seconds() / 3600
    sources = [s for s in _SOURCE_ORDER if s in group.source_types]
    inputs = RubricInputs(
        category_code=group.category.code if group.category else "",
        keyword_codes=tuple(group.keyword_codes),
        reports_per_hour=round(group.report_count / max(span_hours, 1.0), 1),
        markets=max(len(group.markets), 1),
        minors_involved=group.minors_involved,
        source_type=sources[0] if sources else "",
        press=ReporterType.PRESS in group.source_types,
    )
    judged = _SUGGESTIONS.get(inputs)
    if judged is None:
        if len(_SUGGESTIONS) >= _SUGGESTIONS_KEPT:
            _SUGGESTIONS.clear()
        suggestion = suggest(inputs)
        judged = _SUGGESTIONS[inputs] = (suggestion.severity, tuple(suggestion.reasons))
    group.suggested_severity = judged[0]
    group.severity_reasons = list(judged[1])


def note_on_incidents(
    *, fresh_reports: list[tuple[Report, ReportGroup | None]], actor: User | None
) -> None:
    """A report about content already in an open incident lands on that incident's
    timeline: one note per incident per delivery, naming the reports."""
    by_incident: dict[int, list[Report]] = defaultdict(list)
    for report, group in fresh_reports:
        if group is not None and group.incident_id is not None:
            by_incident[group.incident_id].append(report)
    for incident_id, reports in by_incident.items():
        refs = ", ".join(r.ref for r in reports[:20])
        more = f" and {len(reports) - 20} more" if len(reports) > 20 else ""
        channels = ", ".join(sorted({r.get_channel_display() for r in reports}))
        incident_services.record_event(
            actor=actor,
            incident_id=incident_id,
            text=f"{len(reports)} new report(s) about content in this incident "
            f"via {channels}: {refs}{more}",
            data={"source": "intake", "reports": [r.pk for r in reports[:500]]},
            action="intake.report.attach",
            audit_after={"reports": [r.pk for r in reports[:500]], "count": len(reports)},
        )
