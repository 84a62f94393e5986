import pytest

from trustdesk.incidents import services
from trustdesk.incidents.access import can_edit
from trustdesk.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _visible(user):
    return set(Incident.objects.visible_to(user).values_list("pk", flat=True))


def test_child_safety_incidents_start_restricted(restricted_incident, incident):
    assert restricted_incident.restricted
    assert not incident.restricted


def test_leads_and_admins_see_everything(lead, admin, incident, restricted_incident):
    assert _visible(lead) == {incident.pk, restricted_incident.pk}
    assert _visible(admin) == {incident.pk, restricted_incident.pk}


def test_an_incident_manager_off_the_list_sees_only_unrestricted(
    im2, incident, restricted_incident
):
    assert _visible(im2) == {incident.pk}


def test_the_reporter_stays_on_the_need_to_know_list(im, restricted_incident):
    assert restricted_incident.pk in _visible(im)


def test_an_outsider_sees_nothing(outsider, incident, restricted_incident):
    assert _visible(outsider) == set()


def test_a_stakeholder_sees_what_they_are_engaged_on(
    im, stakeholder, incident, restricted_incident
):
    services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role="legal", reason="LE request"
    )
    assert _visible(stakeholder) == {restricted_incident.pk}


def test_renouncing_the_role_removes_sight(im, stakeholder, restricted_incident):
    participant = services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role="legal"
    )
    services.remove_participant(actor=im, participant=participant)
    assert _visible(stakeholder) == set()


def test_a_grant_puts_someone_on_the_list(lead, im2, restricted_incident):
    services.grant_access(
        actor=lead, incident=restricted_incident, user=im2, reason="APAC handover"
    )
    assert restricted_incident.pk in _visible(im2)


def test_inactive_users_see_nothing(lead, incident):
    lead.is_active = False
    lead.save()
    assert _visible(lead) == set()


def test_auditors_read_unrestricted_but_never_edit(auditor, incident, restricted_incident):
    assert _visible(auditor) == {incident.pk}
    assert not can_edit(auditor, incident)


def test_a_stakeholder_scribe_may_edit_but_an_observer_may_not(im, stakeholder, incident):
    services.add_participant(actor=im, incident=incident, user=stakeholder, role="observer")
    assert not can_edit(stakeholder, incident)
    services.add_participant(actor=im, incident=incident, user=stakeholder, role="scribe")
    assert can_edit(stakeholder, incident)
