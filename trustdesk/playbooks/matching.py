"""Which playbooks apply to an incident, and which of their steps.

Matching reads plain facts (``Facts``), so the library's match preview, the API and the
incident hook share one rule: every criterion a playbook gives must hold, and within one
criterion any listed value is enough. A playbook that gives no criterion at all never
matches on its own; it can still be applied by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps

from trustdesk.incidents.models import Incident
from trustdesk.taxonomy.models import Category, Keyword, Market
from trustdesk.taxonomy.severity import Severity

from .models import Playbook, PlaybookVersion, SourceType, Step

# How the other apps name a source, in our vocabulary.
_REPORTER_SOURCES = {
    "user": SourceType.USER_REPORT,
    "trusted_flagger": SourceType.TRUSTED_FLAGGER,
    "regulator": SourceType.AUTHORITY_ORDER,
    "law_enforcement": SourceType.LAW_ENFORCEMENT,
    "ngo": SourceType.NGO,
    "press": SourceType.PRESS,
    "internal": SourceType.INTERNAL,
    "detection": SourceType.DETECTION,
}
_AUTHORITY_SOURCES = {
    "court": SourceType.AUTHORITY_ORDER,
    "regulator": SourceType.AUTHORITY_ORDER,
    "prosecutor": SourceType.AUTHORITY_ORDER,
    "government": SourceType.AUTHORITY_ORDER,
    "law_enforcement": SourceType.LAW_ENFORCEMENT,
    "trusted_flagger": SourceType.TRUSTED_FLAGGER,
    "individual": SourceType.USER_REPORT,
}

CRITERIA = ("categories", "keywords", "markets", "severities", "source_types")
STEP_CRITERIA = ("markets", "severities", "source_types")


@dataclass(frozen=True)
class Facts:
    category: str = ""
    keywords: frozenset[str] = frozenset()
    markets: frozenset[str] = frozenset()
    severity: str = ""
    source_types: frozenset[str] = frozenset()

    def values(self, criterion: str) -> frozenset[str]:
        if criterion == "categories":
            return frozenset({self.category} - {""})
        if criterion == "severities":
            return frozenset({self.severity} - {""})
        value: frozenset[str] = getattr(self, criterion)
        return value


@dataclass
class Match:
    version: PlaybookVersion
    reasons: list[str] = field(default_factory=list)

    @property
    def playbook(self) -> Playbook:
        return self.version.playbook


def incident_sources(incident: Incident) -> frozenset[str]:
    """Source types seen so far: the regulatory requests hung on the incident and the
    verified reporter types of the intake groups it was opened from or joined."""
    found: set[str] = set()
    if apps.is_installed("trustdesk.regulatory"):
        request_model = apps.get_model("regulatory", "RegulatoryRequest")
        kinds = request_model.objects.filter(incident=incident).values_list(
            "authority__kind", flat=True
        )
        found.update(_AUTHORITY_SOURCES[k] for k in kinds if k in _AUTHORITY_SOURCES)
    if apps.is_installed("trustdesk.intake"):
        group_model = apps.get_model("intake", "ReportGroup")
        for types in group_model.objects.filter(incident=incident).values_list(
            "source_types", flat=True
        ):
            found.update(_REPORTER_SOURCES[t] for t in types or () if t in _REPORTER_SOURCES)
    return frozenset(found)


def facts_of(incident: Incident) -> Facts:
    return Facts(
        category=incident.category.code,
        keywords=frozenset(incident.keywords.values_list("code", flat=True)),
        markets=frozenset(incident.markets.values_list("code", flat=True)),
        severity=incident.severity,
        source_types=incident_sources(incident),
    )


def _labels(criterion: str) -> dict[str, str]:
    if criterion == "categories":
        return dict(Category.objects.values_list("code", "name"))
    if criterion == "keywords":
        return dict(Keyword.objects.values_list("code", "name"))
    if criterion == "markets":
        return dict(Market.objects.values_list("code", "name"))
    if criterion == "severities":
        return {s.value: s.value for s in Severity}
    return dict(SourceType.choices)


_CRITERION_NAMES = {
    "categories": "category",
    "keywords": "keyword",
    "markets": "market",
    "severities": "severity",
    "source_types": "source",
}


def check(
    wanted: dict[str, list[str]], facts: Facts, criteria: Iterable[str]
) -> tuple[bool, list[tuple[str, list[str]]]]:
    """Whether every given criterion holds; with the values that made each one hold."""
    hits: list[tuple[str, list[str]]] = []
    for criterion in criteria:
        listed = set(wanted.get(criterion) or ())
        if not listed:
            continue
        common = sorted(listed & facts.values(criterion))
        if not common:
            return False, []
        hits.append((criterion, common))
    return True, hits


def describe(hits: list[tuple[str, list[str]]]) -> list[str]:
    """``market Brazil``, ``severity SEV1``: the reasons a person reads."""
    reasons = []
    for criterion, values in hits:
        labels = _labels(criterion)
        shown = ", ".join(labels.get(v, v) for v in values)
        reasons.append(f"{_CRITERION_NAMES[criterion]} {shown}")
    return reasons


def labelled(version: PlaybookVersion) -> list[tuple[str, list[str]]]:
    """Each criterion with its values' names, for people to read (empty: any)."""
    names = {
        "categories": "Categories",
        "keywords": "Keywords",
        "markets": "Markets",
        "severities": "Severities",
        "source_types": "Sources",
    }
    result = []
    for criterion in CRITERIA:
        labels = _labels(criterion)
        result.append((names[criterion], [labels.get(v, v) for v in getattr(version, criterion)]))
    return result


def version_matches(version: PlaybookVersion, facts: Facts) -> Match | None:
    wanted = {c: getattr(version, c) for c in CRITERIA}
    if not any(wanted.values()):
        return None
    ok, hits = check(wanted, facts, CRITERIA)
    return Match(version, describe(hits)) if ok else None


def step_applies(step: Step, facts: Facts) -> bool:
    ok, _ = check(step.condition or {}, facts, STEP_CRITERIA)
    return ok


def condition_text(condition: dict[str, list[str]]) -> str:
    """``only if market BR, MX; severity SEV1``; empty for an unconditional step."""
    parts = [
        f"{_CRITERION_NAMES[c]} {', '.join(condition[c])}"
        for c in STEP_CRITERIA
        if condition.get(c)
    ]
    return ("only if " + "; ".join(parts)) if parts else ""


def matching(facts: Facts, *, auto_only: bool = False) -> list[Match]:
    """Every playbook in use whose current version matches, in library order."""
    playbooks = Playbook.objects.in_use().select_related("current__playbook")
    found = []
    for playbook in playbooks:
        version = playbook.current
        assert version is not None
        if auto_only and not version.auto_apply:
            continue
        match = version_matches(version, facts)
        if match is not None:
            found.append(match)
    return found
