"""The incident queue page: /incidents/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents import services
from trustdesk.incidents.tests.factories import make_incident

URL = reverse("incidents:queue")

pytestmark = pytest.mark.django_db


def _listed(response):
    assert response.status_code == 200
    return [incident.pk for incident in response.context["page"].object_list]


def _move(incident, actor, *statuses):
    for status in statuses:
        services.transition(actor=actor, incident=incident, to=status)


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_lists_open_incidents_and_hides_closed_ones_until_asked(client, im, incident):
    done = make_incident(actor=im, title="Old scam wave")
    _move(done, im, "triaged", "investigating", "resolved", "closed")
    client.force_login(im)
    assert _listed(client.get(URL)) == [incident.pk]
    assert set(_listed(client.get(URL, {"closed": "on"}))) == {incident.pk, done.pk}


def test_it_sorts_by_severity_then_oldest_first(client, im):
    sev3 = make_incident(actor=im, title="Scam", severity="SEV3")
    sev1_new = make_incident(actor=im, title="Live-streamed attack", severity="SEV1")
    sev1_old = make_incident(actor=im, title="Blackout challenge", severity="SEV1")
    sev1_old.reported_at = sev1_new.reported_at.replace(year=sev1_new.reported_at.year - 1)
    sev1_old.save()
    client.force_login(im)
    assert _listed(client.get(URL)) == [sev1_old.pk, sev1_new.pk, sev3.pk]
    assert _listed(client.get(URL, {"sort": "age"})) == [sev1_old.pk, sev3.pk, sev1_new.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"severity": "SEV1"}, "sev1"),
        ({"region": "EMEA"}, "emea"),
        ({"market": "DE"}, "emea"),
        ({"category": "protection-of-minors"}, "sev1"),
        ({"q": "hashtag"}, "sev1"),
    ],
)
def test_each_filter_narrows_the_list(client, lead, params, expected):
    made = {
        "sev1": make_incident(
            actor=lead,
            title="Grooming hashtag",
            severity="SEV1",
            category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
            markets=("BR",),
        ),
        "emea": make_incident(actor=lead, title="Election hate speech", markets=("DE",)),
        "other": make_incident(actor=lead, title="Scam", severity="SEV4", markets=("MX",)),
    }
    client.force_login(lead)
    assert _listed(client.get(URL, params)) == [made[expected].pk]


def test_search_finds_an_incident_by_its_ref(client, im, incident):
    make_incident(actor=im, title="Something else")
    client.force_login(im)
    assert _listed(client.get(URL, {"q": incident.ref.lower()})) == [incident.pk]


def test_assigned_to_me_shows_what_i_command_or_am_engaged_on(client, im, im2, incident):
    engaged = make_incident(actor=im2, title="Engaged")
    make_incident(actor=im2, title="Not mine")
    services.add_participant(actor=im, incident=incident, user=im, role="commander")
    services.add_participant(actor=im2, incident=engaged, user=im, role="sme")
    client.force_login(im)
    assert set(_listed(client.get(URL, {"assignee": "me"}))) == {incident.pk, engaged.pk}


def test_status_tabs_count_and_filter(client, im, incident):
    triaged = make_incident(actor=im, title="Acknowledged one")
    _move(triaged, im, "triaged")
    client.force_login(im)
    response = client.get(URL, {"status": "triaged"})
    assert _listed(response) == [triaged.pk]
    counts = {tab["value"]: tab["count"] for tab in response.context["tabs"]}
    assert counts[""] == 2
    assert counts["reported"] == 1
    assert counts["triaged"] == 1
    assert counts["closed"] == 0
    assert b'href="?status=reported"' in response.content


def test_an_outsider_sees_no_restricted_incident(client, outsider, incident, restricted_incident):
    client.force_login(outsider)
    response = client.get(URL, {"closed": "on"})
    assert _listed(response) == []
    assert restricted_incident.title.encode() not in response.content
    assert {tab["count"] for tab in response.context["tabs"]} == {0}


def test_an_incident_manager_off_the_list_does_not_see_restricted_ones(
    client, im2, incident, restricted_incident
):
    client.force_login(im2)
    assert _listed(client.get(URL)) == [incident.pk]


def test_a_lead_sees_restricted_incidents_with_a_lock(client, lead, incident, restricted_incident):
    client.force_login(lead)
    response = client.get(URL)
    assert set(_listed(response)) == {incident.pk, restricted_incident.pk}
    assert response.content.count(b'class="lock"') == 1


def _make_incidents(count, commander):
    for n in range(count):
        created = make_incident(actor=commander, title=f"Incident {n}", markets=("MX", "US"))
        services.add_participant(
            actor=commander, incident=created, user=commander, role="commander"
        )


def test_the_number_of_queries_does_not_grow_with_the_incidents(client, im):
    client.force_login(im)
    _make_incidents(3, UserFactory(username="cmd.one"))
    with CaptureQueriesContext(connection) as few:
        assert len(_listed(client.get(URL))) == 3
    _make_incidents(27, UserFactory(username="cmd.two"))
    with CaptureQueriesContext(connection) as many:
        assert len(_listed(client.get(URL))) == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_paginates(client, im, monkeypatch):
    monkeypatch.setattr("trustdesk.incidents.views.QUEUE_PAGE_SIZE", 2)
    for n in range(3):
        make_incident(actor=im, title=f"Incident {n}")
    client.force_login(im)
    first = client.get(URL)
    assert len(_listed(first)) == 2
    assert b'href="?page=2"' in first.content
    assert len(_listed(client.get(URL, {"page": 2}))) == 1


def test_a_bad_filter_value_is_ignored_on_its_own(client, lead):
    emea = make_incident(actor=lead, title="Election hate speech", markets=("DE",))
    make_incident(actor=lead, title="Scam", markets=("MX",))
    client.force_login(lead)
    assert _listed(client.get(URL, {"severity": "SEV9", "region": "EMEA"})) == [emea.pk]


def test_an_absurd_ref_in_the_search_is_just_text(client, im, incident):
    client.force_login(im)
    assert _listed(client.get(URL, {"q": "INC-99999999999999999999999"})) == []
