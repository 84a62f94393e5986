"""The triage queue from the keyboard: move with j/k, dismiss with d, open with o."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.models import Incident
from trustdesk.intake.models import GroupStatus, ReportGroup
from trustdesk.intake.tests.factories import make_report

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_an_incident_manager_triages_from_the_keyboard(page, log_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    older = make_report(market="MX", label="scam", text="Fake giveaway page for a bank")
    newer = make_report(market="BR", label="dangerous_challenge", text="Blackout challenge clip")
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    log_in(im)
    page.goto("/triage/")
    rows = page.locator("[data-group-row]")
    expect(rows).to_have_count(2)

    page.keyboard.press("j")  # first row: the newest group
    expect(rows.nth(0)).to_have_class("is-selected")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("is-selected")
    page.keyboard.press("d")
    reason = rows.nth(1).get_by_label("Why is this not an incident?")
    expect(reason).to_be_focused()
    reason.fill("Known phishing kit, already blocked")
    rows.nth(1).get_by_role("button", name="Dismiss", exact=True).click()
    expect(page.locator("#flash")).to_contain_text(f"{older.group.ref} dismissed.")
    assert ReportGroup.objects.get(pk=older.group_id).status == GroupStatus.DISMISSED

    # The incident page belongs to another part of the app; this test stops at its door.
    page.route("**/incidents/*/", lambda route: route.fulfill(body="incident page"))
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url("**/incidents/*/")
    incident = Incident.objects.get()
    assert ReportGroup.objects.get(pk=newer.group_id).incident == incident
