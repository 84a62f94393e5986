"""``/api/v1/analytics``: the dashboard's figures as JSON, for the same filters."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from trustdesk.accounts.api import request_user
from trustdesk.lib.api import error_responses
from trustdesk.lib.errors import InvalidInput

from . import insights, metrics
from .access import check_can_view
from .charts import hours
from .forms import MetricsFilterForm
from .schemas import MetricsFilters, MetricsOut

router = Router(tags=["analytics"])


def _volume(volume: metrics.Volume) -> dict[str, Any]:
    return {
        "dimension": volume.dimension,
        "periods": volume.periods,
        "series": [{**asdict(s), "total": s.total} for s in volume.series],
    }


def _timing(timing: metrics.Timing) -> dict[str, Any]:
    figures = {f"{k}_hours": hours(v) for k, v in timing.figures().items()}
    return {"key": timing.key, "label": timing.label, "incidents": timing.incidents, **figures}


@router.get(
    "/metrics",
    response={200: MetricsOut, **error_responses(403, 422)},
    summary="Volumes, response times, compliance, backlog, workload and insights",
)
def get_metrics(request: HttpRequest, query: Query[MetricsFilters]) -> dict[str, Any]:
    """The dashboard's numbers for the filters, counting only what the caller may see."""
    user = request_user(request)
    check_can_view(user)
    now = timezone.now()
    form = MetricsFilterForm(
        {k: v for k, v in query.dict().items() if v is not None}, today=now.date()
    )
    if not form.is_valid():
        raise InvalidInput({name: str(errors[0]) for name, errors in form.errors.items()})
    filters = form.filters()
    per, total = metrics.response_times(user, filters)
    rows, overall = metrics.compliance(user, filters)
    return {
        "filters": filters.as_query(),
        "incidents": {
            d: _volume(metrics.incident_volume(user, filters, d))
            for d in metrics.INCIDENT_DIMENSIONS
        },
        "reports": {
            d: _volume(metrics.report_volume(user, filters, d)) for d in metrics.REPORT_DIMENSIONS
        },
        "response_times": [_timing(t) for t in [*per, total]],
        "compliance": [
            {
                "jurisdiction": f.key,
                "label": f.label,
                "requests": f.requests,
                "met": f.met,
                "breached": f.breached,
                "pending": f.pending,
                "withdrawn": f.withdrawn,
                "met_rate": round(f.met_rate, 4) if f.met_rate is not None else None,
            }
            for f in [*rows, overall]
        ],
        "backlog": [
            {"label": b.label, "total": b.total, "by_severity": b.by_severity}
            for b in metrics.backlog(user, filters, now)
        ],
        "workload": [
            {**asdict(load), "over": load.over} for load in metrics.workload(user, filters)
        ],
        "insights": [asdict(i) for i in insights.compute(user, now)],
    }
