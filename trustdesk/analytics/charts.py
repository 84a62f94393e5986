"""The dashboard's charts: each metric as a chart (labels, datasets, a drill-down link per
point) and as the table behind it. The page's accessible tables, the CSV/XLSX exports and
the chart script all read the same ``Chart``, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from trustdesk.accounts.models import User

from . import metrics
from .metrics import Filters

Number = int | float | None


@dataclass
class Dataset:
    label: str
    data: list[Number]
    links: list[str] = field(default_factory=list)  # one per point; "" when nothing to open


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" or "line"
    labels: list[str]
    datasets: list[Dataset]
    header: list[str]
    rows: list[list[Any]]
    stacked: bool = False
    axis: str = ""  # what the value axis counts

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "labels": self.labels,
            "stacked": self.stacked,
            "axis": self.axis,
            "datasets": [
                {"label": d.label, "data": d.data, "links": d.links} for d in self.datasets
            ],
        }


def hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 2) if value is not None else None


def _link(name: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v not in ("", None)}
    return f"{reverse(name)}?{urlencode(query)}"


def queue_link(filters: Filters, *, since: date, until: date, **params: Any) -> str:
    """The incident queue showing the incidents behind a point (closed ones included)."""
    base = {"region": filters.region, "market": filters.market, "category": filters.category}
    base.update(params)
    return _link(
        "incidents:queue",
        **base,
        since=max(since, filters.since).isoformat(),
        until=min(until, filters.until).isoformat(),
        closed="on",
    )


def _period_end(start: date, filters: Filters) -> date:
    return start + timedelta(days=0 if filters.bucket == "day" else 6)


def volume_chart(
    key: str, title: str, volume: metrics.Volume, filters: Filters, *, drill: str
) -> Chart:
    labels = [p.isoformat() for p in volume.periods]
    datasets = []
    for series in volume.series:
        links = []
        for start in volume.periods:
            if drill:
                params = {drill: series.key} if series.key else {}
                end = _period_end(start, filters)
                links.append(queue_link(filters, since=start, until=end, **params))
            else:
                links.append("")
        datasets.append(Dataset(series.label, list(series.counts), links))
    header = ["period", *[s.label for s in volume.series], "total"]
    rows = [
        [label, *[s.counts[i] for s in volume.series], sum(s.counts[i] for s in volume.series)]
        for i, label in enumerate(labels)
    ]
    return Chart(
        key,
        title,
        "bar" if drill else "line",
        labels,
        datasets,
        header,
        rows,
        stacked=bool(drill),
        axis="count",
    )


def timing_chart(user: User, filters: Filters) -> Chart:
    per, total = metrics.response_times(user, filters)
    names = [("acknowledge", "acknowledge"), ("mitigate", "mitigate"), ("resolve", "resolve")]
    datasets = []
    for name, label in names:
        data = [hours(t.figures()[f"{name}_median"]) for t in per]
        links = [
            queue_link(filters, since=filters.since, until=filters.until, severity=t.key)
            for t in per
        ]
        datasets.append(Dataset(f"median hours to {label}", data, links))
    header = ["severity", "incidents"]
    for name, _ in names:
        header += [f"median hours to {name}", f"p90 hours to {name}"]
    rows = []
    for timing in [*per, total]:
        figures = timing.figures()
        row: list[Any] = [timing.label, timing.incidents]
        for name, _ in names:
            row += [hours(figures[f"{name}_median"]), hours(figures[f"{name}_p90"])]
        rows.append(row)
    return Chart(
        "response_times",
        "Response times (median, hours)",
        "bar",
        [t.label for t in per],
        datasets,
        header,
        rows,
        axis="hours",
    )


def compliance_chart(user: User, filters: Filters) -> Chart:
    per, total = metrics.compliance(user, filters)
    links = [
        _link(
            "regulatory:compliance",
            jurisdiction=f.key,
            received_from=filters.since.isoformat(),
            received_to=filters.until.isoformat(),
        )
        for f in per
    ]
    rates = [round(100 * f.met_rate, 1) if f.met_rate is not None else None for f in per]
    header = ["jurisdiction", "requests", "met", "breached", "pending", "withdrawn", "met rate %"]
    rows = [
        [
            f.label,
            f.requests,
            f.met,
            f.breached,
            f.pending,
            f.withdrawn,
            round(100 * f.met_rate, 1) if f.met_rate is not None else None,
        ]
        for f in [*per, total]
    ]
    return Chart(
        "compliance",
        "Regulatory deadlines met, by jurisdiction",
        "bar",
        [f.key for f in per],
        [Dataset("deadlines met %", list(rates), links)],
        header,
        rows,
        axis="%",
    )


def backlog_chart(user: User, filters: Filters, now: datetime) -> Chart:
    buckets = metrics.backlog(user, filters, now)
    severities = list(buckets[0].by_severity) if buckets else []
    datasets = []
    for severity in severities:
        links = [
            _link(
                "incidents:queue",
                region=filters.region,
                market=filters.market,
                category=filters.category,
                severity=severity,
                since=b.oldest.date().isoformat() if b.oldest else "",
                until=b.newest.date().isoformat(),
            )
            for b in buckets
        ]
        datasets.append(Dataset(severity, [b.by_severity[severity] for b in buckets], links))
    header = ["age", *severities, "total"]
    rows = [[b.label, *[b.by_severity[s] for s in severities], b.total] for b in buckets]
    return Chart(
        "backlog",
        "Open incidents by age",
        "bar",
        [b.label for b in buckets],
        datasets,
        header,
        rows,
        stacked=True,
        axis="count",
    )


def workload_chart(user: User, filters: Filters) -> Chart:
    loads = metrics.workload(user, filters)
    fields = [
        ("commanded", "open incidents commanded"),
        ("tasks", "open tasks"),
        ("pages", "pages received"),
        ("pages_acknowledged", "pages acknowledged"),
    ]
    datasets = [
        Dataset(label, [getattr(load, name) for load in loads], ["" for _ in loads])
        for name, label in fields
    ]
    header = ["person", *[label for _, label in fields], "over load"]
    rows = [
        [load.name, *[getattr(load, name) for name, _ in fields], "yes" if load.over else ""]
        for load in loads
    ]
    return Chart(
        "workload",
        "Workload and on-call load per person",
        "bar",
        [load.name for load in loads],
        datasets,
        header,
        rows,
        axis="count",
    )


def _volume(key: str, title: str, source: str, dimension: str, drill: str) -> Builder:
    def builder(user: User, filters: Filters, now: datetime) -> Chart:
        query = metrics.incident_volume if source == "incidents" else metrics.report_volume
        return volume_chart(key, title, query(user, filters, dimension), filters, drill=drill)

    return builder


Builder = Callable[[User, Filters, datetime], Chart]

# Page order. Report volumes have no list to drill into (triage shows groups, not reports).
BUILDERS: dict[str, Builder] = {
    "incidents_by_severity": _volume(
        "incidents_by_severity", "Incidents by severity", "incidents", "severity", "severity"
    ),
    "incidents_by_category": _volume(
        "incidents_by_category", "Incidents by category", "incidents", "category", "category"
    ),
    "incidents_by_market": _volume(
        "incidents_by_market", "Incidents by market", "incidents", "market", "market"
    ),
    "reports_by_channel": _volume(
        "reports_by_channel", "Reports by channel", "reports", "channel", ""
    ),
    "response_times": lambda user, filters, now: timing_chart(user, filters),
    "compliance": lambda user, filters, now: compliance_chart(user, filters),
    "backlog": backlog_chart,
    "workload": lambda user, filters, now: workload_chart(user, filters),
}


def build(
    user: User, filters: Filters, now: datetime, keys: Iterable[str] | None = None
) -> list[Chart]:
    """The dashboard's charts (or only ``keys``), in page order."""
    wanted = set(keys) if keys is not None else set(BUILDERS)
    return [builder(user, filters, now) for key, builder in BUILDERS.items() if key in wanted]
