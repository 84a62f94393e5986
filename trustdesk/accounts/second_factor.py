"""The second factor: TOTP devices (django-otp) and one-time recovery codes.

Who must have one is a setting (``TWO_FACTOR_REQUIRED_ROLES``, from the environment
variable ``TRUSTDESK_2FA_REQUIRED_ROLES``), read at request time. API tokens are not
affected: a token is its own factor. See docs/security.md ("Second factor").
"""

from __future__ import annotations

import base64
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput

from .models import User

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def required_for(user: User) -> bool:
    return user.is_active and user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one per user, made on first look)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, as a data: URI for an <img> (no inline script
    or style in the page; CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _new_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.confirmed = True
    device.save()
    device.token_set.all().delete()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_totp(*, actor: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm an authenticator with a code it shows; returns fresh recovery codes (shown
    once: only the person enrolling sees them)."""
    code = "".join((code or "").split())
    if not code.isdigit() or not device.verify_token(code):
        raise InvalidInput({"code": "That code does not match. Check the time on your phone."})
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = _new_codes(device.user)
    audit.record(actor=actor, action="2fa.enable", obj=device.user, after={"device": "totp"})
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, actor: User, user: User) -> list[str]:
    """Replace every recovery code: the old ones stop working."""
    if not has_second_factor(user):
        raise InvalidInput({"__all__": "Set up an authenticator first."})
    codes = _new_codes(user)
    audit.record(actor=actor, action="2fa.recovery_codes", obj=user, after={"count": len(codes)})
    return codes


@transaction.atomic
def disable(*, actor: User, user: User) -> None:
    """Remove the user's authenticator and recovery codes (e.g. a lost phone)."""
    deleted = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        deleted += 1
    audit.record(actor=actor, action="2fa.disable", obj=user, after={"devices": deleted})


def verify(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code (a recovery code is used up), or None."""
    code = "".join((code or "").split()).lower()
    if not code:
        return None
    device = match_token(user, code)
    return device  # type: ignore[return-value]
