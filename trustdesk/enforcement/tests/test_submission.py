from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from trustdesk.enforcement import submission
from trustdesk.enforcement.models import BatchStatus, SorBatch, SorSubmission, SubmissionStatus
from trustdesk.enforcement.services import bulk_create_decisions
from trustdesk.enforcement.submission import SorClient
from trustdesk.enforcement.tests.dsa_server import TOKEN, running_server
from trustdesk.enforcement.tests.factories import decision_row
from trustdesk.lib.env import ImproperSetting

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def server():
    with running_server() as (url, db):
        yield SorClient(url, TOKEN, timeout=5), db


@pytest.fixture
def queued(im, incident):
    """Five decisions, so five queued statements."""
    with time_machine.travel(NOW, tick=False):
        rows = [
            decision_row(puid=f"td-q{i}", content_url=f"https://video.example/v/{i}")
            for i in range(5)
        ]
        bulk_create_decisions(actor=im, incident=incident, rows=rows)
    return [f"td-q{i}" for i in range(5)]


def _status(puid):
    return SorSubmission.objects.get(puid=puid).status


def test_it_submits_queued_statements_in_one_batch(server, queued):
    client, db = server
    result = submission.run(client=client, now=NOW)
    assert result.submitted == 5
    assert db.posts == [queued]
    assert set(db.stored) == set(queued)
    assert {_status(p) for p in queued} == {SubmissionStatus.SUBMITTED}
    assert SorSubmission.objects.get(puid="td-q0").remote_uuid.startswith("uuid-")


def test_it_splits_into_batches_of_100(server, im, incident):
    client, db = server
    rows = [decision_row(puid=f"td-b{i}", content_url=f"https://x.example/{i}") for i in range(150)]
    with time_machine.travel(NOW, tick=False):
        bulk_create_decisions(actor=im, incident=incident, rows=rows)
    submission.run(client=client, now=NOW)
    assert [len(p) for p in db.posts] == [100, 50]
    assert len(db.stored) == 150


def test_it_records_per_statement_errors_and_sends_the_rest(server, queued):
    client, db = server
    bad = SorSubmission.objects.get(puid="td-q2")
    bad.payload = {**bad.payload, "territorial_scope": ["GB"]}
    bad.save()
    result = submission.run(client=client, now=NOW)
    # The first post was refused as a whole; the second carried the four good ones.
    assert db.posts == [queued, [p for p in queued if p != "td-q2"]]
    assert result.submitted == 4 and result.rejected == 1
    bad.refresh_from_db()
    assert bad.status == SubmissionStatus.REJECTED
    assert list(bad.errors) == ["territorial_scope"]
    assert "td-q2" not in db.stored


def test_it_backs_off_on_429_honouring_retry_after(server, queued):
    client, db = server
    db.behaviour.rate_limit_posts = 1
    result = submission.run(client=client, now=NOW)
    assert result.stopped == "rate limited"
    assert db.stored == {}
    batch = SorBatch.objects.get()
    assert batch.next_attempt_at == NOW + timedelta(seconds=120)
    submission.run(client=client, now=NOW + timedelta(seconds=119))
    assert db.stored == {}
    submission.run(client=client, now=NOW + timedelta(seconds=120))
    assert set(db.stored) == set(queued)


def test_it_retries_after_the_connection_drops_before_storing(server, queued):
    client, db = server
    db.behaviour.drop_before_store = 1
    result = submission.run(client=client, now=NOW)
    assert result.submitted == 0
    batch = SorBatch.objects.get()
    assert batch.status == BatchStatus.PENDING
    assert "network error" in batch.last_error
    assert batch.next_attempt_at > NOW
    submission.run(client=client, now=batch.next_attempt_at)
    assert set(db.stored) == set(queued)
    assert {_status(p) for p in queued} == {SubmissionStatus.SUBMITTED}


