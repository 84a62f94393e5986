"""After the fact: were deadlines met, and how fast? Figures per jurisdiction, authority or
rule, and the CSV/XLSX exports behind the compliance page.

A request's deadline is judged on the milestone its rule asks for (acknowledgement, action or
response): met if that happened by the due time, breached if it happened later or has not
happened and the due time has passed, pending otherwise. Withdrawn requests are counted
apart. Times to acknowledge and to act run from receipt. The median of an even number of
values is the mean of the middle two; p90 is the nearest-rank 90th percentile (the smallest
value with at least 90% of values at or below it), so it is always a time that happened.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from openpyxl import Workbook

from trustdesk.lib.spreadsheets import safe_cell

from .clock import zone_of
from .models import RegulatoryRequest, RequestQuerySet

GROUPS = ("jurisdiction", "authority", "rule")


def percentile(values: Iterable[timedelta], fraction: float) -> timedelta | None:
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Iterable[timedelta]) -> timedelta | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def time_to_acknowledge(request: RegulatoryRequest) -> timedelta | None:
    if request.acknowledged_at is None:
        return None
    return request.acknowledged_at - request.received_at


def time_to_act(request: RegulatoryRequest) -> timedelta | None:
    done = request.actioned_at or request.responded_at
    return done - request.received_at if done else None


@dataclass
class Figures:
    key: str
    label: str
    requests: int = 0
    met: int = 0
    breached: int = 0
    pending: int = 0
    withdrawn: int = 0
    ack_times: list[timedelta] = field(default_factory=list, repr=False)
    act_times: list[timedelta] = field(default_factory=list, repr=False)

    def add(self, request: RegulatoryRequest) -> None:
        self.requests += 1
        result = request.deadline_result
        setattr(self, result, getattr(self, result) + 1)
        ack, act = time_to_acknowledge(request), time_to_act(request)
        if ack is not None:
            self.ack_times.append(ack)
        if act is not None:
            self.act_times.append(act)

    @property
    def met_rate(self) -> float | None:
        judged = self.met + self.breached
        return self.met / judged if judged else None

    @property
    def ack_median(self) -> timedelta | None:
        return median(self.ack_times)

    @property
    def ack_p90(self) -> timedelta | None:
        return percentile(self.ack_times, 0.9)

    @property
    def act_median(self) -> timedelta | None:
        return median(self.act_times)

    @property
    def act_p90(self) -> timedelta | None:
        return percentile(self.act_times, 0.9)


_KEYS: dict[str, Callable[[RegulatoryRequest], tuple[str, str]]] = {
    "jurisdiction": lambda r: (
        r.jurisdiction.code,
        f"{r.jurisdiction.name} ({r.jurisdiction.code})",
    ),
    "authority": lambda r: (r.authority.code, r.authority.name),
    "rule": lambda r: (r.rule.code, f"{r.rule.code} · {r.rule_version.title}"),
}


@dataclass
class Filters:
    jurisdiction: str = ""
    authority: str = ""
    rule: str = ""
    received_from: date | None = None
    received_to: date | None = None  # inclusive
    group: str = "jurisdiction"


def filtered(requests: RequestQuerySet, filters: Filters) -> RequestQuerySet:
    """Apply the filters to requests the viewer can already see."""
    if filters.jurisdiction:
        requests = requests.filter(jurisdiction__code=filters.jurisdiction)
    if filters.authority:
        requests = requests.filter(authority__code=filters.authority)
    if filters.rule:
        requests = requests.filter(rule__code=filters.rule)
    if filters.received_from:
        requests = requests.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        requests = requests.filter(received_at__date__lte=filters.received_to)
    return requests.select_related(
        "jurisdiction", "authority", "rule", "rule_version", "incident", "owner"
    ).order_by("received_at", "id")


def figures(requests: Iterable[RegulatoryRequest], group: str) -> tuple[list[Figures], Figures]:
    """One row per group value, largest first, and the total."""
    key_of = _KEYS[group]
    rows: dict[str, Figures] = {}
    total = Figures("__all__", "All requests")
    for request in requests:
        key, label = key_of(request)
        rows.setdefault(key, Figures(key, label)).add(request)
        total.add(request)
    ordered = sorted(rows.values(), key=lambda f: (-f.requests, f.label))
    return ordered, total


def quarter_bounds(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + 2
    next_start = date(day.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, next_start - timedelta(days=1)


# --- exports --------------------------------------------------------------------------------


def _hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 2) if value is not None else None


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value else ""


SUMMARY_HEADER = [
    "group",
    "requests",
    "met",
    "breached",
    "pending",
    "withdrawn",
    "met rate",
    "median hours to acknowledge",
    "p90 hours to acknowledge",
    "median hours to act",
    "p90 hours to act",
]

REQUEST_HEADER = [
    "ref",
    "jurisdiction",
    "authority",
    "authority reference",
    "rule",
    "rule version",
    "instrument and article",
    "verification",
    "internal target",
    "deadline for",
    "received (UTC)",
    "clock started (UTC)",
    "due (UTC)",
    "due (authority time)",
    "deadline milestone at (UTC)",
    "result",
    "hours to acknowledge",
    "hours to act",
    "status",
    "outcome",
    "incident",
    "owner",
    "evidence (name sha256)",
]


def summary_rows(rows: list[Figures], total: Figures) -> list[list[object]]:
    out: list[list[object]] = []
    for item in [*rows, total]:
        rate = round(item.met_rate, 4) if item.met_rate is not None else None
        out.append(
            [
                item.label,
                item.requests,
                item.met,
                item.breached,
                item.pending,
                item.withdrawn,
                rate,
                _hours(item.ack_median),
                _hours(item.ack_p90),
                _hours(item.act_median),
                _hours(item.act_p90),
            ]
        )
    return out


def request_row(request: RegulatoryRequest) -> list[object]:
    version = request.rule_version
    local_due = request.due_at.astimezone(zone_of(request.tz))
    evidence = "; ".join(f"{e.original_name} {e.sha256}" for e in request.evidence.all())
    return [
        request.ref,
        request.jurisdiction.code,
        request.authority.name,
        request.reference,
        request.rule.code,
        version.number,
        version.legal_reference,
        version.verification,
        "yes" if request.is_internal_target else "no",
        version.deadline_for,
        _utc(request.received_at),
        _utc(request.started_at),
        _utc(request.due_at),
        f"{local_due:%Y-%m-%d %H:%M} {request.tz}",
        _utc(request.deadline_met_at),
        request.deadline_result,
        _hours(time_to_acknowledge(request)),
        _hours(time_to_act(request)),
        request.get_status_display(),
        request.get_outcome_display() if request.outcome else "",
        request.incident.ref if request.incident else "",
        request.owner.username if request.owner else "",
        evidence,
    ]


def as_csv(header: list[str], rows: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return buffer.getvalue()


def as_xlsx(summary: list[list[object]], requests: Iterable[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Summary"
    sheet.append(SUMMARY_HEADER)
    for row in summary:
        sheet.append([safe_cell(v) for v in row])
    detail = book.create_sheet("Requests")
    detail.append(REQUEST_HEADER)
    for row in requests:
        detail.append([safe_cell(v) for v in row])
    for ws in (sheet, detail):
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
