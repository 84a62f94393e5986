"""Loads the contributing-factor taxonomy shipped in ``data/factors.json``. Idempotent: it
adds factors that are new, keeps whatever an administrator changed on existing ones, and
never deletes a factor that post-mortems may point at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "factors.json"


def read_factors() -> list[dict[str, str]]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        factors: list[dict[str, str]] = json.load(fh)["factors"]
    return factors


def load_factors(factor_model: Any) -> int:
    """Takes the model class so a data migration can pass its historical model. Returns how
    many factors were new."""
    created = 0
    for position, row in enumerate(read_factors(), start=1):
        _, is_new = factor_model.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "description": row["description"],
                "position": position * 10,
            },
        )
        created += int(is_new)
    return created
