"""A broken chain found by the nightly task alerts the administrators once per broken link."""

import pytest
from django.db import connection

from trustdesk.audit.models import AuditEvent
from trustdesk.audit.services import record
from trustdesk.audit.tasks import verify_audit_chain
from trustdesk.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def _tamper(event):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE id = %s",
            ['{"n": 99}', event.pk],
        )


@pytest.fixture
def chain(im):
    for i in range(3):
        record(actor=im, action="test.event", object_type="thing", object_id=i, after={"n": i})
    return list(AuditEvent.objects.order_by("id"))


def test_it_notifies_each_admin_once_per_broken_link(chain, admin, auditor):
    _tamper(chain[1])
    verify_audit_chain.call()
    verify_audit_chain.call()
    alert = Notification.objects.get()
    assert alert.recipient == admin
    assert f"#{chain[1].pk}" in alert.subject
    assert Delivery.objects.filter(recipient=admin, transport="email").count() == 1


def test_it_stays_quiet_while_the_chain_holds(chain, admin):
    assert verify_audit_chain.call()["ok"] is True
    assert not Notification.objects.exists()
