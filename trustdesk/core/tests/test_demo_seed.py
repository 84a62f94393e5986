from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.audit.services import verify_chain
from trustdesk.core import demo
from trustdesk.incidents.lifecycle import OPEN_STATUSES, Status
from trustdesk.incidents.models import EventKind, Incident
from trustdesk.taxonomy.models import Market
from trustdesk.taxonomy.severity import Severity

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeding takes seconds, so this module seeds once, inside a transaction that is rolled
    back when its tests are done: no other test sees the demo data."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = timezone.now()
        yield demo.seed(now=started)
        transaction.set_rollback(True)


def _visible(user):
    return set(Incident.objects.visible_to(user).values_list("pk", flat=True))


def test_it_creates_enough_incidents_across_markets_and_regions(seeded):
    assert Incident.objects.count() >= 40
    markets = Market.objects.filter(incidents__isnull=False).distinct()
    assert markets.count() >= 10
    assert set(markets.values_list("region", flat=True)) == {"AMS", "EMEA", "APAC"}


def test_every_status_is_represented_and_about_a_dozen_are_open(seeded):
    assert set(Incident.objects.values_list("status", flat=True)) == set(Status.values)
    assert 10 <= Incident.objects.open().count() <= 15


def test_the_audit_chain_verifies_after_seeding(seeded):
    result = verify_chain()
    assert result.ok, result.reason
    assert result.checked > Incident.objects.count() * 5


def test_restricted_incidents_are_invisible_to_an_outsider(seeded):
    restricted = set(Incident.objects.filter(restricted=True).values_list("pk", flat=True))
    assert len(restricted) >= 3
    outsider = UserFactory(role=Role.STAKEHOLDER)
    new_im = UserFactory(role=Role.INCIDENT_MANAGER, region="EMEA")
    assert _visible(outsider) == set()
    assert _visible(new_im) == set(Incident.objects.values_list("pk", flat=True)) - restricted


def test_child_safety_is_on_every_restricted_incidents_need_to_know_list(seeded):
    restricted = set(Incident.objects.filter(restricted=True).values_list("pk", flat=True))
    for user in User.objects.filter(teams__slug="child-safety"):
        assert restricted <= _visible(user), user.username
    auditor = User.objects.get(role=Role.AUDITOR)
    assert not restricted & _visible(auditor)


def test_timelines_begin_with_the_report_and_stay_within_the_last_90_days(seeded):
    now = timezone.now()
    for incident in Incident.objects.prefetch_related("events"):
        events = list(incident.events.all())
        assert events[0].kind == EventKind.CREATED
        assert events[0].occurred_at == incident.reported_at
        assert incident.reported_at >= now - timedelta(days=90)
        assert all(event.occurred_at <= now for event in events), incident.title


def test_sev1_is_acknowledged_in_minutes_and_low_severities_in_hours(seeded):
    acked = Incident.objects.filter(triaged_at__isnull=False)
    sev1 = [i.time_to_acknowledge for i in acked.filter(severity=Severity.SEV1)]
    low = [i.time_to_acknowledge for i in acked.filter(severity__in=["SEV3", "SEV4"])]
    assert max(sev1) <= timedelta(minutes=15)
    assert min(low) >= timedelta(hours=1)


def test_acknowledged_incidents_have_a_commander_notes_and_tasks(seeded):
    # Lower bounds only: other apps' hooks may add their own notes and tasks.
    for incident in Incident.objects.filter(triaged_at__isnull=False):
        assert incident.commander is not None, incident.title
        assert incident.events.filter(kind=EventKind.NOTE).count() >= 2, incident.title
        assert incident.tasks.exists(), incident.title


def test_open_incidents_have_work_left(seeded):
    open_tasks = Incident.objects.filter(status__in=OPEN_STATUSES, tasks__status="open")
    assert open_tasks.exists()


def test_seed_demo_refuses_a_database_with_incidents(seeded):
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_the_deadline_board_and_triage_queue_have_work(seeded):
    from trustdesk.intake.models import Report, ReportGroup
    from trustdesk.regulatory.models import RegulatoryRequest

    requests = RegulatoryRequest.objects.all()
    assert requests.count() >= 6
    assert Report.objects.count() >= 20
    assert ReportGroup.objects.filter(report_count__gte=4).count() >= 3


def test_enforcement_decisions_with_valid_statements_of_reasons_are_seeded(seeded):
    from trustdesk.enforcement.models import EnforcementDecision, SorSubmission
    from trustdesk.enforcement.sor import validate_statement

    decisions = EnforcementDecision.objects.select_related("incident")
    assert decisions.count() >= 6
    assert not decisions.filter(incident__restricted=True).exists()
    submissions = list(SorSubmission.objects.all())
    assert submissions
    for submission in submissions:
        assert validate_statement(submission.payload) == {}
