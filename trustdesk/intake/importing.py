"""The file-import channel: CSV and XLSX spreadsheets of reports.

One row is one report. Rows without an ``external_id`` get one from a hash of the row, so
importing the same file twice stores nothing twice. Two modes: ``all-or-nothing`` stores
nothing if any row is wrong; ``skip-bad-rows`` stores the good rows. Either way every bad row
is reported with its spreadsheet row number and the field that is wrong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from trustdesk.accounts.models import User
from trustdesk.lib.errors import InvalidInput

from . import services
from .channels import ApiChannel
from .incoming import BaseChannel, IncomingReport, Outcome, ParseError
from .models import Channel

COLUMNS = (
    "external_id",
    "received_at",
    "reporter_type",
    "reporter_name",
    "reporter_contact",
    "market",
    "country",
    "phone",
    "locale",
    "jurisdiction",
    "language",
    "category",
    "label",
    "keywords",
    "title",
    "text",
    "url",
    "content_id",
    "account_id",
    "content_type",
    "minors_involved",
)
CHUNK = 1000
_TRUE = {"1", "true", "yes", "y", "x"}
_FALSE = {"", "0", "false", "no", "n"}


class Mode(StrEnum):
    ALL_OR_NOTHING = "all-or-nothing"
    SKIP_BAD_ROWS = "skip-bad-rows"


class FileRefused(Exception):
    """The file as a whole cannot be imported (unknown format, unknown columns...)."""


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    stored: bool = True

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Spreadsheets carry no zone; a naive time in a sheet is read as UTC (documented).
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_header(header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    unknown = [h for h in names if h and h not in COLUMNS]
    if unknown:
        raise FileRefused(
            f"Unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(COLUMNS)}."
        )
    if not {"text", "title", "url", "content_id"} & set(names):
        raise FileRefused("The header needs at least one of: text, title, url, content_id.")
    return names


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: text}) for every non-empty row after the header."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        yield from _xlsx_rows(data)
    else:
        yield from _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("CSV files must be UTF-8.") from None
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = _check_header(next(reader, []))
    for number, values in enumerate(reader, start=2):
        if any(v.strip() for v in values):
            yield number, dict(zip(header, (v.strip() for v in values), strict=False))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise FileRefused(f"Not a readable XLSX file: {exc}") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = _check_header([_cell(v) for v in next(rows, ())])
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values]
            if any(cells):
                yield number, dict(zip(header, cells, strict=False))
    finally:
        book.close()


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidInput({"minors_involved": f"{value!r} is not yes or no."})


class ImportChannel(BaseChannel):
    name = Channel.IMPORT

    def from_row(self, row: Mapping[str, str], *, user: User | None) -> IncomingReport:
        data: dict[str, Any] = {k: v for k, v in row.items() if k and v}
        urls = data.pop("url", "").split()
        item = {k: data.pop(k, "") for k in ("content_id", "account_id", "content_type")}
        content = [{"url": u} for u in urls]
        if any(item.values()):
            content = [{**(content[0] if content else {}), **item}, *content[1:]]
        data["content"] = content
        keywords = data.pop("keywords", "")
        data["keywords"] = [k for k in keywords.replace(",", ";").split(";") if k.strip()]
        data["minors_involved"] = _flag(data.pop("minors_involved", ""))
        if not data.get("external_id"):
            canonical = json.dumps(dict(sorted(row.items())), ensure_ascii=False)
            data["external_id"] = "row:" + hashlib.sha256(canonical.encode()).hexdigest()
        incoming = ApiChannel().from_json(data, submitted_by=user, channel=self.name)
        incoming.raw = dict(row)
        return incoming

    def parse(self, raw: bytes, meta: Mapping[str, Any]) -> IncomingReport:
        try:
            row = json.loads(raw)
        except ValueError as exc:
            raise ParseError(f"Not a JSON row: {exc}") from None
        return self.from_row(row, user=None)


def run_import(
    data: bytes,
    filename: str,
    *,
    mode: Mode,
    actor: User | None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a file in chunks of 1,000 rows through the batch pipeline, in one transaction
    that is rolled back in all-or-nothing mode if any row is wrong."""
    summary = ImportSummary()
    channel = ImportChannel()
    with transaction.atomic():
        chunk: list[tuple[int, IncomingReport]] = []
        seen = 0
        for number, row in read_rows(data, filename):
            summary.rows += 1
            seen += 1
            try:
                chunk.append((number, channel.from_row(row, user=actor)))
            except InvalidInput as exc:
                summary.errors += [
                    RowError(number, e["field"], e["message"]) for e in exc.as_errors()
                ]
            if seen >= CHUNK:
                _store(chunk, summary, actor)
                if progress is not None:
                    progress(seen)
                chunk, seen = [], 0
        _store(chunk, summary, actor)
        if progress is not None and seen:
            progress(seen)
        summary.errors.sort(key=lambda e: e.row)
        if mode == Mode.ALL_OR_NOTHING and summary.errors:
            transaction.set_rollback(True)
            summary.stored = False
            summary.created = summary.duplicates = 0
    return summary


def _store(
    chunk: list[tuple[int, IncomingReport]], summary: ImportSummary, actor: User | None
) -> None:
    if not chunk:
        return
    results = services.receive_batch(reports=[incoming for _, incoming in chunk], actor=actor)
    for result in results:
        number = chunk[result.index][0]
        if result.outcome == Outcome.CREATED:
            summary.created += 1
        elif result.outcome == Outcome.DUPLICATE:
            summary.duplicates += 1
        else:
            summary.errors += [RowError(number, e["field"], e["message"]) for e in result.errors]
