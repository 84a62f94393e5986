"""Which resolved incidents get a post-mortem, and when it is due."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import InvalidInput
from trustdesk.postmortems import services
from trustdesk.postmortems.models import PostMortem
from trustdesk.postmortems.tests.factories import resolve
from trustdesk.regulatory.tests.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("severity", "days"), [("SEV1", 5), ("SEV2", 10)])
def test_sev1_and_sev2_get_one_due_after_resolution(im, severity, days):
    incident = resolve(make_incident(actor=im, severity=severity), actor=im)
    pm = PostMortem.objects.get(incident=incident)
    assert pm.reasons == ["severity"]
    assert pm.due_at == incident.resolved_at + timedelta(days=days)


@pytest.mark.parametrize("severity", ["SEV3", "SEV4"])
def test_sev3_and_sev4_get_none_unless_asked(im, severity):
    incident = resolve(make_incident(actor=im, severity=severity), actor=im)
    assert not PostMortem.objects.filter(incident=incident).exists()


def test_declining_an_incident_opens_nothing(im):
    incident = make_incident(actor=im, severity="SEV1")
    incident_services.transition(actor=im, incident=incident, to="declined", reason="Not abuse")
    assert not PostMortem.objects.filter(incident=incident).exists()


def test_a_lead_can_require_one_before_resolution(im, lead):
    incident = make_incident(actor=im, severity="SEV3")
    assert services.require(actor=lead, incident=incident, reason="New abuse pattern") is None
    assert not PostMortem.objects.filter(incident=incident).exists()
    incident = resolve(incident, actor=im)
    pm = PostMortem.objects.get(incident=incident)
    assert pm.reasons == ["lead_request"]
    assert pm.due_at == incident.resolved_at + timedelta(days=14)
    assert incident.events.filter(text="A post-mortem is required: New abuse pattern").exists()


def test_requiring_one_on_a_resolved_incident_opens_it_at_once(im, lead):
    incident = resolve(make_incident(actor=im, severity="SEV4"), actor=im)
    pm = services.require(actor=lead, incident=incident, reason="Press coverage")
    assert pm is not None
    assert pm.reasons == ["lead_request"]


def test_requiring_one_that_exists_adds_the_reason(im, lead, pm):
    again = services.require(actor=lead, incident=pm.incident, reason="Also a lesson for EMEA")
    assert again == pm
    pm.refresh_from_db()
    assert pm.reasons == ["severity", "lead_request"]


def test_an_incident_manager_cannot_require_one(im):
    incident = make_incident(actor=im, severity="SEV3")
    with pytest.raises(PermissionDenied):
        services.require(actor=im, incident=incident, reason="I think so")


def test_a_reason_is_required(lead, im):
    incident = make_incident(actor=im, severity="SEV3")
    with pytest.raises(InvalidInput) as error:
        services.require(actor=lead, incident=incident, reason="  ")
    assert error.value.field == "reason"


def test_a_missed_regulatory_deadline_requires_one_at_any_severity(im):
    incident = make_incident(actor=im, severity="SEV4", markets=("DE",))
    make_request(actor=im, rule="EU-TCO-ART3-3", incident=incident)  # 1-hour order, long past
    resolve(incident, actor=im)
    assert PostMortem.objects.get(incident=incident).reasons == ["regulatory_breach"]


def test_the_severities_are_a_setting(im, settings):
    settings.POSTMORTEMS = {"severities": ["SEV1"], "due_days": {"SEV1": 3}}
    sev2 = resolve(make_incident(actor=im, severity="SEV2"), actor=im)
    sev1 = resolve(make_incident(actor=im, severity="SEV1"), actor=im)
    assert not PostMortem.objects.filter(incident=sev2).exists()
    assert PostMortem.objects.get(incident=sev1).due_at == sev1.resolved_at + timedelta(days=3)
