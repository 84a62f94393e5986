"""Overdue action items and late post-mortems remind exactly once per interval."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from trustdesk.accounts.models import Membership, Role
from trustdesk.accounts.tests.factories import TeamFactory, UserFactory
from trustdesk.core.scheduler import SCHEDULE
from trustdesk.notify.models import Notification
from trustdesk.postmortems import reminders, services
from trustdesk.postmortems.tasks import sweep_reminders
from trustdesk.postmortems.tests.factories import make_action_item, make_postmortem

pytestmark = pytest.mark.django_db

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
DUE = date(2026, 5, 11)


def _on(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _overdue_reminders(item):
    return Notification.objects.filter(event_key__startswith=f"pm-action-overdue:{item.pk}:")


@pytest.fixture
def item(im):
    with time_machine.travel(START, tick=False):
        pm = make_postmortem(actor=im)
        return make_action_item(actor=im, postmortem=pm, due_on=DUE)


@pytest.mark.parametrize(
    ("days_after_due", "expected"),
    [(0, 0), (1, 1), (6, 1), (7, 1), (8, 2), (14, 2), (15, 3)],
)
def test_one_reminder_per_weekly_interval(item, days_after_due, expected):
    for day in range(days_after_due + 1):
        for hour in (0, 9, 23):  # the sweep runs many times a day
            with time_machine.travel(_on(DUE + timedelta(days=day), hour), tick=False):
                reminders.sweep()
    assert _overdue_reminders(item).count() == expected


def test_the_first_reminder_comes_the_day_after_the_due_date(item, im):
    with time_machine.travel(_on(DUE, 23), tick=False):
        assert reminders.sweep().action_reminders == 0
    with time_machine.travel(_on(DUE + timedelta(days=1), 0), tick=False):
        assert reminders.sweep().action_reminders == 1
        assert reminders.sweep().action_reminders == 0
    reminder = _overdue_reminders(item).get()
    assert reminder.recipient == im
    assert reminder.subject.startswith("Overdue by 1d: ")
    assert reminder.link.endswith("#panel-actions")


def test_done_items_are_not_chased(item, im):
    services.update_action_item(actor=im, item=item, status="done")
    with time_machine.travel(_on(DUE + timedelta(days=3)), tick=False):
        assert reminders.sweep().action_reminders == 0


def test_a_team_item_reminds_members_who_may_see_the_incident(im, im2, restricted_pm):
    team = TeamFactory(slug="trust-tooling")
    stakeholder = UserFactory(username="tom.tooling", role=Role.STAKEHOLDER)
    for member in (im, im2, stakeholder):
        Membership.objects.create(team=team, user=member)
    item = services.create_action_item(
        actor=im,
        postmortem=restricted_pm,
        description="Classifier for the grooming pattern",
        owner_team=team,
        due_on=restricted_pm.incident.reported_at.date(),
    )
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=False):
        reminders.sweep()
    # im2 and the stakeholder are not on the restricted incident's need-to-know list.
    assert {n.recipient for n in _overdue_reminders(item)} == {im}


def test_a_late_postmortem_reminds_its_author_every_two_days(im):
    with time_machine.travel(START, tick=False):
        pm = make_postmortem(actor=im)
    due = pm.due_at
    sent = []
    for hours in (-1, 1, 30, 47, 49, 95, 97):
        with time_machine.travel(due + timedelta(hours=hours), tick=False):
            sent.append(reminders.sweep().postmortem_reminders)
    assert sent == [0, 1, 0, 0, 1, 0, 1]
    keys = Notification.objects.filter(recipient=im, event_key__startswith=f"pm-late:{pm.pk}:")
    assert sorted(keys.values_list("event_key", flat=True)) == [
        f"pm-late:{pm.pk}:0",
        f"pm-late:{pm.pk}:1",
        f"pm-late:{pm.pk}:2",
    ]


def test_the_sweep_is_scheduled_and_runs_as_a_task(item):
    job = next(j for j in SCHEDULE if j.name == "postmortem-reminders")
    assert job.task == "trustdesk.postmortems.tasks.sweep_reminders"
    with time_machine.travel(_on(DUE + timedelta(days=1)), tick=False):
        # The post-mortem itself was due three days earlier: both are chased.
        assert sweep_reminders.call() == {"actions": 1, "postmortems": 1}
