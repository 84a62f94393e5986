"""Reading rubric definitions (the shipped ``data/rubrics.json`` or a file a team edits) and
loading them. Used by the data migration, so it takes the model classes as arguments."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from trustdesk.lib.errors import InvalidInput

DATA_FILE = Path(__file__).resolve().parent / "data" / "rubrics.json"

_KEYS = {
    "key",
    "label",
    "guidance",
    "anchors",
    "scale_min",
    "scale_max",
    "weight",
    "critical",
    "pass_threshold",
    "allow_na",
}


def read_rubrics(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        rubrics: list[dict[str, Any]] = json.load(fh)["rubrics"]
    return rubrics


def clean_criterion(row: dict[str, Any], where: str) -> dict[str, Any]:
    """One criterion checked and with defaults filled in; a wrong one is a 422 naming it."""
    unknown = set(row) - _KEYS
    if unknown:
        raise InvalidInput({where: f"Unknown field {sorted(unknown)[0]!r}."})
    key = str(row.get("key", "")).strip()
    if not key or not key.replace("_", "").isalnum() or len(key) > 40:
        raise InvalidInput({where: "Each criterion needs a short key of letters and _."})
    low, high = int(row.get("scale_min", 1)), int(row.get("scale_max", 5))
    if low >= high:
        raise InvalidInput({where: f"{key}: the scale must run from low to high."})
    try:
        weight = Decimal(str(row.get("weight", 1)))
    except InvalidOperation:
        raise InvalidInput({where: f"{key}: the weight must be a number."}) from None
    if not Decimal("0") < weight < Decimal("100"):
        raise InvalidInput({where: f"{key}: the weight must be above 0 and below 100."})
    critical = bool(row.get("critical", False))
    threshold = row.get("pass_threshold")
    if critical and (threshold is None or not low < int(str(threshold)) <= high):
        raise InvalidInput(
            {where: f"{key}: a critical criterion needs a pass threshold above {low}."}
        )
    return {
        "key": key,
        "label": str(row.get("label") or key)[:120],
        "guidance": str(row.get("guidance", "")),
        "anchors": {str(k): str(v) for k, v in (row.get("anchors") or {}).items()},
        "scale_min": low,
        "scale_max": high,
        "weight": weight,
        "critical": critical,
        "pass_threshold": int(str(threshold)) if critical else None,
        "allow_na": bool(row.get("allow_na", False)),
    }


def clean_criteria(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        raise InvalidInput({"criteria": "A rubric needs at least one criterion."})
    cleaned = [clean_criterion(row, f"criteria.{i}") for i, row in enumerate(rows)]
    keys = [c["key"] for c in cleaned]
    if len(set(keys)) != len(keys):
        raise InvalidInput({"criteria": "Criterion keys must be unique."})
    return cleaned


def load_rubrics(rubric_model: Any, version_model: Any, criterion_model: Any) -> None:
    """Create each shipped rubric with its first version, unless it exists. Later changes
    are new versions (``manage.py quality_rubric``), never edits of this one."""
    for data in read_rubrics():
        rubric, _ = rubric_model.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "subject_kind": data["subject_kind"],
                "description": data.get("description", ""),
            },
        )
        if version_model.objects.filter(rubric=rubric).exists():
            continue
        version = version_model.objects.create(
            rubric=rubric, number=1, pass_mark=data.get("pass_mark", 70), note=data.get("note", "")
        )
        for position, row in enumerate(clean_criteria(data["criteria"])):
            criterion_model.objects.create(version=version, position=position, **row)
