"""The analytics API's shapes."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from trustdesk.lib.regions import Region


class MetricsFilters(Schema):
    since: date | None = Field(None, description="First UTC date (default: 8 weeks back)")
    until: date | None = Field(None, description="Last UTC date, inclusive (default: today)")
    region: Region | None = None
    market: str | None = Field(None, max_length=2, description="ISO 3166-1 code, e.g. MX")
    category: str | None = Field(None, max_length=80, description="Category slug")
    bucket: Literal["day", "week"] = "week"


class SeriesOut(Schema):
    key: str
    label: str
    counts: list[int]
    total: int


class VolumeOut(Schema):
    dimension: str
    periods: list[date] = Field(description="Bucket starts (Mondays for weeks)")
    series: list[SeriesOut]


class TimingOut(Schema):
    key: str
    label: str
    incidents: int
    acknowledge_median_hours: float | None
    acknowledge_p90_hours: float | None
    mitigate_median_hours: float | None
    mitigate_p90_hours: float | None
    resolve_median_hours: float | None
    resolve_p90_hours: float | None


class JurisdictionComplianceOut(Schema):
    jurisdiction: str
    label: str
    requests: int
    met: int
    breached: int
    pending: int
    withdrawn: int
    met_rate: float | None = Field(description="met / (met + breached)")


class AgeOut(Schema):
    label: str
    total: int
    by_severity: dict[str, int]


class LoadOut(Schema):
    username: str
    name: str
    commanded: int
    tasks: int
    pages: int
    pages_acknowledged: int
    over: bool


class InsightOut(Schema):
    rule: str
    sentence: str
    numbers: dict[str, Any]
    link: str


class MetricsOut(Schema):
    filters: dict[str, str]
    incidents: dict[str, VolumeOut]
    reports: dict[str, VolumeOut]
    response_times: list[TimingOut]
    compliance: list[JurisdictionComplianceOut]
    backlog: list[AgeOut]
    workload: list[LoadOut]
    insights: list[InsightOut]
