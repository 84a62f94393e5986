"""The incident page: /incidents/<id>/."""

import re

import pytest
from django.urls import reverse

from trustdesk.incidents import services
from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db


def _url(incident):
    return reverse("incidents:detail", args=[incident.pk])


def _transition_targets(response):
    return re.findall(r'name="to" value="(\w+)"', response.content.decode())


def test_it_shows_the_incident_to_an_incident_manager(client, im, incident):
    client.force_login(im)
    response = client.get(_url(incident))
    assert response.status_code == 200
    assert incident.title in response.content.decode()
    assert "Mexico" in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "stakeholder", "im2"])
def test_a_restricted_incident_is_404_for_those_not_on_the_list(
    client, request, persona, restricted_incident
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_url(restricted_incident)).status_code == 404


def test_an_unengaged_stakeholder_gets_404_even_on_an_open_incident(client, outsider, incident):
    client.force_login(outsider)
    assert client.get(_url(incident)).status_code == 404


def test_a_missing_incident_is_404(client, im):
    client.force_login(im)
    assert client.get(reverse("incidents:detail", args=[999999])).status_code == 404


def test_a_lead_sees_a_restricted_incident(client, lead, restricted_incident):
    client.force_login(lead)
    response = client.get(_url(restricted_incident))
    assert response.status_code == 200
    assert "Restricted · need-to-know" in response.content.decode()


def test_an_engaged_stakeholder_sees_it_but_cannot_move_it(
    client, im, stakeholder, restricted_incident
):
    services.add_participant(actor=im, incident=restricted_incident, user=stakeholder, role="legal")
    client.force_login(stakeholder)
    response = client.get(_url(restricted_incident))
    assert response.status_code == 200
    assert _transition_targets(response) == []
    assert 'id="panel-note"' in response.content.decode()


def test_an_auditor_reads_but_every_post_is_403(client, im, auditor, incident):
    client.force_login(auditor)
    response = client.get(_url(incident))
    assert response.status_code == 200
    assert _transition_targets(response) == []
    assert 'id="panel-note"' not in response.content.decode()
    posts = {
        "transition": {"to": "triaged"},
        "add_note": {"text": "I was here"},
        "add_participant": {"user": auditor.pk, "role": "observer"},
        "add_task": {"title": "Audit this"},
    }
    for name, data in posts.items():
        url = reverse(f"incidents:{name}", args=[incident.pk])
        assert client.post(url, data).status_code == 403, name
    assert client.get(reverse("incidents:edit", args=[incident.pk])).status_code == 403
    incident.refresh_from_db()
    assert incident.status == "reported"
    assert incident.events.count() == 1


def test_only_legal_transitions_are_offered(client, im, incident):
    client.force_login(im)
    response = client.get(_url(incident))
    assert _transition_targets(response) == ["triaged", "declined", "merged"]
    assert ">Acknowledge</button>" in response.content.decode()
    assert "Resolve" not in response.content.decode()

    services.transition(actor=im, incident=incident, to="triaged")
    services.transition(actor=im, incident=incident, to="investigating")
    response = client.get(_url(incident))
    assert _transition_targets(response) == ["mitigating", "resolved", "declined", "merged"]


def test_a_final_state_offers_no_transition(client, im, incident):
    target = make_incident(actor=im, title="The main incident")
    services.transition(actor=im, incident=incident, to="merged", reason="dup", merged_into=target)
    client.force_login(im)
    response = client.get(_url(incident))
    assert _transition_targets(response) == []
    assert "Merged is a final state." in response.content.decode()
    assert f'href="/incidents/{target.pk}/"' in response.content.decode()


def test_times_are_shown_in_the_viewers_zone_with_utc_on_hover(client, im, incident):
    im.tz = "Asia/Tokyo"
    im.save()
    client.force_login(im)
    html = client.get(_url(incident)).content.decode()
    utc = incident.reported_at
    local_hour = (utc.hour + 9) % 24
    assert f'datetime="{utc:%Y-%m-%dT%H:%M}' in html
    assert f'title="{utc:%Y-%m-%d %H:%M} UTC"' in html
    assert f"{local_hour:02d}:{utc:%M}</time>" in html


def test_pinned_events_are_highlighted(client, im, incident):
    services.add_note(actor=im, incident=incident, text="Hash list shared with GIFCT", pinned=True)
    client.force_login(im)
    html = client.get(_url(incident)).content.decode()
    assert re.search(r'class="event event-note pinned"', html)
    assert ">Unpin</button>" in html
