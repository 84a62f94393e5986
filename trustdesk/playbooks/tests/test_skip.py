"""Skipping a step needs a reason; it cancels the step's task; it can be reopened."""

import pytest

from trustdesk.incidents.models import TaskStatus
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import Conflict, InvalidInput
from trustdesk.playbooks import services

from .factories import make_playbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(im, frozen):
    applied = services.apply_playbook(
        actor=im, incident=make_incident(actor=im), version=make_playbook()
    )
    return applied.runs.order_by("step__order").first()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_skipping_requires_a_reason(im, run, reason):
    with pytest.raises(InvalidInput) as raised:
        services.skip_step(actor=im, run=run, reason=reason)
    assert raised.value.field == "reason"
    run.refresh_from_db()
    run.task.refresh_from_db()
    assert run.status == "pending" and run.task.status == TaskStatus.OPEN


def test_skipping_cancels_the_task_and_keeps_the_reason(im, run):
    services.skip_step(actor=im, run=run, reason="  Not needed: no press interest  ")
    run.refresh_from_db()
    run.task.refresh_from_db()
    assert run.task.status == TaskStatus.CANCELLED
    assert run.status == "skipped" and run.skip_reason == "Not needed: no press interest"
    assert run.skipped_by == im and not run.is_late


def test_a_done_step_cannot_be_skipped(im, run):
    services.complete_step(actor=im, run=run)
    with pytest.raises(Conflict):
        services.skip_step(actor=im, run=run, reason="too late")


def test_reopening_clears_the_skip(im, run):
    services.skip_step(actor=im, run=run, reason="not needed")
    services.reopen_step(actor=im, run=run)
    run.refresh_from_db()
    run.task.refresh_from_db()
    assert run.status == "pending" and run.skip_reason == "" and run.skipped_at is None
    assert run.task.status == TaskStatus.OPEN


def test_a_skipped_step_must_be_reopened_before_ticking(im, run):
    services.skip_step(actor=im, run=run, reason="not needed")
    with pytest.raises(Conflict, match="reopen"):
        services.complete_step(actor=im, run=run)
