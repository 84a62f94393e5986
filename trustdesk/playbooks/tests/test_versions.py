"""Editing a playbook makes a new version; checklists already made keep theirs."""

from datetime import timedelta

import pytest

from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import InvalidInput
from trustdesk.playbooks import editing, services

from .conftest import NOW
from .factories import make_playbook, step

pytestmark = pytest.mark.django_db


def test_editing_after_applying_does_not_change_tasks_already_created(lead, im, frozen):
    version = make_playbook(actor=lead, steps=[step("Size it", offset=30)])
    incident = make_incident(actor=im)
    applied = services.apply_playbook(actor=im, incident=incident, version=version)

    draft = editing.draft_from(version)
    draft.steps[0].title = "Size the trend and its ages"
    draft.steps[0].offset_minutes = 15
    draft.steps.append(step("Tell partners", "comms", 240))
    draft.change_note = "Faster sizing; partners step"
    newer = editing.save_version(actor=lead, draft=draft, playbook=version.playbook)

    assert newer.number == 2 and version.playbook.versions.count() == 2
    version.playbook.refresh_from_db()
    assert version.playbook.current == newer
    (task,) = incident.tasks.all()
    assert task.title == "Size it"
    assert task.due_at == NOW + timedelta(minutes=30)
    applied.refresh_from_db()
    assert applied.version == version
    assert [s.title for s in version.steps.all()] == ["Size it"]


def test_a_new_incident_gets_the_new_version(lead, im, frozen):
    version = make_playbook(actor=lead, steps=[step("Size it", offset=30)])
    draft = editing.draft_from(version)
    draft.steps[0].offset_minutes = 15
    draft.change_note = "Faster"
    newer = editing.save_version(actor=lead, draft=draft, playbook=version.playbook)
    incident = make_incident(actor=im)
    version.playbook.refresh_from_db()
    applied = services.apply_playbook(actor=im, incident=incident, version=version.playbook.current)
    assert applied.version == newer
    assert incident.tasks.get().due_at == NOW + timedelta(minutes=15)


def test_a_step_keeps_its_key_across_versions(lead):
    version = make_playbook(actor=lead, steps=[step("Size it")])
    draft = editing.draft_from(version)
    draft.steps[0].title = "Size the trend"
    draft.change_note = "Clearer title"
    newer = editing.save_version(actor=lead, draft=draft, playbook=version.playbook)
    assert version.steps.get().key == newer.steps.get().key == "size-it"


def test_a_new_version_needs_a_change_note(lead):
    version = make_playbook(actor=lead)
    draft = editing.draft_from(version)
    with pytest.raises(InvalidInput) as raised:
        editing.save_version(actor=lead, draft=draft, playbook=version.playbook)
    assert raised.value.field == "change_note"
    assert version.playbook.versions.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "janitor"}, "steps.0.role"),
        ({"anchor": "sunrise"}, "steps.0.anchor"),
        ({"offset_minutes": -30}, "steps.0.offset_minutes"),
        ({"title": ""}, "steps.0.title"),
        ({"template_keys": ["nope"]}, "steps.0.template_keys"),
        ({"condition": {"markets": ["XX"]}}, "steps.0.condition.markets"),
    ],
)
def test_a_bad_step_is_refused_naming_the_field(lead, change, field):
    fields = {"title": "Size it", "role": "commander", "offset_minutes": 30, **change}
    draft = editing.Draft(
        title="Bad", categories=["STATEMENT_CATEGORY_VIOLENCE"], steps=[editing.StepDraft(**fields)]
    )
    with pytest.raises(InvalidInput) as raised:
        editing.save_version(actor=lead, draft=draft)
    assert raised.value.field == field


def test_unknown_criteria_are_refused(lead):
    draft = editing.Draft(title="Bad", markets=["ZZ"], steps=[step("x")])
    with pytest.raises(InvalidInput) as raised:
        editing.save_version(actor=lead, draft=draft)
    assert raised.value.field == "markets"


def test_rule_codes_must_be_in_the_regime_pack(lead):
    draft = editing.Draft(
        title="Brazil",
        markets=["BR"],
        steps=[step("x")],
        rule_codes=["br-tse-res23610-art38", "BR-NOPE"],
    )
    with pytest.raises(InvalidInput) as raised:
        editing.save_version(actor=lead, draft=draft)
    assert raised.value.field == "rule_codes" and "BR-NOPE" in raised.value.message
    draft.rule_codes = ["br-tse-res23610-art38"]
    assert editing.save_version(actor=lead, draft=draft).rule_codes == ["BR-TSE-RES23610-ART38"]
