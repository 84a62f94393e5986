"""The regime pack's rules that apply in a market, read from the regulatory app.

The regulatory app is optional (``apps.is_installed``); without it a profile simply lists no
rules. Rules are read as they are: the current version's title, reference, deadline text and
verification status, so the profile shows exactly what the deadline clock will use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps

from trustdesk.taxonomy.models import Market

EU = "EU"


@dataclass(frozen=True)
class RuleSummary:
    code: str
    jurisdiction: str
    title: str
    reference: str
    request_type: str
    deadline: str
    verification: str
    verification_label: str
    uncertain: bool
    in_force: bool
    internal_target: bool


def available() -> bool:
    return apps.is_installed("trustdesk.regulatory")


def pack_loaded() -> bool:
    """Whether there is a regime pack to check rule codes against."""
    return available() and apps.get_model("regulatory", "Rule").objects.exists()


def _summaries(rules: Iterable[Any], today: date) -> list[RuleSummary]:
    found = []
    for rule in rules:
        version = rule.current
        if version is None:
            continue
        found.append(
            RuleSummary(
                code=rule.code,
                jurisdiction=rule.jurisdiction.code,
                title=version.title,
                reference=version.legal_reference,
                request_type=version.request_type,
                deadline=version.deadline_text,
                verification=version.verification,
                verification_label=version.get_verification_display(),
                uncertain=version.uncertain,
                in_force=version.in_force_on(today),
                internal_target=version.is_internal,
            )
        )
    return found


def for_market(market: Market, today: date) -> list[RuleSummary]:
    """Rules of the market's own jurisdiction, then EU-wide ones for EU members."""
    if not available():
        return []
    codes = [market.code] + ([EU] if market.eu else [])
    rule_model = apps.get_model("regulatory", "Rule")
    rules = (
        rule_model.objects.filter(jurisdiction__code__in=codes)
        .select_related("jurisdiction", "current")
        .order_by("jurisdiction__code", "code")
    )
    return _summaries(rules, today)


def by_codes(codes: Iterable[str], today: date) -> list[RuleSummary]:
    if not available():
        return []
    wanted = list(codes)
    if not wanted:
        return []
    rule_model = apps.get_model("regulatory", "Rule")
    rules = rule_model.objects.filter(code__in=wanted).select_related("jurisdiction", "current")
    found = {s.code: s for s in _summaries(rules, today)}
    return [found[c] for c in wanted if c in found]
