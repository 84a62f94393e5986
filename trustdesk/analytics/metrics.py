"""The metrics: one module of read-only queries behind the dashboard, the API, the exports,
the insights and the weekly report.

Every query starts from a model's ``visible_to(user)``, so a restricted incident (and what
hangs on it: its reports, requests, tasks and pages) is counted only for a user who may see
it. Each metric is one query (two for on-call load), never one per row. Periods are UTC
dates, ``until`` inclusive; weeks start on Monday (``TruncWeek`` on both databases).

Durations run from an incident's ``reported_at`` to the stamp its lifecycle sets on first
entering a status: acknowledged (``triaged_at``), mitigating, resolved. Medians of an even
count are the mean of the middle two; p90 is nearest-rank, as on the compliance page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDay, TruncWeek

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident, IncidentQuerySet, Task, TaskStatus
from trustdesk.intake.models import Report, ReportQuerySet
from trustdesk.notify.models import Notification
from trustdesk.oncall.models import Page
from trustdesk.regulatory import compliance as regulatory_compliance
from trustdesk.regulatory.models import RegulatoryRequest
from trustdesk.taxonomy.severity import Severity

INCIDENT_DIMENSIONS = ("category", "market", "severity")
REPORT_DIMENSIONS = ("channel", "category", "market")

# Above either figure a person is flagged as over their load (dashboard and insights).
MAX_OPEN_COMMANDED = 5
MAX_OPEN_TASKS = 10

# (label, at least this old, younger than this); None: no upper bound.
AGE_BUCKETS: tuple[tuple[str, timedelta, timedelta | None], ...] = (
    ("under 1 day", timedelta(0), timedelta(days=1)),
    ("1-3 days", timedelta(days=1), timedelta(days=3)),
    ("3-7 days", timedelta(days=3), timedelta(days=7)),
    ("7-30 days", timedelta(days=7), timedelta(days=30)),
    ("over 30 days", timedelta(days=30), None),
)

_OPEN_TASK = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Filters:
    since: date
    until: date  # inclusive
    region: str = ""
    market: str = ""  # ISO code
    category: str = ""  # slug
    bucket: str = "week"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC)

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (for links and exports)."""
        values = {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "region": self.region,
            "market": self.market,
            "category": self.category,
            "bucket": self.bucket,
        }
        return {k: v for k, v in values.items() if v}


# --- the rows ----------------------------------------------------------------------------------


@dataclass
class Series:
    """Counts per period for one value of a dimension (a category, a market, ...)."""

    key: str
    label: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Volume:
    dimension: str
    periods: list[date]
    series: list[Series]  # largest total first


@dataclass
class Timing:
    """Response times for one severity (or all incidents)."""

    key: str
    label: str
    incidents: int = 0
    acknowledge: list[timedelta] = field(default_factory=list, repr=False)
    mitigate: list[timedelta] = field(default_factory=list, repr=False)
    resolve: list[timedelta] = field(default_factory=list, repr=False)

    def add(self, reported: datetime, acked: Any, mitigated: Any, resolved: Any) -> None:
        self.incidents += 1
        for stamp, values in (
            (acked, self.acknowledge),
            (mitigated, self.mitigate),
            (resolved, self.resolve),
        ):
            if stamp is not None:
                values.append(stamp - reported)

    def figures(self) -> dict[str, timedelta | None]:
        out: dict[str, timedelta | None] = {}
        for name in ("acknowledge", "mitigate", "resolve"):
            values = getattr(self, name)
            out[f"{name}_median"] = regulatory_compliance.median(values)
            out[f"{name}_p90"] = regulatory_compliance.percentile(values, 0.9)
        return out


@dataclass
class AgeBucket:
    label: str
    oldest: datetime | None  # reported after this (None: no bound)
    newest: datetime  # reported at or before this
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())


@dataclass
class Load:
    user_id: int
    username: str
    name: str
    commanded: int = 0
    tasks: int = 0
    pages: int = 0
    pages_acknowledged: int = 0

    @property
    def over(self) -> bool:
        return self.commanded > MAX_OPEN_COMMANDED or self.tasks > MAX_OPEN_TASKS


