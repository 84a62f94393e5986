"""DSA statements of reasons: built from a decision, checked against the shipped copy of the
transparency database's schema (data/dsa-sor.schema.json) before anything is queued."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .models import (
    AutomatedDecision,
    ContentType,
    EnforcementDecision,
    Ground,
    Restriction,
    SourceType,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

# Our restriction -> (DSA field, DSA value). One restriction per decision.
RESTRICTION_FIELDS: dict[str, tuple[str, str]] = {
    Restriction.VISIBILITY_REMOVED: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVED"),
    Restriction.VISIBILITY_DISABLED: (
        "decision_visibility",
        "DECISION_VISIBILITY_CONTENT_DISABLED",
    ),
    Restriction.VISIBILITY_DEMOTED: ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DEMOTED"),
    Restriction.VISIBILITY_AGE_RESTRICTED: (
        "decision_visibility",
        "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    ),
    Restriction.VISIBILITY_INTERACTION_RESTRICTED: (
        "decision_visibility",
        "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    ),
    Restriction.VISIBILITY_LABELLED: (
        "decision_visibility",
        "DECISION_VISIBILITY_CONTENT_LABELLED",
    ),
    Restriction.VISIBILITY_OTHER: ("decision_visibility", "DECISION_VISIBILITY_OTHER"),
    Restriction.MONETARY_SUSPENSION: ("decision_monetary", "DECISION_MONETARY_SUSPENSION"),
    Restriction.MONETARY_TERMINATION: ("decision_monetary", "DECISION_MONETARY_TERMINATION"),
    Restriction.MONETARY_OTHER: ("decision_monetary", "DECISION_MONETARY_OTHER"),
    Restriction.PROVISION_PARTIAL_SUSPENSION: (
        "decision_provision",
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
    ),
    Restriction.PROVISION_TOTAL_SUSPENSION: (
        "decision_provision",
        "DECISION_PROVISION_TOTAL_SUSPENSION",
    ),
    Restriction.PROVISION_PARTIAL_TERMINATION: (
        "decision_provision",
        "DECISION_PROVISION_PARTIAL_TERMINATION",
    ),
    Restriction.PROVISION_TOTAL_TERMINATION: (
        "decision_provision",
        "DECISION_PROVISION_TOTAL_TERMINATION",
    ),
    Restriction.ACCOUNT_SUSPENDED: ("decision_account", "DECISION_ACCOUNT_SUSPENDED"),
    Restriction.ACCOUNT_TERMINATED: ("decision_account", "DECISION_ACCOUNT_TERMINATED"),
}

CONTENT_TYPES = {value: f"CONTENT_TYPE_{value.upper()}" for value in ContentType.values}

GROUNDS = {
    Ground.ILLEGAL_CONTENT: "DECISION_GROUND_ILLEGAL_CONTENT",
    Ground.INCOMPATIBLE_CONTENT: "DECISION_GROUND_INCOMPATIBLE_CONTENT",
}

# The database has no "order" source: an Art. 9 order is another type of notification.
SOURCE_TYPES = {
    SourceType.ARTICLE_16: "SOURCE_ARTICLE_16",
    SourceType.TRUSTED_FLAGGER: "SOURCE_TRUSTED_FLAGGER",
    SourceType.AUTHORITY_ORDER: "SOURCE_TYPE_OTHER_NOTIFICATION",
    SourceType.OTHER_NOTIFICATION: "SOURCE_TYPE_OTHER_NOTIFICATION",
    SourceType.OWN_INITIATIVE: "SOURCE_VOLUNTARY",
}

AUTOMATED_DECISIONS = {
    AutomatedDecision.FULLY: "AUTOMATED_DECISION_FULLY",
    AutomatedDecision.PARTIALLY: "AUTOMATED_DECISION_PARTIALLY",
    AutomatedDecision.NOT_AUTOMATED: "AUTOMATED_DECISION_NOT_AUTOMATED",
}

_RESTRICTION_KEYS = ("decision_visibility", "decision_monetary", "decision_provision")


@cache
def schema() -> dict[str, Any]:
    with (DATA_DIR / "dsa-sor.schema.json").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


@cache
def enums() -> dict[str, Any]:
    with (DATA_DIR / "dsa-sor-enums.json").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=FormatChecker())


def eea_countries() -> list[str]:
    return list(enums()["territorial_scope_EEA"])


def dsa_categories() -> dict[str, str]:
    return dict(enums()["category"])


def _field_of(error: ValidationError) -> str:
    """The statement field an error is about, so a person can find it."""
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = [key for key in error.validator_value if key not in instance]
        if missing:
            return str(missing[0])
    if error.validator == "anyOf":
        # The only root anyOf is "at least one restriction".
        return "decision_visibility"
    if error.validator == "additionalProperties":
        return "statement"
    return "statement"


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    for error in errors:
        if error.validator in ("allOf", "if", "then") and error.context:
            yield from _leaves(error.context)
        else:
            yield error


def validate_statement(statement: Any) -> dict[str, list[str]]:
    """Schema errors by field name; empty when the statement is valid."""
    found: dict[str, list[str]] = {}
    for error in _leaves(_validator().iter_errors(statement)):
        message = error.message
        if error.validator == "pattern":
            message = f"{error.instance!r} is not in the required format"
        elif error.validator == "enum":
            message = f"{error.instance!r} is not an allowed value"
        elif error.validator == "anyOf" and not error.absolute_path:
            message = "At least one restriction (visibility, monetary, provision or account)."
        found.setdefault(_field_of(error), []).append(message)
    return found


def build_statement(decision: EnforcementDecision) -> dict[str, Any]:
    """The statement of reasons for one decision, in the API's field names."""
    field, value = RESTRICTION_FIELDS[decision.restriction]
    statement: dict[str, Any] = {key: None for key in _RESTRICTION_KEYS}
    statement["decision_account"] = None
    statement[field] = [value] if field == "decision_visibility" else value
    if decision.restriction == Restriction.VISIBILITY_OTHER:
        statement["decision_visibility_other"] = decision.restriction_other
    if decision.restriction == Restriction.MONETARY_OTHER:
        statement["decision_monetary_other"] = decision.restriction_other
    statement["decision_ground"] = GROUNDS[Ground(decision.ground)]
    if decision.ground == Ground.ILLEGAL_CONTENT:
        statement["illegal_content_legal_ground"] = decision.legal_ground
        statement["illegal_content_explanation"] = decision.illegal_content_explanation
    else:
        statement["incompatible_content_ground"] = decision.tos_clause
        statement["incompatible_content_explanation"] = decision.tos_explanation
    statement["content_type"] = [CONTENT_TYPES[decision.content_type]]
    if decision.content_type == ContentType.OTHER:
        statement["content_type_other"] = decision.content_type_other
    statement["category"] = decision.category
    statement["territorial_scope"] = sorted(decision.territorial_scope)
    statement["content_date"] = decision.content_date.isoformat()
    statement["application_date"] = decision.applied_at.date().isoformat()
    statement["decision_facts"] = decision.explanation
    statement["source_type"] = SOURCE_TYPES[SourceType(decision.source_type)]
    statement["automated_detection"] = "Yes" if decision.automated_detection else "No"
    statement["automated_decision"] = AUTOMATED_DECISIONS[
        AutomatedDecision(decision.automated_decision)
    ]
    statement["puid"] = decision.puid
    return statement
