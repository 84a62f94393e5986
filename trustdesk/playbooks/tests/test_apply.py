"""Applying a playbook: one task per step, due at the step's time target, owned by role."""

from datetime import timedelta

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.audit.models import AuditEvent
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import EventKind, TaskStatus
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import Conflict
from trustdesk.playbooks import services
from trustdesk.playbooks.models import AppliedPlaybook, StepRun
from trustdesk.regulatory.tests.factories import make_request

from .conftest import NOW
from .factories import make_playbook, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(im, frozen):
    return make_incident(actor=im, markets=("AU",), severity="SEV2")


def runs(applied: AppliedPlaybook) -> dict[str, StepRun]:
    return {r.step.title: r for r in applied.runs.select_related("task", "step")}


def test_it_creates_a_task_per_step_due_relative_to_the_start(im, incident):
    version = make_playbook(steps=[step("Size it", offset=30), step("Brief policy", "policy", 240)])
    applied = services.apply_playbook(actor=im, incident=incident, version=version)
    created = runs(applied)
    assert created["Size it"].task.due_at == NOW + timedelta(minutes=30)
    assert created["Brief policy"].task.due_at == NOW + timedelta(hours=4)
    assert created["Size it"].target_at == created["Size it"].task.due_at
    assert incident.tasks.count() == 2


def test_the_start_is_when_the_incident_was_reported(im, frozen):
    reported = NOW - timedelta(hours=3)
    incident = make_incident(actor=im, markets=("AU",), reported_at=reported)
    version = make_playbook(steps=[step("Size it", offset=60)])
    applied = services.apply_playbook(actor=im, incident=incident, version=version)
    assert runs(applied)["Size it"].task.due_at == reported + timedelta(hours=1)


def test_steps_anchored_to_a_regulatory_clock_are_due_before_its_deadline(im, incident, frozen):
    frozen.shift(timedelta(minutes=10))
    request = make_request(
        actor=im, rule="AU-OSA-S109", received_at=NOW + timedelta(minutes=5), incident=incident
    )
    assert request.due_at == NOW + timedelta(minutes=5, hours=24)
    version = make_playbook(
        steps=[
            step("Remove the material", offset=-120, anchor="regulatory_clock"),
            step("Confirm to eSafety", "legal", offset=-30, anchor="regulatory_clock"),
        ]
    )
    applied = services.apply_playbook(actor=im, incident=incident, version=version)
    created = runs(applied)
    assert created["Remove the material"].task.due_at == request.due_at - timedelta(hours=2)
    assert created["Confirm to eSafety"].task.due_at == request.due_at - timedelta(minutes=30)
    assert created["Confirm to eSafety"].clock_request_id == request.pk


def test_without_a_regulatory_request_the_step_waits_and_gets_its_target_later(
    im, incident, frozen
):
    version = make_playbook(steps=[step("Remove it", offset=-120, anchor="regulatory_clock")])
    applied = services.apply_playbook(actor=im, incident=incident, version=version)
    run = runs(applied)["Remove it"]
    assert run.target_at is None and run.task.due_at is None and run.waits_for_clock
    assert services.clocks_out_of_date(incident) is False

    frozen.shift(timedelta(minutes=10))
    request = make_request(
        actor=im, rule="AU-OSA-S109", received_at=NOW + timedelta(minutes=5), incident=incident
    )
    assert services.clocks_out_of_date(incident) is True
    assert services.sync_clocks(actor=im, incident=incident) == 1
    run.refresh_from_db()
    run.task.refresh_from_db()
    assert run.target_at == run.task.due_at == request.due_at - timedelta(hours=2)
    assert services.sync_clocks(actor=im, incident=incident) == 0


def test_owners_come_from_the_incidents_roles(im, incident):
    lawyer = UserFactory(username="lou.legal", role=Role.STAKEHOLDER)
    incident_services.add_participant(actor=im, incident=incident, user=im, role="commander")
    incident_services.add_participant(actor=im, incident=incident, user=lawyer, role="legal")
    version = make_playbook(
        steps=[step("Command", "commander"), step("Review", "legal"), step("Statement", "comms")]
    )
    created = runs(services.apply_playbook(actor=im, incident=incident, version=version))
    assert created["Command"].task.owner == im
    assert created["Review"].task.owner == lawyer
    assert created["Statement"].task.owner is None


def test_the_regional_lead_step_goes_to_the_regions_lead(im, incident):
    apac_lead = UserFactory(username="pia.lead", role=Role.LEAD, region="APAC")
    UserFactory(username="eve.lead", role=Role.LEAD, region="EMEA")
    version = make_playbook(steps=[step("Check cover", "regional_lead")])
    created = runs(services.apply_playbook(actor=im, incident=incident, version=version))
    assert incident.region == "APAC"
    assert created["Check cover"].task.owner == apac_lead


def test_fill_owners_gives_unowned_steps_the_person_now_in_the_role(im, incident):
    version = make_playbook(steps=[step("Command", "commander")])
    created = runs(services.apply_playbook(actor=im, incident=incident, version=version))
    assert created["Command"].task.owner is None
    incident_services.add_participant(actor=im, incident=incident, user=im, role="commander")
    assert services.fill_owners(actor=im, incident=incident) == 1
    created["Command"].task.refresh_from_db()
    assert created["Command"].task.owner == im


def test_steps_whose_condition_does_not_hold_are_left_out_and_said_so(im, incident):
    version = make_playbook(
        steps=[step("Everywhere"), step("Brazil only", condition={"markets": ["BR"]})]
    )
    applied = services.apply_playbook(actor=im, incident=incident, version=version)
    assert list(runs(applied)) == ["Everywhere"]
    assert applied.left_out == [
        {"key": "brazil-only", "title": "Brazil only", "why": "only if market BR"}
    ]


def test_it_records_the_version_and_a_timeline_event_and_an_audit_event(im, incident):
    version = make_playbook(title="Challenge")
    applied = services.apply_playbook(actor=im, incident=incident, version=version)
    assert applied.version == version and applied.applied_by == im
    event = incident.events.filter(kind=EventKind.TASK, data__applied=applied.pk).get()
    assert event.text.startswith("Applied playbook Challenge v1: 2 steps")
    assert AuditEvent.objects.filter(action="playbook.apply", object_id=str(applied.pk)).exists()


def test_the_same_playbook_is_not_applied_twice(im, incident):
    version = make_playbook()
    services.apply_playbook(actor=im, incident=incident, version=version)
    with pytest.raises(Conflict, match="already on"):
        services.apply_playbook(actor=im, incident=incident, version=version)
    assert incident.tasks.count() == 2


def test_closed_incidents_get_no_checklist(im, incident):
    incident_services.transition(actor=im, incident=incident, to="declined", reason="spam")
    with pytest.raises(Conflict, match="open incidents"):
        services.apply_playbook(actor=im, incident=incident, version=make_playbook())
    assert not incident.tasks.exists()


def test_ticking_a_step_completes_its_task(im, incident):
    applied = services.apply_playbook(actor=im, incident=incident, version=make_playbook())
    run = runs(applied)["Size the trend"]
    services.complete_step(actor=im, run=run)
    run.task.refresh_from_db()
    assert run.task.status == TaskStatus.DONE
    assert run.status == "done" and run.done_at == NOW
