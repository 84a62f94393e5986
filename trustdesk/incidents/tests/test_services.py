import pytest
from django.db import transaction

from trustdesk.audit.models import AuditEvent
from trustdesk.audit.services import verify_chain
from trustdesk.incidents import services
from trustdesk.incidents.models import EventKind, Incident, TaskStatus
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Category, Keyword, Market

pytestmark = pytest.mark.django_db


def test_creating_writes_the_incident_its_timeline_and_its_audit_event(im):
    incident = make_incident(actor=im, markets=("BR", "AR"))
    assert incident.region == "AMS"
    assert incident.events.get().kind == EventKind.CREATED
    audit = AuditEvent.objects.get(action="incident.create")
    assert audit.actor == im
    assert audit.after["markets"] == ["AR", "BR"]
    assert verify_chain().ok


def test_a_failed_hook_rolls_back_everything(im):
    def explode(incident, actor):
        raise RuntimeError("downstream failure")

    services.on_created.append(explode)
    try:
        with pytest.raises(RuntimeError):
            make_incident(actor=im)
    finally:
        services.on_created.remove(explode)
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_region_or_market_is_required(im):
    with pytest.raises(InvalidInput) as caught:
        make_incident(actor=im, markets=())
    assert caught.value.field == "region"


def test_keywords_must_belong_to_the_category(im):
    with pytest.raises(InvalidInput) as caught:
        services.create_incident(
            actor=im,
            title="Wrong keyword",
            category=Category.objects.get(code="STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
            severity="SEV3",
            markets=Market.objects.filter(code="BR"),
            keywords=Keyword.objects.filter(code="KEYWORD_HATE_SPEECH"),
        )
    assert caught.value.field == "keywords"


def test_an_update_records_one_event_per_changed_field(im, incident):
    services.update_incident(
        actor=im, incident=incident, severity="SEV1", title=incident.title, summary="Now viral"
    )
    changes = incident.events.filter(kind=EventKind.FIELD_CHANGE)
    assert sorted(e.data["field"] for e in changes) == ["severity", "summary"]
    assert changes.get(data__field="severity").text == "Changed severity: SEV2 → SEV1"
    audit = AuditEvent.objects.get(action="incident.update")
    assert audit.before == {"severity": "SEV2", "summary": ""}


def test_an_unchanged_update_writes_nothing(im, incident):
    before = AuditEvent.objects.count()
    services.update_incident(actor=im, incident=incident, title=incident.title)
    assert AuditEvent.objects.count() == before
    assert not incident.events.filter(kind=EventKind.FIELD_CHANGE).exists()


def test_a_new_commander_takes_over_from_the_old_one(im, im2, incident):
    services.add_participant(actor=im, incident=incident, user=im, role="commander")
    services.add_participant(actor=im, incident=incident, user=im2, role="commander")
    incident.refresh_from_db()
    assert incident.commander == im2
    active = incident.participants.active().filter(role="commander")
    assert [p.user for p in active] == [im2]
    texts = list(incident.events.values_list("text", flat=True))
    assert any("left Incident commander (handed over command)" in t for t in texts)


def test_adding_the_same_role_twice_is_idempotent(im, stakeholder, incident):
    first = services.add_participant(actor=im, incident=incident, user=stakeholder, role="legal")
    again = services.add_participant(actor=im, incident=incident, user=stakeholder, role="legal")
    assert first.pk == again.pk


def test_tasks_stamp_completion_and_appear_on_the_timeline(im, incident):
    task = services.create_task(actor=im, incident=incident, title="Notify eSafety", owner=im)
    task = services.update_task(actor=im, task=task, status=TaskStatus.DONE)
    assert task.completed_at is not None
    texts = list(incident.events.filter(kind=EventKind.TASK).values_list("text", flat=True))
    assert texts[0].startswith("Task added for")
    assert texts[1] == "Task done: Notify eSafety"


def test_empty_notes_are_refused(im, incident):
    with pytest.raises(InvalidInput) as caught:
        services.add_note(actor=im, incident=incident, text="   ")
    assert caught.value.field == "text"


def test_notes_can_be_pinned_and_unpinned(im, incident):
    note = services.add_note(actor=im, incident=incident, text="Legal says hold", pinned=True)
    assert note.pinned
    services.set_pinned(actor=im, event=note, pinned=False)
    note.refresh_from_db()
    assert not note.pinned


def test_audit_rows_roll_back_with_a_failed_change(im, incident):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.add_note(actor=im, incident=incident, text="will vanish")
        raise RuntimeError
    assert AuditEvent.objects.count() == before
    assert verify_chain().ok


def test_restricting_an_incident_keeps_the_actor_on_the_list(im, incident):
    services.update_incident(actor=im, incident=incident, restricted=True)
    assert Incident.objects.visible_to(im).filter(pk=incident.pk).exists()


def test_a_task_owner_must_be_able_to_see_the_incident(im, outsider, restricted_incident):
    with pytest.raises(InvalidInput) as caught:
        services.create_task(
            actor=im, incident=restricted_incident, title="Check hashes", owner=outsider
        )
    assert caught.value.field == "owner"


@pytest.mark.parametrize("field", ["title", "summary"])
def test_nul_characters_are_refused_with_the_field(im, incident, field):
    with pytest.raises(InvalidInput) as caught:
        services.update_incident(actor=im, incident=incident, **{field: "bad\x00value"})
    assert caught.value.field == field


def test_times_outside_the_plausible_window_are_refused(im, incident):
    from datetime import UTC, datetime

    with pytest.raises(InvalidInput) as caught:
        services.update_incident(
            actor=im, incident=incident, detected_at=datetime(1, 1, 2, tzinfo=UTC)
        )
    assert caught.value.field == "detected_at"


def test_reconsidering_a_declined_incident_clears_the_old_reason(im, incident):
    services.transition(actor=im, incident=incident, to="declined", reason="not an incident")
    services.transition(actor=im, incident=incident, to="triaged")
    incident.refresh_from_db()
    assert incident.status_reason == ""
