"""The incident queue's reported-between filter, which the dashboard's drill-down sets."""

from datetime import UTC, datetime

import pytest

from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.django_db


def test_the_queue_lists_incidents_reported_between_two_dates(client, im):
    make_incident(actor=im, title="Before", reported_at=datetime(2026, 11, 9, 23, 59, tzinfo=UTC))
    make_incident(actor=im, title="First day", reported_at=datetime(2026, 11, 10, tzinfo=UTC))
    make_incident(
        actor=im, title="Last day", reported_at=datetime(2026, 11, 12, 23, 59, tzinfo=UTC)
    )
    make_incident(actor=im, title="After", reported_at=datetime(2026, 11, 13, tzinfo=UTC))
    client.force_login(im)

    html = client.get(
        "/incidents/", {"since": "2026-11-10", "until": "2026-11-12"}
    ).content.decode()

    assert "First day" in html and "Last day" in html
    assert "Before" not in html and "After" not in html
