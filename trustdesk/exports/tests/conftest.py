from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from trustdesk.incidents.models import Incident
from trustdesk.intake.models import (
    Attachment,
    ContentItem,
    EvidenceFile,
    Report,
    ReporterType,
    ReportGroup,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def exports_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TRUSTDESK_NCMEC_REPORTER_FIRST_NAME = "Rita"
    settings.TRUSTDESK_NCMEC_REPORTER_LAST_NAME = "Reporter"
    settings.TRUSTDESK_NCMEC_REPORTER_EMAIL = "ncmec@example.com"
    settings.TRUSTDESK_NCMEC_REPORTER_PHONE = "+1 555 0100"
    settings.TRUSTDESK_NCMEC_COMPANY_TEMPLATE = "Example Platform Inc."
    settings.TRUSTDESK_NCMEC_TERMS_OF_SERVICE = "https://example.com/terms"
    settings.TRUSTDESK_NCMEC_LEGAL_URL = "https://example.com/legal"
    settings.TRUSTDESK_NCMEC_ESP_SERVICE = "Example Video"
    settings.TRUSTDESK_COMPANY_NAME = "Example Platform Inc."
    return settings


def parse_xml(data: str | bytes) -> ET.Element:
    """Parse a document trustdesk itself wrote (a draft, not outside input)."""
    raw = data.encode() if isinstance(data, str) else data
    return ET.fromstring(raw)  # noqa: S314 - our own output


def attach_intake(
    incident: Incident,
    *,
    url: str = "https://video.example.com/v/abc",
    account_id: str = "user-4711",
    text: str = "",
    filename: str = "frame.png",
    sha256: str = "a" * 64,
    received_at: datetime | None = None,
) -> Report:
    """One report in a group linked to ``incident``, pointing at ``url`` with one evidence
    file: what intake leaves behind for an incident."""
    at = received_at or utc("2026-11-20 09:30")
    group = ReportGroup.objects.create(
        fingerprint=sha256[:16],
        title=incident.title,
        first_seen_at=at,
        last_seen_at=at,
        suggested_severity=incident.severity,
        incident=incident,
        restricted=incident.restricted,
    )
    report = Report.objects.create(
        channel="api",
        received_at=at,
        reporter_type=ReporterType.USER,
        text=text,
        group=group,
    )
    ContentItem.objects.create(report=report, group=group, url=url, account_id=account_id)
    evidence, _ = EvidenceFile.objects.get_or_create(
        sha256=sha256, defaults={"size": 1234, "content_type": "image/png", "is_image": True}
    )
    Attachment.objects.create(report=report, evidence=evidence, filename=filename)
    return report
