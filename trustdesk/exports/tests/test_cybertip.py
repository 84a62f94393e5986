"""CyberTipline drafts through the pages: generate, preview, download, mark submitted, and
the one-year preservation that follows."""

from __future__ import annotations

import pytest
from django.test import Client

from trustdesk.audit.models import AuditEvent
from trustdesk.exports import services
from trustdesk.exports.models import CyberTiplineDraft, DraftStatus, PreservationDuty
from trustdesk.incidents.models import TimelineEvent
from trustdesk.lib.errors import Conflict, InvalidInput

from .conftest import attach_intake, parse_xml, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(utc("2026-11-25 12:00"), tick=False)
    return utc("2026-11-25 12:00")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(im, restricted_incident, now) -> CyberTiplineDraft:
    attach_intake(restricted_incident, text="graphic description stays internal")
    return services.generate_cybertip_draft(actor=im, incident=restricted_incident)


def test_it_generates_a_draft_from_the_page_and_audits_it(im, restricted_incident, now) -> None:
    attach_intake(restricted_incident, url="https://video.example.com/v/9")
    response = _client(im).post(
        f"/exports/incidents/{restricted_incident.pk}/cybertip/new",
        {"incident_type": "Child Sex Trafficking", "high_priority": "on"},
    )
    draft = CyberTiplineDraft.objects.get()
    assert response.status_code == 302 and response.url == f"/exports/cybertip/{draft.pk}/"
    root = parse_xml(draft.xml)
    assert root.findtext("incidentSummary/incidentType") == "Child Sex Trafficking"
    assert root.findtext("incidentSummary/escalateToHighPriority") == "true"
    assert draft.status == DraftStatus.DRAFT
    assert AuditEvent.objects.filter(action="exports.cybertip_generated").count() == 1
    assert TimelineEvent.objects.filter(
        incident=restricted_incident, text__contains="not sent"
    ).exists()


def test_it_previews_the_xml_escaped(im, draft) -> None:
    page = _client(im).get(f"/exports/cybertip/{draft.pk}/").content.decode()
    assert "&lt;incidentSummary&gt;" in page
    assert "<incidentSummary>" not in page
    assert "Mark as submitted" in page


def test_it_audits_every_download(im, draft) -> None:
    client = _client(im)
    for _ in range(2):
        response = client.get(f"/exports/cybertip/{draft.pk}/download")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml"
        assert "attachment" in response["Content-Disposition"]
        parse_xml(response.content)
    assert AuditEvent.objects.filter(action="exports.cybertip_downloaded").count() == 2


@pytest.mark.parametrize("who", ["outsider", "im2", "stakeholder"])
def test_it_hides_everything_from_those_not_on_the_list(request, who, draft) -> None:
    client = _client(request.getfixturevalue(who))
    incident_id = draft.incident_id
    assert client.get(f"/exports/incidents/{incident_id}/cybertip/").status_code == 404
    assert client.post(f"/exports/incidents/{incident_id}/cybertip/new").status_code == 404
    assert client.get(f"/exports/cybertip/{draft.pk}/").status_code == 404
    assert client.get(f"/exports/cybertip/{draft.pk}/download").status_code == 404
    response = client.post(f"/exports/cybertip/{draft.pk}/submitted", {"report_number": "1"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="exports.cybertip_downloaded").exists()
    assert not PreservationDuty.objects.exists()


def test_it_lets_a_read_only_user_on_the_list_read_but_not_file(auditor, im, draft) -> None:
    from trustdesk.incidents.services import grant_access

    grant_access(actor=im, incident=draft.incident, user=auditor, reason="audit")
    client = _client(auditor)
    assert client.get(f"/exports/cybertip/{draft.pk}/").status_code == 200
    new = client.post(f"/exports/incidents/{draft.incident_id}/cybertip/new")
    assert new.status_code == 403
    done = client.post(f"/exports/cybertip/{draft.pk}/submitted", {"report_number": "123"})
    assert done.status_code == 403


def test_marking_submitted_starts_a_one_year_preservation(im, draft, now) -> None:
    response = _client(im).post(
        f"/exports/cybertip/{draft.pk}/submitted", {"report_number": "123456789"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED and draft.report_number == "123456789"
    duty = PreservationDuty.objects.get()
    assert duty.incident_id == draft.incident_id
    assert duty.starts_at == now
    assert duty.ends_at == utc("2027-11-25 12:00")
    assert services.preservation_holds_active(utc("2027-11-25 11:59")) == {draft.incident_id}
    assert services.preservation_holds_active(utc("2027-11-25 12:00")) == set()
    assert services.preservation_holds_active(utc("2026-11-25 11:59")) == set()
    assert AuditEvent.objects.filter(action="exports.cybertip_submitted").count() == 1


def test_a_leap_day_submission_is_kept_until_the_first_of_march() -> None:
    assert services.one_year_after(utc("2028-02-29 08:00")) == utc("2029-03-01 08:00")


def test_it_refuses_a_second_submission_and_a_bad_number(im, draft) -> None:
    with pytest.raises(InvalidInput) as bad:
        services.mark_cybertip_submitted(actor=im, draft=draft, report_number="12 34; DROP")
    assert bad.value.field == "report_number"
    services.mark_cybertip_submitted(actor=im, draft=draft, report_number="1001")
    with pytest.raises(Conflict):
        services.mark_cybertip_submitted(actor=im, draft=draft, report_number="1002")
    assert PreservationDuty.objects.count() == 1


def test_it_shows_a_bad_number_as_a_message_naming_the_field(im, draft) -> None:
    response = _client(im).post(
        f"/exports/cybertip/{draft.pk}/submitted", {"report_number": "<script>"}, follow=True
    )
    assert "report number" in response.content.decode()
    assert not PreservationDuty.objects.exists()


def test_it_refuses_incidents_that_are_not_child_safety(im, incident) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.generate_cybertip_draft(actor=im, incident=incident)
    assert refused.value.field == "incident"
    assert not CyberTiplineDraft.objects.exists()


def test_the_incident_page_links_child_safety_incidents_to_the_draft(
    im, restricted_incident, incident
) -> None:
    client = _client(im)
    link = f"/exports/incidents/{restricted_incident.pk}/cybertip/"
    assert link in client.get(f"/incidents/{restricted_incident.pk}/").content.decode()
    other = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "/cybertip/" not in other
