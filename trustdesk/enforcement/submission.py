"""Sending queued statements of reasons to the DSA Transparency Database.

The bulk endpoint takes 1-100 statements and is all-or-nothing. Each batch's state is
committed *before* its request goes out, so a batch found "sending" at the start of a run
was interrupted (crash, killed worker): its statements are first looked up by PUID and only
those the database does not have are sent again. Nothing is ever sent twice.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone

from trustdesk.lib.env import ImproperSetting, env_int, env_str

from .models import BatchStatus, SorBatch, SorSubmission, SubmissionStatus

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_BACKOFF = timedelta(hours=1)
DEFAULT_RETRY_AFTER = timedelta(seconds=60)


class TransportError(Exception):
    """The request did not get an HTTP answer (refused, reset, timed out)."""


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class SorClient:
    """A small client for the two endpoints we use."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 30.0) -> None:
        if not base_url.startswith(("https://", "http://")):
            raise ImproperSetting("TRUSTDESK_DSA_SOR_URL must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    @classmethod
    def from_env(cls) -> SorClient | None:
        """Configured from TRUSTDESK_DSA_SOR_URL and TRUSTDESK_DSA_SOR_TOKEN(_FILE); None
        when either is missing (nothing is sent then)."""
        url = env_str("TRUSTDESK_DSA_SOR_URL")
        token = env_str("TRUSTDESK_DSA_SOR_TOKEN")
        if not url or not token:
            return None
        return cls(url, token, timeout=env_int("TRUSTDESK_DSA_SOR_TIMEOUT", 30))

    def _call(self, method: str, path: str, payload: Any = None) -> Answer:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        # The scheme was checked in __init__: only http(s).
        request = urllib.request.Request(  # noqa: S310
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return _answer(response.status, response.read(), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return _answer(exc.code, exc.read(), dict(exc.headers or {}))
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(str(getattr(exc, "reason", exc))) from exc

    def post_statements(self, statements: list[dict[str, Any]]) -> Answer:
        return self._call("POST", "/api/v1/statements", {"statements": statements})

    def puid_exists(self, puid: str) -> bool:
        answer = self._call("GET", f"/api/v1/statement/existing-puid/{quote(puid, safe='')}")
        if answer.status in (200, 302):
            return True
        if answer.status == 404:
            return False
        raise TransportError(f"existing-puid answered {answer.status}")


def _answer(status: int, raw: bytes, headers: dict[str, str]) -> Answer:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = {"raw": raw[:500].decode("utf-8", "replace")}
    return Answer(status, body if isinstance(body, dict) else {"body": body}, headers)


def retry_after(headers: dict[str, str], now: datetime) -> timedelta:
    """Retry-After in seconds or as an HTTP date; a minute when absent or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "")
    if value.strip().isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(when - now, timedelta(0))


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class RunResult:
    submitted: int = 0
    rejected: int = 0
    recovered: int = 0
    requests: int = 0
    stopped: str = ""


def form_batches(*, now: datetime | None = None) -> int:
    """Put queued statements without a batch into batches of at most 100."""
    now = now or timezone.now()
    made = 0
    with transaction.atomic():
        waiting = list(
            SorSubmission.objects.select_for_update()
            .filter(status=SubmissionStatus.QUEUED, batch__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for start in range(0, len(waiting), BATCH_SIZE):
            batch = SorBatch.objects.create(created_at=now, next_attempt_at=now)
            SorSubmission.objects.filter(id__in=waiting[start : start + BATCH_SIZE]).update(
                batch=batch
            )
            made += 1
    return made


def _mark_submitted(submission: SorSubmission, now: datetime, uuid: str = "") -> None:
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = now
    submission.remote_uuid = uuid
    submission.save(update_fields=["status", "submitted_at", "remote_uuid"])


def _recover(client: SorClient, now: datetime, result: RunResult) -> None:
    """Batches left "sending" by an interrupted run: keep what the database already has.
    A batch sent less than two timeouts ago may still be in flight in another worker."""
    stale = now - timedelta(seconds=client.timeout * 2)
    for batch in SorBatch.objects.filter(status=BatchStatus.SENDING, sent_at__lt=stale):
        for submission in batch.submissions.filter(status=SubmissionStatus.QUEUED):
            if client.puid_exists(submission.puid):
                _mark_submitted(submission, now)
                result.recovered += 1
        batch.status = BatchStatus.PENDING
        batch.next_attempt_at = now
        batch.save(update_fields=["status", "next_attempt_at"])


def _statement_errors(body: dict[str, Any], count: int) -> dict[int, dict[str, Any]]:
    errors = body.get("errors")
    found: dict[int, dict[str, Any]] = {}
    if not isinstance(errors, dict):
        return found
    for key, value in errors.items():
        name = str(key)
        if name.startswith("statement_") and name[10:].isdigit() and int(name[10:]) < count:
            found[int(name[10:])] = value if isinstance(value, dict) else {"statement": value}
        elif name.startswith("statements."):
            # Laravel's dotted form: statements.3.puid
            parts = name.split(".", 2)
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < count:
                found.setdefault(int(parts[1]), {})[parts[2]] = value
    return found


def _handle_422(
    client: SorClient,
    batch: SorBatch,
    submissions: list[SorSubmission],
    answer: Answer,
    now: datetime,
    result: RunResult,
) -> None:
    """All-or-nothing: nothing was stored. Statements with errors leave the batch (rejected,
    or submitted when their PUID is already in the database); the rest go again."""
    per_statement = _statement_errors(answer.body, len(submissions))
    if not per_statement:
        _retry_later(batch, now, f"422 without statement errors: {answer.body}"[:2000])
        return
    for index, errors in per_statement.items():
        submission = submissions[index]
        if set(errors) == {"puid"} and client.puid_exists(submission.puid):
            _mark_submitted(submission, now)
            result.submitted += 1
            continue
        submission.status = SubmissionStatus.REJECTED
        submission.errors = errors
        submission.save(update_fields=["status", "errors"])
        result.rejected += 1
    batch.status = BatchStatus.PENDING
    batch.next_attempt_at = now
    batch.last_status_code = 422
    batch.last_error = f"{len(per_statement)} statement(s) refused"
    batch.save(update_fields=["status", "next_attempt_at", "last_status_code", "last_error"])


def _retry_later(batch: SorBatch, now: datetime, error: str, wait: timedelta | None = None) -> None:
    batch.status = BatchStatus.PENDING
    batch.next_attempt_at = now + (wait if wait is not None else backoff(batch.attempts))
    batch.last_error = error
    batch.save(update_fields=["status", "next_attempt_at", "last_error"])


def _send(client: SorClient, batch: SorBatch, now: datetime, result: RunResult) -> bool:
    """One attempt at one batch. False when the run should stop (rate limit, auth)."""
    submissions = list(batch.submissions.filter(status=SubmissionStatus.QUEUED).order_by("id"))
    if not submissions:
        batch.status = BatchStatus.DONE
        batch.save(update_fields=["status"])
        return True
    with transaction.atomic():
        batch.status = BatchStatus.SENDING
        batch.attempts += 1
        batch.sent_at = now
        batch.save(update_fields=["status", "attempts", "sent_at"])
    result.requests += 1
    try:
        answer = client.post_statements([s.payload for s in submissions])
    except TransportError as exc:
        # The answer was lost, so the batch may or may not be stored: the next attempt's
        # duplicate-PUID answers tell, and those count as submitted.
        _retry_later(batch, now, f"network error: {exc}")
        return True
    batch.last_status_code = answer.status
    batch.save(update_fields=["last_status_code"])
    if answer.status in (200, 201):
        created = answer.body.get("statements")
        uuids = [s.get("uuid", "") for s in created] if isinstance(created, list) else []
        for index, submission in enumerate(submissions):
            _mark_submitted(submission, now, str(uuids[index]) if index < len(uuids) else "")
        result.submitted += len(submissions)
        batch.status = BatchStatus.DONE
        batch.last_error = ""
        batch.save(update_fields=["status", "last_error"])
        return True
    if answer.status == 422:
        _handle_422(client, batch, submissions, answer, now, result)
        return True
    if answer.status == 429:
        _retry_later(batch, now, "rate limited (429)", retry_after(answer.headers, now))
        result.stopped = "rate limited"
        return False
    _retry_later(batch, now, f"HTTP {answer.status}: {str(answer.body)[:500]}")
    if answer.status in (401, 403):
        result.stopped = f"token refused ({answer.status})"
        return False
    return True


def run(
    *, client: SorClient | None = None, now: datetime | None = None, max_requests: int = 50
) -> RunResult:
    """Send what is due. Safe to run from several workers: a batch is claimed by a
    conditional update before it is sent."""
    result = RunResult()
    client = client or SorClient.from_env()
    if client is None:
        result.stopped = "not configured"
        return result
    now = now or timezone.now()
    try:
        _recover(client, now, result)
        form_batches(now=now)
        while result.requests < max_requests:
            batch = (
                SorBatch.objects.filter(status=BatchStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id")
                .first()
            )
            if batch is None:
                break
            claimed = SorBatch.objects.filter(pk=batch.pk, status=BatchStatus.PENDING).update(
                next_attempt_at=now + timedelta(seconds=1)
            )
            if not claimed:
                continue
            batch.refresh_from_db()
            if not _send(client, batch, now, result):
                break
    except TransportError as exc:
        result.stopped = f"network error: {exc}"
    logger.info("dsa sor run: %s", result)
    return result
