import pytest

from trustdesk.accounts.tests.factories import TeamFactory
from trustdesk.incidents.models import Incident
from trustdesk.intake import services
from trustdesk.intake.models import Attachment, Report, ReportGroup

from .factories import make_report, png_attachment

pytestmark = pytest.mark.django_db


def _visible(user):
    return set(ReportGroup.objects.visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def open_group():
    return make_report(market="MX", url="https://video.example/1").group


@pytest.fixture
def child_safety_group():
    """Routed to AMS (Brazil): need-to-know for the AMS team."""
    return make_report(market="BR", label="grooming", text="Adult messaging kids").group


def test_incident_managers_see_unrestricted_groups(im, im2, open_group):
    assert _visible(im) == _visible(im2) == {open_group.pk}


def test_a_restricted_category_is_seen_by_leads_and_the_routed_region(
    lead, im, im2, auditor, child_safety_group
):
    assert child_safety_group.restricted
    assert child_safety_group.pk in _visible(lead)
    assert child_safety_group.pk in _visible(im)  # AMS incident manager
    assert child_safety_group.pk not in _visible(im2)  # APAC
    assert child_safety_group.pk not in _visible(auditor)


def test_membership_of_the_routed_team_grants_sight(im2):
    team = TeamFactory(slug="ams-im", kind="incident_management", region="AMS")
    team.members.add(im2)
    group = make_report(market="BR", label="grooming", text="Adult messaging kids").group
    assert group.team == team
    assert group.pk in _visible(im2)


def test_a_group_in_a_restricted_incident_follows_the_incident(im, im2, restricted_incident):
    group = make_report(market="MX", url="https://video.example/9").group
    services.attach_group(actor=im, group=group, incident=restricted_incident)
    assert group.pk in _visible(im)  # on the need-to-know list
    assert group.pk not in _visible(im2)
    assert not Report.objects.visible_to(im2).exists()


@pytest.mark.parametrize("persona", ["stakeholder", "outsider"])
def test_stakeholders_see_no_groups(persona, request, open_group):
    assert _visible(request.getfixturevalue(persona)) == set()


@pytest.mark.parametrize("persona", ["stakeholder", "outsider"])
def test_stakeholders_are_refused_the_queue_and_groups(client, persona, request, open_group):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/triage/").status_code == 403
    assert client.get(f"/triage/groups/{open_group.pk}/").status_code == 404
    assert client.post(f"/triage/groups/{open_group.pk}/spam").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, open_group):
    response = client.get("/triage/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_evidence_of_an_invisible_report_is_404(client, im, im2, outsider, restricted_incident):
    report = make_report(market="MX", url="https://v.example/2", attachments=(png_attachment(),))
    services.attach_group(actor=im, group=report.group, incident=restricted_incident)
    attachment = Attachment.objects.get()
    for user in (im2, outsider):
        client.force_login(user)
        assert client.get(f"/triage/evidence/{attachment.pk}").status_code == 404
        assert client.post(f"/triage/evidence/{attachment.pk}/reveal").status_code == 404
    client.force_login(im)
    assert client.get(f"/triage/evidence/{attachment.pk}").status_code == 200


def test_the_api_lists_only_visible_groups(api, child_safety_group, open_group, im2):
    from django.test import Client

    from trustdesk.accounts.services import create_token

    assert {g["id"] for g in api.get("/api/v1/reports/groups").json()["groups"]} == {
        child_safety_group.pk,
        open_group.pk,
    }
    _, raw = create_token(actor=im2, user=im2, name="apac")
    apac = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [g["id"] for g in apac.get("/api/v1/reports/groups").json()["groups"]] == [open_group.pk]
    assert apac.post(f"/api/v1/reports/groups/{child_safety_group.pk}/spam").status_code == 404
    assert Incident.objects.count() == 0
