"""Wellbeing in a real browser: evidence is blurred with the person's own preference; the
time it stays revealed is recorded when they leave, and their personal view shows it."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.intake.models import Attachment
from trustdesk.intake.tests.factories import make_report, png_attachment
from trustdesk.taxonomy.models import Category
from trustdesk.wellbeing.models import ExposureEvent, ViewingPreference

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

FILTER = "img => getComputedStyle(img).filter"


@pytest.fixture
def evidence(taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = make_report(market="MX", label="violence", attachments=(png_attachment(),))
    # Load the URLconf now, in this process, so the live server's first page is not slow.
    reverse("wellbeing:mine")
    return Attachment.objects.get(report=report)


def test_preference_blur_then_reveal_and_leave_records_the_duration(page, log_in, evidence):
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    ViewingPreference.objects.create(
        user=im, category=Category.objects.get(code="STATEMENT_CATEGORY_VIOLENCE"), blur_level=3
    )
    log_in(im)
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        page.goto(reverse("intake:group", args=[evidence.report.group_id]))
        img = page.locator("img[data-evidence-img]")
        assert img.evaluate(FILTER) == "blur(16px) grayscale(1)"

        page.get_by_role("button", name="Reveal (logged)").click()
        expect(img).to_have_class("evidence-img revealed")
        assert img.evaluate(FILTER) == "none"
        event = ExposureEvent.objects.get(user=im)
        assert event.ended_at is None

        traveller.shift(timedelta(minutes=2, seconds=30))
        page.goto(reverse("wellbeing:mine"))  # leaving the page sends the end beacon

        def ended():
            event.refresh_from_db()
            return event.ended_at is not None

        for _ in range(50):
            if ended():
                break
            page.wait_for_timeout(100)
    assert ended()
    assert timedelta(minutes=2, seconds=30) <= event.revealed_duration < timedelta(minutes=3)
    assert not event.capped

    page.reload()
    row = page.locator("[data-wb-exposure] tr[data-category=STATEMENT_CATEGORY_VIOLENCE]")
    expect(row).to_contain_text("Violence")
    expect(row.locator("td").first).to_have_text("2 min")


def test_opening_sensitive_text_records_an_exposure_until_it_is_closed(page, log_in, evidence):
    report = make_report(market="MX", label="self_harm", text="Graphic description here")
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    log_in(im)
    page.goto(reverse("intake:group", args=[report.group_id]))
    summary = page.get_by_text("Content warning: Self-harm · show text")
    summary.click()
    expect(page.get_by_text("Graphic description here")).to_be_visible()
    for _ in range(50):
        if ExposureEvent.objects.filter(user=im).exists():
            break
        page.wait_for_timeout(100)
    event = ExposureEvent.objects.get(user=im)
    assert (event.kind, event.category.code) == ("text", "STATEMENT_CATEGORY_SELF_HARM")

    summary.click()  # collapsing it again ends the exposure
    for _ in range(50):
        event.refresh_from_db()
        if event.ended_at is not None:
            break
        page.wait_for_timeout(100)
    assert event.revealed_duration is not None
    assert event.revealed_duration < timedelta(minutes=1)
