"""Console results as CSV or XLSX. Cells that a spreadsheet would run as a formula are
prefixed with an apostrophe (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from trustdesk.lib.spreadsheets import safe_cell

from .sqlconsole import Result


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return safe_cell(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.isoformat()
    return value


def to_csv(result: Result) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return out.getvalue()


def to_xlsx(result: Result) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("query")
    sheet.append(result.columns)
    for row in result.rows:
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
