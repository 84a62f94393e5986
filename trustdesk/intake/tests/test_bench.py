import io

import pytest
from django.core.management import call_command

from trustdesk.audit.models import AuditEvent
from trustdesk.intake.models import ContentItem, GroupBand, Report, ReportGroup

pytestmark = pytest.mark.django_db


def test_the_bench_prints_its_figures_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command(
        "bench", "intake", "--reports", "300", "--batch", "100", stdout=out, stderr=io.StringIO()
    )
    text = out.getvalue()
    assert "batch API (dedup + grouping):" in text
    assert "p50" in text and "p99" in text
    assert "raw insert (bulk_create, same rows):" in text
    assert "ratio batch API / raw insert:" in text
    for model in (Report, ReportGroup, GroupBand, ContentItem, AuditEvent):
        assert not model.objects.exists(), model
