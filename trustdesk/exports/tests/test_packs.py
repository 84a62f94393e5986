"""Response packs: the ZIP's files, languages, times in the authority's zone, redaction."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest

from trustdesk.audit.models import AuditEvent
from trustdesk.enforcement.models import EnforcementDecision
from trustdesk.exports import services
from trustdesk.exports.packs import REDACTED
from trustdesk.lib.errors import InvalidInput
from trustdesk.regulatory.tests.factories import make_request

from .conftest import attach_intake, utc

pytestmark = pytest.mark.django_db

NAMED_URL = "https://video.example.com/v/named"
OTHER_URL = "https://video.example.com/v/not-named"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(utc("2026-11-21 12:00"), tick=False)


def _decision(request=None, incident=None, *, url: str, applied: str, puid: str, **kw):
    return EnforcementDecision.objects.create(
        regulatory_request=request,
        incident=incident,
        content_url=url,
        content_type="video",
        restriction="visibility_removed",
        ground="illegal_content",
        legal_ground=kw.pop("legal_ground", "Lei 12.965/2014 art. 19"),
        explanation=kw.pop("explanation", "The video shows the victim's face"),
        category="STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        source_type="authority_order",
        territorial_scope=["BR"],
        content_date=utc(applied).date(),
        decided_at=utc(applied),
        applied_at=utc(applied),
        puid=puid,
        **kw,
    )


@pytest.fixture
def brazil(im, restricted_incident, now):
    """A Brazilian court order on a restricted incident, naming one of its two videos."""
    found = make_request(
        actor=im,
        rule="BR-MCI-ART19",
        received_at=utc("2026-11-20 10:00"),
        reference="0001234-56",
        title="Remover vídeo",
        content_items=[NAMED_URL],
        incident=restricted_incident,
    )
    attach_intake(restricted_incident, url=OTHER_URL, filename="victim-name.png", sha256="d" * 64)
    _decision(found, restricted_incident, url=NAMED_URL, applied="2026-11-20 15:30", puid="p1")
    _decision(None, restricted_incident, url=OTHER_URL, applied="2026-11-20 16:00", puid="p2")
    return found


def _open(pack) -> tuple[zipfile.ZipFile, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(pack.data))
    return archive, {name: archive.read(name) for name in archive.namelist()}


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_it_packs_every_file_with_a_manifest_of_hashes(im, brazil) -> None:
    pack = services.response_pack(actor=im, request=brazil, recipient="internal")
    _, files = _open(pack)
    assert set(files) == {
        "cover_letter.html",
        "cover_letter.pdf",
        "actions.csv",
        "evidence.csv",
        "audit.json",
        "manifest.json",
    }
    assert files["cover_letter.pdf"].startswith(b"%PDF")
    manifest = json.loads(files["manifest.json"])
    assert manifest["request"] == brazil.ref and manifest["tz"] == "America/Sao_Paulo"
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
        assert len(files[entry["name"]]) == entry["size"]
    assert {e["name"] for e in manifest["files"]} == set(files) - {"manifest.json"}


def test_it_writes_times_in_the_authoritys_zone(im, brazil) -> None:
    _, files = _open(services.response_pack(actor=im, request=brazil, recipient="internal"))
    decisions = [r for r in _rows(files["actions.csv"]) if r["kind"] == "decision"]
    assert decisions[0]["time_local"] == "2026-11-20T12:30:00-03:00"
    assert decisions[0]["time_utc"] == "2026-11-20T15:30:00+00:00"
    assert "2026-11-20T07:00:00-03:00" in files["cover_letter.html"].decode()  # received
    audit = json.loads(files["audit.json"])
    assert audit and all(a["at_local"].endswith("-03:00") for a in audit)


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("pt-BR", "Medidas adotadas"), ("es", "Medidas adoptadas"), ("en", "Actions taken")],
)
def test_it_writes_the_letter_in_the_chosen_language(im, brazil, language, phrase) -> None:
    pack = services.response_pack(actor=im, request=brazil, language=language)
    _, files = _open(pack)
    assert phrase in files["cover_letter.html"].decode()
    assert json.loads(files["manifest.json"])["language"] == language


def test_it_picks_the_language_of_the_authoritys_market(im, brazil, now) -> None:
    assert services.response_pack(actor=im, request=brazil).language == "pt-BR"
    mexico = make_request(actor=im, rule="MX-LGAMVLV-20SEXIES")
    assert services.response_pack(actor=im, request=mexico).language == "es"
    australia = make_request(actor=im, rule="AU-OSA-S109")
    pack = services.response_pack(actor=im, request=australia)
    assert pack.language == "en"
    assert "Australia/Sydney" in json.loads(_open(pack)[1]["manifest.json"])["tz"]


def test_the_external_pack_redacts_what_the_request_did_not_name(im, brazil) -> None:
    _, files = _open(services.response_pack(actor=im, request=brazil, recipient="external"))
    everything = b"".join(files.values()).decode("utf-8", errors="replace")
    targets = [r["target"] for r in _rows(files["actions.csv"]) if r["kind"] == "decision"]
    assert targets == [NAMED_URL, REDACTED]
    assert OTHER_URL not in everything
    assert "victim" not in everything  # explanation and file name
    assert "Grooming ring" not in everything  # the incident's title
    evidence = _rows(files["evidence.csv"])
    assert [e["sha256"] for e in evidence] == ["d" * 64]  # hashes stay
    assert evidence[0]["file_name"] == REDACTED
    audit = json.loads(files["audit.json"])
    assert audit and all("before" not in a and "actor" not in a for a in audit)


def test_the_internal_pack_is_complete(im, brazil) -> None:
    _, files = _open(services.response_pack(actor=im, request=brazil, recipient="internal"))
    targets = [r["target"] for r in _rows(files["actions.csv"]) if r["kind"] == "decision"]
    assert targets == [NAMED_URL, OTHER_URL]
    assert _rows(files["evidence.csv"])[0]["file_name"] == "victim-name.png"


def test_an_unrestricted_incident_is_not_redacted(im, incident, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", incident=incident)
    _decision(None, incident, url=OTHER_URL, applied="2026-11-20 16:00", puid="p3")
    _, files = _open(services.response_pack(actor=im, request=found, recipient="external"))
    assert [r["target"] for r in _rows(files["actions.csv"]) if r["kind"] == "decision"] == [
        OTHER_URL
    ]


def test_it_audits_each_pack(im, brazil) -> None:
    services.response_pack(actor=im, request=brazil, recipient="external", language="es")
    event = AuditEvent.objects.get(action="exports.response_pack")
    assert event.after["recipient"] == "external" and event.after["language"] == "es"
    assert event.object_id == str(brazil.pk)


def test_it_refuses_an_unknown_recipient_or_language(im, brazil) -> None:
    with pytest.raises(InvalidInput) as bad:
        services.response_pack(actor=im, request=brazil, recipient="press")
    assert bad.value.field == "recipient"
    with pytest.raises(InvalidInput) as bad:
        services.response_pack(actor=im, request=brazil, language="fr")
    assert bad.value.field == "language"
    assert not AuditEvent.objects.filter(action="exports.response_pack").exists()


def test_spreadsheet_formulas_in_free_text_arrive_as_text(im, incident, now) -> None:
    found = make_request(actor=im, rule="BR-MCI-ART19", incident=incident)
    _decision(
        None,
        incident,
        url=OTHER_URL,
        applied="2026-11-20 16:00",
        puid="p4",
        explanation='=HYPERLINK("http://evil.example","open")',
    )
    _, files = _open(services.response_pack(actor=im, request=found, recipient="internal"))
    text = files["actions.csv"].decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
