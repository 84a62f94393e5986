"""Worked examples: real rules from the regime pack, each received at a moment chosen to hit
an edge (Friday evening, a national holiday, a DST change, the Brazilian court recess, a leap
day, a rule not yet or no longer in force). Expected due times were worked out by hand from
the law's counting rule and the calendar, then written down here in UTC and local time."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from trustdesk.regulatory.clock import compute_due, in_force_on, keep_until, local_date
from trustdesk.regulatory.deadlines import build_clock
from trustdesk.regulatory.models import Authority, Rule

from .factories import local, utc

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Example:
    rule: str
    received: str  # wall time in the authority's zone
    due_utc: str
    due_local: str
    edge: str
    authority: str | None = None
    ordered: tuple[int, str] | None = None
    urgent: bool = False


# fmt: off
EXAMPLES = [
    # --- United States --------------------------------------------------------------------
    Example("US-2704A", "2026-11-27 18:45", "2026-12-02 05:00", "2026-12-02 00:00",
            "Friday evening: the weekend does not count; Mon and Tue are the 2 business days"),
    Example("US-2704A", "2026-07-02 19:30", "2026-07-08 04:00", "2026-07-08 00:00",
            "federal holiday: Fri 3 Jul (Independence Day observed) is skipped"),
    Example("US-2704A", "2028-02-25 17:30", "2028-03-01 05:00", "2028-03-01 00:00",
            "leap day: Tue 29 Feb 2028 is the second business day"),
    Example("US-TAKE-IT-DOWN", "2026-10-31 12:00", "2026-11-02 16:00", "2026-11-02 11:00",
            "US DST ends 1 Nov: 48 real hours end at 11:00 local, not 12:00"),
    # --- Canada ---------------------------------------------------------------------------
    Example("CA-MRA-S2", "2026-03-07 12:00", "2026-03-08 17:00", "2026-03-08 13:00",
            "Canadian DST starts 8 Mar: the 24 h internal target ends at 13:00 EDT"),
    # --- Brazil ---------------------------------------------------------------------------
    Example("BR-TSE-RES23610-ART38", "2026-11-19 15:00", "2026-11-20 18:00", "2026-11-20 15:00",
            "national holiday 20 Nov: an hour clock runs straight through it"),
    Example("BR-MCI-ART19", "2026-11-19 10:00", "2026-11-25 03:00", "2026-11-25 00:00",
            "order of 2 days over 20 Nov: business days skip the holiday and the weekend",
            ordered=(2, "days")),
    Example("BR-MCI-ART19", "2026-12-18 16:00", "2027-01-28 03:00", "2027-01-28 00:00",
            "court recess 20 Dec - 20 Jan: counting resumes on Thu 21 Jan",
            ordered=(5, "days")),
    Example("BR-MCI-ART19", "2026-12-18 16:00", "2026-12-29 03:00", "2026-12-29 00:00",
            "the same order marked urgent: no recess, Christmas still skipped",
            ordered=(5, "days"), urgent=True),
    Example("BR-MCI-ART19", "2026-12-18 16:00", "2026-12-19 19:00", "2026-12-19 16:00",
            "an order in hours runs continuously, recess or not", ordered=(24, "hours")),
    Example("BR-TSE-RES23714-2H", "2022-10-25 10:00", "2022-10-25 15:00", "2022-10-25 12:00",
            "historical 2022 rule, in force on its own dates"),
    # --- Mexico ---------------------------------------------------------------------------
    Example("MX-LTR-2025-DATA", "2026-09-15 20:00", "2026-09-17 02:00", "2026-09-16 20:00",
            "national holiday 16 Sep: 24 h run through Independence Day"),
    Example("MX-LGAMVLV-20SEXIES", "2026-09-15 11:00", "2026-09-22 06:00", "2026-09-22 00:00",
            "order of 3 working days from 15 Sep: 16 Sep and the weekend are skipped",
            ordered=(3, "days")),
    Example("MX-LGAMVLV-20SEXIES", "2026-09-16 09:00", "2026-09-16 17:00", "2026-09-16 11:00",
            "'immediately': the 2 h internal target applies, holiday or not"),
    # --- Argentina ------------------------------------------------------------------------
    Example("AR-LEY-27736", "2026-10-09 19:30", "2026-10-15 03:00", "2026-10-15 00:00",
            "Friday evening before the 12 Oct holiday: Tue and Wed are the 2 days",
            ordered=(2, "days")),
    Example("AR-RODRIGUEZ-GOOGLE", "2026-10-09 19:30", "2026-10-10 22:30", "2026-10-10 19:30",
            "no fixed term: internal target of 24 h"),
    # --- Colombia -------------------------------------------------------------------------
    Example("CO-LEY1581-ACCESS", "2026-12-18 18:00", "2027-01-06 05:00", "2027-01-06 00:00",
            "Friday evening before Christmas: 25 Dec and 1 Jan are not business days"),
    Example("CO-LEY1581-COMPLAINT", "2026-03-16 09:00", "2026-04-10 05:00", "2026-04-10 00:00",
            "15 business days over St Joseph (23 Mar), Maundy Thursday and Good Friday"),
    # --- Chile ----------------------------------------------------------------------------
    Example("CL-LEY21719-DSR", "2026-12-01 10:00", "2027-01-01 03:00", "2027-01-01 00:00",
            "first day in force; 30 calendar days end at midnight in summer time (-03)"),
    Example("CL-LEY21719-DSR", "2027-03-05 10:00", "2027-04-05 04:00", "2027-04-05 00:00",
            "Chile DST ends 3/4 Apr: the deadline's midnight is at -04"),
    Example("CL-LEY21719-DSR", "2027-08-05 10:00", "2027-09-05 04:00", "2027-09-05 01:00",
            "Chile DST starts at midnight on 5 Sep: 00:00 does not exist, the day starts 01:00"),
    Example("CL-CPP-218BIS", "2026-09-05 12:00", "2026-09-06 16:00", "2026-09-06 13:00",
            "internal target across the September DST start: 24 real hours"),
    # --- European Union and Germany -------------------------------------------------------
    Example("EU-TCO-ART3-3", "2026-03-29 01:30", "2026-03-29 01:30", "2026-03-29 03:30",
            "one hour across the EU spring-forward at 02:00"),
    Example("EU-EEVIDENCE-PRODUCTION", "2026-10-15 11:00", "2026-10-26 23:00", "2026-10-27 00:00",
            "10 days end on Sunday 25 Oct (DST change): rolled to Monday"),
    Example("EU-EEVIDENCE-EMERGENCY", "2026-10-24 22:00", "2026-10-25 04:00", "2026-10-25 05:00",
            "8 hours across the autumn fall-back"),
    Example("EU-DSA-ART9", "2026-04-02 17:00", "2026-04-07 22:00", "2026-04-08 00:00",
            "order of 3 days at Arcom (FR): ends Easter Sunday, Easter Monday is a French "
            "holiday, so it rolls to Tuesday", authority="FR-ARCOM", ordered=(3, "days")),
    Example("DE-NETZDG-3-2-3", "2024-05-06 10:00", "2024-05-13 22:00", "2024-05-14 00:00",
            "repealed rule still computes for requests received while in force"),
    # --- Australia ------------------------------------------------------------------------
    Example("AU-OSA-S109", "2026-04-04 18:00", "2026-04-05 07:00", "2026-04-05 17:00",
            "Easter weekend and DST end on 5 Apr: 24 real hours end at 17:00 AEST"),
    Example("AU-BOSE-S49-56", "2026-11-27 10:00", "2026-12-28 13:00", "2026-12-29 00:00",
            "28 days end on Christmas: rolled past Boxing Day and the weekend to Mon 28 Dec"),
    Example("AU-BOSE-S49-56", "2028-02-01 10:00", "2028-02-29 13:00", "2028-03-01 00:00",
            "leap year: 28 days end on 29 Feb"),
    # --- India ----------------------------------------------------------------------------
    Example("IN-ITR-3-1-D-36H", "2026-02-19 23:00", "2026-02-21 05:30", "2026-02-21 11:00",
            "the day before the 3 h rule starts: 36 h"),
    Example("IN-ITR-3-1-D-3H", "2026-02-20 00:30", "2026-02-19 22:00", "2026-02-20 03:30",
            "first minutes of the 3 h rule (still 19 Feb in UTC)"),
    Example("IN-ITR-3-2-A-RESOLVE", "2026-11-09 10:00", "2026-11-25 18:30", "2026-11-26 00:00",
            "15 days end on Guru Nanak's birthday (Delhi holiday): rolled to the next day"),
    Example("IN-CERTIN-2022", "2028-02-29 21:00", "2028-02-29 21:30", "2028-03-01 03:00",
            "6 h from leap-day evening into 1 March"),
]
# fmt: on


def _clock(example: Example):  # type: ignore[no-untyped-def]
    rule = Rule.objects.select_related("current__authority", "jurisdiction").get(code=example.rule)
    version = rule.current
    authority = (
        Authority.objects.get(code=example.authority) if example.authority else version.authority
    )
    duration, unit = example.ordered or (None, "")
    spec = build_clock(
        version=version,
        authority=authority,
        ordered_duration=duration,
        ordered_unit=unit,
        urgent=example.urgent,
    )
    return version, spec


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.rule}:{e.received}")
def test_worked_example(example: Example) -> None:
    version, spec = _clock(example)
    received = local(example.received, spec.tz)
    assert version.in_force_on(local_date(received, spec.tz)), "rule must be in force"
    due = compute_due(spec, received)
    assert due == utc(example.due_utc), example.edge
    shown = due.astimezone(ZoneInfo(spec.tz)).strftime("%Y-%m-%d %H:%M")
    assert shown == example.due_local, example.edge


def test_the_examples_cover_twenty_rules_in_ten_jurisdictions() -> None:
    rules = {e.rule for e in EXAMPLES}
    jurisdictions = {code.split("-")[0] for code in rules}
    assert len(rules) >= 20
    assert {"BR", "MX", "AR", "CO", "CL", "US", "CA", "EU", "AU", "IN"} <= jurisdictions


@pytest.mark.parametrize(
    ("rule", "received", "tz", "in_force"),
    [
        ("US-TAKE-IT-DOWN", "2026-05-18 23:30", "America/New_York", False),  # 19 May in UTC
        ("US-TAKE-IT-DOWN", "2026-05-19 00:10", "America/New_York", True),
        ("CL-LEY21719-DSR", "2026-11-30 23:00", "America/Santiago", False),
        ("EU-EEVIDENCE-PRODUCTION", "2026-08-17 12:00", "Europe/Brussels", False),
        ("DE-NETZDG-3-2-2", "2024-05-13 23:59", "Europe/Berlin", True),
        ("DE-NETZDG-3-2-2", "2024-05-14 00:00", "Europe/Berlin", False),
        ("BR-TSE-RES23714-2H", "2026-11-19 10:00", "America/Sao_Paulo", False),
        ("IN-ITR-3-1-D-36H", "2026-02-20 00:30", "Asia/Kolkata", False),
        ("CA-C63", "2025-01-05 12:00", "America/Toronto", False),  # never law
        ("SG-OSRA-2025", "2026-11-25 12:00", "Asia/Singapore", False),  # commencement unknown
    ],
)
def test_rules_in_force_on_the_local_received_date(rule, received, tz, in_force) -> None:
    version = Rule.objects.get(code=rule).current
    day = local_date(local(received, tz), tz)
    assert in_force_on(version.effective_from, version.effective_to, day) is in_force


@pytest.mark.parametrize(
    ("rule", "received", "keep_end_utc"),
    [
        # 21 days from 10 Dec end with 31 Dec, midnight Toronto time.
        ("CA-CC-487-012-DOMESTIC", "2026-12-10 15:00", "2027-01-01 05:00"),
        # 90 days from 1 Dec 2027 land on the leap day.
        ("CL-CPP-218BIS", "2027-12-01 10:00", "2028-03-01 03:00"),
        # 6 months from 31 Aug: February has no 31st, so the leap day.
        ("BR-MCI-ART13-15", "2027-08-31 10:00", "2028-03-01 03:00"),
        # One year from a leap day ends on 28 Feb.
        ("US-2258A-H", "2028-02-29 10:00", "2029-03-01 05:00"),
    ],
)
def test_preservation_periods_end_at_local_midnight(rule, received, keep_end_utc) -> None:
    version = Rule.objects.select_related("current__authority").get(code=rule).current
    tz = version.clock_spec().tz
    end = keep_until(local(received, tz), version.keep_count, version.keep_unit, tz)
    assert end == utc(keep_end_utc)
