"""Security headers and cookie settings (docs/security.md, "Headers" and "Login and
sessions")."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in policy.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


def test_pages_carry_a_csp_without_inline_scripts_or_styles(client, im):
    client.force_login(im)
    csp = _csp(client.get(reverse("incidents:queue")))
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in csp.values() for value in values)


def test_the_login_page_carries_the_framing_referrer_and_sniffing_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_api_carries_nosniff_too(client, im):
    client.force_login(im)
    response = client.get("/api/v1/me")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_over_plain_http_by_default(client):
    assert not settings.HTTPS
    assert "Strict-Transport-Security" not in client.get(reverse("login"), secure=True)


def _settings_with(env: dict[str, str]) -> dict:
    """Import the production settings in a fresh process with this environment."""
    code = (
        "import json, trustdesk.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "['SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'SECURE_PROXY_SSL_HEADER', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_AGE', "
        "'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'TWO_FACTOR_REQUIRED_ROLES', "
        "'SESSION_EXPIRE_AT_BROWSER_CLOSE']}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTDESK_")}
    keep["TRUSTDESK_DATA_DIR"] = str(settings.DATA_DIR)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(settings.BASE_DIR).parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_turns_on_hsts_secure_cookies_and_the_redirect():
    values = _settings_with({"TRUSTDESK_HTTPS": "true", "TRUSTDESK_SESSION_SECONDS": "3600"})
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_AGE"] == 3600
    closing = _settings_with({"TRUSTDESK_SESSION_EXPIRE_AT_BROWSER_CLOSE": "true"})
    assert closing["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_defaults_are_twelve_hour_httponly_lax_sessions_and_2fa_for_admins_and_leads():
    values = _settings_with({})
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SESSION_COOKIE_AGE"] == 12 * 3600
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["TWO_FACTOR_REQUIRED_ROLES"] == ["admin", "lead"]
    assert (
        _settings_with({"TRUSTDESK_2FA_REQUIRED_ROLES": "none"})["TWO_FACTOR_REQUIRED_ROLES"] == []
    )


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=False)
def test_hsts_is_sent_over_https_when_configured(client):
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_the_session_cookie_is_httponly_and_lax(client, im):
    response = client.post(
        reverse("login"), {"username": im.username, "password": "correct-horse-battery"}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


def test_passwords_need_twelve_characters_and_not_a_common_or_numeric_one(im):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short-pw", "password1234", "123456789012", im.username + "x"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=im)
    validate_password("violet-harbour-engine-42", user=im)


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


# HTML mail is read in mail clients, never served under the app's CSP.
_NOT_SERVED = {"notify/templates/notify/email.html"}


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    roots = [TEMPLATES, *Path(settings.BASE_DIR).glob("*/templates")]
    offenders = []
    for root in roots:
        for path in root.rglob("*.html"):
            if str(path.relative_to(settings.BASE_DIR)) in _NOT_SERVED:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in (_INLINE_SCRIPT, _INLINE_STYLE, _HANDLER):
                for match in pattern.finditer(text):
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}")
    assert offenders == []
