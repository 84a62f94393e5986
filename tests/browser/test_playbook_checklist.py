"""An incident that matches a playbook gets its checklist; ticking and skipping steps shows
in the checklist's adherence line and on the leads' adherence page."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.models import TaskStatus
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.playbooks.models import StepRun
from trustdesk.playbooks.seed import load_playbooks
from trustdesk.taxonomy.models import Keyword

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_a_lead_ticks_and_skips_steps_and_sees_adherence(page, log_in):
    lead = UserFactory(username="mara.lead", role=Role.LEAD, region="AMS", tz="America/Mexico_City")
    load_playbooks()
    incident = make_incident(
        actor=lead,
        title="Blackout challenge resurfacing among teens",
        markets=("MX",),
        keywords=Keyword.objects.filter(code="KEYWORD_RISK_PUBLIC_HEALTH"),
    )
    log_in(lead)

    page.goto(f"/incidents/{incident.pk}/")
    checklist = page.locator("#panel-checklist")
    expect(checklist.get_by_role("heading", name="Viral dangerous challenge")).to_be_visible()
    adherence = checklist.locator(".adherence-line")
    expect(adherence).to_contain_text("0 of 7 done · 0 skipped")

    page.evaluate("window.stillTheSamePage = true")
    checklist.get_by_role("button", name="Done: Size the trend").click()
    expect(adherence).to_contain_text("1 of 7 done")
    expect(page.locator("#panel-tasks")).to_contain_text("Done")
    expect(page.locator("#flash")).to_contain_text("Done: Size the trend")

    step = "Agree the safety message with local partners"
    checklist.get_by_label(f"Skip: {step}", exact=True).click()
    checklist.get_by_label(f"Why skip “{step}”?").fill("The NGO partners are already on it")
    checklist.get_by_role("button", name="Skip this step").click()
    expect(adherence).to_contain_text("1 of 7 done · 1 skipped")
    expect(checklist).to_contain_text("Skipped: The NGO partners are already on it")
    assert page.evaluate("window.stillTheSamePage") is True

    skipped = StepRun.objects.get(step__title=step)
    assert skipped.task.status == TaskStatus.CANCELLED

    page.get_by_role("link", name="Playbooks").click()
    page.get_by_role("link", name="Adherence").click()
    size_row = page.locator("tr[data-step='size-it']")
    expect(size_row.locator("td").nth(3)).to_contain_text("1")
    partners_row = page.locator("tr[data-step='partners']")
    expect(partners_row.locator("td").nth(4)).to_contain_text("1")
    expect(partners_row).to_contain_text("The NGO partners are already on it")