# --- base querysets ----------------------------------------------------------------------------


def incidents(user: User, filters: Filters, *, period: bool = True) -> IncidentQuerySet:
    """Visible incidents matching region, market and category (and reported in the period)."""
    qs = Incident.objects.visible_to(user)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    if filters.market:
        # A subquery, not a join, so grouping by market later does not reuse this join.
        in_market = Incident.markets.through.objects.filter(market__code=filters.market)
        qs = qs.filter(pk__in=in_market.values("incident_id"))
    if period:
        qs = qs.filter(reported_at__gte=filters.start, reported_at__lt=filters.end)
    return qs


def reports(user: User, filters: Filters) -> ReportQuerySet:
    qs = Report.objects.visible_to(user).filter(
        received_at__gte=filters.start, received_at__lt=filters.end
    )
    if filters.region:
        qs = qs.filter(market__region=filters.region)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    if filters.market:
        qs = qs.filter(market__code=filters.market)
    return qs


# --- volumes -----------------------------------------------------------------------------------


def periods(filters: Filters) -> list[date]:
    """Every bucket start in the period, so a quiet week shows as zero, not as a gap."""
    step = timedelta(days=1 if filters.bucket == "day" else 7)
    first = filters.since
    if filters.bucket == "week":
        first -= timedelta(days=first.weekday())
    out = []
    while first <= filters.until:
        out.append(first)
        first += step
    return out


