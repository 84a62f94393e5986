"""Accuracy signals are counted from closed work's own record, per person, without a
reviewer: severity or category changed after triage, reopened incidents, missed deadlines."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.quality import services
from trustdesk.quality.models import AccuracySignal, SignalKind
from trustdesk.taxonomy.models import Category

from .factories import NOW, closed_incident, closed_request

pytestmark = pytest.mark.django_db

WEEK = (datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))


def _collect():
    with time_machine.travel(NOW, tick=False):
        return services.collect_signals(start=WEEK[0], end=WEEK[1])


def _opened(owner, lead, *, changes_before_triage=(), changes_after_triage=(), reopen=False):
    """An incident with edits before and after triage, closed on 11 March."""
    start = datetime(2026, 3, 10, 8, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        incident = make_incident(actor=owner, severity="SEV3")
        incident_services.add_participant(
            actor=owner, incident=incident, user=owner, role="commander"
        )
        for change in changes_before_triage:
            incident_services.update_incident(actor=lead, incident=incident, **change)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        incident_services.transition(actor=owner, incident=incident, to="triaged")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        incident_services.transition(actor=owner, incident=incident, to="investigating")
        for change in changes_after_triage:
            incident_services.update_incident(actor=lead, incident=incident, **change)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        incident_services.transition(actor=owner, incident=incident, to="resolved")
        if reopen:
            incident_services.transition(actor=owner, incident=incident, to="investigating")
            incident_services.transition(actor=owner, incident=incident, to="resolved")
    with time_machine.travel(start + timedelta(days=1), tick=False):
        incident_services.transition(actor=owner, incident=incident, to="closed")
    return incident


def _kinds(person):
    return sorted(AccuracySignal.objects.filter(person=person).values_list("kind", flat=True))


def test_a_severity_change_after_triage_is_a_signal_for_whose_work_it_was(im, lead):
    incident = _opened(im, lead, changes_after_triage=[{"severity": "SEV1"}])
    assert _collect() == 1
    signal = AccuracySignal.objects.get()
    assert (signal.person, signal.kind, signal.subject_id) == (
        im,
        SignalKind.SEVERITY_CHANGED,
        incident.pk,
    )
    assert signal.detail == "SEV3 → SEV1 by lena.lead"


def test_changes_before_triage_are_not_signals(im, lead):
    _opened(im, lead, changes_before_triage=[{"severity": "SEV1"}])
    assert _collect() == 0


def test_a_category_change_after_triage_is_a_signal(im, lead):
    scam = Category.objects.get(code="STATEMENT_CATEGORY_SCAMS_AND_FRAUD")
    _opened(im, lead, changes_after_triage=[{"category": scam, "keywords": []}])
    _collect()
    assert _kinds(im) == [SignalKind.CATEGORY_CHANGED]


def test_a_reopened_incident_is_a_signal(im, lead):
    _opened(im, lead, reopen=True)
    _collect()
    assert _kinds(im) == [SignalKind.REOPENED]


def test_clean_work_has_no_signals(im):
    closed_incident(im)
    assert _collect() == 0


def test_work_still_open_is_not_counted_yet(im, lead):
    with time_machine.travel(datetime(2026, 3, 10, tzinfo=UTC), tick=False):
        incident = make_incident(actor=im)
        incident_services.transition(actor=im, incident=incident, to="triaged")
    with time_machine.travel(datetime(2026, 3, 11, tzinfo=UTC), tick=False):
        incident_services.update_incident(actor=lead, incident=incident, severity="SEV1")
    assert _collect() == 0


def test_a_missed_legal_deadline_is_a_signal_for_the_owner(im):
    closed_request(im, breached=True, day=12)
    closed_request(im, breached=False, day=13)
    assert _collect() == 1
    assert _kinds(im) == [SignalKind.DEADLINE_MISSED]


def test_collecting_twice_counts_once(im, lead):
    _opened(im, lead, changes_after_triage=[{"severity": "SEV1"}, {"severity": "SEV2"}])
    assert _collect() == 2
    assert _collect() == 0
    assert AccuracySignal.objects.count() == 2
