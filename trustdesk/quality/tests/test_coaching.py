"""Coaching notes and goals: written by the person's leads, read by the person."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from trustdesk.audit.models import AuditEvent
from trustdesk.lib.errors import InvalidInput
from trustdesk.notify.models import Notification
from trustdesk.quality import services
from trustdesk.quality.models import Goal, GoalStatus

from .factories import NOW

pytestmark = pytest.mark.django_db

TODAY = NOW.date()


def test_a_lead_shares_a_draft_note_later(im, ams_lead):
    note = services.add_note(actor=ams_lead, person=im, text="Draft thoughts", draft=True)
    assert not Notification.objects.filter(recipient=im).exists()
    services.share_note(actor=ams_lead, note=note)
    note.refresh_from_db()
    assert not note.draft
    assert Notification.objects.filter(recipient=im, event_key__endswith="shared").exists()


def test_only_leads_write_notes(im, im2):
    with pytest.raises(PermissionDenied):
        services.add_note(actor=im2, person=im, text="Hi")


def test_a_goal_needs_a_sensible_follow_up_date(im, ams_lead):
    with pytest.raises(InvalidInput):
        services.add_goal(
            actor=ams_lead, person=im, title="X", follow_up_on=TODAY - timedelta(days=1)
        )
    with pytest.raises(InvalidInput):
        services.add_goal(
            actor=ams_lead, person=im, title="X", follow_up_on=TODAY + timedelta(days=400)
        )


def test_the_lead_is_reminded_once_when_a_follow_up_comes_due(im, ams_lead):
    goal = services.add_goal(
        actor=ams_lead, person=im, title="Severity calls", follow_up_on=TODAY + timedelta(days=7)
    )
    assert services.remind_follow_ups(TODAY) == 0
    assert services.remind_follow_ups(TODAY + timedelta(days=7)) == 1
    assert services.remind_follow_ups(TODAY + timedelta(days=8)) == 0  # told already
    told = Notification.objects.get(event_key__contains=f"goal.{goal.pk}.follow_up")
    assert told.recipient == ams_lead


def test_a_follow_up_closes_or_moves_the_goal(im, ams_lead):
    goal = services.add_goal(
        actor=ams_lead, person=im, title="Severity calls", follow_up_on=TODAY + timedelta(days=7)
    )
    goal = services.update_goal(
        actor=ams_lead,
        goal=goal,
        status=GoalStatus.OPEN,
        outcome="Better, not there yet",
        follow_up_on=TODAY + timedelta(days=21),
    )
    assert goal.follow_up_on == TODAY + timedelta(days=21)
    goal = services.update_goal(actor=ams_lead, goal=goal, status=GoalStatus.MET, outcome="Done")
    assert goal.closed_at is not None
    assert AuditEvent.objects.filter(action="quality.goal.update").count() == 2


def test_the_scorecard_forms_write_notes_and_goals(client, im, ams_lead):
    client.force_login(ams_lead)
    url = reverse("quality:add_goal", args=[im.username])
    follow = (TODAY + timedelta(days=14)).isoformat()
    response = client.post(url, {"title": "Cite policy", "follow_up_on": follow})
    assert response.status_code == 302
    assert Goal.objects.get().follow_up_on == date.fromisoformat(follow)
    response = client.post(
        reverse("quality:add_note", args=[im.username]), {"text": "Good week", "draft": "on"}
    )
    assert response.status_code == 302
    assert im.coaching_notes.get().draft


def test_a_bad_follow_up_date_is_a_422_on_the_field(client, im, ams_lead):
    client.force_login(ams_lead)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("quality:add_goal", args=[im.username]),
            {"title": "Cite policy", "follow_up_on": "2020-01-01"},
        )
    assert response.status_code == 422
    assert "today or later" in response.context["goal_form"].errors["follow_up_on"][0]
