"""The starter playbooks, profiles and risk events load, match, and load only once."""

import pytest
from django.core.management import call_command

from trustdesk.markets.models import MarketProfile, RiskEvent
from trustdesk.playbooks import matching, seed
from trustdesk.playbooks.models import Playbook

pytestmark = pytest.mark.django_db

CIVIC = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"


def test_the_starter_content_loads_once():
    call_command("load_playbooks", verbosity=0)
    assert Playbook.objects.count() >= 6
    assert set(MarketProfile.objects.values_list("market__code", flat=True)) >= {
        "BR",
        "MX",
        "AR",
        "CO",
        "CL",
        "PE",
    }
    events = RiskEvent.objects.filter(market__code="BR", kind="election")
    assert {str(e.starts_on) for e in events} >= {"2026-10-04", "2026-10-25"}
    counts = (Playbook.objects.count(), RiskEvent.objects.count())
    report = seed.load_starter_content()
    assert report.playbooks_created == [] and report.risk_events.created == 0
    assert (Playbook.objects.count(), RiskEvent.objects.count()) == counts


def test_the_brazil_court_order_playbook_matches_an_electoral_order():
    seed.load_playbooks()
    facts = matching.Facts(
        category=CIVIC,
        markets=frozenset({"BR"}),
        severity="SEV2",
        source_types=frozenset({"authority_order"}),
    )
    assert [m.playbook.slug for m in matching.matching(facts)] == ["br-electoral-court-order"]


def test_offsets_read_as_minutes():
    assert [seed.parse_offset(t) for t in ("30m", "4h", "2d", "-2h")] == [30, 240, 2880, -120]
    with pytest.raises(ValueError):
        seed.parse_offset("2 hours")
