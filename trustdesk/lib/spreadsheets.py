"""Cells for CSV and XLSX files that people open in a spreadsheet."""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (CSV injection: ``=HYPERLINK(...)``,
    ``+cmd|...``) gets a leading apostrophe, which makes the spreadsheet show it as text.
    Every CSV and XLSX export writes its cells through this."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
