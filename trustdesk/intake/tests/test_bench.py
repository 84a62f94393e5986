import io

import pytest
from django.core.management import call_command

from trustdesk.audit.models import AuditEvent
from trustdesk.intake.models import ContentItem, GroupBand, Report, ReportGroup

pytestmark = pytest.mark.django_db


def test_the_bench_prints_its_figures_and_leaves_nothing_behind():
    out = io.StringIO()
    call_command(
        "bench",
        "intake",
        *("--reports", "300", "--batch", "100", "--processes", "1"),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "batch API (dedup + grouping):" in text
    assert "p50" in text and "p99" in text
    assert "raw insert (bulk_create, same rows):" in text
    assert "ratio batch API / raw insert:" in text
    for model in (Report, ReportGroup, GroupBand, ContentItem, AuditEvent):
        assert not model.objects.exists(), model


@pytest.mark.django_db(transaction=True)
def test_it_posts_from_several_processes_into_a_scratch_database_it_drops(tmp_path):
    from trustdesk.intake import bench

    progress: list[str] = []
    result = bench.run_parallel(
        reports=200, batch=50, unique_share=0.5, processes=2, progress=progress.append
    )
    assert result.reports == 200 and result.processes == 2
    # Four batches shared by two processes, every one of them answered.
    assert len(result.batch_seconds) == 4
    assert result.seconds > 0 and result.raw_seconds > 0
    text = "\n".join(result.lines())
    assert "posted by 2 processes at once" in text
    # Every report was grouped, into fewer groups than reports (half repeat a story).
    assert 0 < result.groups < 200
    assert "ratio batch API / raw insert:" in text
    # The scratch database took the writes; ours has none of them.
    assert not Report.objects.exists()


def test_by_default_it_posts_from_as_many_processes_as_there_are_web_workers(settings):
    from trustdesk.core.management.commands.bench import Command

    parser = Command().create_parser("trustdesk", "bench")
    options = parser.parse_args(["intake"])
    assert options.processes == settings.WEB_WORKERS
