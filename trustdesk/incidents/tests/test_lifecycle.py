import pytest
from django.utils import timezone

from trustdesk.audit.models import AuditEvent
from trustdesk.incidents import services
from trustdesk.incidents.lifecycle import TRANSITIONS, Status
from trustdesk.incidents.models import EventKind, Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import IllegalTransition, InvalidInput

pytestmark = pytest.mark.django_db

LEGAL = [(src, dst) for src, targets in TRANSITIONS.items() for dst in targets]
# One illegal target per state: the first status that is neither the state nor allowed.
ILLEGAL = [
    (src, next(s for s in Status if s != src and s not in targets))
    for src, targets in TRANSITIONS.items()
]


def _in_state(actor, status: Status) -> Incident:
    incident = make_incident(actor=actor)
    Incident.objects.filter(pk=incident.pk).update(status=status)
    incident.refresh_from_db()
    return incident


@pytest.mark.parametrize(("src", "dst"), LEGAL, ids=[f"{s}->{d}" for s, d in LEGAL])
def test_every_legal_transition_succeeds(im, src, dst):
    incident = _in_state(im, src)
    target = make_incident(actor=im, title="Merge target") if dst == Status.MERGED else None
    moved = services.transition(
        actor=im, incident=incident, to=dst, reason="duplicate of another", merged_into=target
    )
    assert moved.status == dst
    assert getattr(moved, f"{dst.value}_at") is not None
    event = moved.events.filter(kind=EventKind.STATUS_CHANGE).last()
    assert event.data == {"from": src.value, "to": dst.value, "reason": "duplicate of another"}
    assert AuditEvent.objects.filter(
        action="incident.transition", object_id=str(incident.pk)
    ).exists()


@pytest.mark.parametrize(("src", "dst"), ILLEGAL, ids=[f"{s}->{d}" for s, d in ILLEGAL])
def test_an_illegal_transition_is_refused_with_the_allowed_ones(im, src, dst):
    incident = _in_state(im, src)
    with pytest.raises(IllegalTransition) as caught:
        services.transition(actor=im, incident=incident, to=dst, reason="x")
    assert caught.value.allowed == [s.value for s in TRANSITIONS[src]]
    incident.refresh_from_db()
    assert incident.status == src
    assert not incident.events.filter(kind=EventKind.STATUS_CHANGE).exists()


def test_declining_needs_a_reason(im, incident):
    with pytest.raises(InvalidInput) as caught:
        services.transition(actor=im, incident=incident, to=Status.DECLINED)
    assert caught.value.field == "reason"


def test_merging_needs_another_incident(im, incident):
    with pytest.raises(InvalidInput) as caught:
        services.transition(actor=im, incident=incident, to=Status.MERGED, reason="dup")
    assert caught.value.field == "merged_into"
    with pytest.raises(InvalidInput):
        services.transition(
            actor=im, incident=incident, to=Status.MERGED, reason="dup", merged_into=incident
        )


def test_an_unknown_status_names_the_field(im, incident):
    with pytest.raises(InvalidInput) as caught:
        services.transition(actor=im, incident=incident, to="exploded")
    assert caught.value.field == "to"


def test_reentering_a_state_keeps_the_first_stamp(im, incident):
    services.transition(actor=im, incident=incident, to=Status.TRIAGED)
    services.transition(actor=im, incident=incident, to=Status.INVESTIGATING)
    first = Incident.objects.get(pk=incident.pk).investigating_at
    services.transition(actor=im, incident=incident, to=Status.MITIGATING)
    services.transition(actor=im, incident=incident, to=Status.INVESTIGATING)
    assert Incident.objects.get(pk=incident.pk).investigating_at == first


def test_acknowledging_records_who_and_the_durations_come_from_stamps(im):
    start = timezone.now() - timezone.timedelta(hours=5)
    incident = make_incident(actor=im, reported_at=start)
    services.transition(
        actor=im, incident=incident, to=Status.TRIAGED, at=start + timezone.timedelta(minutes=7)
    )
    services.transition(
        actor=im, incident=incident, to=Status.INVESTIGATING, at=start + timezone.timedelta(1 / 48)
    )
    services.transition(
        actor=im, incident=incident, to=Status.RESOLVED, at=start + timezone.timedelta(hours=4)
    )
    incident.refresh_from_db()
    assert incident.acknowledged_by == im
    assert incident.time_to_acknowledge == timezone.timedelta(minutes=7)
    assert incident.time_to_resolve == timezone.timedelta(hours=4)
