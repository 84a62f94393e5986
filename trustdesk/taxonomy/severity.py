"""Severity levels and the written rubric responders agree on.

The rubric weighs five dimensions. ``suggest()`` turns the dimensions a responder (or the
intake pipeline) knows into a suggested level *with its reasons*, so a suggestion can be
argued with rather than trusted blindly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1 · Critical"
    SEV2 = "SEV2", "SEV2 · High"
    SEV3 = "SEV3", "SEV3 · Moderate"
    SEV4 = "SEV4", "SEV4 · Low"


RUBRIC: dict[str, dict[str, str]] = {
    Severity.SEV1: {
        "summary": "Imminent risk to life or of irreversible harm, or a binding order with a "
        "clock of 24 hours or less.",
        "harm": "Credible threat to life, child sexual exploitation, live-streamed violence, "
        "terrorist content.",
        "reach": "Going viral: thousands of reports or views per hour, or spreading across "
        "markets.",
        "vulnerable_users": "Minors directly involved or targeted.",
        "regulatory": "Court or regulator order with a clock of 24 hours or less; "
        "law-enforcement emergency.",
        "attention": "National press, heads of state or regulators publicly involved.",
    },
    Severity.SEV2: {
        "summary": "Serious harm spreading or likely to; a regulator or court is involved.",
        "harm": "Hate speech or incitement around a sensitive event, dangerous challenges, "
        "coordinated harassment, election disinformation.",
        "reach": "Hundreds of reports per hour, or growing fast in one market.",
        "vulnerable_users": "Minors plausibly exposed.",
        "regulatory": "Regulator or court request with a clock of days.",
        "attention": "Press enquiries or trending public criticism.",
    },
    Severity.SEV3: {
        "summary": "Contained harm in one market with a known playbook.",
        "harm": "Scams, impersonation, isolated harmful content.",
        "reach": "Tens of reports, stable.",
        "vulnerable_users": "No specific vulnerable group.",
        "regulatory": "Trusted-flagger notice or informal authority contact.",
        "attention": "None beyond the reporters.",
    },
    Severity.SEV4: {
        "summary": "Low harm, low reach; tracked for trends.",
        "harm": "Terms-of-service violations with limited harm.",
        "reach": "A handful of reports.",
        "vulnerable_users": "None.",
        "regulatory": "None.",
        "attention": "None.",
    },
}

DIMENSIONS = {
    "harm": "Harm",
    "reach": "Reach and velocity",
    "vulnerable_users": "Vulnerable users",
    "regulatory": "Regulatory exposure",
    "attention": "Press and public attention",
}

_SEV1_CATEGORIES = {"STATEMENT_CATEGORY_PROTECTION_OF_MINORS"}
_SEV1_KEYWORDS = {
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_TERRORIST_CONTENT",
    "KEYWORD_HUMAN_TRAFFICKING",
}
_SEV2_CATEGORIES = {
    "STATEMENT_CATEGORY_VIOLENCE",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
}
_ORDER = [Severity.SEV4, Severity.SEV3, Severity.SEV2, Severity.SEV1]


@dataclass
class Suggestion:
    severity: Severity
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RubricInputs:
    category_code: str = ""
    keyword_codes: tuple[str, ...] = ()
    reports_per_hour: float = 0.0
    markets: int = 1
    minors_involved: bool = False
    source_type: str = ""  # "regulator", "law_enforcement", "press", ...
    clock_hours: float | None = None
    press: bool = False


def suggest(inputs: RubricInputs) -> Suggestion:
    """Highest level any single dimension reaches, with one reason per dimension that rose."""
    level = 0
    reasons: list[str] = []

    def raise_to(new: int, reason: str) -> None:
        nonlocal level
        reasons.append(f"{_ORDER[new].value}: {reason}")
        level = max(level, new)

    if inputs.category_code in _SEV1_CATEGORIES or set(inputs.keyword_codes) & _SEV1_KEYWORDS:
        raise_to(3, "harm category with risk of irreversible harm")
    elif inputs.category_code in _SEV2_CATEGORIES:
        raise_to(2, "serious harm category")
    elif inputs.category_code:
        raise_to(1, "contained harm category")
    if inputs.minors_involved:
        raise_to(3, "minors involved")
    if inputs.reports_per_hour >= 1000 or inputs.markets >= 3:
        raise_to(3, f"{inputs.reports_per_hour:g} reports/h across {inputs.markets} market(s)")
    elif inputs.reports_per_hour >= 100:
        raise_to(2, f"{inputs.reports_per_hour:g} reports/h")
    elif inputs.reports_per_hour >= 10:
        raise_to(1, f"{inputs.reports_per_hour:g} reports/h")
    if inputs.clock_hours is not None and inputs.clock_hours <= 24:
        raise_to(3, f"legal clock of {inputs.clock_hours:g} h")
    elif inputs.source_type in ("regulator", "law_enforcement"):
        raise_to(2, f"{inputs.source_type.replace('_', ' ')} source")
    if inputs.press or inputs.source_type == "press":
        raise_to(2, "press involved")
    if not reasons:
        reasons.append("SEV4: nothing in the rubric raised the level")
    return Suggestion(_ORDER[level], reasons)
