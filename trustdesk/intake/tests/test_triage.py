import pytest

from trustdesk.audit.models import AuditEvent
from trustdesk.incidents.models import EventKind, Incident
from trustdesk.intake import services
from trustdesk.intake.models import GroupStatus
from trustdesk.lib.errors import Conflict, IllegalTransition, InvalidInput

from .factories import make_report

pytestmark = pytest.mark.django_db


def _group(**kwargs):
    return make_report(market="BR", label="dangerous_challenge", **kwargs).group


def test_opening_an_incident_takes_the_groups_facts(im):
    group = _group(url="https://video.example/1")
    make_report(url="https://video.example/1", market="AR")
    group.refresh_from_db()
    incident = services.open_incident_from_group(actor=im, group=group)
    assert incident.category == group.category
    assert incident.severity == group.suggested_severity
    assert sorted(incident.markets.values_list("code", flat=True)) == ["AR", "BR"]
    assert incident.region == "AMS"
    assert incident.detected_at == group.first_seen_at
    group.refresh_from_db()
    assert group.status == GroupStatus.CONVERTED
    assert group.incident == incident
    assert incident.events.filter(kind=EventKind.NOTE, text__contains=group.ref).exists()
    assert AuditEvent.objects.filter(
        action="intake.group.converted", object_id=str(group.pk)
    ).exists()


def test_a_child_safety_group_opens_a_restricted_incident(im):
    group = make_report(market="BR", label="grooming", text="Adult asking kids for photos").group
    assert group.restricted
    incident = services.open_incident_from_group(actor=im, group=group)
    assert incident.restricted
    assert incident.severity == "SEV1"


def test_attaching_puts_the_group_on_the_incidents_timeline(im, incident):
    group = _group()
    services.attach_group(actor=im, group=group, incident=incident)
    group.refresh_from_db()
    assert (group.status, group.incident) == (GroupStatus.ATTACHED, incident)
    assert incident.events.filter(text__startswith=f"Attached triage group {group.ref}").exists()


def test_attaching_to_a_closed_incident_is_refused(im, incident):
    from trustdesk.incidents import services as incident_services

    incident_services.transition(actor=im, incident=incident, to="declined", reason="dupe")
    with pytest.raises(Conflict):
        services.attach_group(actor=im, group=_group(), incident=incident)


def test_dismissing_needs_a_reason(im):
    group = _group()
    with pytest.raises(InvalidInput) as caught:
        services.dismiss_group(actor=im, group=group, reason="  ")
    assert caught.value.field == "reason"
    services.dismiss_group(actor=im, group=group, reason="Satire account, labelled")
    group.refresh_from_db()
    assert group.status == GroupStatus.DISMISSED
    assert group.status_reason == "Satire account, labelled"


def test_a_decided_group_cannot_be_decided_again(im):
    group = _group()
    services.mark_spam(actor=im, group=group)
    with pytest.raises(IllegalTransition) as caught:
        services.dismiss_group(actor=im, group=group, reason="x")
    assert caught.value.allowed == ["open"]
    services.reopen_group(actor=im, group=group)
    services.dismiss_group(actor=im, group=group, reason="now dismissed")


def test_one_click_in_the_queue_opens_an_incident(client, im):
    group = _group()
    client.force_login(im)
    response = client.post(f"/triage/groups/{group.pk}/open-incident")
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"


def test_the_queue_attach_and_dismiss_forms(client, im, incident):
    first, second = _group(), make_report(text="another thing entirely, unrelated words here").group
    client.force_login(im)
    client.post(f"/triage/groups/{first.pk}/attach", {"incident": incident.ref, "next": "/triage/"})
    client.post(f"/triage/groups/{second.pk}/dismiss", {"reason": "test post"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.incident == incident
    assert second.status == GroupStatus.DISMISSED


def test_a_failed_action_says_why(client, im):
    group = _group()
    client.force_login(im)
    response = client.post(f"/triage/groups/{group.pk}/dismiss", {"reason": ""}, follow=True)
    assert "Say why this group is not an incident." in response.content.decode()
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_an_auditor_sees_the_queue_but_cannot_act(client, auditor):
    group = _group()
    client.force_login(auditor)
    assert client.get("/triage/").status_code == 200
    assert client.post(f"/triage/groups/{group.pk}/spam").status_code == 403


def test_triage_over_the_api(api, im):
    group = _group()
    response = api.post(f"/api/v1/reports/groups/{group.pk}/open-incident")
    assert response.status_code == 201
    again = api.post(f"/api/v1/reports/groups/{group.pk}/spam")
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "to"


def test_routing_sends_the_group_to_the_markets_regional_team():
    from trustdesk.accounts.tests.factories import TeamFactory

    team = TeamFactory(slug="apac-im", kind="incident_management", region="APAC")
    group = make_report(market="JP", text="Scam ads").group
    assert (group.region, group.team) == ("APAC", team)
    unrouted = make_report(text="No market at all here, words words").group
    assert (unrouted.region, unrouted.team) == ("", None)


def test_severity_reasons_name_the_rubric_inputs():
    group = make_report(
        market="BR", label="dangerous_challenge", minors_involved=True, reporter_type="regulator"
    ).group
    reasons = " | ".join(group.severity_reasons)
    assert group.suggested_severity == "SEV1"
    assert "minors involved" in reasons
    assert "regulator source" in reasons
    assert "serious harm category" in reasons


def test_a_dismissed_group_can_be_reopened_from_its_page(client, im):
    group = _group()
    services.dismiss_group(actor=im, group=group, reason="looked like satire")
    client.force_login(im)
    assert "Reopen" in client.get(f"/triage/groups/{group.pk}/").content.decode()
    client.post(f"/triage/groups/{group.pk}/reopen")
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN


def test_an_incident_can_be_opened_with_another_severity(client, im):
    group = _group()
    client.force_login(im)
    client.post(
        f"/triage/groups/{group.pk}/open-incident", {"severity": "SEV1", "title": "Renamed"}
    )
    incident = Incident.objects.get()
    assert (incident.severity, incident.title) == ("SEV1", "Renamed")
