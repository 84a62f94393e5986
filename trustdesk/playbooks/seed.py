"""Loads the starter playbooks shipped in ``data/playbooks/``, and with them the market
profiles and risk calendar (``trustdesk.markets.seed``).

Playbooks encode an organisation's agreed strategy, so they are not loaded by a migration:
an installation opts in with ``manage.py load_playbooks`` (the demo does it for you). A
playbook already in the library is kept as it is, unless ``update`` is asked for and the
shipped text differs: then the shipped text becomes a new version.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from trustdesk.accounts.models import User
from trustdesk.markets import seed as market_seed

from . import editing
from .models import Playbook

DATA_DIR = Path(__file__).resolve().parent / "data" / "playbooks"
_OFFSET = re.compile(r"^(-?)(\d+)([mhd])$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}


@dataclass
class Report:
    playbooks_created: list[str] = field(default_factory=list)
    playbooks_updated: list[str] = field(default_factory=list)
    playbooks_kept: list[str] = field(default_factory=list)
    profiles: market_seed.Loaded = field(default_factory=market_seed.Loaded)
    risk_events: market_seed.Loaded = field(default_factory=market_seed.Loaded)


def parse_offset(text: str) -> int:
    """``30m``, ``4h``, ``2d``, ``-2h`` as minutes."""
    match = _OFFSET.match(text.strip())
    if match is None:
        raise ValueError(f"bad offset {text!r}: use e.g. 30m, 4h, 2d or -2h")
    sign, number, unit = match.groups()
    minutes = int(number) * _UNIT_MINUTES[unit]
    return -minutes if sign else minutes


def draft_from_file(path: Path) -> tuple[str, editing.Draft]:
    with path.open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    steps = [
        editing.StepDraft(
            key=row["key"],
            title=row["title"],
            body=row.get("body", "").strip(),
            role=row["role"],
            anchor=row.get("anchor", "incident_start"),
            offset_minutes=parse_offset(row["offset"]),
            condition=row.get("condition", {}),
            template_keys=row.get("templates", []),
        )
        for row in data["steps"]
    ]
    templates = [
        {"key": t["key"], "title": t["title"], "body": t["body"].strip()}
        for t in data.get("templates", [])
    ]
    draft = editing.Draft(
        title=data["title"],
        summary=data.get("summary", "").strip(),
        categories=data.get("categories", []),
        keywords=data.get("keywords", []),
        markets=data.get("markets", []),
        severities=data.get("severities", []),
        source_types=data.get("source_types", []),
        auto_apply=data.get("auto_apply", True),
        stakeholders=data.get("stakeholders", []),
        templates=templates,
        rule_codes=data.get("rule_codes", []),
        steps=steps,
    )
    return data["slug"], draft


def _same(playbook: Playbook, draft: editing.Draft) -> bool:
    assert playbook.current is not None
    return editing.draft_from(playbook.current) == draft


@transaction.atomic
def load_playbooks(
    *, actor: User | None = None, update: bool = False, report: Report | None = None
) -> Report:
    report = report or Report()
    for path in sorted(DATA_DIR.glob("*.toml")):
        slug, draft = draft_from_file(path)
        playbook = Playbook.objects.filter(slug=slug).select_related("current").first()
        if playbook is None:
            editing.save_version(actor=actor, draft=draft, slug=slug, from_pack=True)
            report.playbooks_created.append(slug)
        elif update and not _same(playbook, draft):
            draft.change_note = "Updated from the playbooks shipped with trustdesk"
            editing.save_version(actor=actor, draft=draft, playbook=playbook)
            report.playbooks_updated.append(slug)
        else:
            report.playbooks_kept.append(slug)
    return report


def load_starter_content(*, actor: User | None = None, update: bool = False) -> Report:
    """Playbooks, LATAM market profiles and the risk calendar, in one call (the demo's)."""
    report = load_playbooks(actor=actor, update=update)
    report.profiles = market_seed.load_profiles(actor=actor)
    report.risk_events = market_seed.load_risk_events(actor=actor)
    return report
