import io

import pytest
from PIL import Image, ImageStat

from trustdesk.audit.models import AuditEvent
from trustdesk.intake.incoming import IncomingAttachment
from trustdesk.intake.models import Attachment, EvidenceFile
from trustdesk.intake.views.evidence import reveal_token

from .factories import make_report, png_attachment, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment():
    make_report(market="MX", label="violence", attachments=(png_attachment(),))
    return Attachment.objects.select_related("evidence").get()


def test_the_default_view_is_blurred_and_greyscale(client, im, attachment):
    client.force_login(im)
    response = client.get(f"/triage/evidence/{attachment.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    shown = Image.open(io.BytesIO(response.content))
    assert shown.mode == "L"
    original = Image.open(io.BytesIO(png_bytes())).convert("L")
    # The original's sharp stripes are gone: far less contrast left.
    assert ImageStat.Stat(shown).stddev[0] < ImageStat.Stat(original).stddev[0] / 3


def test_the_original_needs_a_reveal(client, im, attachment):
    client.force_login(im)
    response = client.get(f"/triage/evidence/{attachment.pk}/original")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="evidence.reveal").exists()


def test_revealing_logs_who_what_and_category_and_then_serves_the_original(client, im, attachment):
    client.force_login(im)
    reveal = client.post(f"/triage/evidence/{attachment.pk}/reveal", HTTP_ACCEPT="application/json")
    event = AuditEvent.objects.get(action="evidence.reveal")
    assert event.actor == im
    assert event.object_id == str(attachment.pk)
    assert event.after["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert event.after["sha256"] == attachment.evidence.sha256
    original = client.get(reveal.json()["url"])
    assert original.status_code == 200
    assert original.content == png_bytes()
    assert original["Cache-Control"] == "private, no-store"
    assert original["Content-Disposition"] == "inline"
    assert "sandbox" in original["Content-Security-Policy"]


def test_a_reveal_is_for_its_user_only(client, im, lead, attachment):
    token = reveal_token(attachment, im.pk)
    client.force_login(lead)
    response = client.get(f"/triage/evidence/{attachment.pk}/original?token={token}")
    assert response.status_code == 403


def test_a_reveal_expires(client, im, attachment):
    import time_machine

    with time_machine.travel("2026-11-25 10:00Z", tick=False) as clock:
        token = reveal_token(attachment, im.pk)
        client.force_login(im)
        clock.shift(121)
        response = client.get(f"/triage/evidence/{attachment.pk}/original?token={token}")
    assert response.status_code == 403


def test_a_file_that_is_not_an_image_downloads_and_never_renders(client, im):
    pdf = IncomingAttachment("notice.pdf", "application/pdf", b"%PDF-1.4 not really")
    make_report(market="MX", attachments=(pdf,))
    attachment = Attachment.objects.get()
    client.force_login(im)
    assert client.get(f"/triage/evidence/{attachment.pk}").status_code == 404
    url = client.post(
        f"/triage/evidence/{attachment.pk}/reveal", HTTP_ACCEPT="application/json"
    ).json()["url"]
    response = client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="notice.pdf"'


def test_a_fake_image_is_not_treated_as_one():
    fake = IncomingAttachment("cat.png", "image/png", b"<script>alert(1)</script>")
    with pytest.raises(Exception, match="not accepted as evidence"):
        make_report(market="MX", attachments=(fake,))


def test_the_same_file_is_stored_once(evidence_root):
    make_report(text="first sighting", attachments=(png_attachment(),))
    make_report(text="second, totally different words", attachments=(png_attachment("b.png"),))
    assert EvidenceFile.objects.count() == 1
    assert Attachment.objects.count() == 2
    sha = EvidenceFile.objects.get().sha256
    assert (evidence_root / "evidence" / sha[:2] / sha[2:4] / sha).read_bytes() == png_bytes()


def test_sensitive_text_is_behind_a_content_warning(client, im):
    report = make_report(market="MX", label="self_harm", text="Graphic description here")
    client.force_login(im)
    body = client.get(f"/triage/groups/{report.group_id}/").content.decode()
    assert '<details class="cw"><summary>Content warning: Self-harm' in body
    assert body.index("Content warning") < body.index("Graphic description here")
