"""The regime pack: what ships, how it loads, and how history survives changes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from trustdesk.audit.models import AuditEvent
from trustdesk.lib.errors import InvalidInput
from trustdesk.regulatory import regimes, rulebook
from trustdesk.regulatory.models import Authority, Jurisdiction, Rule, RuleVersion
from trustdesk.regulatory.regimes import PackError, read_pack, verification_of

from .factories import make_request, utc

pytestmark = pytest.mark.django_db

MODELS = regimes.Models(Jurisdiction, Authority, Rule, RuleVersion)

# Rows of reference/regulatory-regimes.md per jurisdiction; a row may become several rules
# (e.g. India's 36 h and 3 h versions of r. 3(1)(d)), never fewer.
REFERENCE_ROWS = {
    "US": 6, "CA": 5, "BR": 11, "MX": 2, "AR": 2, "CO": 2, "CL": 2, "PE": 1,
    "EU": 11, "DE": 1, "GB": 3, "AU": 5, "IN": 5, "SG": 4,
}  # fmt: skip


def test_every_reference_row_ships_with_its_citation_and_verification() -> None:
    pack = read_pack()
    for code, rows in REFERENCE_ROWS.items():
        rules = [r for r in pack.rules if r["jurisdiction"] == code]
        assert len(rules) >= rows, code
    for rule in pack.rules:
        assert rule["citation"], rule["code"]
        assert rule["verification"] in ("V", "S", "G"), rule["code"]
        assert rule["basis"], rule["code"]


def test_the_pack_is_loaded_by_the_migration() -> None:
    assert Rule.objects.count() == len(read_pack().rules)
    assert not Rule.objects.filter(current=None).exists()
    assert RuleVersion.objects.filter(number=1, source="pack").count() == Rule.objects.count()


def test_a_mixed_mark_takes_its_weakest_part() -> None:
    assert verification_of("V/G") == "G"
    assert verification_of("V/S!") == "S"
    assert verification_of("V!") == "V"
    version = Rule.objects.get(code="IN-ITR-3-2-B-2H").current
    assert (version.verification, version.uncertain) == ("S", True)


def test_loading_again_changes_nothing() -> None:
    report = regimes.load_pack(MODELS)
    assert report.created == report.updated == report.kept_local == []
    assert RuleVersion.objects.count() == Rule.objects.count()


def test_a_changed_rule_gets_a_new_version_and_requests_keep_theirs(im) -> None:
    request = make_request(actor=im, rule="AU-OSA-S88", received_at=utc("2026-11-20 10:00"))
    due = request.due_at
    pack = read_pack()
    pack.rule("AU-OSA-S88")["duration"] = 12
    report = regimes.load_pack(MODELS, pack)
    assert report.updated == ["AU-OSA-S88"]
    rule = Rule.objects.get(code="AU-OSA-S88")
    assert (rule.current.number, rule.current.duration) == (2, 12)
    request.refresh_from_db()
    assert request.rule_version.number == 1
    assert request.due_at == due
    assert list(rule.versions.values_list("number", flat=True)) == [2, 1]


def test_an_administrators_edit_survives_a_reload_unless_overwritten(admin) -> None:
    rule = Rule.objects.get(code="EU-DSA-ART22")
    rulebook.save_version(
        actor=admin, rule=rule, values={"duration": 6}, change_note="Internal SLA tightened"
    )
    pack = read_pack()
    pack.rule("EU-DSA-ART22")["notes"] = "Updated upstream."
    report = regimes.load_pack(MODELS, pack)
    assert report.kept_local == ["EU-DSA-ART22"]
    assert Rule.objects.get(code="EU-DSA-ART22").current.duration == 6
    report = regimes.load_pack(MODELS, pack, overwrite_local=True)
    current = Rule.objects.get(code="EU-DSA-ART22").current
    assert (current.number, current.duration, current.source) == (3, 12, "pack")
    assert AuditEvent.objects.filter(action="regulatory.rule.revise").count() == 1


def test_an_edit_needs_a_note_and_a_computable_clock(admin) -> None:
    rule = Rule.objects.get(code="EU-DSA-ART22")
    with pytest.raises(InvalidInput) as caught:
        rulebook.save_version(actor=admin, rule=rule, values={"duration": 6}, change_note="")
    assert caught.value.field == "change_note"
    with pytest.raises(InvalidInput) as caught:
        rulebook.save_version(actor=admin, rule=rule, values={"tz": "Mars/Base"}, change_note="x")
    assert caught.value.field == "clock_kind"
    assert Rule.objects.get(code="EU-DSA-ART22").current.number == 1


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "xx.toml").write_text(text, encoding="utf-8")
    return tmp_path


HEADER = 'jurisdiction = "XX"\nname = "Test"\nregion = "EMEA"\ntz = "Europe/Paris"\n'
RULE = """
[[rules]]
code = "XX-1"
title = "T"
instrument = "I"
request_type = "R"
clock = "hours"
duration = 24
clock_start = "receipt"
deadline_for = "actioned"
basis = "V"
citation = "C"
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('colour = "red"\n', "unknown key 'colour'"),
        ('authority = "NOPE"\n', "unknown authority 'NOPE'"),
        ('effective_from = "2026-01-01"\n', "must be a TOML date"),
        ('tz = "Mars/Base"\n', "unknown time zone"),
    ],
)
def test_a_broken_pack_file_names_the_rule_and_the_key(tmp_path, extra, message) -> None:
    directory = _write(tmp_path, HEADER + RULE + extra)
    with pytest.raises(PackError, match=message) as caught:
        read_pack(directory)
    assert "XX-1" in str(caught.value)


def test_the_command_checks_and_loads(tmp_path) -> None:
    out = StringIO()
    call_command("load_regimes", "--check", stdout=out)
    assert "71 rules read" in out.getvalue()
    out = StringIO()
    call_command("load_regimes", stdout=out)
    assert "created 0, updated 0, unchanged 71, kept local edits 0" in out.getvalue()
    directory = _write(tmp_path, HEADER + RULE.replace('"hours"', '"fortnights"'))
    with pytest.raises(CommandError):
        call_command("load_regimes", "--dir", str(directory), stdout=StringIO())


def _admin_form_data(version: RuleVersion, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {}
    for name in rulebook.EDITABLE:
        value = getattr(version, name)
        if name == "authority":
            value = version.authority_id or ""
        elif name in ("default_actions", "closures"):
            value = json.dumps(value)
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_saving_a_rule_in_the_admin_adds_a_version(admin) -> None:
    client = Client()
    client.force_login(admin)
    rule = Rule.objects.get(code="EU-DSA-ART22")
    first = rule.current
    url = f"/admin/regulatory/ruleversion/{first.pk}/change/"
    refused = client.post(url, _admin_form_data(first, duration=6))
    assert refused.status_code == 200  # no change note: the form comes back with the error
    assert "Say what changed" in refused.content.decode()
    response = client.post(url, _admin_form_data(first, duration=6, change_note="SLA: 6 h"))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.current.number, rule.current.duration, rule.current.source) == (2, 6, "admin")
    first.refresh_from_db()
    assert first.duration == 12  # the old version is untouched
    assert client.post(url, _admin_form_data(first, duration=3, change_note="x")).status_code == 403
