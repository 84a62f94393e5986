"""Resolving a SEV1 incident opens its post-mortem with the facts filled in."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from trustdesk.audit.models import AuditEvent
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import EventKind
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.intake import services as intake_services
from trustdesk.intake.incoming import IncomingItem, IncomingReport
from trustdesk.intake.models import GroupStatus
from trustdesk.intake.services import triage
from trustdesk.notify.models import Notification
from trustdesk.postmortems import facts
from trustdesk.postmortems.models import PostMortem
from trustdesk.regulatory import services as regulatory_services
from trustdesk.regulatory.tests.factories import make_request

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)

REPORTS = [
    ("Livestream of an attack being shared", "https://video.example/v/1", "acct-1"),
    ("Same livestream, reposted", "https://video.example/v/2", "acct-2"),
    ("Clip of the attack livestream", "https://video.example/v/1", "acct-2"),
]


def _report_into(incident, im, text, url, account):
    incoming = IncomingReport(
        channel="api",
        text=text,
        market="DE",
        received_at=T0 + 5 * M,
        items=[IncomingItem(url=url, account_id=account)],
    )
    report = intake_services.receive_report(report=incoming, actor=im).report
    group = report.group
    group.refresh_from_db()
    if group.status == GroupStatus.OPEN:
        triage.attach_group(actor=im, group=group, incident=incident)


@pytest.fixture
def resolved(im):
    """A SEV1 incident with reports, a pinned note, two one-hour removal orders (one met, one
    missed) and every lifecycle stamp, resolved 26 hours after it was reported."""
    with time_machine.travel(T0, tick=False) as clock:
        incident = make_incident(
            actor=im,
            title="Livestreamed attack spreading",
            severity="SEV1",
            markets=("DE",),
            detected_at=T0 - 2 * H,
            reported_at=T0,
        )
        clock.move_to(T0 + 10 * M)
        for text, url, account in REPORTS:
            _report_into(incident, im, text, url, account)

        def move(status, at):
            clock.move_to(at)
            return incident_services.transition(actor=im, incident=incident, to=status, at=at)

        move("triaged", T0 + 15 * M)
        move("investigating", T0 + 30 * M)
        clock.move_to(T0 + 45 * M)
        note = incident_services.add_note(
            actor=im, incident=incident, text="Hash of the video shared with GIFCT", pinned=True
        )
        clock.move_to(T0 + H)
        met = make_request(actor=im, rule="EU-TCO-ART3-3", received_at=T0 + H, incident=incident)
        missed = make_request(actor=im, rule="EU-TCO-ART3-3", received_at=T0 + H, incident=incident)
        clock.move_to(T0 + 90 * M)
        regulatory_services.transition(actor=im, request=met, to="acknowledged", at=T0 + 80 * M)
        regulatory_services.record_action(actor=im, request=met, at=T0 + 90 * M)
        move("mitigating", T0 + 2 * H)
        move("monitoring", T0 + 5 * H)
        incident = move("resolved", T0 + 26 * H)
    return {"incident": incident, "note": note, "met": met, "missed": missed}


def test_it_opens_a_draft_in_the_resolving_transaction(resolved):
    pm = PostMortem.objects.get(incident=resolved["incident"])
    assert pm.status == "draft"
    assert pm.reasons == ["severity", "regulatory_breach"]
    assert pm.due_at == T0 + 26 * H + timedelta(days=5)
    assert pm.tz == "Europe/Berlin"


def test_durations_equal_the_transition_stamps(resolved):
    incident = resolved["incident"]
    durations = {d.key: d.value for d in facts.durations(incident)}
    assert durations == {
        "detect": timedelta(hours=2),
        "acknowledge": timedelta(minutes=15),
        "mitigate": timedelta(hours=2),
        "resolve": timedelta(hours=26),
    }
    assert durations["acknowledge"] == incident.triaged_at - incident.reported_at
    assert durations["resolve"] == incident.resolved_at - incident.reported_at


def test_the_timeline_is_in_time_order_with_the_pinned_note_first(resolved):
    pm = PostMortem.objects.get(incident=resolved["incident"])
    timeline = facts.timeline(pm)
    assert timeline.pinned == [resolved["note"]]
    times = [event.occurred_at for event in timeline.entries]
    assert times == sorted(times)
    statuses = [e.data["to"] for e in timeline.entries if e.kind == EventKind.STATUS_CHANGE]
    assert statuses == ["triaged", "investigating", "mitigating", "monitoring", "resolved"]
    assert timeline.entries[0].kind == EventKind.CREATED


def test_impact_counts_come_from_intake(resolved):
    pm = PostMortem.objects.get(incident=resolved["incident"])
    assert pm.facts["reports"] == 3
    assert pm.facts["content_items"] == 2  # two distinct videos
    assert pm.facts["accounts"] == 2
    assert pm.facts["markets"] == [{"code": "DE", "name": "Germany"}]
    assert pm.detection_source == "user_report"


def test_deadlines_met_and_missed_are_listed(resolved):
    pm = PostMortem.objects.get(incident=resolved["incident"])
    requests = {r["id"]: r for r in pm.facts["requests"]}
    met, missed = requests[resolved["met"].pk], requests[resolved["missed"].pk]
    assert met["result"] == "met"
    assert met["met_at"] == (T0 + 90 * M).isoformat()
    assert missed["result"] == "breached"
    assert missed["met_at"] is None
    assert missed["due_at"] == (T0 + 2 * H).isoformat()


def test_it_is_audited_noted_on_the_incident_and_the_author_told(resolved, im):
    incident = resolved["incident"]
    pm = PostMortem.objects.get(incident=incident)
    assert AuditEvent.objects.filter(action="postmortem.create", object_id=str(pm.pk)).exists()
    assert incident.events.filter(text__startswith=f"{pm.ref}: post-mortem draft opened").exists()
    assert pm.author == im
    assert Notification.objects.filter(recipient=im, event_key=f"pm-created:{pm.pk}").exists()


def test_reopening_and_resolving_again_keeps_the_one_draft(resolved, im):
    incident = resolved["incident"]
    incident_services.transition(actor=im, incident=incident, to="investigating")
    incident_services.transition(actor=im, incident=incident, to="resolved")
    assert PostMortem.objects.filter(incident=incident).count() == 1
