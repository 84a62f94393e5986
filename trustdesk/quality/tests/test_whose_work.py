"""Whose work an item is: the incident's commander, else whoever acknowledged it; a
regulatory request's owner. Missed deadlines make work high-risk."""

from datetime import UTC, datetime

import pytest
import time_machine

from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.quality.sampling import Candidate
from trustdesk.quality.subjects import closed_work

from .factories import closed_incident, closed_request

pytestmark = pytest.mark.django_db

WEEK = (datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))


def _close(incident, actor):
    for hour, status in ((9, "triaged"), (10, "investigating"), (11, "resolved"), (12, "closed")):
        at = datetime(2026, 3, 11, hour, tzinfo=UTC)
        incident_services.transition(actor=actor, incident=incident, to=status, at=at)


def test_without_a_commander_the_acknowledger_owns_the_work(im, im2):
    with time_machine.travel(datetime(2026, 3, 11, 8, tzinfo=UTC), tick=False):
        incident = make_incident(actor=im2, severity="SEV4")
    _close(incident, im)  # ivan acknowledged it
    assert closed_work([im.pk, im2.pk], *WEEK) == {
        im.pk: [Candidate(f"incident:{incident.pk}", False)],
        im2.pk: [],
    }


def test_the_commander_owns_the_work_over_the_acknowledger(im, im2):
    incident = closed_incident(im2, severity="SEV1")  # isla commanded and acknowledged
    incident_services.add_participant(actor=im, incident=incident, user=im, role="commander")
    work = closed_work([im.pk, im2.pk], *WEEK)
    assert [c.key for c in work[im.pk]] == [f"incident:{incident.pk}"]
    assert work[im.pk][0].high_risk  # SEV1
    assert work[im2.pk] == []


def test_work_closed_outside_the_period_is_not_a_candidate(im):
    closed_incident(im, day=16)  # the next period
    assert closed_work([im.pk], *WEEK) == {im.pk: []}


def test_regulatory_requests_are_their_owners_and_breaches_are_high_risk(im):
    missed = closed_request(im, breached=True, day=12)
    met = closed_request(im, breached=False, day=13)
    work = {c.key: c.high_risk for c in closed_work([im.pk], *WEEK)[im.pk]}
    assert work == {
        f"regulatory_request:{missed.pk}": True,
        f"regulatory_request:{met.pk}": False,
    }
