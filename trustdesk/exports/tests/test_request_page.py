"""The request's export page: Lumen preview and button, pack download, outsiders refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from trustdesk.regulatory.tests.factories import make_request

from .conftest import utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine):
    time_machine.move_to(utc("2026-11-20 12:00"), tick=False)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_the_notice_and_the_pack_form(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", title="Ordem <b>judicial</b>")
    page = _client(im).get(f"/exports/requests/{found.pk}/").content.decode()
    assert "&quot;CourtOrder&quot;" in page
    assert "Send to Lumen" in page
    assert "Download pack" in page
    assert "<b>judicial</b>" not in page


def test_the_request_page_links_here(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19")
    page = _client(im).get(f"/regulatory/{found.pk}/").content.decode()
    assert f'href="/exports/requests/{found.pk}/"' in page


def test_it_links_a_child_safety_incident_to_its_cybertipline_page(
    im, restricted_incident, now
) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", incident=restricted_incident)
    page = _client(im).get(f"/exports/requests/{found.pk}/").content.decode()
    assert f'href="/exports/incidents/{restricted_incident.pk}/cybertip/"' in page


def test_it_explains_why_a_notice_cannot_be_sent(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", confidential=True)
    page = _client(im).get(f"/exports/requests/{found.pk}/").content.decode()
    assert "gag order" in page and "Send to Lumen" not in page


def test_it_downloads_the_pack(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19")
    response = _client(im).get(
        f"/exports/requests/{found.pk}/pack", {"recipient": "external", "language": "en"}
    )
    assert response.status_code == 200
    assert f"{found.ref}-external-en-" in response["Content-Disposition"]
    assert "cover_letter.html" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_it_refuses_outsiders(im, outsider, restricted_incident, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", incident=restricted_incident)
    client = _client(outsider)
    assert client.get(f"/exports/requests/{found.pk}/").status_code == 404
    assert client.get(f"/exports/requests/{found.pk}/pack").status_code == 404
    assert client.post(f"/exports/requests/{found.pk}/lumen").status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(im, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19")
    response = Client().get(f"/exports/requests/{found.pk}/")
    assert response.status_code == 302 and "/login" in response.url
