import pytest

from trustdesk.intake.models import Attachment, Report, ReporterType

from .factories import png_bytes

pytestmark = pytest.mark.django_db


def _form(**fields):
    data = {
        "submission_id": "a" * 32,
        "title": "Creator livestreaming a dangerous stunt",
        "text": "Seen in the Brazilian trending tab",
        "urls": "https://video.example/live/1\nhttps://video.example/live/2",
        "market": "BR",
        "category": "",
    }
    data.update(fields)
    return data


def test_any_staff_member_can_escalate(client, stakeholder):
    client.force_login(stakeholder)
    response = client.post("/triage/new/", _form())
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/triage/reports/{report.pk}/received"
    assert report.reporter_type == ReporterType.INTERNAL
    assert report.submitted_by == stakeholder
    assert report.items.count() == 2
    assert client.get(response["Location"]).status_code == 200


def test_a_double_submit_stores_one_report(client, im):
    client.force_login(im)
    client.post("/triage/new/", _form())
    client.post("/triage/new/", _form())
    assert Report.objects.count() == 1


def test_uploaded_screenshots_become_evidence(client, im):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(im)
    upload = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")
    client.post("/triage/new/", {**_form(), "uploads": [upload]})
    assert Attachment.objects.get().evidence.is_image


def test_a_bad_link_is_shown_on_the_form(client, im):
    client.force_login(im)
    response = client.post("/triage/new/", _form(urls="ftp://nope.example/file"))
    assert response.status_code == 422
    assert "Not an http(s) link." in response.content.decode()
    assert not Report.objects.exists()
