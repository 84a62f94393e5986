"""The audit search page: who may use it, its filters, its exports and the chain status."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from openpyxl import load_workbook

from trustdesk.audit.models import AuditEvent
from trustdesk.audit.services import record

pytestmark = pytest.mark.django_db
URL = "/audit/"


@pytest.fixture
def events(im, lead):
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=UTC), tick=False):
        record(actor=im, action="evidence.reveal", object_type="intake.attachment", object_id=7)
    with time_machine.travel(datetime(2026, 11, 10, 12, tzinfo=UTC), tick=False):
        record(
            actor=lead,
            action="retention.hold.place",
            object_type="retention.legalhold",
            object_id=1,
        )
        record(
            actor=im, action="incident.update", object_type="incidents.incident", object_id="=1+1"
        )


def _shown_actions(response):
    return [e.action for e in response.context["page"].object_list]


def test_it_refuses_an_outsider(client, outsider):
    client.force_login(outsider)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["im", "lead", "stakeholder"])
def test_it_refuses_everyone_but_auditors_and_admins(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_it_sends_an_anonymous_visitor_to_sign_in(client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("persona", ["auditor", "admin"])
def test_it_lists_events_newest_first(client, events, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    assert _shown_actions(response)[:3] == [
        "incident.update",
        "retention.hold.place",
        "evidence.reveal",
    ]


def test_it_filters_by_actor_action_object_and_dates(client, auditor, events):
    client.force_login(auditor)
    assert _shown_actions(client.get(URL, {"actor": "ivan.im"})) == [
        "incident.update",
        "evidence.reveal",
    ]
    assert _shown_actions(client.get(URL, {"action": "retention."})) == ["retention.hold.place"]
    by_object = client.get(URL, {"object_type": "intake.attachment", "object_id": "7"})
    assert _shown_actions(by_object) == ["evidence.reveal"]
    dated = client.get(URL, {"since": "2026-10-30", "until": "2026-11-02"})
    assert _shown_actions(dated) == ["evidence.reveal"]


def test_it_names_a_reversed_date_range(client, auditor, events):
    client.force_login(auditor)
    response = client.get(URL, {"since": "2026-11-10", "until": "2026-11-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["until"] == ["The end date is before the start date."]
    assert _shown_actions(response) == []


def test_it_exports_the_filtered_events_as_csv_without_formulas(client, auditor, events):
    client.force_login(auditor)
    response = client.get(URL, {"actor": "ivan.im", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "at", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["incident.update", "evidence.reveal"]
    assert rows[1][5] == "'=1+1"  # a spreadsheet shows it as text instead of computing it


def test_it_exports_xlsx(client, admin, events):
    client.force_login(admin)
    response = client.get(URL, {"action": "evidence.", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][3] == "action"
    assert [row[3] for row in values[1:]] == ["evidence.reveal"]


def test_it_shows_an_intact_chain_on_request(client, auditor, events):
    client.force_login(auditor)
    assert "Chain intact" in client.get(URL, {"verify": "1"}).content.decode()


def test_it_shows_where_the_chain_is_broken(client, auditor, events):
    second = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",
            ["nothing.to.see", second.pk],
        )
    client.force_login(auditor)
    body = client.get(URL, {"verify": "1"}).content.decode()
    assert f"Chain broken at event #{second.pk}" in body
