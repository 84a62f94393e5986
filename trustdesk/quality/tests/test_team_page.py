"""The team page: by site and region, per-person rows only for the lead's own people, in
name order, and the same number of queries whatever the team's size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustdesk.accounts.models import Membership
from trustdesk.quality.models import Review

from .factories import closed_incident, im_in, lead_in, run, site, submit

pytestmark = pytest.mark.django_db

URL = reverse("quality:team")


def _team(count, *, first=0):
    north, south = site("emea-dublin", "EMEA"), site("emea-berlin", "EMEA")
    people = []
    for n in range(first, first + count):
        person = im_in("EMEA", f"im{n:02d}", site=north if n % 2 else south)
        closed_incident(person, day=10 + n % 5)
        people.append(person)
    return people


def _queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"region": "EMEA"})
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_team(client, settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead = lead_in("EMEA")
    _team(2)
    run("EMEA")
    small = _queries(client, lead)
    _team(6, first=2)
    for review in Review.objects.all():
        submit(review, 4)
    large = _queries(client, lead)
    assert large == small


def test_sites_are_shown_with_their_numbers(client, settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead = lead_in("EMEA")
    _team(4)
    run("EMEA")
    client.force_login(lead)
    view = client.get(URL, {"region": "EMEA"}).context["view"]
    assert [s.name for s in view.sites] == ["Emea Berlin", "Emea Dublin"]
    assert [s.people for s in view.sites] == [2, 2]
    assert view.progress == (0, 5)  # four sampled items, one of them double-reviewed


def test_a_team_lead_sees_rows_only_for_their_own_team(client, settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    people = _team(4)
    dublin_lead = im_in("EMEA", "dora.teamlead")
    Membership.objects.create(team=people[1].teams.get(), user=dublin_lead, is_lead=True)
    client.force_login(dublin_lead)
    response = client.get(URL)
    view = response.context["view"]
    rows = [row.person.username for s in view.sites for row in s.rows]
    assert rows == ["im01", "im03"]  # Dublin only; Berlin appears in the site numbers
    page = response.content.decode()
    assert "im00" not in page and "im02" not in page


def test_person_rows_are_in_name_order_not_by_score(client, settings):
    settings.QUALITY_SEED_SALT = "test-salt"
    lead = lead_in("EMEA")
    dublin = site("emea-dublin", "EMEA")
    scores = {}
    for username, value in (("ann.im", 5), ("bob.im", 2), ("cat.im", 4)):
        person = im_in("EMEA", username, site=dublin)
        closed_incident(person)
        scores[person.pk] = value
    run("EMEA")
    for review in Review.objects.filter(calibration_of__isnull=True):
        submit(review, scores[review.reviewee_id])
    client.force_login(lead)
    view = client.get(URL).context["view"]
    rows = [row for s in view.sites for row in s.rows]
    assert [r.person.username for r in rows] == ["ann.im", "bob.im", "cat.im"]
    assert [round(r.current.quality, 2) for r in rows] == [1.0, 0.25, 0.75]
