"""Recording enforcement decisions for many items from the incident page, in a real browser
(no script errors, no CSP violations)."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.enforcement.models import EnforcementDecision
from trustdesk.incidents.tests.factories import make_incident

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def test_it_records_one_decision_per_pasted_url_from_the_incident_page(page, log_in):
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER)
    incident = make_incident(actor=im)
    page.set_default_timeout(30_000)  # the machine is shared; the first page can be slow
    log_in(im)
    page.goto(f"/incidents/{incident.pk}/")
    panel = page.locator("#panel-enforcement")
    expect(panel).to_contain_text("None recorded yet.")
    panel.get_by_role("link", name="Record or review decisions").click()

    page.get_by_label("Content URLs, content ids or accounts").fill(
        "https://video.example/v/1\nhttps://video.example/v/2"
    )
    page.get_by_label("Restriction", exact=True).select_option("visibility_removed")
    page.get_by_label("Content type", exact=True).select_option("video")
    page.get_by_label("Ground", exact=True).select_option("incompatible_content")
    page.get_by_label("DSA category").select_option("STATEMENT_CATEGORY_VIOLENCE")
    page.get_by_label("Terms-of-service clause").fill("Community guidelines §3")
    page.get_by_label("Why it breaks the terms").fill("Graphic violence without context.")
    page.get_by_label("Facts and circumstances").fill("Found during the incident sweep.")
    page.get_by_label("Source type").select_option("own_initiative")
    page.get_by_label("Content date").fill("2026-11-20")
    page.get_by_role("button", name="Record decisions").click()

    expect(page.get_by_text("2 decision(s) recorded.")).to_be_visible()
    table = page.locator(".enf-table")
    expect(table).to_contain_text("https://video.example/v/2")
    expect(table.get_by_text("Queued")).to_have_count(2)
    assert EnforcementDecision.objects.filter(incident=incident).count() == 2

    page.goto(f"/incidents/{incident.pk}/")
    expect(page.locator("#panel-enforcement")).to_contain_text("2 decisions")
