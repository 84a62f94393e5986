from datetime import timedelta

import pytest
import time_machine

from trustdesk.intake.models import GroupBand, ReportGroup

from .factories import make_report

pytestmark = pytest.mark.django_db

TEXT = "Students are filming the blackout choking challenge in the school bathroom and posting it"


def test_the_same_link_written_differently_joins_one_group():
    first = make_report(text="one", url="https://www.video.example/watch/1?utm_source=wa")
    second = make_report(text="two", url="http://video.example/watch/1/")
    assert second.group == first.group
    assert ReportGroup.objects.get().report_count == 2


def test_near_duplicate_text_joins_one_group_and_different_text_does_not():
    first = make_report(text=TEXT)
    paraphrase = make_report(text=TEXT.replace("school bathroom", "school toilets") + "!!")
    other = make_report(text="A fake giveaway page is impersonating the finance minister today")
    assert paraphrase.group == first.group
    assert other.group != first.group


def test_bands_are_kept_in_the_database_for_other_processes():
    first = make_report(text=TEXT)
    assert GroupBand.objects.filter(group=first.group).count() == 16
    # A later call builds its matcher from the database alone, as another process would.
    assert make_report(text=TEXT + " again").group == first.group


def test_a_report_after_the_window_opens_a_new_group(settings):
    settings.INTAKE_GROUP_WINDOW_HOURS = 48
    with time_machine.travel("2026-11-01 09:00Z", tick=False) as clock:
        first = make_report(text=TEXT, url="https://video.example/watch/1")
        clock.shift(timedelta(hours=47))
        inside = make_report(text="same link", url="https://video.example/watch/1")
        clock.shift(timedelta(hours=49))
        after = make_report(text="same link later", url="https://video.example/watch/1")
    assert inside.group == first.group
    assert after.group != first.group


def test_a_dismissed_group_is_not_joined(lead):
    from trustdesk.intake import services

    first = make_report(url="https://video.example/watch/1")
    services.dismiss_group(actor=lead, group=first.group, reason="satire")
    assert make_report(url="https://video.example/watch/1").group != first.group


def test_reports_about_the_same_account_group_together():
    from trustdesk.intake import services
    from trustdesk.intake.incoming import IncomingItem, IncomingReport

    def about_account(text):
        incoming = IncomingReport(
            channel="api", text=text, items=[IncomingItem(account_id="@troll_42")]
        )
        return services.receive_report(report=incoming).report

    assert about_account("threats in my DMs").group == about_account("he doxxed me").group


def test_one_batch_groups_its_own_reports(im):
    from trustdesk.intake import services
    from trustdesk.intake.incoming import IncomingItem, IncomingReport

    batch = [
        IncomingReport(channel="api", text=TEXT, items=[IncomingItem(url=f"https://v.example/{n}")])
        for n in range(5)
    ]
    results = services.receive_batch(reports=batch, actor=im)
    assert len({r.report.group_id for r in results}) == 1
    assert ReportGroup.objects.get().report_count == 5


def _held_elsewhere(path) -> bool:
    """Whether another open file description can take the lock right now."""
    import fcntl

    with open(path, "a+b") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other, fcntl.LOCK_UN)
        return False


@pytest.mark.django_db(transaction=True)
def test_sqlite_file_writers_queue_on_a_file_lock_outside_transactions(tmp_path, monkeypatch):
    from django.db import connection, transaction

    from trustdesk.intake.dedup import writer_queue

    if connection.vendor != "sqlite":
        pytest.skip("the writer queue is for SQLite files")
    database = tmp_path / "desk.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(database))
    lock = f"{database}.intake-lock"
    with writer_queue():
        assert _held_elsewhere(lock)
    assert not _held_elsewhere(lock)
    # Inside a transaction the connection may already hold SQLite's write lock; waiting for
    # the file lock there could deadlock with a process doing the opposite, so it is skipped.
    with transaction.atomic(), writer_queue():
        assert not _held_elsewhere(lock)


@pytest.mark.django_db(databases=[])
def test_batch_signatures_are_exactly_datasketchs():
    """Stored signatures and bands must not change with how they are computed: the batch
    arithmetic gives the library's own MinHash values, cached shingle hashes or not."""
    import numpy as np
    from datasketch import MinHash

    from trustdesk.intake import dedup

    texts = [
        TEXT,
        TEXT + " " + TEXT,  # repeated shingles
        "Ödeme linki sahte, çekiliş sayfası bakanı taklit ediyor ve para istiyor",  # noqa: RUF001
        "虚假 抽奖 页面 冒充 部长 要求 转账",
        "one two three",
        "way too short",
        "https://video.example/only/a/link",
    ]
    for cold in (True, False):
        if cold:
            dedup._SHINGLE_HASHES.clear()
        ours = dedup.signatures(texts)
        sets = [dedup.shingles(t) for t in texts]
        for (signature, bands), shingle_set in zip(ours, sets, strict=True):
            if not shingle_set:
                assert signature is None and bands == []
                continue
            expected = MinHash(num_perm=dedup.NUM_PERM, seed=dedup.SEED, scheme=dedup.SCHEME)
            expected.update_batch([s.encode() for s in shingle_set])
            assert signature is not None
            assert np.array_equal(signature, expected.hashvalues)
            assert bands == dedup.band_keys(expected.hashvalues.astype(np.uint32))
    assert [s is None for s, _ in ours] == [False, False, False, False, True, True, True]


@pytest.mark.parametrize("via", ["link", "text", "external id"])
def test_what_another_writer_stores_between_the_reads_and_the_lock_is_caught_up(monkeypatch, via):
    """A batch looks its keys (and external ids) up before taking the intake lock. What
    another process stores in between must still be found under the lock: otherwise the
    same content would open a second group, or the same delivery be stored twice."""
    from trustdesk.intake import dedup, services
    from trustdesk.intake.incoming import IncomingItem, IncomingReport
    from trustdesk.intake.models import Report
    from trustdesk.intake.services import receive

    def incoming(n: int) -> IncomingReport:
        return IncomingReport(
            channel="api",
            external_id="ext-1" if via == "external id" else f"ext-{n}",
            text=TEXT if via == "text" else f"report number {n} about a clip",
            items=[IncomingItem(url="https://v.example/clip")] if via == "link" else [],
        )

    read = dedup.KeyHits.read
    competing: list[Report] = []
    started: list[bool] = []

    def read_then_someone_else_writes(fingerprints):
        hits = read(fingerprints)
        if not started:  # the other writer, once, after our reads
            started.append(True)
            competing.append(services.receive_report(report=incoming(2)).report)
        return hits

    monkeypatch.setattr(receive.dedup.KeyHits, "read", read_then_someone_else_writes)
    (result,) = services.receive_batch(reports=[incoming(1)])
    assert competing and result.report is not None
    if via == "external id":
        assert result.outcome == "duplicate" and result.report.pk == competing[0].pk
        assert Report.objects.count() == 1
    else:
        assert result.outcome == "created"
        assert result.report.group_id == competing[0].group_id
        assert ReportGroup.objects.get().report_count == 2
