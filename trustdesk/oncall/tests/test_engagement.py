"""Engagement rules: matching, engaging as participants (need-to-know), notifying once."""

from __future__ import annotations

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.audit.models import AuditEvent
from trustdesk.incidents import services as incidents
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.notify.models import Delivery, Notification
from trustdesk.oncall.engagement import evaluate
from trustdesk.oncall.models import EngagementMatch, RestrictedCondition

from .factories import make_rule, make_team

pytestmark = pytest.mark.django_db

MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
ELECTIONS = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"


@pytest.fixture
def child_safety(db):
    return UserFactory(username="cleo.childsafety", role=Role.STAKEHOLDER, email="cleo@example.org")


def test_a_minor_safety_incident_engages_child_safety(im, child_safety, outsider) -> None:
    team = make_team("child-safety", child_safety)
    make_rule(
        "Child safety on minors",
        categories=(MINORS,),
        team=team,
        role="sme",
        reason="Child Safety owns minor-safety incidents",
    )
    incident = make_incident(actor=im, category=MINORS, severity="SEV1", markets=("BR",))
    assert incident.restricted
    match = EngagementMatch.objects.get()
    assert match.engaged == ["cleo.childsafety"]
    assert match.reasons == [f"category is {incident.category.name}"]
    participant = incident.participants.active().get(user=child_safety)
    assert participant.reason == "engagement rule: Child safety on minors"
    assert Incident.objects.visible_to(child_safety).filter(pk=incident.pk).exists()
    assert not Incident.objects.visible_to(outsider).filter(pk=incident.pk).exists()
    note = Notification.objects.get(recipient=child_safety)
    assert note.link == f"/incidents/{incident.pk}/"
    assert "Child Safety owns" in note.body
    assert Delivery.objects.get(recipient=child_safety).thread_key == f"incident-{incident.pk}"
    assert AuditEvent.objects.filter(action="oncall.engagement.fire").count() == 1


def test_public_policy_for_an_election_incident_in_brazil_only(im, stakeholder) -> None:
    make_rule(
        "Policy: Brazil elections",
        categories=(ELECTIONS,),
        markets=("BR",),
        person=stakeholder,
        role="policy",
    )
    make_incident(actor=im, category=ELECTIONS, markets=("MX",))
    assert not EngagementMatch.objects.exists()
    incident = make_incident(actor=im, category=ELECTIONS, markets=("BR", "AR"))
    assert EngagementMatch.objects.get().reasons[1] == "market BR"
    assert incident.participants.active().get(user=stakeholder).role == "policy"


def test_press_words_and_severity_must_all_hold(im, stakeholder) -> None:
    rule = make_rule(
        "Comms on press",
        text_contains="press, journalist",
        min_severity="SEV2",
        person=stakeholder,
        role="liaison",
    )
    quiet = make_incident(actor=im, title="Journalist asks about ads", severity="SEV3")
    loud = make_incident(actor=im, title="Journalist asks about ads", severity="SEV1")
    assert evaluate(rule, quiet) is None
    assert evaluate(rule, loud) == ["severity SEV1 (at least SEV2)", "mentions journalist"]


def test_restricted_only_rules_skip_open_incidents(im, stakeholder) -> None:
    rule = make_rule("Legal on restricted", restricted=RestrictedCondition.ONLY, person=stakeholder)
    assert evaluate(rule, make_incident(actor=im, restricted=False)) is None
    assert evaluate(rule, make_incident(actor=im, restricted=True)) == ["incident is restricted"]


def test_a_rule_fires_once_per_incident_and_rechecks_on_transition(im, stakeholder) -> None:
    incident = make_incident(actor=im, severity="SEV3")
    make_rule("Escalated", min_severity="SEV2", person=stakeholder)
    Incident.objects.filter(pk=incident.pk).update(severity="SEV1")
    incident.refresh_from_db()
    assert not EngagementMatch.objects.exists()
    incidents.transition(actor=im, incident=incident, to="triaged")
    incidents.transition(actor=im, incident=incident, to="investigating")
    assert EngagementMatch.objects.count() == 1
    assert Notification.objects.filter(recipient=stakeholder).count() == 1


def test_disabled_rules_and_inactive_people_are_skipped(im, stakeholder, outsider) -> None:
    outsider.is_active = False
    outsider.save()
    make_rule("Off", min_severity="SEV4", person=stakeholder, enabled=False)
    make_rule("Gone", min_severity="SEV4", person=outsider)
    incident = make_incident(actor=im)
    assert EngagementMatch.objects.get().engaged == []
    assert not incident.participants.filter(user__in=[stakeholder, outsider]).exists()
