from datetime import UTC, datetime, timedelta

import pytest

from trustdesk.audit.models import AuditEvent
from trustdesk.intake import services
from trustdesk.intake.models import GroupStatus, ReportGroup
from trustdesk.taxonomy.models import Category, Market

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _raise(count: int = 30, **kwargs):
    args = {
        "key": "spike-7",
        "title": "Suspected: self-harm rising in Mexico",
        "summary": "30 reports in 1 hour against 2.1 expected",
        "category": Category.objects.get(code="STATEMENT_CATEGORY_SELF_HARM"),
        "market": Market.objects.get(code="MX"),
        "first_seen_at": AT,
        "last_seen_at": AT + timedelta(hours=1),
        "report_count": count,
        "evidence": ["Spike: 30 reports against 2.1 expected (p = 1.0e-12)"],
    }
    return services.raise_suspected_group(**{**args, **kwargs})


def test_it_puts_a_suspected_incident_in_the_triage_queue():
    group, created = _raise()
    assert created and group.status == GroupStatus.OPEN
    assert ReportGroup.objects.open().filter(pk=group.pk).exists()
    assert group.markets == ["MX"] and group.region == "AMS" and group.source_types == ["detection"]
    assert group.severity_reasons[0].startswith("Spike: 30 reports")
    assert group.suggested_severity
    assert AuditEvent.objects.filter(action="intake.group.suspected").count() == 1


def test_the_same_key_refreshes_the_item_instead_of_adding_one():
    first, _ = _raise()
    again, created = _raise(count=55, last_seen_at=AT + timedelta(hours=2))
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert again.report_count == 55 and again.last_seen_at == AT + timedelta(hours=2)
    assert ReportGroup.objects.count() == 1


def test_a_restricted_category_makes_it_need_to_know():
    group, _ = _raise(category=Category.objects.get(code="STATEMENT_CATEGORY_PROTECTION_OF_MINORS"))
    assert group.restricted
