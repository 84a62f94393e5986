"""GET /api/v1/incidents: only what you may see, filtered, sorted and paged."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trustdesk.accounts.tests.apiclient import as_user, error_fields
from trustdesk.incidents import services
from trustdesk.incidents.lifecycle import Status
from trustdesk.incidents.models import ParticipantRole
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.taxonomy.models import Keyword

URL = "/api/v1/incidents"


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_an_outsider_sees_no_incidents(outsider, incident, restricted_incident):
    body = as_user(outsider).get(URL).json()
    assert body == {"count": 0, "items": [], "limit": 50, "offset": 0}


def test_a_stakeholder_sees_only_what_they_are_engaged_on(
    im, stakeholder, incident, restricted_incident
):
    assert _ids(as_user(stakeholder).get(URL)) == []
    services.add_participant(
        actor=im, incident=restricted_incident, user=stakeholder, role=ParticipantRole.LEGAL
    )
    assert _ids(as_user(stakeholder).get(URL)) == [restricted_incident.pk]


def test_an_incident_manager_off_the_list_sees_only_unrestricted(
    im2, incident, restricted_incident
):
    assert _ids(as_user(im2).get(URL)) == [incident.pk]


def test_a_lead_sees_restricted_incidents_too(lead, incident, restricted_incident):
    assert set(_ids(as_user(lead).get(URL))) == {incident.pk, restricted_incident.pk}


def test_an_item_has_the_documented_shape(im, lead, incident):
    services.add_participant(actor=im, incident=incident, user=lead, role=ParticipantRole.COMMANDER)
    item = as_user(im).get(URL).json()["items"][0]
    assert item["ref"] == f"INC-{incident.pk}"
    assert item["category"] == {
        "code": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "slug": "public-security",
        "name": "Risk for public security",
    }
    assert item["markets"] == ["MX"]
    assert item["severity"] == "SEV2"
    assert item["status"] == "reported"
    assert item["region"] == "AMS"
    assert item["commander"] == "lena.lead"
    assert item["allowed_transitions"] == ["triaged", "declined", "merged"]
    assert item["url"] == f"/incidents/{incident.pk}/"
    assert item["reported_at"] is not None
    assert item["triaged_at"] is None


def test_it_filters_by_repeated_status(im):
    reported = make_incident(actor=im)
    triaged = make_incident(actor=im)
    services.transition(actor=im, incident=triaged, to=Status.TRIAGED)
    declined = make_incident(actor=im)
    services.transition(actor=im, incident=declined, to=Status.DECLINED, reason="spam")
    client = as_user(im)
    assert _ids(client.get(URL, {"status": "triaged"})) == [triaged.pk]
    both = client.get(URL, {"status": ["reported", "declined"]})
    assert set(_ids(both)) == {reported.pk, declined.pk}


def test_it_filters_by_repeated_severity(im):
    sev1 = make_incident(actor=im, severity="SEV1")
    sev3 = make_incident(actor=im, severity="SEV3")
    make_incident(actor=im, severity="SEV4")
    assert set(_ids(as_user(im).get(URL, {"severity": ["SEV1", "SEV3"]}))) == {sev1.pk, sev3.pk}


def test_it_filters_by_region_and_market(im):
    mexico = make_incident(actor=im, markets=("MX",))
    germany = make_incident(actor=im, markets=("DE", "FR"))
    client = as_user(im)
    assert _ids(client.get(URL, {"region": "EMEA"})) == [germany.pk]
    assert _ids(client.get(URL, {"market": "fr"})) == [germany.pk]
    assert _ids(client.get(URL, {"market": "MX"})) == [mexico.pk]


@pytest.mark.parametrize("value", ["STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "scams-fraud"])
def test_it_filters_by_category_code_or_slug(im, incident, value):
    scam = make_incident(actor=im, category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD")
    assert _ids(as_user(im).get(URL, {"category": value})) == [scam.pk]


def test_it_filters_by_assignee_as_commander_or_participant(im, im2, lead):
    commanded = make_incident(actor=im)
    services.add_participant(actor=im, incident=commanded, user=im2, role=ParticipantRole.COMMANDER)
    scribed = make_incident(actor=im)
    services.add_participant(actor=im, incident=scribed, user=im2, role=ParticipantRole.SCRIBE)
    left = make_incident(actor=im)
    former = services.add_participant(
        actor=im, incident=left, user=im2, role=ParticipantRole.OBSERVER
    )
    services.remove_participant(actor=im, participant=former)
    make_incident(actor=im)
    assert set(_ids(as_user(lead).get(URL, {"assignee": "isla.im"}))) == {
        commanded.pk,
        scribed.pk,
    }


def test_it_searches_title_and_summary(im):
    by_title = make_incident(actor=im, title="Blackout challenge in schools")
    by_summary = make_incident(actor=im, title="Trend", summary="Kids filming the BLACKOUT dare")
    make_incident(actor=im, title="Crypto giveaway scam")
    assert set(_ids(as_user(im).get(URL, {"q": "blackout"}))) == {by_title.pk, by_summary.pk}


def test_it_filters_by_restricted(lead, incident, restricted_incident):
    client = as_user(lead)
    assert _ids(client.get(URL, {"restricted": "true"})) == [restricted_incident.pk]
    assert _ids(client.get(URL, {"restricted": "false"})) == [incident.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"market": "ZZ"}, "market"),
        ({"market": "Mexico"}, "market"),
        ({"category": "no-such-harm"}, "category"),
        ({"assignee": "nobody.here"}, "assignee"),
        ({"status": ["reported", "burning"]}, "status.1"),
        ({"severity": "SEV5"}, "severity.0"),
        ({"region": "MARS"}, "region"),
        ({"sort": "title"}, "sort"),
        ({"limit": "201"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"restricted": "perhaps"}, "restricted"),
    ],
)
def test_it_names_the_bad_filter(im, params, field):
    response = as_user(im).get(URL, params)
    assert response.status_code == 422
    assert error_fields(response) == [field]


def test_it_sorts_by_severity_then_oldest_first_by_default(im):
    start = timezone.now() - timedelta(hours=5)
    with time_machine.travel(start, tick=False):
        old_sev3 = make_incident(actor=im, severity="SEV3")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        sev1 = make_incident(actor=im, severity="SEV1")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        new_sev3 = make_incident(actor=im, severity="SEV3")
    client = as_user(im)
    assert _ids(client.get(URL)) == [sev1.pk, old_sev3.pk, new_sev3.pk]
    assert _ids(client.get(URL, {"sort": "severity"})) == [old_sev3.pk, new_sev3.pk, sev1.pk]
    assert _ids(client.get(URL, {"sort": "age"})) == [new_sev3.pk, sev1.pk, old_sev3.pk]
    assert _ids(client.get(URL, {"sort": "-age"})) == [old_sev3.pk, sev1.pk, new_sev3.pk]


def test_it_sorts_by_last_update(im):
    first = make_incident(actor=im)
    second = make_incident(actor=im)
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        services.update_incident(actor=im, incident=first, severity="SEV1")
    assert _ids(as_user(im).get(URL, {"sort": "updated"})) == [first.pk, second.pk]


def test_it_pages_with_limit_and_offset(im):
    created = [make_incident(actor=im) for _ in range(5)]
    body = as_user(im).get(URL, {"sort": "-age", "limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert body["limit"] == 2
    assert body["offset"] == 2
    assert [item["id"] for item in body["items"]] == [created[2].pk, created[3].pk]


def _make_busy_incidents(n, *, actor, commander):
    for i in range(n):
        incident = make_incident(
            actor=actor,
            title=f"Incident {i}",
            markets=("DE", "FR"),
            keywords=Keyword.objects.filter(code="KEYWORD_ILLEGAL_ORGANIZATIONS"),
            restricted=i % 2 == 0,
        )
        services.add_participant(
            actor=actor, incident=incident, user=commander, role=ParticipantRole.COMMANDER
        )


def _count_list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"limit": 200})
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_number_of_queries_does_not_grow_with_the_incidents(im, im2):
    client = as_user(im)
    client.get("/api/v1/me")  # the token's first use is recorded once, with a write
    _make_busy_incidents(3, actor=im, commander=im2)
    few_queries, few = _count_list_queries(client)
    _make_busy_incidents(27, actor=im, commander=im2)
    many_queries, many = _count_list_queries(client)
    assert (few, many) == (3, 30)
    assert few_queries == many_queries
