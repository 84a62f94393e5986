"""The DSA transparency report (harmonised template, Implementing Regulation (EU) 2024/2835)
for a chosen period, from regulatory requests, intake reports and enforcement decisions.

Headers come verbatim from data/dsa-transparency-template.reconstructed.json. Figures are
aggregates over every record, restricted incidents included: the law asks for complete
counts, and no content or identity leaves in them. Median times are in hours."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from statistics import median
from typing import Any, TypeVar

from django.db.models import Count
from openpyxl import Workbook

from trustdesk.intake.models import Report, ReporterType
from trustdesk.lib.env import env_str
from trustdesk.lib.spreadsheets import safe_cell
from trustdesk.regulatory.models import RegulatoryRequest

from .models import AppealOutcome, EnforcementDecision, Ground, Restriction, SourceType
from .sor import DATA_DIR

T = TypeVar("T")

ART9, ART10 = "EU-DSA-ART9", "EU-DSA-ART10"
NOTICE_REPORTERS = (
    ReporterType.USER,
    ReporterType.TRUSTED_FLAGGER,
    ReporterType.NGO,
    ReporterType.PRESS,
)
NOTICE_SOURCES = (SourceType.ARTICLE_16, SourceType.TRUSTED_FLAGGER)
UNSPECIFIED = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
TOTAL = "TOTAL"
SHEETS = (
    "1_report_identification",
    "3_member_states_orders",
    "4_notices",
    "5_own_initiative_illegal",
    "6_own_initiative_TC",
    "7_appeals_and_recidivism",
)

# Own-initiative sheets: restriction column -> the restrictions counted in it.
_RESTRICTION_COLUMNS = {
    "Visibility restriction Removal": (Restriction.VISIBILITY_REMOVED,),
    "Visibility restriction Disable": (Restriction.VISIBILITY_DISABLED,),
    "Visibility restriction Demoted": (Restriction.VISIBILITY_DEMOTED,),
    "Visibility restriction Age restricted": (Restriction.VISIBILITY_AGE_RESTRICTED,),
    "Visibility restriction Interaction restricted": (
        Restriction.VISIBILITY_INTERACTION_RESTRICTED,
    ),
    "Visibility restriction Labelled ": (Restriction.VISIBILITY_LABELLED,),
    "Visibility restriction Other": (Restriction.VISIBILITY_OTHER,),
    "Monetary restriction Suspension": (Restriction.MONETARY_SUSPENSION,),
    "Monetary restriction Termination": (Restriction.MONETARY_TERMINATION,),
    "Monetary restriction Other": (Restriction.MONETARY_OTHER,),
    "Provision of the service Suspension": (
        Restriction.PROVISION_PARTIAL_SUSPENSION,
        Restriction.PROVISION_TOTAL_SUSPENSION,
    ),
    "Provision of the service Termination": (
        Restriction.PROVISION_PARTIAL_TERMINATION,
        Restriction.PROVISION_TOTAL_TERMINATION,
    ),
    "Account restriction Suspension": (Restriction.ACCOUNT_SUSPENDED,),
    "Account restriction Termination": (Restriction.ACCOUNT_TERMINATED,),
}


@cache
def template() -> dict[str, Any]:
    path = DATA_DIR / "dsa-transparency-template.reconstructed.json"
    with path.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def columns(sheet: str) -> list[str]:
    for entry in template()["sheets"]:
        if entry["name"] == sheet:
            return list(entry["columns"])
    raise KeyError(sheet)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def median_hours(deltas: Iterable[timedelta | None]) -> float | str:
    values = [hours(d) for d in deltas if d is not None]
    return round(median(values), 2) if values else ""


def _by_category(items: list[T], key: Callable[[T], str]) -> list[tuple[str, list[T]]]:
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return [(TOTAL, items), *sorted(groups.items())]


def _row(sheet: str, base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    row = dict.fromkeys(columns(sheet), "")
    for key, value in {**base, **values}.items():
        if key not in row:
            raise KeyError(f"{sheet}: no column {key!r}")
        row[key] = value
    return row


def _member_state(request: RegulatoryRequest) -> str:
    """The issuing member state: the authority's own country when the pack names it."""
    return request.authority.holiday_country or request.jurisdiction.code


