"""The PDF export: a real PDF whose pages render, with the title and the timeline in it."""

import subprocess

import pytest
from django.urls import reverse

from trustdesk.audit.models import AuditEvent
from trustdesk.incidents import services as incident_services
from trustdesk.postmortems import services

pytestmark = pytest.mark.django_db


def _url(pm):
    return reverse("postmortems:pdf", args=[pm.pk])


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "pm.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def test_the_pdf_renders_with_its_title_and_timeline(client, im, pm, tmp_path):
    incident_services.add_note(actor=im, incident=pm.incident, text="Pinned: hashes shared")
    services.update(actor=im, postmortem=pm, title="Blackout challenge: what we learnt")
    services.set_timeline(
        actor=im,
        postmortem=pm,
        event_ids=list(pm.incident.events.values_list("pk", flat=True)),
        tz="America/Mexico_City",
    )
    client.force_login(im)
    response = client.get(_url(pm))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'filename="{pm.ref}-blackout-challenge-what-we-learnt.pdf"'
        in response["Content-Disposition"]
    )
    pdf = response.content
    assert pdf.startswith(b"%PDF-")

    path = tmp_path / "pm.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages, "pdftoppm rendered no page"
    assert all(page.stat().st_size > 1000 for page in pages)

    text = _text(pdf, tmp_path)
    assert "Blackout challenge: what we learnt" in text
    assert "Timeline" in text
    assert "Status Reported → Triaged" in text
    assert "Pinned: hashes shared" in text
    assert "America/Mexico_City" in text
    assert AuditEvent.objects.filter(action="postmortem.export", object_id=str(pm.pk)).exists()


def test_a_restricted_incident_pdf_is_refused_to_a_non_member(client, restricted_pm, im2):
    client.force_login(im2)
    assert client.get(_url(restricted_pm)).status_code == 404


def test_a_restricted_incident_pdf_is_whole_and_marked_for_a_member(
    client, restricted_pm, im, tmp_path
):
    client.force_login(im)
    response = client.get(_url(restricted_pm))
    assert response.status_code == 200
    text = _text(response.content, tmp_path)
    assert "Grooming ring escalated by NCMEC" in text
    assert "RESTRICTED · need-to-know" in text


def test_rendering_fetches_nothing_from_what_people_wrote(client, im, pm, tmp_path):
    services.update(
        actor=im,
        postmortem=pm,
        summary='<img src="http://169.254.169.254/latest"> <link href="file:///etc/passwd">',
    )
    client.force_login(im)
    response = client.get(_url(pm))
    assert response.status_code == 200
    assert "169.254.169.254" in _text(response.content, tmp_path)  # shown as text, not fetched
