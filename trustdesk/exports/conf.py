"""Exports settings. Each reads a Django setting if one is defined (tests override them) and
otherwise the environment, through the strict readers in ``trustdesk.lib.env``."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from trustdesk.lib.env import env_int, env_str


def _value(name: str) -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else env_str(name)


@dataclass(frozen=True)
class Reporter:
    """Who files CyberTipline reports for the company (the ``reporter`` element)."""

    first_name: str
    last_name: str
    email: str
    phone: str
    company_template: str
    terms_of_service: str
    legal_url: str
    esp_service: str


def ncmec_reporter() -> Reporter:
    return Reporter(
        first_name=_value("TRUSTDESK_NCMEC_REPORTER_FIRST_NAME"),
        last_name=_value("TRUSTDESK_NCMEC_REPORTER_LAST_NAME"),
        email=_value("TRUSTDESK_NCMEC_REPORTER_EMAIL"),
        phone=_value("TRUSTDESK_NCMEC_REPORTER_PHONE"),
        company_template=_value("TRUSTDESK_NCMEC_COMPANY_TEMPLATE"),
        terms_of_service=_value("TRUSTDESK_NCMEC_TERMS_OF_SERVICE"),
        legal_url=_value("TRUSTDESK_NCMEC_LEGAL_URL"),
        esp_service=_value("TRUSTDESK_NCMEC_ESP_SERVICE"),
    )


def lumen_url() -> str:
    return _value("TRUSTDESK_LUMEN_URL") or "https://lumendatabase.org/notices"


def lumen_token() -> str:
    """``TRUSTDESK_LUMEN_TOKEN``, or the file named by ``TRUSTDESK_LUMEN_TOKEN_FILE``."""
    return _value("TRUSTDESK_LUMEN_TOKEN")


def lumen_timeout() -> int:
    value = getattr(settings, "TRUSTDESK_LUMEN_TIMEOUT", None)
    return int(value) if value is not None else env_int("TRUSTDESK_LUMEN_TIMEOUT", 20)


def company_name() -> str:
    return _value("TRUSTDESK_COMPANY_NAME") or "Trust & Safety"
