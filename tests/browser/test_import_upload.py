"""Uploading a spreadsheet in the browser: progress while it goes, row errors in place."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.intake.models import Report

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

CSV = (
    "external_id,market,label,text,url\n"
    "up-1,BR,dangerous_challenge,Challenge clip in schools,https://v.example/1\n"
    "up-2,XX,scam,Crypto giveaway scam,https://v.example/2\n"
)


def test_an_upload_shows_what_was_stored_and_which_rows_are_wrong(page, log_in, tmp_path):
    path = tmp_path / "escalations.csv"
    path.write_text(CSV, encoding="utf-8")
    log_in(UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER))
    page.goto("/triage/import/")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("Skip bad rows: store the good rows").check()
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Import").click()
    summary = page.locator(".import-summary")
    expect(summary).to_contain_text("1 report stored")
    expect(summary.locator("tbody td")).to_have_text(
        ["3", "market", "Unknown market 'XX'; use an ISO country code."]
    )
    assert page.evaluate("window.stillTheSamePage") is True  # shown in place, by the script
    assert list(Report.objects.values_list("external_id", flat=True)) == ["up-1"]
