"""The email channel: mail to a configured intake address becomes a report.

``trustdesk smtpd`` runs ``IntakeSMTPHandler`` on aiosmtpd. Messages are parsed with the
standard library (RFC 2047 subjects, multipart/alternative bodies, attachments). Limits are
enforced during the SMTP session, so the sending server gets a clear 5xx reply instead of a
silent drop. A message we accept but cannot turn into a report is kept as a dead letter.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from trustdesk.lib.errors import InvalidInput

from . import conf, evidence, services
from .incoming import (
    BaseChannel,
    IncomingAttachment,
    IncomingItem,
    IncomingReport,
    Outcome,
    ParseError,
    Result,
)
from .models import VERIFIED_TYPES, Channel, DeadLetter, IntakeAddress, ReporterType

logger = logging.getLogger(__name__)

_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_SUBJECT_LABEL = re.compile(r"^\s*\[([\w\s\-]{2,40})\]")


class MailRefused(Exception):
    """Refuse the message in the SMTP session with this reply (e.g. ``552 5.3.4 ...``)."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.parts.append(f" {href} ")
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.parts)).strip()


def parse_message(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(">")


def _listed(domain: str, senders: Mapping[str, str]) -> str | None:
    """The listed domain that ``domain`` is, or is a subdomain of."""
    for listed in senders:
        listed_lower = listed.lower()
        if domain == listed_lower or domain.endswith("." + listed_lower):
            return listed
    return None


def _sender(message: EmailMessage) -> tuple[str, str]:
    header = message.get("From")
    addresses: Sequence[Address] = getattr(header, "addresses", ()) if header else ()
    if not addresses:
        return "", ""
    return addresses[0].display_name, addresses[0].addr_spec


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        # An unknown or lying charset: keep the text, marking what cannot be decoded.
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    text = content if isinstance(content, str) else ""
    return html_to_text(text) if part.get_content_type() == "text/html" else text.strip()


def _attachments(message: EmailMessage) -> list[IncomingAttachment]:
    found = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        found.append(IncomingAttachment(part.get_filename() or "", part.get_content_type(), data))
    return found


class EmailChannel(BaseChannel):
    name = Channel.EMAIL

    def address_for(self, rcpt_tos: Sequence[str]) -> IntakeAddress | None:
        """The first recipient that is an active intake address (its rules apply)."""
        wanted = [r.strip().lower() for r in rcpt_tos]
        found = {a.address.lower(): a for a in IntakeAddress.objects.filter(active=True)}
        return next((found[r] for r in wanted if r in found), None)

    def check_limits(self, message: EmailMessage) -> None:
        limit = conf.max_attachment_bytes()
        for att in _attachments(message):
            name = att.filename or "unnamed attachment"
            if len(att.data) > limit:
                raise MailRefused(
                    f"552 5.3.4 Attachment {name} is {len(att.data):,} bytes; the limit is "
                    f"{limit:,} bytes per attachment. Send a link instead."
                )
            sniffed = evidence.sniff(att.data, att.content_type)
            if sniffed.content_type not in conf.ALLOWED_ATTACHMENT_TYPES:
                raise MailRefused(
                    f"554 5.6.1 Attachment {name} has type {sniffed.content_type}, which is "
                    "not accepted as evidence."
                )

    def _verify(
        self, address: IntakeAddress, sender: str, envelope_from: str
    ) -> tuple[str, bool, str, str, str]:
        """(reporter type, verified, claimed type, note, jurisdiction) under the address's
        sender rules: a regulator-type address only trusts its listed domains."""
        claimed = address.reporter_type
        if claimed not in VERIFIED_TYPES:
            return claimed, True, "", "", ""
        senders = address.verified_senders or {}
        listed = _listed(_domain(sender), senders) if sender else None
        envelope_ok = not envelope_from or _listed(_domain(envelope_from), senders) is not None
        if listed is not None and envelope_ok:
            return claimed, True, "", "", str(senders[listed] or "")
        label = ReporterType(claimed).label.lower()
        note = f"{_domain(sender) or 'unknown sender'} is not a listed {label} sender for {address}"
        return ReporterType.USER, False, claimed, note, ""

    def parse(self, raw: bytes, meta: Mapping[str, Any]) -> IncomingReport:
        message = parse_message(raw)
        address = self.address_for(meta.get("rcpt_tos") or [])
        if address is None:
            raise ParseError("None of the recipients is an active intake address.", field="to")
        name, sender = _sender(message)
        rtype, verified, claimed, note, jurisdiction = self._verify(
            address, sender, str(meta.get("mail_from") or "")
        )
        subject = str(message.get("Subject", "") or "").strip()
        text = _body(message)
        label = _SUBJECT_LABEL.match(subject)
        attachments = _attachments(message)
        message_id = str(message.get("Message-ID", "") or "").strip().strip("<>")
        default_market = address.default_market.code if address.default_market else ""
        return IncomingReport(
            channel=self.name,
            external_id=message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
            reporter_type=rtype,
            reporter_name=name,
            reporter_contact=sender,
            verified=verified,
            claimed_reporter_type=claimed,
            verification_note=note,
            jurisdiction=jurisdiction or default_market,
            language=str(message.get("Content-Language", "") or "").split(",")[0].strip(),
            category=address.default_category.code if address.default_category else "",
            label=label.group(1) if label else "",
            title=subject[:300],
            text=text[:100_000],
            items=[IncomingItem(url=u.rstrip(".,;")) for u in dict.fromkeys(_URL.findall(text))][
                : conf.MAX_ITEMS_PER_REPORT
            ],
            attachments=attachments,
            raw={
                "message_id": message_id,
                "from": str(message.get("From", "")),
                "to": str(message.get("To", "")),
                "cc": str(message.get("Cc", "")),
                "subject": subject,
                "date": str(message.get("Date", "")),
                "envelope": {"mail_from": meta.get("mail_from"), "rcpt_tos": meta.get("rcpt_tos")},
                "attachments": [
                    {
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": len(a.data),
                        "sha256": hashlib.sha256(a.data).hexdigest(),
                    }
                    for a in attachments
                ],
            },
            intake_address=address,
        )

    def receive(
        self, raw: bytes, *, mail_from: str, rcpt_tos: Sequence[str]
    ) -> Result | DeadLetter:
        """Check limits (raising ``MailRefused``), then receive; what cannot be read is kept
        as a dead letter and still acknowledged, because it is stored."""
        meta = {"mail_from": mail_from, "rcpt_tos": list(rcpt_tos)}
        self.check_limits(parse_message(raw))
        try:
            return services.receive_report(report=self.parse(raw, meta), actor=None)
        except (ParseError, InvalidInput) as exc:
            return services.keep_dead_letter(
                channel=self.name, raw=raw, error=exc.message, source=mail_from, meta=meta
            )


def smtp_reply(outcome: Result | DeadLetter) -> str:
    if isinstance(outcome, DeadLetter):
        return f"250 2.0.0 Kept for review as dead letter {outcome.pk}"
    assert outcome.report is not None
    if outcome.outcome == Outcome.DUPLICATE:
        return f"250 2.0.0 Already received as {outcome.report.ref}"
    return f"250 2.0.0 Received as {outcome.report.ref}"


def deliver(raw: bytes, mail_from: str, rcpt_tos: Sequence[str]) -> str:
    """One message, start to SMTP reply. Runs in a worker thread with its own connection."""
    close_old_connections()
    try:
        return smtp_reply(EmailChannel().receive(raw, mail_from=mail_from, rcpt_tos=rcpt_tos))
    except MailRefused as exc:
        return exc.reply
    except Exception:
        logger.exception("intake mail from %s could not be stored", mail_from)
        return "451 4.3.0 Temporary failure storing the message; please retry"
    finally:
        close_old_connections()


def _known_address(address: str) -> bool:
    close_old_connections()
    return IntakeAddress.objects.filter(address__iexact=address.strip(), active=True).exists()


class IntakeSMTPHandler:
    """aiosmtpd handler: refuses unknown recipients at RCPT, stores at DATA."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not await sync_to_async(_known_address)(address):
            return f"550 5.1.1 <{address}>: no such intake address"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        return await sync_to_async(deliver)(raw, envelope.mail_from or "", envelope.rcpt_tos)
