"""Real SMTP sessions (smtplib) against the aiosmtpd listener that `trustdesk smtpd` runs."""

import hashlib
import smtplib
import socket
from email.message import EmailMessage

import pytest

from trustdesk.intake.management.commands.smtpd import make_controller
from trustdesk.intake.models import DeadLetter, Report, ReporterType

from .factories import png_bytes

REPORTS = "reports@intake.trustdesk.localhost"
REGULATORS = "regulators@intake.trustdesk.localhost"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(committed_taxonomy, settings):
    settings.INTAKE_MAX_ATTACHMENT_BYTES = 200_000
    controller = make_controller("127.0.0.1", _free_port())
    controller.start()
    client = smtplib.SMTP(controller.hostname, controller.port, timeout=10)
    yield client
    client.quit()
    controller.stop()


def _message(
    *,
    to=REPORTS,
    sender="Ana Souza <ana@example.com.br>",
    subject="Challenge video",
    body="A dangerous challenge video: https://video.example/watch/1",
    msgid=None,
):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = msgid or "<m1@example.com.br>"
    msg.set_content(body)
    return msg


def test_a_message_with_attachments_becomes_a_report_with_evidence(smtp):
    msg = _message()
    image = png_bytes()
    msg.add_attachment(image, maintype="image", subtype="png", filename="screenshot.png")
    msg.add_attachment(b"call log", maintype="text", subtype="plain", filename="log.txt")
    refused = smtp.send_message(msg)
    assert refused == {}
    report = Report.objects.get()
    assert report.channel == "email"
    assert report.external_id == "m1@example.com.br"
    assert report.reporter_contact == "ana@example.com.br"
    assert report.items.get().url == "https://video.example/watch/1"
    attachments = {a.filename: a.evidence for a in report.attachments.all()}
    assert attachments["screenshot.png"].sha256 == hashlib.sha256(image).hexdigest()
    assert attachments["screenshot.png"].is_image
    assert attachments["log.txt"].size == len(b"call log")
    assert report.raw["attachments"][0]["sha256"] == hashlib.sha256(image).hexdigest()


def test_a_non_ascii_subject_is_decoded(smtp):
    msg = _message(subject="Vídeo perigoso: desafio do apagão — urgente")
    raw = msg.as_bytes()
    assert b"=?utf-8?" in raw.lower()  # really RFC 2047-encoded on the wire
    smtp.sendmail("ana@example.com.br", [REPORTS], raw)
    assert Report.objects.get().title == "Vídeo perigoso: desafio do apagão — urgente"


def test_the_plain_part_of_a_multipart_alternative_body_is_the_text(smtp):
    msg = _message(body="Plain text version with https://video.example/watch/7")
    msg.add_alternative("<p>HTML <b>version</b> <script>alert(1)</script></p>", subtype="html")
    smtp.send_message(msg)
    report = Report.objects.get()
    assert report.text == "Plain text version with https://video.example/watch/7"
    assert "<" not in report.text


def test_an_html_only_body_is_turned_into_text_with_its_links(smtp):
    msg = _message()
    msg.set_content(
        '<p>See <a href="https://video.example/watch/9">this</a></p><script>x()</script>',
        subtype="html",
    )
    smtp.send_message(msg)
    report = Report.objects.get()
    assert "https://video.example/watch/9" in report.text
    assert "x()" not in report.text


def test_an_oversized_attachment_is_refused_with_a_clear_552(smtp):
    msg = _message()
    msg.add_attachment(b"\0" * 300_000, maintype="application", subtype="pdf", filename="big.pdf")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.send_message(msg)
    assert refused.value.smtp_code == 552
    assert b"big.pdf is 300,000 bytes; the limit is 200,000 bytes" in refused.value.smtp_error
    assert not Report.objects.exists()


def test_an_executable_attachment_is_refused(smtp):
    msg = _message()
    msg.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="a.exe"
    )
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.send_message(msg)
    assert refused.value.smtp_code == 554
    assert not Report.objects.exists()


def test_the_same_message_id_twice_stores_one_report(smtp):
    smtp.send_message(_message(msgid="<same@example.org>"))
    smtp.send_message(_message(msgid="<same@example.org>", body="Resent by a retrying MTA"))
    assert Report.objects.count() == 1
    assert Report.objects.get().text.startswith("A dangerous challenge")


def test_an_unknown_recipient_is_refused_at_rcpt(smtp):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        smtp.send_message(_message(to="nobody@intake.trustdesk.localhost"))
    code, text = refused.value.recipients["nobody@intake.trustdesk.localhost"]
    assert code == 550
    assert b"no such intake address" in text


def test_a_listed_regulator_creates_a_verified_regulator_report(smtp):
    smtp.send_message(
        _message(to=REGULATORS, sender="Arcom <signalements@arcom.fr>", msgid="<r1@arcom.fr>")
    )
    report = Report.objects.get()
    assert report.reporter_type == ReporterType.REGULATOR
    assert report.verified
    assert report.market.code == "FR"
    assert report.market_source == "jurisdiction"
    assert "regulator" in report.group.source_types


def test_an_unlisted_sender_to_the_regulator_address_is_queued_unverified(smtp):
    smtp.send_message(
        _message(to=REGULATORS, sender="Definitely Arcom <arcom@gmail.com>", msgid="<r2@x>")
    )
    report = Report.objects.get()
    assert report.reporter_type == ReporterType.USER
    assert report.claimed_reporter_type == ReporterType.REGULATOR
    assert not report.verified
    assert "gmail.com is not a listed regulator sender" in report.verification_note
    assert "regulator" not in report.group.source_types


def test_a_message_that_cannot_become_a_report_is_kept_as_a_dead_letter(smtp):
    msg = EmailMessage()
    msg["From"] = "someone@example.org"
    msg["To"] = REPORTS
    msg["Message-ID"] = "<empty@example.org>"
    smtp.send_message(msg)
    dead = DeadLetter.objects.get()
    assert dead.channel == "email"
    assert "needs text" in dead.error
    assert dead.meta["rcpt_tos"] == [REPORTS]
    assert not Report.objects.exists()


def test_a_body_in_an_unknown_charset_is_still_received(smtp):
    raw = (
        b"From: someone@example.org\r\nTo: " + REPORTS.encode() + b"\r\n"
        b"Subject: odd charset\r\nMessage-ID: <odd@example.org>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"Clip at https://video.example/watch/5 \xff\xfe\r\n"
    )
    smtp.sendmail("someone@example.org", [REPORTS], raw)
    report = Report.objects.get()
    assert report.text.startswith("Clip at https://video.example/watch/5")
