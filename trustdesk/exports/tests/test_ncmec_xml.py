"""The CyberTipline draft document: well-formed, in the documented order, hostile text
escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from trustdesk.exports import conf, ncmec

from .conftest import attach_intake, parse_xml, utc

pytestmark = pytest.mark.django_db

REFERENCE = Path(settings.BASE_DIR).parent.parent / "shared" / "reference" / "ncmec-cybertipline.md"


def _reference_section() -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    return text.split("in order:", 1)[1].split("`<fileDetails>`", 1)[0]


def _in_reference_order(names: tuple[str, ...]) -> bool:
    section = _reference_section()
    positions = [section.index(f"`{n}`") for n in names]
    return positions == sorted(positions)


def _reference_person_fields() -> list[str]:
    line = next(x for x in _reference_section().splitlines() if x.startswith("- A person:"))
    return [part.strip().split(" ")[0].strip(".") for part in line.split(":", 1)[1].split(", ")]


def _draft(incident, **kwargs) -> ET.Element:
    xml = ncmec.build(ncmec.gather(incident), conf.ncmec_reporter(), **kwargs)
    return parse_xml(xml)


def test_it_keeps_the_reference_order_of_elements() -> None:
    assert _in_reference_order(ncmec.REPORT_ORDER)
    assert _in_reference_order(ncmec.SUMMARY_ORDER)
    assert _in_reference_order(ncmec.REPORTER_ORDER)
    assert list(ncmec.PERSON_ORDER) == _reference_person_fields()


def test_it_writes_a_well_formed_report_in_the_documented_order(restricted_incident) -> None:
    attach_intake(restricted_incident, url="https://video.example.com/v/1", account_id="u-1")
    attach_intake(
        restricted_incident, url="https://video.example.com/v/2", account_id="u-2", sha256="b" * 64
    )
    root = _draft(restricted_incident, high_priority=True)
    assert root.tag == "report"
    tags = [child.tag for child in root]
    positions = [ncmec.REPORT_ORDER.index(t) for t in tags]
    assert positions == sorted(positions)
    assert tags[0] == "incidentSummary" and tags[-1] == "additionalInfo"
    assert tags.count("internetDetails") == 2 and tags.count("personOrUserReported") == 2
    summary = [c.tag for c in root.find("incidentSummary")]
    assert summary == [
        "incidentType",
        "escalateToHighPriority",
        "incidentDateTime",
        "incidentDateTimeDescription",
    ]
    reporter = [c.tag for c in root.find("reporter")]
    assert reporter == ["reportingPerson", "companyTemplate", "termsOfService", "legalUrl"]
    person = [c.tag for c in root.find("reporter/reportingPerson")]
    assert person == ["firstName", "lastName", "phone", "email"]
    assert root.findtext("reporter/reportingPerson/email") == "ncmec@example.com"
    urls = [e.text for e in root.iter("url")]
    assert urls == ["https://video.example.com/v/1", "https://video.example.com/v/2"]
    assert [e.text for e in root.iter("espIdentifier")] == ["u-1", "u-2"]


def test_it_states_times_in_utc_and_lists_evidence_hashes(restricted_incident) -> None:
    restricted_incident.detected_at = utc("2026-11-19 22:15")
    restricted_incident.save()
    attach_intake(restricted_incident, received_at=utc("2026-11-20 09:30"), sha256="c" * 64)
    root = _draft(restricted_incident)
    assert root.findtext("incidentSummary/incidentDateTime") == "2026-11-19T22:15:00Z"
    info = root.findtext("additionalInfo")
    assert "SHA-256 " + "c" * 64 in info
    assert "received 2026-11-20T09:30:00Z" in info
    assert restricted_incident.ref in info


def test_it_escapes_hostile_text(restricted_incident) -> None:
    hostile = 'x</additionalInfo><evil a="1">&amp;]]><!-- \x0b\x1f "quoted" \'single\''
    restricted_incident.title = hostile
    restricted_incident.save()
    attach_intake(restricted_incident, url="https://e.example/?a=1&b=<script>", filename=hostile)
    facts = ncmec.gather(restricted_incident)
    # PostgreSQL cannot store NUL, but text from elsewhere (a payload, a file name) may hold it.
    facts.summary = "before\x00after\ufffe"
    xml = ncmec.build(facts, conf.ncmec_reporter())
    root = parse_xml(xml)  # would raise on a malformed document
    assert root.find(".//evil") is None
    assert "<evil" not in xml and "&lt;evil" in xml
    assert root.findtext(".//url") == "https://e.example/?a=1&b=<script>"
    info = root.findtext("additionalInfo")
    assert 'x</additionalInfo><evil a="1">&amp;]]><!--  "quoted" \'single\'' in info
    assert "Summary: beforeafter" in info
    assert "\x00" not in xml and "\x0b" not in xml and "\ufffe" not in xml


def test_it_asks_for_the_reporter_email_when_none_is_configured(
    restricted_incident, settings
) -> None:
    settings.TRUSTDESK_NCMEC_REPORTER_EMAIL = ""
    root = _draft(restricted_incident)
    assert root.findtext("reporter/reportingPerson/email") == "REPLACE-WITH-REPORTER-EMAIL"
