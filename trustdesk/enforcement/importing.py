"""Decisions from a CSV or XLSX file: one decision per row, headers are the field names
(see docs/enforcement.md). All or nothing; errors name the file's row number."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from openpyxl import load_workbook

from trustdesk.accounts.models import User
from trustdesk.incidents.models import Incident
from trustdesk.lib.errors import InvalidInput

from . import services
from .models import EnforcementDecision

MAX_BYTES = 5 * 1024 * 1024


def _from_csv(data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput({"file": "a CSV file must be UTF-8"}) from None
    reader = csv.DictReader(io.StringIO(text))
    return [{k.strip(): v for k, v in row.items() if k and v not in (None, "")} for row in reader]


def _from_xlsx(data: bytes) -> list[dict[str, Any]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput({"file": "not a readable XLSX workbook"}) from None
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(lines, ())]
    rows = []
    for line in lines:
        if all(cell in (None, "") for cell in line):
            continue
        rows.append({h: v for h, v in zip(header, line, strict=False) if h and v not in (None, "")})
    return rows


def read_rows(name: str, handle: IO[bytes]) -> list[dict[str, Any]]:
    data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput({"file": "at most 5 MB"})
    lowered = name.lower()
    if lowered.endswith(".csv"):
        rows = _from_csv(data)
    elif lowered.endswith(".xlsx"):
        rows = _from_xlsx(data)
    else:
        raise InvalidInput({"file": "must be a .csv or .xlsx file"})
    if not rows:
        raise InvalidInput({"file": "has no decision rows"})
    return rows


def import_decisions(
    *, actor: User, incident: Incident, name: str, handle: IO[bytes]
) -> list[EnforcementDecision]:
    """Row numbers in errors are the file's (the header is row 1)."""
    return services.bulk_create_decisions(
        actor=actor,
        incident=incident,
        rows=read_rows(name, handle),
        row_label="row {index}: {field}",
        row_offset=2,
    )