def _as_date(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    return value


def _volume(rows: Any, dimension: str, filters: Filters, labels: dict[str, str]) -> Volume:
    axis = periods(filters)
    index = {day: i for i, day in enumerate(axis)}
    series: dict[str, Series] = {}
    for row in rows:
        key = row["key"] or ""
        item = series.setdefault(
            key, Series(key, labels.get(key) or row["label"] or "none", [0] * len(axis))
        )
        item.counts[index[_as_date(row["period"])]] += row["n"]
    ordered = sorted(series.values(), key=lambda s: (-s.total, s.label))
    return Volume(dimension, axis, ordered)


def _trunc(filters: Filters, field_name: str) -> TruncDay | TruncWeek:
    kind = TruncDay if filters.bucket == "day" else TruncWeek
    return kind(field_name, tzinfo=UTC)


_INCIDENT_KEYS = {
    "category": ("category__slug", "category__name"),
    "market": ("markets__code", "markets__name"),
    "severity": ("severity", "severity"),
}
_REPORT_KEYS = {
    "channel": ("channel", "channel"),
    "category": ("category__slug", "category__name"),
    "market": ("market__code", "market__name"),
}


def incident_volume(user: User, filters: Filters, dimension: str) -> Volume:
    """Incidents reported per period by category, market or severity. An incident in two
    markets counts once in each market's series."""
    key, label = _INCIDENT_KEYS[dimension]
    rows = (
        incidents(user, filters)
        .annotate(period=_trunc(filters, "reported_at"))
        .values("period", key=F(key), label=F(label))
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    labels = dict(Severity.choices) if dimension == "severity" else {}
    return _volume(rows, dimension, filters, labels)


def report_volume(user: User, filters: Filters, dimension: str) -> Volume:
    """Reports received per period by channel, category or market."""
    key, label = _REPORT_KEYS[dimension]
    rows = (
        reports(user, filters)
        .annotate(period=_trunc(filters, "received_at"))
        .values("period", key=F(key), label=F(label))
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(Report._meta.get_field("channel").choices or []) if dimension == "channel" else {}
    return _volume(rows, dimension, filters, {str(k): str(v) for k, v in labels.items()})


# --- response times ----------------------------------------------------------------------------


def response_times(user: User, filters: Filters) -> tuple[list[Timing], Timing]:
    """MTTA, time to mitigate and MTTR per severity and for all incidents reported in the
    period (only incidents that reached the stamp count towards its figures)."""
    rows = incidents(user, filters).values_list(
        "severity", "reported_at", "triaged_at", "mitigating_at", "resolved_at"
    )
    per = {s.value: Timing(s.value, s.label) for s in Severity}
    total = Timing("all", "All severities")
    for severity, reported, acked, mitigated, resolved in rows:
        per[severity].add(reported, acked, mitigated, resolved)
        total.add(reported, acked, mitigated, resolved)
    return list(per.values()), total


# --- regulatory compliance ---------------------------------------------------------------------


def compliance(
    user: User, filters: Filters
) -> tuple[list[regulatory_compliance.Figures], regulatory_compliance.Figures]:
    """Deadlines met per jurisdiction for requests received in the period. Market and
    category filters reach requests through their incident (unlinked requests drop out)."""
    requests = RegulatoryRequest.objects.visible_to(user)
    if filters.region:
        requests = requests.filter(region=filters.region)
    if filters.market or filters.category:
        linked = incidents(user, filters, period=False)
        requests = requests.filter(incident__in=linked.values("pk"))
    chosen = regulatory_compliance.Filters(received_from=filters.since, received_to=filters.until)
    return regulatory_compliance.figures(
        regulatory_compliance.filtered(requests, chosen), "jurisdiction"
    )


# --- backlog -----------------------------------------------------------------------------------


def backlog(user: User, filters: Filters, now: datetime) -> list[AgeBucket]:
    """Open incidents (whenever reported) by age and severity, in one query."""
    aggregates: dict[str, Count] = {}
    buckets = []
    for i, (label, young, old) in enumerate(AGE_BUCKETS):
        newest = now - young
        oldest = now - old if old is not None else None
        window = Q(reported_at__lte=newest)
        if oldest is not None:
            window &= Q(reported_at__gt=oldest)
        for severity in Severity.values:
            aggregates[f"b{i}_{severity}"] = Count("pk", filter=window & Q(severity=severity))
        buckets.append((i, label, oldest, newest))
    counts = incidents(user, filters, period=False).open().aggregate(**aggregates)
    return [
        AgeBucket(label, oldest, newest, {s: counts[f"b{i}_{s}"] for s in Severity.values})
        for i, label, oldest, newest in buckets
    ]


# --- workload and on-call load -----------------------------------------------------------------


def _page_id(event_key: str) -> int | None:
    # oncall.escalation names each page notification "page.<page id>.step.<n>.round.<n>".
    parts = event_key.split(".")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def workload(user: User, filters: Filters) -> list[Load]:
    """Per person: open incidents they command, open tasks they own (on visible incidents
    matching the filters, whenever reported), pages received and acknowledged in the period."""
    visible = incidents(user, filters, period=False)
    commanded = Counter(
        dict(
            visible.open()
            .filter(commander__isnull=False)
            .values_list("commander")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    tasks = Counter(
        dict(
            Task.objects.filter(
                incident__in=visible.values("pk"), status__in=_OPEN_TASK, owner__isnull=False
            )
            .values_list("owner")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    received = Notification.objects.filter(
        event_key__startswith="page.", created_at__gte=filters.start, created_at__lt=filters.end
    ).values_list("recipient_id", "event_key")
    by_page: dict[int, list[int]] = defaultdict(list)
    for recipient_id, key in received:
        if (page_id := _page_id(key)) is not None:
            by_page[page_id].append(recipient_id)
    seen = Page.objects.filter(pk__in=list(by_page), incident__in=visible.values("pk"))
    pages: Counter[int] = Counter()
    for page_id in seen.values_list("pk", flat=True):
        pages.update(set(by_page[page_id]))  # one page is one page, however many rounds
    acknowledged = Counter(
        dict(
            Page.objects.filter(
                incident__in=visible.values("pk"),
                acknowledged_by__isnull=False,
                acknowledged_at__gte=filters.start,
                acknowledged_at__lt=filters.end,
            )
            .values_list("acknowledged_by")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    people = User.objects.filter(
        pk__in=set(commanded) | set(tasks) | set(pages) | set(acknowledged)
    )
    rows = [
        Load(
            person.pk,
            person.username,
            person.display_name,
            commanded=commanded[person.pk],
            tasks=tasks[person.pk],
            pages=pages[person.pk],
            pages_acknowledged=acknowledged[person.pk],
        )
        for person in people
    ]
    return sorted(rows, key=lambda r: (-r.commanded, -r.tasks, -r.pages, r.username))
