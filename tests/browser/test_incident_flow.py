"""An incident manager's first minutes on an incident, in a real browser."""

import re

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_an_incident_manager_opens_acknowledges_and_investigates(page, log_in):
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, tz="Europe/Amsterdam")
    log_in(im)

    page.get_by_role("link", name="New incident").first.click()
    page.get_by_label("Title").fill("Blackout challenge resurfacing among teens")
    page.get_by_label("Category").select_option(label="Risk for public security")
    keyword = page.locator("#keyword-options input[type=checkbox]").first
    keyword.check()  # only there once HTMX has fetched the category's keywords
    page.get_by_label("Markets", exact=True).select_option(label="Mexico (MX)")
    page.get_by_label(re.compile("SEV2 · High")).check()
    page.get_by_role("button", name="Open incident").click()

    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    incident = Incident.objects.get()
    header = page.locator("#panel-header")
    expect(header.get_by_role("heading")).to_have_text("Blackout challenge resurfacing among teens")
    expect(header.locator(".chip")).to_have_text("Reported")

    page.evaluate("window.stillTheSamePage = true")
    header.get_by_role("button", name="Acknowledge").click()
    expect(header.locator(".chip")).to_have_text("Triaged")
    timeline = page.locator("#panel-timeline")
    expect(timeline).to_contain_text("Status Reported → Triaged")

    header.get_by_role("button", name="Start investigating").click()
    expect(header.locator(".chip")).to_have_text("Investigating")
    expect(timeline).to_contain_text("Status Triaged → Investigating")
    expect(page.locator("#flash")).to_contain_text("Status is now Investigating.")
    assert page.evaluate("window.stillTheSamePage") is True  # panels swapped, no reload

    incident.refresh_from_db()
    assert incident.status == "investigating"
    assert incident.keywords.count() == 1


def test_a_stakeholder_gets_404_on_a_restricted_incident(page, log_in):
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER)
    restricted = make_incident(
        actor=im,
        title="Grooming ring escalated by NCMEC",
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        severity="SEV1",
        markets=("BR",),
    )
    assert restricted.restricted
    log_in(UserFactory(username="sam.legal", role=Role.STAKEHOLDER))

    expect(page.locator("tbody tr")).to_have_count(0)
    response = page.goto(f"/incidents/{restricted.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Grooming ring")
