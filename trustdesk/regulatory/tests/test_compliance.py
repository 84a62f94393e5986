"""Did we meet every order, and how fast? Figures checked against hand-computed values."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from trustdesk.accounts.tests.apiclient import as_user
from trustdesk.regulatory import compliance, responses, services
from trustdesk.regulatory.compliance import median, percentile, quarter_bounds

from .factories import make_request, utc

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def test_median_and_nearest_rank_p90() -> None:
    values = [H * n for n in (5, 1, 4, 2, 3)]
    assert median(values) == 3 * H
    assert median(values[:4]) == 3 * H  # 1, 2, 4, 5 -> (2 + 4) / 2
    assert percentile(values, 0.9) == 5 * H  # rank ceil(4.5) = 5
    ten = [H * n for n in range(1, 11)]
    assert percentile(ten, 0.9) == 9 * H  # rank 9 of 10
    assert median([]) is None and percentile([], 0.9) is None


def test_quarters() -> None:
    assert quarter_bounds(date(2026, 11, 25)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_bounds(date(2026, 2, 1)) == (date(2026, 1, 1), date(2026, 3, 31))


def _handled(actor, time_machine, *, received: str, ack_after: float, act_after: float | None):
    """A 24 h eSafety notice acknowledged and actioned after the given hours."""
    start = utc(received)
    time_machine.move_to(start, tick=False)
    request = make_request(actor=actor, rule="AU-OSA-S109", received_at=start)
    time_machine.move_to(start + ack_after * H, tick=False)
    services.transition(actor=actor, request=request, to="acknowledged")
    if act_after is not None:
        time_machine.move_to(start + act_after * H, tick=False)
        services.record_action(actor=actor, request=request)
    return request


@pytest.fixture
def brazil_and_australia(im, time_machine):
    # Australia: acknowledged after 1, 2, 3, 10 h; actioned after 4, 6, 30 (late) h, one open.
    made = [
        _handled(im, time_machine, received="2026-10-05 00:00", ack_after=1, act_after=4),
        _handled(im, time_machine, received="2026-10-06 00:00", ack_after=2, act_after=6),
        _handled(im, time_machine, received="2026-10-07 00:00", ack_after=3, act_after=30),
        _handled(im, time_machine, received="2026-10-08 00:00", ack_after=10, act_after=None),
    ]
    # Brazil: a TSE order actioned in 5 h, and one withdrawn.
    time_machine.move_to(utc("2026-11-02 12:00"), tick=False)
    tse = make_request(actor=im, rule="BR-TSE-RES23610-ART38", received_at=utc("2026-11-02 12:00"))
    time_machine.move_to(utc("2026-11-02 13:00"), tick=False)
    services.transition(actor=im, request=tse, to="acknowledged")
    time_machine.move_to(utc("2026-11-02 17:00"), tick=False)
    services.record_action(actor=im, request=tse)
    withdrawn = make_request(
        actor=im, rule="BR-TSE-RES23610-ART38", received_at=utc("2026-11-02 12:00")
    )
    services.transition(actor=im, request=withdrawn, to="withdrawn", reason="Order revoked")
    time_machine.move_to(utc("2026-11-25 12:00"), tick=False)
    return made, tse


def test_figures_per_jurisdiction_match_the_hand_count(brazil_and_australia, im) -> None:
    requests = compliance.filtered(
        services.RegulatoryRequest.objects.visible_to(im), compliance.Filters(group="jurisdiction")
    )
    rows, total = compliance.figures(requests, "jurisdiction")
    au = next(r for r in rows if r.key == "AU")
    # Met: 4 h and 6 h. Breached: 30 h, and the open one (its 24 h passed long ago).
    assert (au.requests, au.met, au.breached, au.pending, au.withdrawn) == (4, 2, 2, 0, 0)
    assert au.ack_median == 2.5 * H  # 1, 2, 3, 10
    assert au.ack_p90 == 10 * H  # rank ceil(3.6) = 4
    assert au.act_median == 6 * H  # 4, 6, 30
    assert au.act_p90 == 30 * H
    br = next(r for r in rows if r.key == "BR")
    assert (br.requests, br.met, br.breached, br.withdrawn) == (2, 1, 0, 1)
    assert br.act_median == 5 * H
    assert (total.requests, total.met, total.breached) == (6, 3, 2)
    assert total.met_rate == 3 / 5


def test_the_api_gives_the_same_figures_per_rule(brazil_and_australia, im) -> None:
    body = (
        as_user(im)
        .get(
            "/api/v1/regulatory/compliance",
            {"group": "rule", "received_from": "2026-10-01", "received_to": "2026-10-31"},
        )
        .json()
    )
    assert [row["key"] for row in body["rows"]] == ["AU-OSA-S109"]
    row = body["rows"][0]
    assert (row["met"], row["breached"], row["ack_median_seconds"]) == (2, 2, 2.5 * 3600)


def test_csv_and_xlsx_exports(brazil_and_australia, im) -> None:
    client = Client()
    client.force_login(im)
    query = "received_from=2026-10-01&received_to=2026-12-31&group=jurisdiction"
    summary = client.get(f"/regulatory/compliance/export?{query}&format=csv")
    assert summary["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(summary.content.decode())))
    assert rows[0][:4] == ["group", "requests", "met", "breached"]
    australia = next(r for r in rows if r[0] == "Australia (AU)")
    assert australia[1:4] == ["4", "2", "2"]
    assert australia[7] == "2.5"  # median hours to acknowledge
    detail = client.get(f"/regulatory/compliance/export?{query}&format=csv-requests")
    lines = list(csv.DictReader(io.StringIO(detail.content.decode())))
    assert {line["result"] for line in lines} == {"met", "breached", "withdrawn"}
    assert lines[0]["due (authority time)"] == "2026-10-06 11:00 Australia/Sydney"
    book = client.get(f"/regulatory/compliance/export?{query}&format=xlsx")
    workbook = load_workbook(io.BytesIO(book.content))
    assert workbook.sheetnames == ["Summary", "Requests"]
    assert workbook["Requests"].max_row == 1 + 6


def test_evidence_hashes_appear_in_the_request_export(im, time_machine) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    time_machine.move_to(utc("2026-11-20 10:00"), tick=False)
    request = make_request(actor=im, received_at=utc("2026-11-20 10:00"))
    services.transition(actor=im, request=request, to="acknowledged")
    responses.add_evidence(actor=im, request=request, upload=SimpleUploadedFile("=cmd.txt", b"x"))
    row = compliance.request_row(request)
    assert "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881" in row[-1]
    text = compliance.as_csv(compliance.REQUEST_HEADER, [row])
    assert ",'=cmd.txt " in text  # a formula-looking cell is defused


def test_the_page_defaults_to_this_quarter(brazil_and_australia, im) -> None:
    client = Client()
    client.force_login(im)
    page = client.get("/regulatory/compliance/").content.decode()
    assert "Australia (AU)" in page and "Brazil (BR)" in page
    assert 'value="2026-10-01"' in page
