"""`trustdesk backup` and `trustdesk restore`: a round trip puts back every row and file."""

import io
import json
import shutil
import subprocess
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trustdesk.audit.models import AuditEvent
from trustdesk.audit.services import verify_chain
from trustdesk.incidents.models import Incident
from trustdesk.incidents.tests.factories import make_incident
from trustdesk.intake.evidence import path_of
from trustdesk.intake.models import EvidenceFile, Report
from trustdesk.intake.tests.factories import make_report, png_attachment


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def desk(transactional_db, media):
    """Committed data: the taxonomy, a person, an incident, a report with a screenshot."""
    from trustdesk.accounts.models import Role
    from trustdesk.accounts.tests.factories import UserFactory
    from trustdesk.intake.models import IntakeAddress
    from trustdesk.intake.seed import seed_addresses
    from trustdesk.taxonomy.loader import load_taxonomy
    from trustdesk.taxonomy.models import Category, Keyword, Market

    load_taxonomy(Category, Keyword, Market)
    seed_addresses(IntakeAddress)
    im = UserFactory(username="ivan.im", role=Role.INCIDENT_MANAGER, region="AMS")
    make_incident(actor=im, title="Choking challenge")
    report = make_report(attachments=(png_attachment(),))
    return EvidenceFile.objects.get(uses__report=report)


def _counts():
    return {
        "incidents": Incident.objects.count(),
        "reports": Report.objects.count(),
        "evidence": EvidenceFile.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _wipe(media):
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)


def test_it_round_trips_rows_evidence_bytes_and_the_audit_chain(desk, media, tmp_path):
    original = path_of(desk.relative_path).read_bytes()
    before = _counts()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    _wipe(media)
    assert Incident.objects.count() == 0

    call_command("restore", str(archive), stdout=io.StringIO())

    assert _counts() == before
    assert path_of(desk.relative_path).read_bytes() == original
    assert verify_chain().ok


def test_the_manifest_lists_every_file_with_its_hash_and_the_migrations(desk, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["engine"] == connection.vendor
    assert f"media/{desk.relative_path}" in manifest["files"]
    assert manifest["files"][f"media/{desk.relative_path}"] == desk.sha256
    assert names == {"manifest.json", *manifest["files"]}
    assert "0001_initial" in manifest["migrations"]["audit"]


def test_it_refuses_to_restore_over_data_without_force(desk, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty; use --force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert verify_chain().ok


def test_it_refuses_an_archive_whose_file_does_not_match_its_hash(desk, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == f"media/{desk.relative_path}":
                data = data[:-1] + b"\x00"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    _wipe(media)
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", str(tampered), stdout=io.StringIO())
    assert Incident.objects.count() == 0


def test_it_never_puts_the_database_password_on_the_command_line(desk, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump runs on PostgreSQL only")
    seen = []
    real_run = subprocess.run

    def spy(args, **kwargs):
        seen.append((args, kwargs["env"]))
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=io.StringIO())
    password = connection.settings_dict["PASSWORD"]
    ((args, env),) = seen
    assert password and not any(password in arg for arg in args)
    assert env["PGPASSWORD"] == password
