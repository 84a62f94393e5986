"""The intake's batched writes: what they store must equal what the ORM would store."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from trustdesk.intake import bulk
from trustdesk.intake.models import ContentItem, GroupBand, GroupStatus, ReportGroup
from trustdesk.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def _group(**values):
    now = timezone.now()
    return bulk.Maker(ReportGroup)(
        None,
        fingerprint="content:x",
        title="A title with ünïcode",
        first_seen_at=now,
        last_seen_at=now,
        suggested_severity="SEV3",
        **values,
    )


def test_inserted_rows_read_back_as_the_orm_would_write_them():
    category = Category.objects.first()
    groups = [
        _group(markets=["BR", "MX"], keyword_codes=[], signature=b"\x00\x01", category_id=None),
        _group(markets=[], severity_reasons=[{"why": "regulator"}], category_id=category.pk),
    ]
    with transaction.atomic():
        bulk.insert(groups)
    assert all(g.pk and not g._state.adding for g in groups)
    first, second = (ReportGroup.objects.get(pk=g.pk) for g in groups)
    assert first.markets == ["BR", "MX"] and first.keyword_codes == []
    assert bytes(first.signature) == b"\x00\x01" and first.status == GroupStatus.OPEN
    assert first.title == "A title with ünïcode" and first.last_seen_at == groups[0].last_seen_at
    assert second.severity_reasons == [{"why": "regulator"}] and second.category == category


def test_new_ids_follow_the_largest_ever_used_even_after_a_delete():
    """Ids are taken before the insert; a deleted report's id must not come back (the audit
    log still names it)."""
    with transaction.atomic():
        bulk.insert([_group(), _group()])
    newest = ReportGroup.objects.order_by("-pk").first().pk
    ReportGroup.objects.filter(pk=newest).delete()
    orm = ReportGroup.objects.create(
        fingerprint="orm", title="t", first_seen_at=timezone.now(),
        last_seen_at=timezone.now(), suggested_severity="SEV4",
    )  # fmt: skip
    assert orm.pk > newest
    deleted = orm.pk
    orm.delete()
    with transaction.atomic():
        again = [_group()]
        bulk.insert(again)
    assert again[0].pk > deleted
    with transaction.atomic():
        later = ReportGroup.objects.create(
            fingerprint="orm", title="t", first_seen_at=timezone.now(),
            last_seen_at=timezone.now(), suggested_severity="SEV4",
        )  # fmt: skip
    assert later.pk > again[0].pk


def test_rows_without_ids_and_updates():
    with transaction.atomic():
        groups = [_group(), _group()]
        bulk.insert(groups)
        groups[0].report_count, groups[0].markets = 7, ["DE"]
        groups[1].status = GroupStatus.DISMISSED
        bulk.update(groups, ["report_count", "markets", "status"])
    stored = ReportGroup.objects.order_by("pk").values_list("report_count", "markets", "status")
    assert list(stored) == [(7, ["DE"], "open"), (0, [], "dismissed")]
    assert ContentItem.objects.count() == 0


@pytest.mark.parametrize(
    ("model", "key", "keys", "index"),
    [
        (ContentItem, "key", ["a" * 40, "b" * 40], "intake_item_key"),
        (ContentItem, "account_key", ["c" * 40], "intake_item_account"),
        (GroupBand, "key", [-5, 2**62], "key"),
    ],
)
def test_key_lookups_use_their_index(model, key, keys, index):
    """The content keys are indexed only where set; the lookup must still be answered from
    that partial index (a planner uses one only if the query implies its condition)."""
    sql, params = bulk.pairs_query(model, key, "group", keys)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "Index" in plan or "INDEX" in plan, plan
    assert index in plan, plan


def test_references_without_a_database_constraint_keep_their_delete_rules(im):
    """A report's market, category and submitter have no database-level constraint (one
    referential check per row at commit was a fifth of a batch's time); the ORM's rules
    still hold for every delete the product makes."""
    from django.db.models import ProtectedError

    from trustdesk.taxonomy.models import Market

    from .factories import make_report

    report = make_report(market="BR", category="harmful-speech", submitted_by=im)
    assert report.market is not None and report.category is not None
    with pytest.raises(ProtectedError):
        Market.objects.filter(pk=report.market_id).delete()
    with pytest.raises(ProtectedError):
        Category.objects.filter(pk=report.category_id).delete()
    im.delete()
    report.refresh_from_db()
    assert report.submitted_by_id is None
    assert report.market.code == "BR"


def test_updates_without_temporary_tables_write_the_same(monkeypatch):
    """A PostgreSQL role refused temporary tables updates row by row instead; a refusal
    found on first use leaves the batch's transaction usable."""
    if connection.vendor == "postgresql":
        monkeypatch.setattr(bulk, "_temporary_tables_allowed", None)
        with transaction.atomic(), connection.cursor() as cursor:
            assert not bulk._may_create_temporary_tables(cursor, "CREATE TEMPORARY TABLE (")
            cursor.execute("SELECT 1")
    monkeypatch.setattr(bulk, "_temporary_tables_allowed", False)
    with transaction.atomic():
        groups = [_group(), _group()]
        bulk.insert(groups)
        groups[0].markets, groups[1].severity_reasons = ["DE", "AT"], [{"why": "press"}]
        bulk.update(groups, ["markets", "severity_reasons"])
    first, second = ReportGroup.objects.order_by("pk")
    assert first.markets == ["DE", "AT"] and second.severity_reasons == [{"why": "press"}]


def test_the_external_id_check_reads_the_unique_index_not_every_report():
    """A batch checks its 1,000 external ids against the stored reports. The unique index
    leaves out reports without one, so the query must say so, or both databases read the
    whole report table for every batch."""
    from trustdesk.intake.models import Report
    from trustdesk.intake.services.receive import stored_query

    ids = [f"ext-{n}" for n in range(1000)]
    query = stored_query(Report.objects.all(), "api", ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()
    assert "unique_report_channel_external_id" in plan, plan
