"""CSV and XLSX for every dashboard table and for the incident queue.

The rows come from the same visible-only queries as the page. A text cell starting with
= + - @ (or a tab or carriage return) is prefixed with ' so a spreadsheet shows it instead
of running it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook

from trustdesk.incidents.models import Incident
from trustdesk.lib.spreadsheets import safe_cell

from .charts import Chart
from .insights import Insight


def as_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the book.
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    name, n = clean, 2
    while name in used:
        suffix = f" {n}"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def as_xlsx(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One sheet per (title, header, rows)."""
    book = Workbook()
    default = book.active
    used: set[str] = set()
    for title, header, rows in sheets:
        sheet = book.create_sheet(_sheet_title(title, used))
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        sheet.freeze_panes = "A2"
    if default is not None and len(book.worksheets) > 1:
        book.remove(default)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chart_sheets(charts: Iterable[Chart]) -> list[tuple[str, Sequence[str], list[list[Any]]]]:
    return [(chart.title, chart.header, chart.rows) for chart in charts]


INSIGHT_HEADER = ["rule", "insight", "figures", "link"]


def insight_rows(insights: Iterable[Insight], base_url: str = "") -> list[list[Any]]:
    return [
        [
            i.rule,
            i.sentence,
            "; ".join(f"{k}: {v}" for k, v in i.numbers.items()),
            f"{base_url}{i.link}",
        ]
        for i in insights
    ]


QUEUE_HEADER = [
    "ref",
    "title",
    "status",
    "severity",
    "category",
    "markets",
    "region",
    "commander",
    "restricted",
    "reported (UTC)",
    "acknowledged (UTC)",
    "mitigating (UTC)",
    "resolved (UTC)",
]


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if value else ""


def queue_rows(incidents: Iterable[Incident]) -> Iterable[list[Any]]:
    """The queue's rows; ``incidents`` should prefetch markets and select category and
    commander (``QueueFilterForm.listed`` does)."""
    for incident in incidents:
        yield [
            incident.ref,
            incident.title,
            incident.get_status_display(),
            incident.severity,
            incident.category.name,
            " ".join(m.code for m in incident.markets.all()),
            incident.region,
            incident.commander.username if incident.commander else "",
            "yes" if incident.restricted else "",
            _utc(incident.reported_at),
            _utc(incident.triaged_at),
            _utc(incident.mitigating_at),
            _utc(incident.resolved_at),
        ]
