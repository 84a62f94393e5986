from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from trustdesk.quality import services

from .factories import NOW, assigned_review, lead_in, submit


@pytest.fixture(autouse=True)
def now():
    """Every quality test runs on Wednesday 18 March 2026 (see ``factories``)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ams_lead(db):
    """Ivan's lead: the lead of his region (AMS)."""
    return lead_in("AMS", "lars.lead")


@pytest.fixture
def ivans_file(incident, im, im2, ams_lead):
    """Ivan's reviewed work, a shared and a draft coaching note, and a goal."""
    review = submit(assigned_review(incident, reviewee=im, reviewer=ams_lead), 3)
    shared = services.add_note(
        actor=ams_lead, person=im, text="Log the reason for every severity change."
    )
    draft = services.add_note(
        actor=ams_lead, person=im, text="Talk about the overtime first.", draft=True
    )
    goal = services.add_goal(
        actor=ams_lead,
        person=im,
        title="Cite the policy in every removal decision",
        follow_up_on=timezone.now().date() + timedelta(days=14),
    )
    return {"review": review, "shared": shared, "draft": draft, "goal": goal}
