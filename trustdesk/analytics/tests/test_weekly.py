"""The weekly report: one notification per lead per week, mailed as HTML with an XLSX of
the insights and the dashboard's tables. Now is frozen at Wednesday 2026-11-25 12:00 UTC,
so the report covers the week starting Monday 2026-11-16."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from trustdesk.analytics import metrics, weekly
from trustdesk.core.scheduler import SCHEDULE, current_slot
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.notify.models import Notification
from trustdesk.notify.outbox import deliver_pending

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = "analytics.weekly.2026-11-16"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def overloaded(im):
    for _ in range(metrics.MAX_OPEN_COMMANDED + 1):
        Incident.objects.filter(pk=make_incident(actor=im).pk).update(commander=im)
    return im


def test_it_notifies_each_lead_once_a_week(lead, im, auditor):
    assert weekly.send_weekly(now=NOW) == 1
    assert weekly.send_weekly(now=NOW) == 0

    assert list(Notification.objects.values_list("recipient__username", "event_key")) == [
        (lead.username, KEY)
    ]


def test_it_mails_the_insights_as_html_with_an_xlsx(lead, overloaded, mailoutbox):
    weekly.send_weekly(now=NOW)

    deliver_pending()

    [mail] = mailoutbox
    assert mail.to == [lead.email]
    html, mime = mail.alternatives[0]
    assert mime == "text/html" and "commands 6 open incidents" in html
    [(name, content, mimetype)] = mail.attachments
    assert name == "trustdesk-weekly-2026-11-16.xlsx" and mimetype == weekly.XLSX
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "Insights"
    rows = list(book["Insights"].iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "over load" and rows[0][3].endswith("/analytics/#chart-workload")
    assert "commands 6 open incidents" in mail.body


def test_it_leaves_other_mails_as_they_were(lead, mailoutbox):
    from trustdesk.notify.services import notify

    notify(recipients=[lead], event_key="something.else", subject="Hello", body="Hi")
    deliver_pending()

    [mail] = mailoutbox
    assert mail.attachments == [] and "Hello" in mail.alternatives[0][0]


def test_it_is_scheduled_on_mondays_at_six_utc():
    [job] = [j for j in SCHEDULE if j.task == "trustdesk.analytics.tasks.send_weekly_report"]

    assert current_slot(job, NOW) == datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