def _since(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start and end else None


def orders_sheet(period: Period, base: dict[str, Any]) -> list[dict[str, Any]]:
    sheet = "3_member_states_orders"
    requests = list(
        RegulatoryRequest.objects.filter(
            rule__code__in=(ART9, ART10),
            received_at__gte=period.since,
            received_at__lt=period.until,
        ).select_related("rule", "authority", "jurisdiction", "incident__category")
    )

    def category(request: RegulatoryRequest) -> str:
        return request.incident.category.code if request.incident else UNSPECIFIED

    rows = []
    for code, in_category in _by_category(requests, category):
        scopes = _by_category(in_category, _member_state)
        for scope, chosen in scopes:
            act = [r for r in chosen if r.rule.code == ART9]
            info = [r for r in chosen if r.rule.code == ART10]
            values = {
                "Category of illegal content": code,
                "Scope": scope,
                "Number of orders to act against illegal content received": len(act),
                "Number of specific items of information included in the total number of "
                "orders to act against illegal content": sum(
                    len(r.content_items) + len(r.accounts) for r in act
                ),
                "Median time to inform the authority of the receipt of the order to act "
                "against illegal content": median_hours(
                    _since(r.received_at, r.acknowledged_at) for r in act
                ),
                "Median time to give effect to the order to act against illegal content": (
                    median_hours(_since(r.received_at, r.actioned_at) for r in act)
                ),
                "Number of orders to provide information": len(info),
                "Median time to inform the authority of the receipt of the order to provide "
                "information": median_hours(_since(r.received_at, r.acknowledged_at) for r in info),
                "Median time to give effect to the order to provide information": median_hours(
                    _since(r.received_at, r.responded_at) for r in info
                ),
            }
            rows.append(_row(sheet, base, values))
    return rows


def _notice_decisions(period: Period) -> list[EnforcementDecision]:
    return list(
        EnforcementDecision.objects.filter(
            source_type__in=NOTICE_SOURCES,
            decided_at__gte=period.since,
            decided_at__lt=period.until,
        )
    )


def notices_sheet(period: Period, base: dict[str, Any]) -> list[dict[str, Any]]:
    sheet = "4_notices"
    reports = list(
        Report.objects.filter(
            reporter_type__in=NOTICE_REPORTERS,
            received_at__gte=period.since,
            received_at__lt=period.until,
        )
        .select_related("category")
        .annotate(item_count=Count("items"))
    )
    decisions = _notice_decisions(period)
    report_groups = dict(
        _by_category(reports, lambda r: r.category.code if r.category else UNSPECIFIED)
    )
    decision_groups = dict(_by_category(decisions, lambda d: d.category))
    rows = []
    for code in [TOTAL, *sorted((set(report_groups) | set(decision_groups)) - {TOTAL})]:
        notices = report_groups.get(code, [])
        flagged = [
            r for r in notices if r.reporter_type == ReporterType.TRUSTED_FLAGGER and r.verified
        ]
        acted = decision_groups.get(code, [])
        acted_tf = [d for d in acted if d.source_type == SourceType.TRUSTED_FLAGGER]
        values = {
            "Category of illegal content": code,
            "Number of notices received ": len(notices),
            "Number of notices received from Trusted flaggers": len(flagged),
            "Number of specific items of information included in the total number of notices": sum(
                r.item_count
                for r in notices  # type: ignore[attr-defined]
            ),
            "Number of specific items of information included in the total number of notices "
            "by Trusted Flaggers (Trusted Flagger notices)": sum(
                r.item_count
                for r in flagged  # type: ignore[attr-defined]
            ),
            "Median time to take action": median_hours(
                _since(d.notice_received_at, d.applied_at) for d in acted
            ),
            "Median time to take action (Trusted Flagger notices)": median_hours(
                _since(d.notice_received_at, d.applied_at) for d in acted_tf
            ),
            "Number of actions taken on the basis of the law": sum(
                d.ground == Ground.ILLEGAL_CONTENT for d in acted
            ),
            "Number of actions taken on the basis of the law (Trusted Flagger notices)": sum(
                d.ground == Ground.ILLEGAL_CONTENT for d in acted_tf
            ),
            "Number of actions taken on the basis of the terms and conditions of the service": sum(
                d.ground == Ground.INCOMPATIBLE_CONTENT for d in acted
            ),
            "Number of actions taken on the basis of the terms and conditions of the service "
            "(Trusted Flagger notices)": sum(
                d.ground == Ground.INCOMPATIBLE_CONTENT for d in acted_tf
            ),
        }
        if code == TOTAL and notices:
            values["Contextual information on Number of notices received from Trusted flaggers"] = (
                f"Trusted-flagger share: {len(flagged) / len(notices):.1%}"
            )
        rows.append(_row(sheet, base, values))
    return rows


def own_initiative_sheet(
    period: Period, base: dict[str, Any], *, ground: Ground
) -> list[dict[str, Any]]:
    sheet = (
        "5_own_initiative_illegal" if ground == Ground.ILLEGAL_CONTENT else "6_own_initiative_TC"
    )
    category_column = columns(sheet)[3]
    decisions = list(
        EnforcementDecision.objects.filter(
            source_type=SourceType.OWN_INITIATIVE,
            ground=ground,
            decided_at__gte=period.since,
            decided_at__lt=period.until,
        )
    )
    rows = []
    for code, chosen in _by_category(decisions, lambda d: d.category):
        values: dict[str, Any] = {
            category_column: code,
            "Number of measures taken at the provider's own initiative ": len(chosen),
            "Number of measures taken after detection with solely automated means ": sum(
                d.automated_detection for d in chosen
            ),
        }
        for column, restrictions in _RESTRICTION_COLUMNS.items():
            values[column] = sum(d.restriction in restrictions for d in chosen)
        rows.append(_row(sheet, base, values))
    return rows


def appeals_sheet(period: Period, base: dict[str, Any]) -> list[dict[str, Any]]:
    """Internal complaints, from appeals decided in the period (what trustdesk records)."""
    sheet = "7_appeals_and_recidivism"
    decided = list(
        EnforcementDecision.objects.filter(
            appeal_decided_at__gte=period.since, appeal_decided_at__lt=period.until
        )
    )
    section = "Internal complaints mechanism"
    indicator = "Number of complaints submitted to the internal-complaints mechanism"
    figures: list[tuple[str, Any]] = [
        ("Total number", len(decided)),
        ("Decisions upheld", sum(d.appeal_outcome == AppealOutcome.UPHELD for d in decided)),
        (
            "Decisions partially reversed",
            sum(d.appeal_outcome == AppealOutcome.PARTIALLY_REVERSED for d in decided),
        ),
        ("Decisions reversed", sum(d.appeal_outcome == AppealOutcome.REVERSED for d in decided)),
        ("Median time", median_hours(_since(d.appealed_at, d.appeal_decided_at) for d in decided)),
    ]
    return [
        _row(
            sheet,
            base,
            {
                "Section": section,
                "Indicator": indicator,
                "Scope": scope,
                "Value": value,
                "Contextual Information": "hours" if scope == "Median time" else "",
            },
        )
        for scope, value in figures
    ]


def identification_sheet(period: Period, service: str, published: date) -> list[dict[str, Any]]:
    sheet = "1_report_identification"
    indicators = [
        ("Name of the service provider", service),
        ("Date of the publication of the report", published.isoformat()),
        ("Starting date of reporting period", period.start.isoformat()),
        ("Ending date of reporting period", period.end.isoformat()),
    ]
    return [
        _row(sheet, {}, {"Applicability": "All", "Service": service, "Indicator": i, "Value": v})
        for i, v in indicators
    ]


def build(*, period: Period, service: str, published: date) -> dict[str, list[dict[str, Any]]]:
    """Every sheet trustdesk has data for, as rows keyed by the template's headers."""

    def base(applicability: str) -> dict[str, Any]:
        return {
            "Applicability": applicability,
            "Service": service,
            "Reporting period": period.label,
        }

    return {
        "1_report_identification": identification_sheet(period, service, published),
        "3_member_states_orders": orders_sheet(period, base("All")),
        "4_notices": notices_sheet(
            period, base("Only for providers of hosting services, including online platforms")
        ),
        "5_own_initiative_illegal": own_initiative_sheet(
            period, base("All"), ground=Ground.ILLEGAL_CONTENT
        ),
        "6_own_initiative_TC": own_initiative_sheet(
            period, base("All"), ground=Ground.INCOMPATIBLE_CONTENT
        ),
        "7_appeals_and_recidivism": appeals_sheet(
            period, base("Only for providers of online platforms")
        ),
    }


def to_csv(rows: list[dict[str, Any]], sheet: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns(sheet), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue().encode("utf-8")


def to_csv_zip(report: dict[str, list[dict[str, Any]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in report.items():
            archive.writestr(f"{sheet}.csv", to_csv(rows, sheet))
    return buffer.getvalue()


def to_xlsx(report: dict[str, list[dict[str, Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for sheet, rows in report.items():
        worksheet = workbook.create_sheet(sheet[:31])
        header = columns(sheet)
        worksheet.append(header)
        for row in rows:
            worksheet.append([safe_cell(row[column]) for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def service_name() -> str:
    """The service named in the report (TRUSTDESK_DSA_SERVICE_NAME)."""
    return env_str("TRUSTDESK_DSA_SERVICE_NAME", "Our service")