def test_it_counts_a_batch_stored_before_the_connection_dropped_as_submitted(server, queued):
    client, db = server
    db.behaviour.drop_after_store = 1
    submission.run(client=client, now=NOW)
    assert set(db.stored) == set(queued)
    batch = SorBatch.objects.get()
    submission.run(client=client, now=batch.next_attempt_at)
    # The retry met "PUID already exists" for all five: confirmed and marked, not stored twice.
    assert len(db.stored) == 5
    assert {_status(p) for p in queued} == {SubmissionStatus.SUBMITTED}
    assert SorBatch.objects.get().status == BatchStatus.DONE


class _Crash(Exception):
    pass


class _CrashingClient(SorClient):
    """The worker dies right after the database stored the batch, before we recorded it."""

    def post_statements(self, statements):
        super().post_statements(statements)
        raise _Crash


def test_it_sends_nothing_twice_when_rerun_after_a_crash(server, queued):
    client, db = server
    with pytest.raises(_Crash):
        submission.run(client=_CrashingClient(client.base_url, TOKEN), now=NOW)
    assert SorBatch.objects.get().status == BatchStatus.SENDING
    assert {_status(p) for p in queued} == {SubmissionStatus.QUEUED}
    result = submission.run(client=client, now=NOW + timedelta(minutes=1))
    assert result.recovered == 5
    assert result.requests == 0
    assert len(db.posts) == 1
    assert {_status(p) for p in queued} == {SubmissionStatus.SUBMITTED}


def test_it_resends_only_what_the_database_lacks_after_a_crash(server, queued):
    client, db = server
    with pytest.raises(_Crash):
        submission.run(client=_CrashingClient(client.base_url, TOKEN), now=NOW)
    db.stored.pop("td-q4")  # as if the crash happened before the server had them all
    submission.run(client=client, now=NOW + timedelta(minutes=1))
    assert db.posts[1:] == [["td-q4"]]
    assert {_status(p) for p in queued} == {SubmissionStatus.SUBMITTED}


def test_it_does_nothing_when_not_configured(queued, monkeypatch):
    monkeypatch.delenv("TRUSTDESK_DSA_SOR_URL", raising=False)
    monkeypatch.delenv("TRUSTDESK_DSA_SOR_TOKEN", raising=False)
    assert submission.run(now=NOW).stopped == "not configured"
    assert {_status(p) for p in queued} == {SubmissionStatus.QUEUED}


def test_it_reads_the_token_from_a_file(tmp_path, monkeypatch):
    secret = tmp_path / "token"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("TRUSTDESK_DSA_SOR_URL", "https://dsa.example/")
    monkeypatch.setenv("TRUSTDESK_DSA_SOR_TOKEN_FILE", str(secret))
    client = SorClient.from_env()
    assert client is not None
    assert (client.base_url, client.token) == ("https://dsa.example", "s3cret")


def test_it_stops_when_the_token_is_refused(server, queued):
    client, db = server
    result = submission.run(client=SorClient(client.base_url, "wrong"), now=NOW)
    assert result.stopped == "token refused (401)"
    assert SorBatch.objects.get().last_status_code == 401
    assert db.stored == {}


def test_it_reads_retry_after_as_an_http_date():
    headers = {"Retry-After": "Wed, 25 Nov 2026 12:05:00 GMT"}
    assert submission.retry_after(headers, NOW) == timedelta(minutes=5)


def test_it_leaves_a_batch_another_worker_is_still_sending(server, queued):
    client, _ = server
    submission.form_batches(now=NOW)
    SorBatch.objects.update(status=BatchStatus.SENDING, sent_at=NOW)
    result = submission.run(client=client, now=NOW + timedelta(seconds=5))
    assert result.recovered == 0 and result.requests == 0
    assert SorBatch.objects.get().status == BatchStatus.SENDING


def test_it_refuses_an_endpoint_that_is_not_http(monkeypatch):
    monkeypatch.setenv("TRUSTDESK_DSA_SOR_URL", "file:///etc/passwd")
    monkeypatch.setenv("TRUSTDESK_DSA_SOR_TOKEN", "t")
    with pytest.raises(ImproperSetting, match="TRUSTDESK_DSA_SOR_URL"):
        SorClient.from_env()
