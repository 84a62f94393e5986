"""Adherence counts: done, done late, skipped, overdue, per playbook and per step."""

from datetime import timedelta

import pytest

from trustdesk.incidents import services as incident_services
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.playbooks import adherence, editing, services

from .factories import make_playbook, step

pytestmark = pytest.mark.django_db


def row(playbook_id: int) -> adherence.PlaybookRow:
    return next(r for r in adherence.library() if r.playbook.pk == playbook_id)


def test_it_counts_done_late_skipped_and_overdue(im, frozen):
    version = make_playbook(steps=[step("Size it", offset=30), step("Brief", "policy", 120)])
    first = services.apply_playbook(actor=im, incident=make_incident(actor=im), version=version)
    second = services.apply_playbook(actor=im, incident=make_incident(actor=im), version=version)
    size_1, brief_1 = first.runs.order_by("step__order")
    size_2, _brief_2 = second.runs.order_by("step__order")

    frozen.shift(timedelta(minutes=10))
    services.complete_step(actor=im, run=size_1)  # on time
    frozen.shift(timedelta(minutes=40))
    services.complete_step(actor=im, run=size_2)  # 20 minutes late
    services.skip_step(actor=im, run=brief_1, reason="Policy already briefed on a twin incident")
    frozen.shift(timedelta(hours=2))  # brief_2 is now open past its target

    result = row(version.playbook_id)
    assert result.applications == 2
    steps = {s.key: s.counts for s in result.steps}
    assert (steps["size-it"].total, steps["size-it"].done, steps["size-it"].done_late) == (2, 2, 1)
    assert steps["size-it"].late == 1 and steps["size-it"].skipped == 0
    assert (steps["brief"].skipped, steps["brief"].overdue, steps["brief"].pending) == (1, 1, 1)
    assert steps["brief"].late == 1
    assert (result.counts.total, result.counts.done, result.counts.skipped, result.counts.late) == (
        4,
        2,
        1,
        2,
    )
    (note,) = next(s for s in result.steps if s.key == "brief").reasons
    assert note.reason == "Policy already briefed on a twin incident"


def test_a_task_done_in_the_task_list_counts_as_done(im, frozen):
    version = make_playbook(steps=[step("Size it", offset=30)])
    applied = services.apply_playbook(actor=im, incident=make_incident(actor=im), version=version)
    run = applied.runs.get()
    incident_services.update_task(actor=im, task=run.task, status="done")
    counts = adherence.for_incident(applied.incident)[applied.pk]
    assert (counts.done, counts.pending) == (1, 0)


def test_steps_count_across_versions_by_key(lead, im, frozen):
    version = make_playbook(actor=lead, steps=[step("Size it"), step("Old step", "policy")])
    applied = services.apply_playbook(actor=im, incident=make_incident(actor=im), version=version)
    services.complete_step(actor=im, run=applied.runs.get(step__key="size-it"))
    draft = editing.draft_from(version)
    draft.steps = draft.steps[:1]
    draft.steps[0].title = "Size the trend"
    draft.change_note = "Dropped the old step"
    editing.save_version(actor=lead, draft=draft, playbook=version.playbook)

    steps = {s.key: s for s in row(version.playbook_id).steps}
    assert steps["size-it"].title == "Size the trend" and steps["size-it"].counts.done == 1
    assert steps["old-step"].removed and steps["old-step"].counts.pending == 1


def test_the_period_and_region_filter_what_counts(im, frozen):
    version = make_playbook(steps=[step("Size it")])
    services.apply_playbook(
        actor=im, incident=make_incident(actor=im, markets=("MX",)), version=version
    )
    frozen.shift(timedelta(days=40))
    services.apply_playbook(
        actor=im, incident=make_incident(actor=im, markets=("AU",)), version=version
    )
    from django.utils import timezone

    recent = adherence.library(since=timezone.now() - timedelta(days=30))
    assert next(r for r in recent if r.playbook.pk == version.playbook_id).counts.total == 1
    ams = adherence.library(region="AMS")
    assert next(r for r in ams if r.playbook.pk == version.playbook_id).counts.total == 1
