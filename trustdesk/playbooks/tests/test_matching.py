"""Matching: every criterion a playbook gives must hold; several playbooks may apply."""

import pytest

from trustdesk.incidents.tests.factories import make_incident
from trustdesk.playbooks import matching
from trustdesk.playbooks.matching import Facts

from .factories import make_playbook, step

pytestmark = pytest.mark.django_db

CIVIC = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"


def titles(facts: Facts) -> list[str]:
    return sorted(m.version.title for m in matching.matching(facts))


def test_it_matches_on_category():
    make_playbook(title="Elections", categories=[CIVIC])
    make_playbook(title="Minors", categories=[MINORS])
    assert titles(Facts(category=CIVIC)) == ["Elections"]


def test_every_criterion_must_hold():
    make_playbook(
        title="Brazil court order",
        categories=[CIVIC],
        markets=["BR"],
        source_types=["authority_order"],
    )
    assert titles(Facts(category=CIVIC, markets=frozenset({"BR"}))) == []
    assert (
        titles(
            Facts(
                category=CIVIC,
                markets=frozenset({"MX"}),
                source_types=frozenset({"authority_order"}),
            )
        )
        == []
    )
    assert titles(
        Facts(
            category=CIVIC,
            markets=frozenset({"BR", "MX"}),
            source_types=frozenset({"authority_order"}),
        )
    ) == ["Brazil court order"]


def test_any_value_within_a_criterion_is_enough():
    make_playbook(
        title="Challenge", keywords=["KEYWORD_UNSAFE_CHALLENGES", "KEYWORD_RISK_PUBLIC_HEALTH"]
    )
    assert titles(Facts(keywords=frozenset({"KEYWORD_RISK_PUBLIC_HEALTH"}))) == ["Challenge"]
    assert titles(Facts(keywords=frozenset({"KEYWORD_SUICIDE"}))) == []


def test_it_matches_on_severity():
    make_playbook(title="Livestream", severities=["SEV1"])
    assert titles(Facts(severity="SEV1")) == ["Livestream"]
    assert titles(Facts(severity="SEV2")) == []


def test_more_than_one_playbook_applies():
    make_playbook(title="CSAM", categories=[MINORS])
    make_playbook(title="Brazil", markets=["BR"])
    make_playbook(title="Australia", markets=["AU"])
    assert titles(Facts(category=MINORS, markets=frozenset({"BR"}))) == ["Brazil", "CSAM"]


def test_a_playbook_without_criteria_never_matches_on_its_own(admin):
    version = make_playbook(title="Generic", categories=[CIVIC])
    version.categories = []  # as if written without criteria
    version.save()
    assert titles(Facts(category=CIVIC, severity="SEV1")) == []


def test_archived_playbooks_do_not_match(admin):
    from trustdesk.playbooks import editing

    version = make_playbook(title="Old", categories=[CIVIC])
    editing.set_archived(actor=admin, playbook=version.playbook, archived=True)
    assert titles(Facts(category=CIVIC)) == []


def test_reasons_name_what_matched():
    make_playbook(title="Brazil", markets=["BR"], severities=["SEV1", "SEV2"])
    (match,) = matching.matching(Facts(markets=frozenset({"BR"}), severity="SEV1"))
    assert match.reasons == ["market Brazil", "severity SEV1"]


def test_facts_come_from_the_incident(im):
    incident = make_incident(
        actor=im,
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        keywords=[],
        markets=("BR", "MX"),
        severity="SEV1",
    )
    facts = matching.facts_of(incident)
    assert facts.category == MINORS
    assert facts.markets == {"BR", "MX"}
    assert facts.severity == "SEV1"
    assert facts.source_types == frozenset()


def test_step_conditions_hold_per_step():
    version = make_playbook(
        markets=["BR", "AU"],
        steps=[
            step("Everywhere"),
            step("Brazil only", condition={"markets": ["BR"]}),
            step("SEV1 only", condition={"severities": ["SEV1"]}),
        ],
    )
    steps = {s.title: s for s in version.steps.all()}
    facts = Facts(markets=frozenset({"AU"}), severity="SEV1")
    assert matching.step_applies(steps["Everywhere"], facts)
    assert not matching.step_applies(steps["Brazil only"], facts)
    assert matching.step_applies(steps["SEV1 only"], facts)
