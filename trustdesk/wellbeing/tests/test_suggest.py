"""Fair assignment: people on call for a high-impact incident, least recent exposure to its
category first, with the reason; figures only for whoever may see them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Membership, Role, TeamKind
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.services import add_participant
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.oncall.tests.factories import make_rotation, make_team
from trustdesk.wellbeing.models import OrgPolicy

from .factories import make_exposure

MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
SCAMS = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"


@pytest.fixture
def on_call(lead):
    """Three AMS incident managers, each on call around the clock on their own rotation,
    with different recent child-safety exposure; ``lead`` leads their team."""
    people = [
        UserFactory(username=name, role=Role.INCIDENT_MANAGER, region="AMS")
        for name in ("ana", "bo", "cy")
    ]
    team = make_team("ims-ams", *people, kind=TeamKind.INCIDENT_MANAGEMENT)
    team.region = "AMS"
    team.save()
    Membership.objects.create(team=team, user=lead, is_lead=True)
    for person in people:
        make_rotation(team, person, name=f"{person.username} rota")
    now = timezone.now()
    make_exposure(people[0], category=MINORS, minutes=130, started_at=now - timedelta(days=2))
    make_exposure(people[1], category=MINORS, minutes=20, started_at=now - timedelta(days=1))
    # Old or other-category exposure does not count against cy.
    make_exposure(people[2], category=MINORS, minutes=300, started_at=now - timedelta(days=9))
    make_exposure(people[2], minutes=200, started_at=now - timedelta(hours=3))
    return people


@pytest.fixture
def child_safety(admin):
    # Unrestricted, so the on-call incident managers may open it too.
    return make_incident(actor=admin, category=MINORS, markets=("MX",), restricted=False)


def _suggestion(api_for, user, incident):
    return api_for(user).get(f"/api/v1/wellbeing/incidents/{incident.pk}/suggestion")


def test_it_ranks_on_call_people_by_recent_exposure_to_the_category(
    api_for, admin, on_call, child_safety
):
    answer = _suggestion(api_for, admin, child_safety)
    assert answer.status_code == 200
    body = answer.json()
    assert body["high_impact"] is True
    assert [c["username"] for c in body["candidates"]] == ["cy", "bo", "ana"]
    assert [c["minutes_7d"] for c in body["candidates"]] == [0, 20, 130]
    assert body["candidates"][2]["reason"] == (
        "2 h 10 min of Protection of minors exposure in 7 days"
    )


def test_it_hides_other_peoples_figures_from_an_incident_manager(api_for, on_call, child_safety):
    bo = on_call[1]
    candidates = _suggestion(api_for, bo, child_safety).json()["candidates"]
    assert [c["minutes_7d"] for c in candidates] == [None, 20, None]
    assert "2 h" not in candidates[2]["reason"]
    assert candidates[0]["reason"] == "Least recent Protection of minors exposure of those on call"


def test_it_shows_figures_to_the_team_lead(api_for, lead, on_call, child_safety):
    candidates = _suggestion(api_for, lead, child_safety).json()["candidates"]
    assert [c["minutes_7d"] for c in candidates] == [0, 20, 130]


def test_it_suggests_nothing_for_a_category_that_is_not_high_impact(api_for, admin, on_call):
    incident = make_incident(actor=admin, category=SCAMS, markets=("MX",))
    body = _suggestion(api_for, admin, incident).json()
    assert body["high_impact"] is False
    assert body["candidates"] == []


def test_the_organisation_can_make_a_category_high_impact(api_for, admin, on_call):
    incident = make_incident(actor=admin, category=SCAMS, markets=("MX",))
    OrgPolicy.objects.create(category=incident.category, high_impact=True)
    body = _suggestion(api_for, admin, incident).json()
    assert [c["username"] for c in body["candidates"]] == ["ana", "bo", "cy"]


def test_it_refuses_an_outsider_and_an_auditor(api_for, outsider, auditor, on_call, child_safety):
    assert _suggestion(api_for, outsider, child_safety).status_code == 404
    assert _suggestion(api_for, auditor, child_safety).status_code in (403, 404)


def test_the_incident_page_panel_shows_the_ranked_reasons(client, lead, on_call, child_safety):
    client.force_login(lead)
    page = client.get(reverse("incidents:detail", args=[child_safety.pk]))
    assert reverse("wellbeing:suggestion", args=[child_safety.pk]) in page.content.decode()
    panel = client.get(reverse("wellbeing:suggestion", args=[child_safety.pk]))
    html = panel.content.decode()
    ana, bo, cy = (html.index(p.display_name) for p in on_call)
    assert cy < bo < ana
    assert "2 h 10 min of Protection of minors exposure in 7 days" in html


def test_the_panel_refuses_an_outsider(client, outsider, child_safety):
    client.force_login(outsider)
    answer = client.get(reverse("wellbeing:suggestion", args=[child_safety.pk]))
    assert answer.status_code == 404


def test_the_panel_refuses_a_stakeholder_who_sees_the_incident(client, stakeholder, admin):
    incident = make_incident(actor=admin)
    add_participant(actor=admin, incident=incident, user=stakeholder, role="legal")
    client.force_login(stakeholder)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    answer = client.get(reverse("wellbeing:suggestion", args=[incident.pk]))
    assert answer.status_code == 403
