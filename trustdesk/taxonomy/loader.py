"""Loads the taxonomy shipped in ``data/`` into the database. Idempotent: re-running it
updates names and adds new rows, and never deletes rows that incidents may point at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_data(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def load_taxonomy(category_model: Any, keyword_model: Any, market_model: Any) -> None:
    """Takes the model classes so a data migration can pass its historical models."""
    cats = read_data("dsa_categories.json")
    keywords = {}
    for code, name in cats["keywords"].items():
        keywords[code], _ = keyword_model.objects.update_or_create(
            code=code, defaults={"name": name}
        )
    for row in cats["categories"]:
        category, _ = category_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "slug": row["slug"],
                "name": row["name"],
                "restricted_by_default": row["restricted_by_default"],
                "sensitive": row["sensitive"],
            },
        )
        category.keywords.add(*(keywords[k] for k in row["keywords"]))
    for row in read_data("markets.json")["markets"]:
        market_model.objects.update_or_create(
            code=row["code"],
            defaults={k: row[k] for k in ("name", "region", "tzs", "languages", "eu", "eea")},
        )
