"""The metric queries, against figures worked out by hand. Now is frozen at Wednesday
2026-11-25 12:00 UTC: this week starts Monday 2026-11-23, the one before on 2026-11-16."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from trustdesk.analytics import metrics
from trustdesk.analytics.metrics import Filters
from trustdesk.incidents import services as incident_services
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.notify.models import Notification
from trustdesk.oncall.models import EscalationPolicy, Page
from trustdesk.regulatory.models import RegulatoryRequest
from trustdesk.regulatory.tests.factories import make_request
from trustdesk.taxonomy.severity import Severity

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PUBLIC = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
HOUR = timedelta(hours=1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def two_weeks(**kwargs) -> Filters:
    return Filters(since=date(2026, 11, 16), until=date(2026, 11, 25), **kwargs)


def stamp(incident: Incident, **stamps: datetime) -> None:
    Incident.objects.filter(pk=incident.pk).update(**stamps)


def test_it_counts_incidents_per_week_by_severity(lead, im):
    make_incident(actor=im, severity="SEV1", reported_at=at("2026-11-16 00:00"))
    make_incident(actor=im, severity="SEV1", reported_at=at("2026-11-22 23:59"))
    make_incident(actor=im, severity="SEV2", reported_at=at("2026-11-23 00:00"))
    make_incident(actor=im, severity="SEV1", reported_at=at("2026-11-15 23:59"))  # before

    volume = metrics.incident_volume(lead, two_weeks(), "severity")

    assert volume.periods == [date(2026, 11, 16), date(2026, 11, 23)]
    counts = {s.key: s.counts for s in volume.series}
    assert counts == {"SEV1": [2, 0], "SEV2": [0, 1]}
    assert volume.series[0].label == Severity.SEV1.label


def test_it_counts_per_day_with_empty_days_as_zero(lead, im):
    make_incident(actor=im, reported_at=at("2026-11-24 08:00"))
    make_incident(actor=im, reported_at=at("2026-11-24 23:00"))
    filters = Filters(since=date(2026, 11, 23), until=date(2026, 11, 25), bucket="day")

    volume = metrics.incident_volume(lead, filters, "category")

    assert volume.periods == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]
    assert [(s.key, s.counts) for s in volume.series] == [("public-security", [0, 2, 0])]


def test_it_counts_an_incident_in_each_of_its_markets(lead, im):
    make_incident(actor=im, markets=("MX", "BR"), reported_at=at("2026-11-24 08:00"))
    make_incident(actor=im, markets=("MX",), reported_at=at("2026-11-24 09:00"))

    volume = metrics.incident_volume(lead, two_weeks(), "market")

    assert {s.key: s.total for s in volume.series} == {"MX": 2, "BR": 1}


def test_it_counts_restricted_incidents_only_for_who_may_see_them(lead, im, im2):
    make_incident(actor=im, reported_at=at("2026-11-24 08:00"))
    make_incident(actor=im, category=MINORS, markets=("BR",), reported_at=at("2026-11-24 09:00"))

    def total(user):
        return sum(s.total for s in metrics.incident_volume(user, two_weeks(), "severity").series)

    assert total(lead) == 2
    assert total(im) == 2  # the creator stays on the need-to-know list
    assert total(im2) == 1


def test_it_filters_by_region_market_and_category(lead, im):
    make_incident(actor=im, markets=("MX",), reported_at=at("2026-11-24 08:00"))
    make_incident(actor=im, markets=("DE",), reported_at=at("2026-11-24 08:00"))
    make_incident(
        actor=im,
        markets=("DE",),
        category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        reported_at=at("2026-11-24 08:00"),
    )

    def total(**kwargs):
        volume = metrics.incident_volume(lead, two_weeks(**kwargs), "market")
        return sum(s.total for s in volume.series)

    assert total() == 3
    assert total(region="AMS") == 1
    assert total(market="DE") == 2
    assert total(market="DE", category="scams-fraud") == 1


def test_it_computes_median_and_p90_response_times(lead, im):
    # Acknowledged after 1, 2, 4 and 10 hours: median (2+4)/2 = 3 h, nearest-rank p90 = 10 h.
    # Mitigated after 5 h and 7 h: median 6 h, p90 7 h. Resolved once, after 20 h.
    delays = [1, 2, 4, 10]
    for i, hours in enumerate(delays):
        reported = at("2026-11-23 00:00") + i * HOUR
        incident = make_incident(actor=im, severity="SEV2", reported_at=reported)
        stamps = {"triaged_at": reported + hours * HOUR}
        if i == 0:
            stamps |= {"mitigating_at": reported + 5 * HOUR, "resolved_at": reported + 20 * HOUR}
        if i == 1:
            stamps["mitigating_at"] = reported + 7 * HOUR
        stamp(incident, **stamps)
    make_incident(actor=im, severity="SEV1", reported_at=at("2026-11-24 00:00"))  # not acked

    per, total = metrics.response_times(lead, two_weeks())
    sev2 = next(t for t in per if t.key == "SEV2").figures()
    sev1 = next(t for t in per if t.key == "SEV1")

    assert sev2["acknowledge_median"] == 3 * HOUR
    assert sev2["acknowledge_p90"] == 10 * HOUR
    assert sev2["mitigate_median"] == 6 * HOUR
    assert sev2["mitigate_p90"] == 7 * HOUR
    assert sev2["resolve_median"] == sev2["resolve_p90"] == 20 * HOUR
    assert sev1.incidents == 1 and sev1.figures()["acknowledge_median"] is None
    assert total.incidents == 5 and total.figures()["acknowledge_median"] == 3 * HOUR


def test_it_buckets_the_open_backlog_by_age(lead, im):
    make_incident(actor=im, severity="SEV1", reported_at=NOW - 2 * HOUR)
    make_incident(actor=im, severity="SEV2", reported_at=NOW - 2 * 24 * HOUR)
    make_incident(actor=im, severity="SEV2", reported_at=NOW - 40 * 24 * HOUR)
    closed = make_incident(actor=im, severity="SEV2", reported_at=NOW - 2 * 24 * HOUR)
    stamp(closed, status="closed")

    buckets = metrics.backlog(lead, two_weeks(), NOW)

    assert [b.total for b in buckets] == [1, 1, 0, 0, 1]
    assert buckets[0].by_severity["SEV1"] == 1
    assert buckets[1].by_severity["SEV2"] == 1


def test_it_measures_workload_and_on_call_load(lead, im, im2):
    first = make_incident(actor=im, reported_at=at("2026-11-24 08:00"))
    second = make_incident(actor=im, reported_at=at("2026-11-01 08:00"))  # open, older
    done = make_incident(actor=im, reported_at=at("2026-11-24 08:00"))
    for incident in (first, second, done):
        stamp(incident, commander=im)
    stamp(done, status="closed")
    incident_services.create_task(actor=im, incident=first, title="Call Legal", owner=im2)
    policy = EscalationPolicy.objects.create(name="SEV2 and worse", min_severity="SEV2")
    page = Page.objects.create(policy=policy, incident=first, next_step_at=NOW)
    for n in (0, 1):  # two rounds of the same page count once
        Notification.objects.create(
            recipient=im2, event_key=f"page.{page.pk}.step.0.round.{n}", subject="PAGE"
        )
    Page.objects.filter(pk=page.pk).update(acknowledged_by=im2, acknowledged_at=NOW - HOUR)

    loads = {load.username: load for load in metrics.workload(lead, two_weeks())}

    assert loads["ivan.im"].commanded == 2
    assert loads["isla.im"].tasks == 1
    assert loads["isla.im"].pages == 1
    assert loads["isla.im"].pages_acknowledged == 1
    assert not loads["ivan.im"].over


def test_it_hides_pages_of_restricted_incidents_from_who_may_not_see_them(lead, im, im2):
    hidden = make_incident(actor=im, category=MINORS, markets=("BR",))
    policy = EscalationPolicy.objects.create(name="SEV1", min_severity="SEV1")
    page = Page.objects.create(policy=policy, incident=hidden, next_step_at=NOW)
    Notification.objects.create(recipient=im, event_key=f"page.{page.pk}.step.0.round.0")

    assert [load.pages for load in metrics.workload(lead, two_weeks())] == [1]
    assert metrics.workload(im2, two_weeks()) == []


def test_it_flags_a_person_over_their_load(lead, im):
    for _ in range(metrics.MAX_OPEN_COMMANDED + 1):
        stamp(make_incident(actor=im), commander=im)

    [load] = metrics.workload(lead, two_weeks())

    assert load.commanded == metrics.MAX_OPEN_COMMANDED + 1 and load.over


def _judged(request: RegulatoryRequest, *, late: bool) -> None:
    when = request.due_at + HOUR if late else request.due_at - HOUR
    RegulatoryRequest.objects.filter(pk=request.pk).update(**{f"{request.deadline_for}_at": when})


def test_it_reports_compliance_by_jurisdiction(lead):
    received = at("2026-11-18 10:00")
    met = make_request(actor=lead, received_at=received, title="Takedown 1")
    late = make_request(actor=lead, received_at=received, title="Takedown 2")
    make_request(actor=lead, received_at=at("2026-11-01 10:00"), title="Before the period")
    _judged(met, late=False)
    _judged(late, late=True)

    rows, total = metrics.compliance(lead, two_weeks())

    assert [(r.key, r.requests, r.met, r.breached) for r in rows] == [("AU", 2, 1, 1)]
    assert total.met_rate == 0.5
