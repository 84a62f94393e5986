"""The NCMEC CyberTipline ``<report>`` document, as a draft for a person to review.

Element names and their order follow the CyberTipline Reporting API as summarised in the
project's reference notes (the official XSD is only served to registered reporters). The
order is fixed in ``REPORT_ORDER`` below and tests compare it with the reference. Every
value is text in an element built by ``xml.etree``, which escapes ``<``, ``&`` and quotes;
characters XML 1.0 cannot carry at all (most control characters) are dropped first, so
hostile text can never make the document malformed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime

from trustdesk.incidents.models import Incident
from trustdesk.intake.models import Attachment, ContentItem, Report

from .conf import Reporter

SCHEMA_LOCATION = "https://report.cybertip.org/ispws/xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

# The eight incident types the API accepts (the first is the usual one for CSAM).
INCIDENT_TYPES = (
    "Child Pornography (possession, manufacture, and distribution)",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
)
DEFAULT_INCIDENT_TYPE = INCIDENT_TYPES[0]

# Top-level children of <report>, in the documented order. Optional ones are left out when
# there is nothing to say, never reordered.
REPORT_ORDER = (
    "incidentSummary",
    "internetDetails",
    "lawEnforcement",
    "reporter",
    "personOrUserReported",
    "intendedRecipient",
    "victim",
    "additionalInfo",
)
SUMMARY_ORDER = (
    "incidentType",
    "escalateToHighPriority",
    "reportAnnotations",
    "incidentDateTime",
    "incidentDateTimeDescription",
)
REPORTER_ORDER = (
    "reportingPerson",
    "contactPerson",
    "companyTemplate",
    "termsOfService",
    "legalUrl",
)
PERSON_ORDER = ("firstName", "lastName", "phone", "email", "address", "age", "dateOfBirth")

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except
# surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class EvidenceLine:
    filename: str
    sha256: str
    size: int
    content_type: str
    received_at: datetime


@dataclass
class Facts:
    """What the report says, gathered from the incident and its intake records."""

    incident_ref: str
    title: str
    summary: str
    incident_at: datetime
    urls: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    evidence: list[EvidenceLine] = field(default_factory=list)


def gather(incident: Incident) -> Facts:
    """The incident's content items and evidence, found through its triage groups."""
    reports = Report.objects.filter(group__incident=incident)
    items = ContentItem.objects.filter(group__incident=incident).order_by("id")
    attachments = (
        Attachment.objects.filter(report__in=reports)
        .select_related("evidence", "report")
        .order_by("report__received_at", "id")
    )
    urls = list(dict.fromkeys(i.url for i in items if i.url))
    accounts = list(dict.fromkeys(i.account_id for i in items if i.account_id))
    seen: set[str] = set()
    evidence = []
    for a in attachments:
        if a.evidence.sha256 in seen:
            continue
        seen.add(a.evidence.sha256)
        evidence.append(
            EvidenceLine(
                filename=a.filename,
                sha256=a.evidence.sha256,
                size=a.evidence.size,
                content_type=a.evidence.content_type,
                received_at=a.report.received_at,
            )
        )
    return Facts(
        incident_ref=incident.ref,
        title=incident.title,
        summary=incident.summary,
        incident_at=incident.detected_at or incident.reported_at,
        urls=urls,
        accounts=accounts,
        evidence=evidence,
    )


def _add(parent: ET.Element, tag: str, value: object | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if value is not None:
        child.text = xml_text(value)
    return child


def _reporting_person(parent: ET.Element, reporter: Reporter) -> None:
    person = _add(parent, "reportingPerson")
    values = {
        "firstName": reporter.first_name,
        "lastName": reporter.last_name,
        "phone": reporter.phone,
        "email": reporter.email or "REPLACE-WITH-REPORTER-EMAIL",
    }
    for tag in PERSON_ORDER:
        if values.get(tag):
            _add(person, tag, values[tag])


def _additional_info(facts: Facts) -> str:
    lines = [f"Internal reference: {facts.incident_ref}", f"Title: {facts.title}"]
    if facts.summary:
        lines.append(f"Summary: {facts.summary}")
    for e in facts.evidence:
        lines.append(
            f"Evidence file {e.filename or '(unnamed)'}: SHA-256 {e.sha256}, {e.size} bytes, "
            f"{e.content_type}, received {iso(e.received_at)}"
        )
    return "\n".join(lines)


def build(
    facts: Facts,
    reporter: Reporter,
    *,
    incident_type: str = DEFAULT_INCIDENT_TYPE,
    high_priority: bool = False,
) -> str:
    """The ``<report>`` document as a UTF-8 XML string with its declaration."""
    ET.register_namespace("xsi", XSI)
    report = ET.Element("report", {f"{{{XSI}}}noNamespaceSchemaLocation": SCHEMA_LOCATION})

    summary = _add(report, "incidentSummary")
    _add(summary, "incidentType", incident_type)
    if high_priority:
        _add(summary, "escalateToHighPriority", "true")
    _add(summary, "incidentDateTime", iso(facts.incident_at))
    _add(summary, "incidentDateTimeDescription", "When the platform first detected the content")

    for url in facts.urls:
        details = _add(report, "internetDetails")
        page = _add(details, "webPageIncident")
        _add(page, "url", url)

    who = _add(report, "reporter")
    _reporting_person(who, reporter)
    for tag, value in (
        ("companyTemplate", reporter.company_template),
        ("termsOfService", reporter.terms_of_service),
        ("legalUrl", reporter.legal_url),
    ):
        if value:
            _add(who, tag, value)

    for account in facts.accounts:
        person = _add(report, "personOrUserReported")
        _add(person, "espIdentifier", account)
        if reporter.esp_service:
            _add(person, "espService", reporter.esp_service)

    _add(report, "additionalInfo", _additional_info(facts))
    ET.indent(report)
    body = ET.tostring(report, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
