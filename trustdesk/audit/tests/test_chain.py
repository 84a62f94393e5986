import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trustdesk.audit.models import AppendOnlyError, AuditEvent
from trustdesk.audit.services import record, verify_chain

pytestmark = pytest.mark.django_db


def _three_events(user):
    for i in range(3):
        record(actor=user, action="test.event", object_type="thing", object_id=i, after={"n": i})


def test_an_untouched_chain_verifies(im):
    _three_events(im)
    result = verify_chain()
    assert result.ok
    assert result.checked == 3


def test_it_reports_the_first_edited_row(im):
    _three_events(im)
    second = AuditEvent.objects.order_by("id")[1]
    # Edit behind the application's back, as an attacker with database access would.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE id = %s",
            ['{"n": 99}', second.pk],
        )
    result = verify_chain()
    assert not result.ok
    assert result.broken_at == second.pk
    assert result.checked == 1


def test_it_reports_a_deleted_row(im):
    _three_events(im)
    second = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [second.pk])
    result = verify_chain()
    assert not result.ok
    assert result.broken_at == second.pk + 1


def test_it_reports_a_truncated_tail(im):
    _three_events(im)
    last = AuditEvent.objects.order_by("id").last()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [last.pk])
    assert not verify_chain().ok


def test_events_cannot_be_changed_or_deleted_through_the_orm(im):
    _three_events(im)
    event = AuditEvent.objects.first()
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_command_names_the_broken_event(im):
    _three_events(im)
    first = AuditEvent.objects.order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_label = %s WHERE id = %s",
            ["mallory", first.pk],
        )
    with pytest.raises(CommandError, match=f"#{first.pk}"):
        call_command("audit", "verify")


def test_the_command_reports_an_intact_chain(im, capsys):
    _three_events(im)
    call_command("audit", "verify")
    assert "intact: 3 events" in capsys.readouterr().out
