from datetime import timedelta

import pytest
import time_machine

from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import EventKind
from trustdesk.intake import services
from trustdesk.intake.models import GroupStatus

from .factories import make_report

pytestmark = pytest.mark.django_db

LINK = "https://video.example/watch/42"


def test_a_report_about_content_in_an_open_incident_joins_it_and_its_timeline(im):
    first = make_report(url=LINK)
    incident = services.open_incident_from_group(actor=im, group=first.group)
    later = make_report(text="Still up, and spreading", url=LINK + "?utm_source=x")
    assert later.group == first.group
    assert later.group.incident == incident
    note = incident.events.filter(kind=EventKind.NOTE, data__source="intake").last()
    assert later.ref in note.text
    assert note.data["reports"] == [later.pk]


def test_the_api_answer_names_the_incident(api, im):
    first = make_report(url=LINK)
    incident = services.open_incident_from_group(actor=im, group=first.group)
    response = api.post(
        "/api/v1/reports",
        {"text": "again", "content": [{"url": LINK}]},
        content_type="application/json",
    )
    assert response.json()["incident"] == incident.pk


def test_content_of_a_closed_incident_starts_a_new_group(im):
    first = make_report(url=LINK)
    incident = services.open_incident_from_group(actor=im, group=first.group)
    incident_services.transition(actor=im, incident=incident, to="declined", reason="not harmful")
    later = make_report(url=LINK)
    assert later.group != first.group
    assert later.group.status == GroupStatus.OPEN
    notes = incident.events.filter(data__source="intake")
    assert all(later.pk not in note.data.get("reports", []) for note in notes)


def test_the_window_does_not_apply_to_open_incidents(im):
    with time_machine.travel("2026-11-01 09:00Z", tick=False) as clock:
        first = make_report(url=LINK)
        services.open_incident_from_group(actor=im, group=first.group)
        clock.shift(timedelta(days=30))
        assert make_report(url=LINK).group == first.group
