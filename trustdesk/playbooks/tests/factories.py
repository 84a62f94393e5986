"""Playbooks made the way leads make them: through ``editing.save_version``."""

from __future__ import annotations

from typing import Any

from trustdesk.playbooks import editing
from trustdesk.playbooks.models import PlaybookVersion


def step(title: str, role: str = "commander", offset: int = 60, **kwargs: Any) -> editing.StepDraft:
    return editing.StepDraft(title=title, role=role, offset_minutes=offset, **kwargs)


def make_playbook(
    *,
    actor: Any = None,
    title: str = "Dangerous challenge",
    steps: list[editing.StepDraft] | None = None,
    **criteria: Any,
) -> PlaybookVersion:
    if not any(
        criteria.get(k) for k in ("categories", "keywords", "markets", "severities", "source_types")
    ):
        criteria.setdefault("categories", ["STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"])
    draft = editing.Draft(
        title=title,
        steps=steps or [step("Size the trend", offset=30), step("Brief policy", "policy", 120)],
        **criteria,
    )
    return editing.save_version(actor=actor, draft=draft)
