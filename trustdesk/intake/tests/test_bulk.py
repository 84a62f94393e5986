"""The intake's batched writes: what they store must equal what the ORM would store."""

import pytest
from django.db import transaction
from django.utils import timezone

from trustdesk.intake import bulk
from trustdesk.intake.models import ContentItem, GroupStatus, ReportGroup
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
