"""The weekly report to leads: the insights, with the numbers and a link each, as an HTML
email with the dashboard's tables attached as XLSX.

``send_weekly`` writes one notification per lead through ``notify`` (event key
``analytics.weekly.<Monday>``, so a repeated run sends nothing twice). The HTML part and the
XLSX are built when the mail is sent, for its recipient (``email_extras``, registered with
notify in ``AnalyticsConfig.ready``), so they honour what that person may see.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from trustdesk.accounts.models import Role, User
from trustdesk.audit import services as audit
from trustdesk.notify.models import Delivery
from trustdesk.notify.services import notify
from trustdesk.notify.transports import EmailExtras, absolute_link

from . import charts, exports, insights
from .metrics import Filters

EVENT_PREFIX = "analytics.weekly."
WEEKS_SHOWN = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_week(now: datetime) -> date:
    """The Monday starting the last whole week before ``now``."""
    today = now.astimezone(UTC).date()
    return today - timedelta(days=today.weekday() + 7)


def report_filters(week: date) -> Filters:
    return Filters(since=week - timedelta(weeks=WEEKS_SHOWN - 1), until=week + timedelta(days=6))


def _text(week: date, found: list[insights.Insight]) -> str:
    lines = [f"Insights for the week of {week:%Y-%m-%d}:", ""]
    lines += [f"- {i.sentence} {absolute_link(i.link)}" for i in found] or ["- Nothing stood out."]
    lines += ["", "The dashboard's tables are attached as XLSX."]
    return "\n".join(lines)


def send_weekly(*, now: datetime) -> int:
    """Notify every active lead of last week's report; returns how many were newly sent."""
    week = report_week(now)
    sent = 0
    for lead in User.objects.filter(role=Role.LEAD, is_active=True):
        with transaction.atomic():
            found = insights.compute(lead, now)
            fresh = notify(
                recipients=[lead],
                event_key=f"{EVENT_PREFIX}{week.isoformat()}",
                subject=f"trustdesk weekly insights, week of {week:%Y-%m-%d}",
                body=_text(week, found),
                link=reverse("analytics:dashboard"),
            )
            if fresh:
                audit.record(
                    actor=None,
                    action="analytics.weekly_report",
                    obj=lead,
                    after={"week": week.isoformat(), "insights": len(found)},
                )
                sent += 1
    return sent


def email_extras(delivery: Delivery) -> EmailExtras:
    """The report's HTML and XLSX for the delivery's recipient."""
    week = date.fromisoformat(delivery.event_key.removeprefix(EVENT_PREFIX))
    user = delivery.recipient
    # Figures as of the end of the reported week; insights as of sending.
    end = datetime.combine(week + timedelta(days=7), time.min, tzinfo=UTC)
    built = charts.build(user, report_filters(week), end)
    found = insights.compute(user, delivery.created_at)
    html = render_to_string(
        "analytics/weekly_email.html",
        {
            "week": week,
            "insights": [(i, absolute_link(i.link)) for i in found],
            "charts": built,
            "url": absolute_link(reverse("analytics:dashboard")),
            "weeks": WEEKS_SHOWN,
        },
    )
    sheets = exports.chart_sheets(built)
    sheets.insert(0, ("Insights", exports.INSIGHT_HEADER, exports.insight_rows(found)))
    name = f"trustdesk-weekly-{week.isoformat()}.xlsx"
    return EmailExtras(html=html, attachments=[(name, exports.as_xlsx(sheets), XLSX)])
