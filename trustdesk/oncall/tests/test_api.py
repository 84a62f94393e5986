"""``/api/v1/oncall``: on call now, gaps, acknowledging, engagement matches."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine
from django.test import Client

from trustdesk.accounts.models import TeamKind
from trustdesk.accounts.tests.apiclient import ApiClient
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.oncall.models import EscalationPolicy, EscalationStep, Page, StepKind

from .factories import make_rotation, make_rule, make_team

pytestmark = pytest.mark.django_db
API = "/api/v1/oncall"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def emea(im2):
    team = make_team("emea-im", im2, kind=TeamKind.INCIDENT_MANAGEMENT)
    team.region = "EMEA"
    team.save()
    return make_rotation(team, im2, tz="Europe/Dublin", covers_from=time(9), covers_until=time(17))


@time_machine.travel("2026-01-06 10:00:00Z", tick=False)
def test_who_is_on_call_for_a_market(im, im2, emea) -> None:
    body = _client(im).get(f"{API}/now?market=de").json()
    assert body == [
        {
            "rotation": "Primary",
            "team": "emea-im",
            "username": im2.username,
            "name": im2.display_name,
        }
    ]
    assert _client(im).get(f"{API}/now?at=2026-01-06T20:00:00Z").json() == []
    assert _client(im).get(f"{API}/now?market=ZZ").status_code == 404
    assert _client(im).get(f"{API}/now?at=2026-01-06T20:00:00").status_code == 422


@time_machine.travel("2026-01-06 10:00:00Z", tick=False)
def test_gaps_and_outsiders(im, outsider, emea) -> None:
    gaps = _client(im).get(f"{API}/gaps?days=1").json()
    assert gaps == [{"starts_at": "2026-01-06T17:00:00Z", "ends_at": "2026-01-07T09:00:00Z"}]
    assert _client(im).get(f"{API}/gaps?days=0").status_code == 422
    assert _client(outsider).get(f"{API}/gaps").status_code == 403


def test_acknowledge_and_engagements(im, outsider, stakeholder) -> None:
    policy = EscalationPolicy.objects.create(name="p", min_severity="SEV1")
    EscalationStep.objects.create(policy=policy, position=0, kind=StepKind.NOTIFY_PERSON, person=im)
    make_rule("Legal on restricted", restricted="only", person=stakeholder)
    incident = make_incident(actor=im, severity="SEV1", restricted=True)
    page = Page.objects.get()
    assert ApiClient(outsider).post(f"{API}/pages/{page.pk}/ack").status_code == 404
    api = ApiClient(im)
    response = api.post(f"{API}/pages/{page.pk}/ack")
    body = response.json()
    assert (body["status"], body["acknowledged_by"]) == ("acknowledged", im.username)
    assert api.post(f"{API}/pages/{page.pk}/ack").status_code == 409
    matches = _client(stakeholder).get(f"{API}/incidents/{incident.pk}/engagements").json()
    assert matches[0]["engaged"] == [stakeholder.username]
    assert _client(outsider).get(f"{API}/incidents/{incident.pk}/engagements").status_code == 404
