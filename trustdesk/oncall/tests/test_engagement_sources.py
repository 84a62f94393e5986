"""Engagement on source type: derived from attached reports' reporter types and linked
regulatory requests' authority kinds; re-checked by the sweep after attachment."""

from __future__ import annotations

import pytest
from django.test import Client

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.intake import services as intake
from trustdesk.intake.tests.factories import make_report
from trustdesk.oncall import engagement
from trustdesk.oncall.models import EngagementMatch, EngagementRule, SourceType
from trustdesk.regulatory.tests.factories import make_request

from .factories import make_rule, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal(db):
    person = UserFactory(username="lee.legal", role=Role.STAKEHOLDER)
    return make_rule(
        "Legal on regulator orders",
        source_types=[SourceType.REGULATOR, SourceType.COURT],
        team=make_team("legal", person),
        reason="Legal answers regulators",
    ), person


@pytest.fixture
def comms(db):
    person = UserFactory(username="cam.comms", role=Role.STAKEHOLDER)
    return make_rule(
        "Comms when press is involved",
        source_types=[SourceType.PRESS],
        team=make_team("comms", person),
    ), person


def test_it_engages_legal_once_a_regulator_request_is_linked(im, legal) -> None:
    rule, lawyer = legal
    incident = make_incident(actor=im)
    assert not EngagementMatch.objects.exists()
    make_request(actor=im, rule="AU-OSA-S109", incident=incident)
    assert engagement.source_types(incident) == {SourceType.REGULATOR}
    assert engagement.sweep_sources() == 1
    match = EngagementMatch.objects.get()
    assert (match.rule, match.reasons) == (rule, ["source regulator"])
    assert Incident.objects.visible_to(lawyer).filter(pk=incident.pk).exists()
    assert engagement.sweep_sources() == 0


def test_it_engages_comms_for_an_incident_opened_from_press_reports(im, comms, legal) -> None:
    _, press_officer = comms
    report = make_report(reporter_type="press", reporter_name="A journalist")
    incident = intake.open_incident_from_group(actor=im, group=report.group, region="EMEA")
    assert engagement.source_types(incident) == {SourceType.PRESS}
    engagement.sweep_sources()
    assert list(EngagementMatch.objects.values_list("rule__name", flat=True)) == [
        "Comms when press is involved"
    ]
    assert incident.participants.active().filter(user=press_officer).exists()


def test_it_ignores_a_user_report_for_a_press_rule(im, comms) -> None:
    report = make_report(reporter_type="user")
    intake.open_incident_from_group(actor=im, group=report.group, region="EMEA")
    assert engagement.sweep_sources() == 0
    assert not EngagementMatch.objects.exists()


def test_it_names_the_source_type_field_when_editing_a_rule(lead) -> None:
    client = Client()
    client.force_login(lead)
    team = make_team("policy")
    response = client.post(
        "/oncall/rules/new",
        {
            "name": "Bad",
            "team": team.pk,
            "role": "sme",
            "restricted": "any",
            "source_types": ["pigeon"],
        },
    )
    assert response.status_code == 422
    assert "pigeon is not one of the available choices" in response.content.decode()
    ok = client.post(
        "/oncall/rules/new",
        {
            "name": "LE",
            "team": team.pk,
            "role": "sme",
            "restricted": "any",
            "source_types": ["law_enforcement"],
        },
    )
    assert ok.status_code == 302
    assert EngagementRule.objects.get(name="LE").source_types == ["law_enforcement"]
