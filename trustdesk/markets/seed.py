"""Loads the market profiles and risk events shipped in ``data/``.

Idempotent and careful with the team's work: a profile is written only when the market has
none yet, and a risk event only when no event with its key was loaded before, so a reload
never overwrites what people corrected in the UI.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from trustdesk.accounts.models import User
from trustdesk.taxonomy.models import Market

from . import services
from .models import MarketProfile, RiskEvent

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class Loaded:
    created: int = 0
    kept: int = 0


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _expert(row: dict[str, Any]) -> dict[str, Any]:
    # Demo people may not exist (a fresh install): keep the name, drop the link.
    username = row.get("username", "")
    if username and not User.objects.filter(username=username, is_active=True).exists():
        username = ""
    return {**row, "username": username}


@transaction.atomic
def load_profiles(*, actor: User | None = None, directory: Path | None = None) -> Loaded:
    loaded = Loaded()
    for path in sorted((directory or DATA_DIR / "profiles").glob("*.toml")):
        data = _read(path)
        market = Market.objects.get(code=data["market"])
        if MarketProfile.objects.filter(market=market).exists():
            loaded.kept += 1
            continue
        draft = services.ProfileDraft(
            overview=data.get("overview", ""),
            regulatory_notes=data.get("regulatory_notes", ""),
            language_notes=data.get("language_notes", ""),
            authorities=data.get("authorities", []),
            partners=data.get("partners", []),
            risks=data.get("risks", []),
            experts=[_expert(r) for r in data.get("experts", [])],
        )
        services.save_profile(
            actor=actor, market=market, draft=draft, note="Shipped with trustdesk"
        )
        loaded.created += 1
    return loaded


@transaction.atomic
def load_risk_events(*, actor: User | None = None, path: Path | None = None) -> Loaded:
    loaded = Loaded()
    markets = {m.code: m for m in Market.objects.all()}
    for row in _read(path or DATA_DIR / "risk_events.toml")["events"]:
        if RiskEvent.objects.filter(pack_key=row["key"]).exists():
            loaded.kept += 1
            continue
        draft = services.EventDraft(
            market=markets[row["market"]],
            title=row["title"],
            kind=row["kind"],
            starts_on=row["starts_on"],
            ends_on=row.get("ends_on"),
            notes=row.get("notes", ""),
            remind_days_before=list(row.get("remind", [14, 3])),
            unconfirmed=row.get("unconfirmed", False),
            source=row.get("source", ""),
        )
        services.create_event(actor=actor, draft=draft, pack_key=row["key"])
        loaded.created += 1
    return loaded
