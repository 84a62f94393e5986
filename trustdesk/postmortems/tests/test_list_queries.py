"""The post-mortems list costs the same number of queries however many rows it shows."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustdesk.postmortems import services
from trustdesk.postmortems.tests.factories import factor, make_action_item, make_postmortem

pytestmark = pytest.mark.django_db


def _add(im, n):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        for i in range(n):
            pm = make_postmortem(actor=im, title=f"Incident {i}", markets=("MX", "BR"))
            services.add_factor(actor=im, postmortem=pm, factor=factor("process"))
            make_action_item(actor=im, postmortem=pm, due_on=date(2026, 1, 2 + i))


@pytest.fixture(autouse=True)
def in_march():
    """Every action item is overdue by then."""
    with time_machine.travel(datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        yield


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"q": "incident", "market": "MX"}])
def test_the_list_page_query_count_does_not_grow_with_rows(client, im, params):
    client.force_login(im)
    url = reverse("postmortems:index")
    _add(im, 2)
    few = _queries(client, url, params)
    _add(im, 5)
    many = _queries(client, url, params)
    assert many == few
    page = client.get(url, params).content.decode()
    assert page.count('class="ref"') == 7
    assert page.count("task task-overdue") == 7  # every item is overdue, grouped by owner


def test_the_api_list_query_count_does_not_grow_with_rows(client, im):
    client.force_login(im)
    _add(im, 2)
    few = _queries(client, "/api/v1/postmortems")
    _add(im, 5)
    assert _queries(client, "/api/v1/postmortems") == few
