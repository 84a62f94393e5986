import json
from pathlib import Path

import pytest

from trustdesk.enforcement import services, sor
from trustdesk.enforcement.models import Restriction, SorSubmission
from trustdesk.enforcement.tests.factories import make_decision

EXAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "dsa-sor-examples"

INVALID = {
    "invalid-1-no-restriction.json": "decision_visibility",
    "invalid-2-missing-illegal-content-explanation.json": "illegal_content_explanation",
    "invalid-3-puid-bad-characters.json": "puid",
    "invalid-4-application-date-not-a-calendar-date.json": "application_date",
    "invalid-5-territorial-scope-not-eea.json": "territorial_scope",
}


def _load(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "field"), sorted(INVALID.items()))
def test_it_rejects_each_invalid_example_naming_the_field(name, field):
    errors = sor.validate_statement(_load(name))
    assert list(errors) == [field]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("valid-*.json")))
def test_it_accepts_each_valid_example(name):
    assert sor.validate_statement(_load(name)) == {}


def test_it_ships_the_same_schema_as_the_reference():
    shipped = json.loads((sor.DATA_DIR / "dsa-sor.schema.json").read_text(encoding="utf-8"))
    reference = json.loads((EXAMPLES.parent / "dsa-sor.schema.json").read_text(encoding="utf-8"))
    assert shipped == reference


def _row_for(restriction: str) -> dict:
    row: dict = {"restriction": restriction}
    if restriction in (Restriction.VISIBILITY_OTHER, Restriction.MONETARY_OTHER):
        row["restriction_other"] = "Hidden from search for 30 days"
    return row


@pytest.mark.parametrize("restriction", Restriction.values)
def test_it_generates_a_valid_statement_for_every_restriction(im, incident, restriction):
    decision = make_decision(
        actor=im, incident=incident, puid=f"p-{restriction}", **_row_for(restriction)
    )
    statement = services.statement_for(decision)
    assert statement is not None
    assert sor.validate_statement(statement) == {}
    field, value = sor.RESTRICTION_FIELDS[restriction]
    assert value in (statement[field] if field == "decision_visibility" else [statement[field]])


@pytest.mark.parametrize(
    "overrides",
    [
        {
            "ground": "incompatible_content",
            "tos_clause": "Community rules §4",
            "tos_explanation": "Spam.",
        },
        {"content_type": "other", "content_type_other": "Livestream chat"},
        {"source_type": "authority_order"},
        {
            "source_type": "own_initiative",
            "automated_detection": True,
            "automated_decision": "fully",
        },
        {"source_type": "trusted_flagger", "territorial_scope": "EEA"},
    ],
)
def test_it_generates_valid_statements_for_other_shapes(im, incident, overrides):
    decision = make_decision(actor=im, incident=incident, **overrides)
    statement = services.statement_for(decision)
    assert statement is not None
    assert sor.validate_statement(statement) == {}


def test_it_sends_only_eea_countries(im, incident):
    decision = make_decision(actor=im, incident=incident, territorial_scope=["DE", "US", "GB"])
    statement = services.statement_for(decision)
    assert statement is not None
    assert statement["territorial_scope"] == ["DE"]


def test_it_makes_no_statement_outside_the_eea(im, incident):
    decision = make_decision(actor=im, incident=incident, territorial_scope=["US", "BR"])
    assert services.statement_for(decision) is None
    assert not SorSubmission.objects.filter(puid=decision.puid).exists()
