"""Evidence in a real browser: blurred and greyscale on first view; revealing it shows the
original, is logged, and the page blurs it again when the user leaves."""

import pytest

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory
from trustdesk.audit.models import AuditEvent
from trustdesk.intake.models import Attachment
from trustdesk.intake.tests.factories import make_report, png_attachment

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

# Mean colourfulness (|r-g| + |g-b|) and brightness spread of the image as the browser drew it.
MEASURE = """img => {
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let colour = 0, sum = 0, sumSq = 0, n = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    colour += Math.abs(r - g) + Math.abs(g - b);
    const y = (r + g + b) / 3; sum += y; sumSq += y * y; n++;
  }
  const mean = sum / n;
  return {colour: colour / n, spread: Math.sqrt(sumSq / n - mean * mean)};
}"""


@pytest.fixture
def evidence(taxonomy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    report = make_report(market="MX", label="violence", attachments=(png_attachment(),))
    return Attachment.objects.get(report=report)


def _loaded(page, img):
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    return img.evaluate(MEASURE)


def test_evidence_is_blurred_until_revealed_and_the_reveal_is_logged(page, log_in, evidence):
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    log_in(im)
    page.goto(f"/triage/groups/{evidence.report.group_id}/")

    img = page.locator("img[data-evidence-img]")
    expect(img).to_have_attribute("src", f"/triage/evidence/{evidence.pk}")
    blurred = _loaded(page, img)
    assert blurred["colour"] < 1  # greyscale
    assert not AuditEvent.objects.filter(action="evidence.reveal").exists()

    page.get_by_role("button", name="Reveal (logged)").click()
    expect(img).to_have_class("evidence-img revealed")
    page.wait_for_function("img => img.src.includes('/original?token=')", arg=img.element_handle())
    revealed = _loaded(page, img)
    assert revealed["colour"] > 100  # the original's red is back
    assert revealed["spread"] > blurred["spread"] * 2  # and its sharp stripes

    event = AuditEvent.objects.get(action="evidence.reveal")
    assert event.actor == im
    assert event.after["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert event.object_id == str(evidence.pk)

    # Leaving the page (or switching tabs) blurs it again.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    expect(img).to_have_attribute("src", f"/triage/evidence/{evidence.pk}")
    expect(page.get_by_role("button", name="Reveal (logged)")).to_be_visible()
    assert _loaded(page, img)["colour"] < 1
