"""Insights: each rule's sentence, numbers and link, and what a viewer may not see.
Now is frozen at Wednesday 2026-11-25 12:00 UTC."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from trustdesk.analytics import insights, metrics
from trustdesk.analytics.metrics import Filters
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.intake.models import Channel
from trustdesk.intake.tests.factories import make_report
from trustdesk.postmortems.models import ActionItem, ContributingFactor
from trustdesk.postmortems.services import drafting
from trustdesk.postmortems.tests.factories import make_action_item, make_postmortem
from trustdesk.regulatory.models import RegulatoryRequest
from trustdesk.regulatory.tests.factories import make_request

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PUBLIC = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def report(days_ago: float, *, market: str = "MX", channel: str = Channel.API, n: int = 0):
    return make_report(
        text=f"Choking challenge video number {n} spreading in schools",
        market=market,
        category=PUBLIC,
        channel=channel,
        external_id=f"r-{market}-{days_ago}-{n}",
        received_at=NOW - timedelta(days=days_ago),
    )


def test_it_counts_reports_per_channel(lead):
    report(1, n=1)
    report(1, n=2, channel=Channel.EMAIL)
    report(2, n=3)

    volume = metrics.report_volume(
        lead, Filters(since=date(2026, 11, 23), until=NOW.date()), "channel"
    )

    assert {s.key: s.total for s in volume.series} == {"api": 2, "email": 1}


def test_it_notices_a_category_growing_in_a_market(lead):
    # This week 6 reports; the 4 weeks before 4 in all: an average of 1, so 6x.
    for n in range(6):
        report(1 + n / 10, n=n)
    for n, days in enumerate((8, 15, 22, 29)):
        report(days, n=10 + n)
    report(1, market="DE", n=99)  # one report is no trend

    [found] = insights.category_growth(lead, NOW)

    assert found.numbers == {"this week": 6, "4-week average": 1.0}
    assert "rose to 6 this week (6.0x the previous 4-week average of 1.0)" in found.sentence
    assert found.link == "/analytics/?category=public-security&market=MX"


def test_it_stays_quiet_about_steady_volumes(lead):
    for n in range(5):
        report(1 + n / 10, n=n)
    for n in range(12):
        report(8 + n * 2, n=20 + n)  # 12 in 4 weeks: an average of 3, this week under 2x

    assert insights.category_growth(lead, NOW) == []


def _judged(request, *, late):
    when = request.due_at + timedelta(hours=1) if late else request.due_at - timedelta(hours=1)
    RegulatoryRequest.objects.filter(pk=request.pk).update(**{f"{request.deadline_for}_at": when})


def test_it_notices_deadlines_slipping_in_a_jurisdiction(lead):
    for n, late in enumerate((True, False, False)):
        received = NOW - timedelta(days=3 + n)
        _judged(make_request(actor=lead, received_at=received, title=f"Recent {n}"), late=late)
    _judged(make_request(actor=lead, received_at=NOW - timedelta(days=40), title="Old"), late=False)

    [found] = insights.deadlines_slipping(lead, NOW)

    assert found.numbers["breached"] == 1 and found.numbers["judged"] == 3
    assert found.numbers["previous met rate"] == 1.0
    assert (
        "1 of 3 deadlines breached in the last 4 weeks (met 67%; 100% the 4 weeks before)"
        in found.sentence
    )
    assert found.link.startswith("/regulatory/compliance/?jurisdiction=AU")


def test_it_notices_a_recurring_contributing_factor(lead, im):
    factor = ContributingFactor.objects.filter(active=True).order_by("position").first()
    for n in range(3):
        pm = make_postmortem(actor=im, title=f"Incident {n}")
        drafting.add_factor(actor=im, postmortem=pm, factor=factor)

    [found] = insights.recurring_factors(lead, NOW)

    assert found.numbers == {"post-mortems": 3}
    assert factor.name in found.sentence
    assert found.link == f"/postmortems/?factor={factor.code}"


def test_it_notices_overdue_action_items(lead, im):
    pm = make_postmortem(actor=im)
    item = make_action_item(actor=im, postmortem=pm)
    ActionItem.objects.filter(pk=item.pk).update(due_on=date(2026, 11, 20))

    [found] = insights.overdue_actions(lead, NOW)

    assert found.sentence == "1 post-mortem action item is overdue; the oldest was due 5 days ago."


def test_it_keeps_overdue_items_of_restricted_incidents_from_who_may_not_see_them(
    im, im2, restricted_incident
):
    from trustdesk.postmortems.tests.factories import resolve

    resolve(restricted_incident, actor=im)
    item = make_action_item(actor=im, postmortem=restricted_incident.postmortem)
    ActionItem.objects.filter(pk=item.pk).update(due_on=date(2026, 11, 20))

    assert len(insights.overdue_actions(im, NOW)) == 1
    assert insights.overdue_actions(im2, NOW) == []


def test_it_names_a_person_over_their_load(lead, im):
    for _ in range(metrics.MAX_OPEN_COMMANDED + 1):
        Incident.objects.filter(pk=make_incident(actor=im).pk).update(commander=im)

    [found] = insights.overloaded(lead, NOW)

    assert found.numbers == {"open incidents commanded": 6, "open tasks": 0}
    assert found.sentence.startswith(f"{im.display_name} commands 6 open incidents")


def test_it_shows_the_insights_on_the_dashboard(client, lead, im):
    for _ in range(metrics.MAX_OPEN_COMMANDED + 1):
        Incident.objects.filter(pk=make_incident(actor=im).pk).update(commander=im)
    client.force_login(lead)

    html = client.get("/analytics/").content.decode()

    assert "commands 6 open incidents and owns 0 open tasks" in html
