"""Logging an eSafety removal notice from the form and finding it on the deadline board."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.regulatory import regimes
from trustdesk.regulatory.models import (
    Authority,
    Jurisdiction,
    RegulatoryRequest,
    Rule,
    RuleVersion,
)

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


@pytest.fixture
def regime_pack(taxonomy):
    """Transactional tests empty the tables, the migration-loaded regime pack included."""
    regimes.load_pack(regimes.Models(Jurisdiction, Authority, Rule, RuleVersion))


def test_a_request_from_the_form_appears_on_the_board_with_countdown_and_citation(
    page, log_in, regime_pack
):
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, tz="Europe/Amsterdam")
    log_in(im)
    # Received an hour ago, typed as the authority's (Sydney) wall time.
    received = (timezone.now() - timedelta(hours=1)).astimezone(ZoneInfo("Australia/Sydney"))

    page.get_by_role("link", name="Deadlines").click()
    page.get_by_role("link", name="Log a request").click()
    page.get_by_label("Received at").fill(received.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Jurisdiction", exact=True).select_option(label="Australia (AU)")
    expect(page.locator("#tz-hint")).to_contain_text("Australia/Sydney")
    page.get_by_label("Authority", exact=True).select_option(label="eSafety Commissioner")
    rule = Rule.objects.get(code="AU-OSA-S109")
    page.get_by_label("Rule", exact=True).select_option(value=str(rule.pk))
    expect(page.locator("#rule-info")).to_contain_text("Online Safety Act 2021 (Cth) s. 109")
    page.get_by_label("Authority's reference").fill("ESC-2026-0412")
    page.get_by_label("Content items").fill("https://example.com/watch/9911")
    page.get_by_role("button", name="Log request and start the clock").click()

    page.wait_for_url(re.compile(r"/regulatory/\d+/$"))
    request = RegulatoryRequest.objects.get()
    assert request.reference == "ESC-2026-0412"
    assert request.received_at == received.replace(second=0, microsecond=0)
    expect(page.locator(".verif")).to_contain_text("Verified")

    page.clock.install()  # so the test can move the page's timers on by 30 seconds
    page.get_by_role("link", name="← Deadlines").click()
    row = page.locator(f"tr[data-request='{request.pk}']")
    expect(row).to_contain_text(re.compile(r"2[23]h \d\dm left"))
    expect(row).to_contain_text("AU-OSA-S109")
    expect(row).to_contain_text("Online Safety Act 2021 (Cth) s. 109")
    expect(row).to_contain_text("your time (Europe/Amsterdam)")
    assert row.get_attribute("class") == "risk-normal"
    rows = page.locator("#board-rows")
    expect(rows).to_have_attribute("hx-trigger", "every 30s")

    # The countdown is live: every 30 s the rows are re-fetched and swapped in, no reload.
    page.evaluate("window.stillTheSamePage = true")
    rendered = rows.get_attribute("data-rendered-at")
    with page.expect_response(re.compile(r"/regulatory/rows")):
        page.clock.fast_forward(31_000)
    expect(page.locator("#board-rows")).not_to_have_attribute("data-rendered-at", rendered)
    expect(row).to_contain_text("AU-OSA-S109")
    assert page.evaluate("window.stillTheSamePage") is True
