"""A lead enrols an authenticator and signs in with a code, in a real browser (CSP on: the
QR code is an image, the pages run no inline script)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustdesk.accounts.models import Role
from trustdesk.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _code(device, drift=0):
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:06d}"


def _password_step(page, user):
    page.goto("/login/", timeout=30_000)  # the first request imports every app
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()


def test_a_lead_must_enrol_then_signs_in_with_a_code(page, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "lead"]
    lead = UserFactory(username="lena.lead", role=Role.LEAD)

    _password_step(page, lead)
    page.wait_for_url("**/account/2fa")
    expect(page.get_by_alt_text("QR code for your authenticator app")).to_be_visible()
    device = TOTPDevice.objects.get(user=lead, confirmed=False)
    page.get_by_label("Code", exact=True).fill(_code(device))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)

    page.context.clear_cookies()
    _password_step(page, lead)
    page.wait_for_url("**/login/verify")
    page.get_by_label("Code", exact=True).fill(_code(device, drift=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/incidents/")
