"""The second factor: enrolment, the code step at sign-in, recovery codes, turning it off,
and enforcement per role (TWO_FACTOR_REQUIRED_ROLES)."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustdesk.accounts import second_factor
from trustdesk.accounts.services import create_token
from trustdesk.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = reverse("login")
VERIFY = reverse("login_verify")
TWO_FA = reverse("account_2fa")
QUEUE = reverse("incidents:queue")


def _code(device: TOTPDevice, drift: int = 0) -> str:
    """The code the phone shows now, computed from the device key as an app would."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{value:06d}"


def _enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = second_factor.pending_device(user)
    codes = second_factor.confirm_totp(actor=user, device=device, code=_code(device))
    device.refresh_from_db()
    return device, codes


def test_it_shows_a_secret_and_an_svg_qr_code_for_enrolment(client, im):
    client.force_login(im)
    page = client.get(TWO_FA)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert page.context["secret"] in html
    assert "<script" not in html.split("<main", 1)[-1]
    assert TOTPDevice.objects.filter(user=im, confirmed=False).count() == 1


def test_it_turns_on_with_a_right_code_and_shows_recovery_codes_once(client, im):
    client.force_login(im)
    client.get(TWO_FA)
    device = TOTPDevice.objects.get(user=im)
    response = client.post(TWO_FA, {"code": _code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert codes[0] in response.content.decode()
    assert TOTPDevice.objects.get(user=im).confirmed
    assert codes[0] not in client.get(TWO_FA).content.decode()
    assert AuditEvent.objects.filter(action="2fa.enable").exists()


def test_it_refuses_a_wrong_code_at_enrolment(client, im):
    client.force_login(im)
    client.get(TWO_FA)
    response = client.post(TWO_FA, {"code": "000000"})
    assert response.status_code == 422
    assert response.context["code_form"].errors["code"]
    assert not second_factor.has_second_factor(im)


def test_a_real_totp_sign_in_asks_for_the_code_after_the_password(im):
    device, _ = _enrol(im)
    client = Client()
    response = client.post(LOGIN, {"username": im.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == VERIFY
    assert client.get(QUEUE).status_code == 302  # not signed in yet
    response = client.post(VERIFY, {"code": _code(device, drift=1)})
    assert response.status_code == 302
    assert response.url == QUEUE
    assert client.get(QUEUE).status_code == 200


def test_it_refuses_a_wrong_code_and_gives_up_after_five(im):
    _enrol(im)
    client = Client()
    client.post(LOGIN, {"username": im.username, "password": PASSWORD})
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 422
    assert "not valid" in response.content.decode()
    for _ in range(4):
        response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.get(QUEUE).status_code == 302


def test_a_recovery_code_signs_in_once(im):
    _, codes = _enrol(im)
    first = Client()
    first.post(LOGIN, {"username": im.username, "password": PASSWORD})
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert first.get(QUEUE).status_code == 200
    second = Client()
    second.post(LOGIN, {"username": im.username, "password": PASSWORD})
    assert second.post(VERIFY, {"code": codes[0]}).status_code == 422


def test_the_code_step_needs_the_password_step_first(client, im):
    _enrol(im)
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response.url == LOGIN


def test_a_session_that_skipped_the_code_is_signed_out(client, im):
    _enrol(im)
    client.force_login(im)  # e.g. through the admin's own sign-in form
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert client.get(QUEUE).status_code == 302


def _verified_client(user, device) -> Client:
    client = Client()
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    # The next step's code: the one used at enrolment cannot be replayed.
    client.post(VERIFY, {"code": _code(device, drift=1)})
    return client


def test_it_regenerates_recovery_codes_after_the_password(im):
    device, old = _enrol(im)
    client = _verified_client(im, device)
    url = reverse("account_2fa_recovery_codes")
    assert client.post(url, {"password": "wrong"}).status_code == 422
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 200
    new = response.context["codes"]
    assert set(new).isdisjoint(old)
    tokens = set(StaticToken.objects.filter(device__user=im).values_list("token", flat=True))
    assert tokens == set(new)


def test_it_turns_off_after_the_password(im):
    device, _ = _enrol(im)
    client = _verified_client(im, device)
    url = reverse("account_2fa_disable")
    assert client.post(url, {"password": "wrong"}).status_code == 422
    assert second_factor.has_second_factor(im)
    assert client.post(url, {"password": PASSWORD}).status_code == 302
    assert not second_factor.has_second_factor(im)
    assert not StaticToken.objects.filter(device__user=im).exists()
    assert AuditEvent.objects.filter(action="2fa.disable").exists()


def test_the_pages_need_a_login(client):
    assert client.get(TWO_FA).status_code == 302
    assert client.post(reverse("account_2fa_disable")).status_code == 302


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["admin", "lead"])
def test_a_lead_without_a_second_factor_is_sent_to_enrolment_first(client, lead, im):
    client.force_login(lead)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url == TWO_FA
    assert client.get(TWO_FA).status_code == 200
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert "second factor" in api.json()["detail"]
    other = Client()
    other.force_login(im)  # incident managers are not in the list
    assert other.get(QUEUE).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["admin", "lead"])
def test_a_lead_with_a_second_factor_works_normally(lead):
    device, _ = _enrol(lead)
    assert _verified_client(lead, device).get(QUEUE).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_ROLES=["admin", "lead"])
def test_api_tokens_are_not_affected_by_enforcement(lead):
    _, raw = create_token(actor=lead, user=lead, name="ci")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me")
    assert response.status_code == 200
