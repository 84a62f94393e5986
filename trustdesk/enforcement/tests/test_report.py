"""Transparency-report figures against counts and medians worked out by hand."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook

from trustdesk.enforcement import report, services
from trustdesk.enforcement.tests.factories import make_decision
from trustdesk.intake.models import Report
from trustdesk.intake.tests.factories import make_report
from trustdesk.regulatory.models import RegulatoryRequest
from trustdesk.regulatory.tests.factories import make_request, utc

TEMPLATE = (
    Path(__file__).resolve().parents[3]
    / ".."
    / "shared"
    / "reference"
    / "dsa-transparency-template.reconstructed.json"
)
PERIOD = report.Period(date(2026, 7, 1), date(2026, 12, 31))
HATE = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(utc("2026-11-25 12:00"), tick=False):
        yield


def _order(actor, rule, authority, received, *, ack=None, effect=None, items=(), accounts=()):
    made = make_request(
        actor=actor,
        rule=rule,
        authority=authority,
        received_at=utc(received),
        title="Order",
        content_items=items,
        accounts=accounts,
    )
    start = made.received_at
    stamps = {"acknowledged_at": start + timedelta(hours=ack) if ack is not None else None}
    field = "actioned_at" if rule == report.ART9 else "responded_at"
    stamps[field] = start + timedelta(hours=effect) if effect is not None else None
    RegulatoryRequest.objects.filter(pk=made.pk).update(**stamps)


@pytest.fixture
def orders(lead):
    _order(
        lead, report.ART9, "FR-ARCOM", "2026-11-01 10:00", ack=2, effect=10, items=["a", "b", "c"]
    )
    _order(
        lead,
        report.ART9,
        "IE-CNAM",
        "2026-11-02 10:00",
        ack=4,
        effect=30,
        items=["d"],
        accounts=["u1"],
    )
    _order(lead, report.ART9, "FR-ARCOM", "2026-11-03 10:00", ack=6)
    _order(lead, report.ART10, "FR-ARCOM", "2026-11-04 10:00", ack=1, effect=48)
    _order(lead, report.ART9, "FR-ARCOM", "2026-06-30 10:00", ack=1, effect=1)  # before the period


def _notice(received, reporter_type="user"):
    made = make_report(
        text=f"Hateful post reported {received}",
        url=f"https://x.example/{received}",
        received_at=utc(received),
    )
    Report.objects.filter(pk=made.pk).update(reporter_type=reporter_type, verified=True)


@pytest.fixture
def notices(im, incident):
    _notice("2026-11-10 00:00")
    _notice("2026-11-11 00:00", "trusted_flagger")
    _notice("2026-11-12 00:00")
    _notice("2026-11-12 01:00", "internal")  # not a notice
    made = {}
    for name, source, ground, received, hours in [
        ("d1", "article_16", "illegal_content", "2026-11-10 00:00", 6),
        ("d2", "trusted_flagger", "illegal_content", "2026-11-11 00:00", 2),
        ("d3", "article_16", "incompatible_content", "2026-11-12 00:00", 24),
    ]:
        applied = (utc(received) + timedelta(hours=hours)).isoformat()
        made[name] = make_decision(
            actor=im,
            incident=incident,
            puid=name,
            source_type=source,
            ground=ground,
            tos_clause="Rule 4",
            tos_explanation="Spam",
            notice_received_at=utc(received).isoformat(),
            decided_at=applied,
            applied_at=applied,
            category=HATE,
            content_date="2026-11-01",
        )
    return made


@pytest.fixture
def own_initiative(im, incident):
    common = {
        "source_type": "own_initiative",
        "decided_at": "2026-11-20T08:00:00Z",
        "applied_at": "2026-11-20T08:00:00Z",
    }
    make_decision(
        actor=im,
        incident=incident,
        puid="o1",
        restriction="visibility_removed",
        automated_detection=True,
        category="STATEMENT_CATEGORY_VIOLENCE",
        **common,
    )
    make_decision(
        actor=im,
        incident=incident,
        puid="o2",
        restriction="account_suspended",
        category="STATEMENT_CATEGORY_VIOLENCE",
        **common,
    )
    make_decision(
        actor=im,
        incident=incident,
        puid="o3",
        restriction="visibility_labelled",
        ground="incompatible_content",
        tos_clause="Rule 9",
        tos_explanation="Scam ad",
        category="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        **common,
    )
    make_decision(
        actor=im,
        incident=incident,
        puid="o4",
        restriction="provision_partial_suspension",
        source_type="own_initiative",
        decided_at="2026-06-15T08:00:00Z",
        content_date="2026-06-01",
    )


def _build():
    return report.build(period=PERIOD, service="ExampleTube", published=date(2027, 1, 15))


def _find(rows, **match):
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, found
    return found[0]


ITEMS = (
    "Number of specific items of information included in the total number of orders to act "
    "against illegal content"
)
ACK_ACT = (
    "Median time to inform the authority of the receipt of the order to act against illegal content"
)
ACK_INFO = "Median time to inform the authority of the receipt of the order to provide information"


def test_it_counts_orders_and_their_medians_by_member_state(orders):
    rows = _build()["3_member_states_orders"]
    total = _find(rows, **{"Category of illegal content": "TOTAL", "Scope": "TOTAL"})
    assert total["Number of orders to act against illegal content received"] == 3
    assert total[ITEMS] == 5
    assert total[ACK_ACT] == 4.0
    assert total["Median time to give effect to the order to act against illegal content"] == 20.0
    assert total["Number of orders to provide information"] == 1
    assert total[ACK_INFO] == 1.0
    assert total["Median time to give effect to the order to provide information"] == 48.0
    france = _find(rows, **{"Category of illegal content": "TOTAL", "Scope": "FR"})
    assert france["Number of orders to act against illegal content received"] == 2
    assert france["Median time to give effect to the order to act against illegal content"] == 10.0
    ireland = _find(rows, **{"Category of illegal content": "TOTAL", "Scope": "IE"})
    assert ireland[ITEMS] == 2
    assert ireland["Median time to give effect to the order to provide information"] == ""
    assert total["Reporting period"] == "2026-07-01/2026-12-31"


def test_it_counts_notices_trusted_flagger_share_and_time_to_action(notices):
    rows = _build()["4_notices"]
    total = _find(rows, **{"Category of illegal content": "TOTAL"})
    assert total["Number of notices received "] == 3
    assert total["Number of notices received from Trusted flaggers"] == 1
    assert (
        total["Number of specific items of information included in the total number of notices"]
        == 3
    )
    assert total["Median time to take action"] == 6.0
    assert total["Median time to take action (Trusted Flagger notices)"] == 2.0
    assert total["Number of actions taken on the basis of the law"] == 2
    assert total["Number of actions taken on the basis of the law (Trusted Flagger notices)"] == 1
    assert (
        total["Number of actions taken on the basis of the terms and conditions of the service"]
        == 1
    )
    assert (
        "33.3%"
        in total["Contextual information on Number of notices received from Trusted flaggers"]
    )
    hate = _find(rows, **{"Category of illegal content": HATE})
    assert hate["Number of actions taken on the basis of the law"] == 2


def test_it_counts_own_initiative_measures_by_restriction(own_initiative):
    built = _build()
    illegal = _find(built["5_own_initiative_illegal"], **{"Category of illegal content": "TOTAL"})
    assert illegal["Number of measures taken at the provider's own initiative "] == 2
    assert illegal["Number of measures taken after detection with solely automated means "] == 1
    assert illegal["Visibility restriction Removal"] == 1
    assert illegal["Account restriction Suspension"] == 1
    assert illegal["Provision of the service Suspension"] == 0
    terms = _find(
        built["6_own_initiative_TC"],
        **{"Category of incompatibility with the provider's terms and conditions": "TOTAL"},
    )
    assert terms["Number of measures taken at the provider's own initiative "] == 1
    assert terms["Visibility restriction Labelled "] == 1


def test_it_counts_complaints_from_appeals(im, notices):
    services.reverse_decision(
        actor=im,
        decision=notices["d1"],
        outcome="reversed",
        appealed_at=utc("2026-11-14 00:00"),
        at=utc("2026-11-14 12:00"),
    )
    services.reverse_decision(
        actor=im,
        decision=notices["d2"],
        outcome="upheld",
        appealed_at=utc("2026-11-15 00:00"),
        at=utc("2026-11-16 00:00"),
    )
    services.reverse_decision(
        actor=im,
        decision=notices["d3"],
        outcome="partially_reversed",
        appealed_at=utc("2026-11-16 00:00"),
        at=utc("2026-11-16 06:00"),
    )
    rows = _build()["7_appeals_and_recidivism"]
    values = {r["Scope"]: r["Value"] for r in rows}
    assert values == {
        "Total number": 3,
        "Decisions upheld": 1,
        "Decisions partially reversed": 1,
        "Decisions reversed": 1,
        "Median time": 12.0,
    }


def test_it_uses_exactly_the_template_headers_in_csv_and_xlsx(orders, notices):
    template = {
        s["name"]: s["columns"] for s in json.loads(TEMPLATE.read_text(encoding="utf-8"))["sheets"]
    }
    built = _build()
    with zipfile.ZipFile(io.BytesIO(report.to_csv_zip(built))) as archive:
        for sheet in built:
            reader = csv.reader(io.StringIO(archive.read(f"{sheet}.csv").decode("utf-8")))
            assert next(reader) == template[sheet]
    workbook = load_workbook(io.BytesIO(report.to_xlsx(built)))
    assert workbook.sheetnames == list(built)
    for sheet in built:
        header = [cell.value for cell in workbook[sheet][1]]
        assert header == template[sheet]
    orders_sheet = workbook["3_member_states_orders"]
    assert orders_sheet.max_row == 1 + len(built["3_member_states_orders"])
