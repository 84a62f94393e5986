"""The actions on the incident page: lifecycle, people, tasks, notes, pins.

Each is posted twice over: as HTMX (answered with the changed panels) and as a plain form
(answered with a redirect), because the page must work without JavaScript.
"""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from trustdesk.incidents import services
from trustdesk.incidents.models import EventKind, ParticipantRole, TaskStatus
from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, incident, *args):
    return reverse(f"incidents:{name}", args=[incident.pk, *args])


def _timeline(client, incident):
    response = client.get(reverse("incidents:detail", args=[incident.pk]))
    assert response.status_code == 200
    start = response.content.decode().index('id="panel-timeline"')
    return response.content.decode()[start:]


@pytest.fixture
def im_client(client, im):
    client.force_login(im)
    return client


def test_a_transition_moves_the_incident_and_redirects_without_js(im_client, incident):
    response = im_client.post(_url("transition", incident), {"to": "triaged"})
    assert response.status_code == 302
    assert response.url == reverse("incidents:detail", args=[incident.pk]) + "#panel-header"
    incident.refresh_from_db()
    assert incident.status == "triaged"
    assert "Status Reported → Triaged" in _timeline(im_client, incident)


def test_a_transition_over_htmx_returns_the_changed_panels(im_client, incident):
    response = im_client.post(_url("transition", incident), {"to": "triaged"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel-header"' in html
    assert 'id="panel-timeline"' in html
    assert html.count('hx-swap-oob="true"') == 2  # header and timeline
    assert '<div id="flash" hx-swap-oob="innerHTML">' in html
    assert "Status is now Triaged." in html
    assert 'value="investigating"' in html


def test_an_illegal_transition_is_a_409_that_names_the_allowed_ones(im_client, incident):
    response = im_client.post(_url("transition", incident), {"to": "resolved"}, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Cannot move from Reported to Resolved; allowed next: Triaged, Declined, Merged." in html
    assert 'class="flash flash-error"' in html
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_an_illegal_transition_without_js_shows_the_page_with_the_message(im_client, incident):
    response = im_client.post(_url("transition", incident), {"to": "closed"})
    assert response.status_code == 409
    assert "Cannot move from Reported to Closed" in response.content.decode()
    assert response.context["incident"].pk == incident.pk


def test_declining_needs_a_reason(im_client, incident):
    response = im_client.post(_url("transition", incident), {"to": "declined"}, **HTMX)
    assert response.status_code == 422
    assert "A reason is required to move to Declined." in response.content.decode()
    im_client.post(_url("transition", incident), {"to": "declined", "reason": "Satire account"})
    incident.refresh_from_db()
    assert incident.status == "declined"
    assert "Satire account" in _timeline(im_client, incident)


def test_merging_takes_the_target_ref(im_client, im, incident):
    target = make_incident(actor=im, title="The main one")
    data = {"to": "merged", "reason": "Same challenge", "merged_into": target.ref}
    assert im_client.post(_url("transition", incident), data).status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.merged_into) == ("merged", target)
    assert f"into {target.ref}" in _timeline(im_client, incident)


def test_merging_into_an_incident_i_cannot_see_names_the_field(
    client, im2, incident, restricted_incident
):
    client.force_login(im2)
    data = {"to": "merged", "reason": "dup", "merged_into": restricted_incident.ref}
    response = client.post(_url("transition", incident), data, **HTMX)
    assert response.status_code == 422
    assert f"No incident {restricted_incident.ref} that you can see." in response.content.decode()
    assert "Merge into" in response.content.decode()


def test_merging_into_nonsense_names_the_field(im_client, incident):
    data = {"to": "merged", "reason": "dup", "merged_into": "INC-99999999999999999999"}
    response = im_client.post(_url("transition", incident), data, **HTMX)
    assert response.status_code == 422
    assert "Merge into (e.g. INC-12): No incident INC-9999" in response.content.decode()


def test_adding_a_participant_engages_them(im_client, stakeholder, restricted_incident):
    data = {"user": stakeholder.pk, "role": "legal", "reason": "Court order from Brazil"}
    response = im_client.post(_url("add_participant", restricted_incident), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="panel-participants"' in html and 'id="panel-timeline"' in html
    assert "joined as Legal (Court order from Brazil)" in html
    viewer = Client()
    viewer.force_login(stakeholder)
    assert viewer.get(reverse("incidents:detail", args=[restricted_incident.pk])).status_code == 200


def test_assign_me_as_commander_sets_the_commander(im_client, im, incident):
    data = {"user": im.pk, "role": ParticipantRole.COMMANDER}
    assert im_client.post(_url("add_participant", incident), data).status_code == 302
    incident.refresh_from_db()
    assert incident.commander == im
    assert "joined as Incident commander" in _timeline(im_client, incident)


def test_adding_a_participant_without_a_person_names_the_field(im_client, incident):
    response = im_client.post(_url("add_participant", incident), {"role": "legal"}, **HTMX)
    assert response.status_code == 422
    assert "Person: This field is required." in response.content.decode()
    assert response.context["participant_form"].errors["user"]


def test_removing_a_participant(im_client, im, stakeholder, incident):
    participant = services.add_participant(
        actor=im, incident=incident, user=stakeholder, role="legal"
    )
    url = _url("remove_participant", incident, participant.pk)
    assert im_client.post(url, **HTMX).status_code == 200
    participant.refresh_from_db()
    assert participant.renounced_at is not None
    assert "left Legal" in _timeline(im_client, incident)
    assert im_client.post(url).status_code == 404


def test_a_commander_who_steps_down_from_a_restricted_incident_goes_back_to_the_queue(
    client, im, stakeholder, restricted_incident
):
    participant = services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role="commander"
    )
    client.force_login(stakeholder)
    url = _url("remove_participant", restricted_incident, participant.pk)
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("incidents:queue")


def test_adding_a_task_reads_the_due_time_in_my_zone(im_client, im, incident):
    im.tz = "Europe/Amsterdam"
    im.save()
    data = {"title": "Brief Comms", "owner": im.pk, "due_at": "2026-11-25T18:00"}
    response = im_client.post(_url("add_task", incident), data, **HTMX)
    assert response.status_code == 200
    assert 'id="panel-tasks"' in response.content.decode()
    task = incident.tasks.get()
    assert task.due_at == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert task.owner == im
    assert "Task added for" in _timeline(im_client, incident)


def test_a_task_without_a_title_names_the_field(im_client, incident):
    response = im_client.post(_url("add_task", incident), {"title": ""}, **HTMX)
    assert response.status_code == 422
    assert "Task: This field is required." in response.content.decode()
    assert not incident.tasks.exists()


def test_marking_a_task_in_progress_then_done(im_client, im, incident):
    task = services.create_task(actor=im, incident=incident, title="Export evidence")
    url = _url("set_task_status", incident, task.pk)
    im_client.post(url, {"status": TaskStatus.IN_PROGRESS}, **HTMX)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert im_client.post(url, {"status": TaskStatus.DONE}).status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert "Task done: Export evidence" in _timeline(im_client, incident)
    assert im_client.post(url, {"status": "nonsense"}, **HTMX).status_code == 422


def test_a_note_lands_on_the_timeline(im_client, incident):
    data = {"text": "312 videos hash-matched", "pinned": "on"}
    response = im_client.post(_url("add_note", incident), data, **HTMX)
    assert response.status_code == 200
    assert 'id="panel-note"' in response.content.decode()
    event = incident.events.get(kind=EventKind.NOTE)
    assert event.pinned
    assert "312 videos hash-matched" in _timeline(im_client, incident)


def test_an_empty_note_is_refused_with_the_field_named(im_client, incident):
    response = im_client.post(_url("add_note", incident), {"text": "  "}, **HTMX)
    assert response.status_code == 422
    assert "Add a note: This field is required." in response.content.decode()


def test_an_engaged_stakeholder_may_add_a_note_but_not_move_the_incident(
    client, im, stakeholder, incident
):
    services.add_participant(actor=im, incident=incident, user=stakeholder, role="legal")
    client.force_login(stakeholder)
    assert (
        client.post(_url("add_note", incident), {"text": "Court deadline Fri"}).status_code == 302
    )
    assert client.post(_url("transition", incident), {"to": "triaged"}).status_code == 403


def test_pin_and_unpin_an_event(im_client, incident):
    event = incident.events.get()
    url = _url("pin_event", incident, event.pk)
    im_client.post(url, {"pinned": "1"}, **HTMX)
    event.refresh_from_db()
    assert event.pinned
    im_client.post(url, {"pinned": "0"})
    event.refresh_from_db()
    assert not event.pinned


def test_actions_on_an_invisible_incident_are_404(client, im2, restricted_incident):
    client.force_login(im2)
    assert client.post(_url("add_note", restricted_incident), {"text": "x"}).status_code == 404
    assert (
        client.post(_url("transition", restricted_incident), {"to": "triaged"}).status_code == 404
    )


def test_actions_refuse_get(im_client, incident):
    assert im_client.get(_url("transition", incident)).status_code == 405


def test_csrf_is_enforced_and_the_htmx_header_carries_the_token(im, incident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(im)
    refused = client.post(_url("add_note", incident), {"text": "no token"}, **HTMX)
    assert refused.status_code == 403
    assert not incident.events.filter(kind=EventKind.NOTE).exists()

    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page).group(1)
    accepted = client.post(
        _url("add_note", incident), {"text": "with token"}, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert accepted.status_code == 200
    assert incident.events.filter(kind=EventKind.NOTE, text="with token").exists()
