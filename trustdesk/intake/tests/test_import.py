"""Real files through `trustdesk import reports` and the upload page."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from trustdesk.intake.models import Report

pytestmark = pytest.mark.django_db

HEADER = ["external_id", "market", "label", "text", "url", "minors_involved", "received_at"]
ROWS = [
    ["imp-1", "BR", "dangerous_challenge", "Challenge clip in schools", "https://v.example/1",
     "no", "2026-11-20T10:00:00Z"],
    ["imp-2", "XX", "scam", "Crypto giveaway scam", "https://v.example/2", "no", ""],
    ["imp-3", "MX", "harassment", "Harassment of a streamer", "https://v.example/3", "maybe", ""],
    ["imp-4", "IN", "hate", "Hate speech wave after the match", "https://v.example/4", "yes", ""],
]  # fmt: skip


def _csv(path, rows=ROWS):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _xlsx(path, rows=ROWS):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _run(path, mode):
    out = io.StringIO()
    call_command("import", "reports", str(path), "--mode", mode, "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_all_or_nothing_stores_nothing_and_names_each_bad_row(tmp_path, make):
    path = make(tmp_path / f"reports.{make.__name__[1:]}")
    with pytest.raises(CommandError, match="nothing stored: 2 of 4 rows are wrong"):
        _run(path, "all-or-nothing")
    assert not Report.objects.exists()


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_skip_bad_rows_stores_the_good_rows_and_reports_the_bad(tmp_path, make):
    path = make(tmp_path / f"reports.{make.__name__[1:]}")
    output = _run(path, "skip-bad-rows")
    assert "row 3: market: Unknown market 'XX'" in output
    assert "row 4: minors_involved: 'maybe' is not yes or no." in output
    assert "2 stored, 0 already received, 2 bad rows skipped, of 4 rows" in output
    assert sorted(Report.objects.values_list("external_id", flat=True)) == ["imp-1", "imp-4"]
    first = Report.objects.get(external_id="imp-1")
    assert first.channel == "import"
    assert first.received_at.isoformat() == "2026-11-20T10:00:00+00:00"
    assert Report.objects.get(external_id="imp-4").minors_involved


def test_importing_the_same_file_twice_stores_nothing_twice(tmp_path):
    rows = [[*row[:1], "BR", *row[2:]] for row in ROWS if row[5] != "maybe"]
    rows[0][0] = ""  # no external id: the row's content identifies it
    path = _csv(tmp_path / "again.csv", rows)
    _run(path, "all-or-nothing")
    output = _run(path, "all-or-nothing")
    assert "0 stored, 3 already received" in output
    assert Report.objects.count() == 3


def test_an_unknown_column_refuses_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,colour\nhello,blue\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Unknown column"):
        _run(path, "skip-bad-rows")


def test_the_errors_file_lists_the_bad_rows(tmp_path):
    path = _csv(tmp_path / "reports.csv")
    errors = tmp_path / "errors.csv"
    call_command(
        "import", "reports", str(path), "--mode", "skip-bad-rows", "--no-progress",
        "--errors", str(errors), stdout=io.StringIO(),
    )  # fmt: skip
    lines = errors.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,field,message"
    assert lines[1].startswith("3,market,")


def test_the_upload_page_imports_and_shows_row_errors(client, im, tmp_path):
    path = _xlsx(tmp_path / "upload.xlsx")
    client.force_login(im)
    with path.open("rb") as fh:
        response = client.post("/triage/import/", {"file": fh, "mode": "skip-bad-rows"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 reports stored" in body
    assert "Unknown market" in body
    assert Report.objects.count() == 2


def test_stakeholders_cannot_import(client, stakeholder):
    client.force_login(stakeholder)
    assert client.get("/triage/import/").status_code == 403


def test_an_upload_that_stores_nothing_answers_422(client, im, tmp_path):
    path = _csv(tmp_path / "upload.csv")
    client.force_login(im)
    with path.open("rb") as fh:
        response = client.post("/triage/import/", {"file": fh, "mode": "all-or-nothing"})
    assert response.status_code == 422
    assert "Nothing was stored" in response.content.decode()
    assert not Report.objects.exists()
