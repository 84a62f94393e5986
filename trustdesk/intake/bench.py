"""``trustdesk bench intake``: batch-API throughput with deduplication and grouping on,
next to the raw insert rate of the same rows into the same database.

Everything runs inside one transaction that is rolled back at the end, so a benchmark on a
production database leaves nothing behind: no reports, groups, bands, tokens or audit events.
Batches are posted through Django's full request cycle (middleware, token authentication,
JSON parsing, the API view), in process, without a network hop.

With ``processes > 1`` (``run_parallel``) the batches are shared among that many processes,
each one standing for a web worker (``trustdesk serve`` runs several) posting at the same
time. They cannot share one rolled-back transaction, so they write to a scratch database
made for the run (a temporary SQLite file, or ``trustdesk_bench_*`` on the same PostgreSQL
server) that is dropped afterwards.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from trustdesk.accounts.models import Role, User
from trustdesk.accounts.services import create_token

from . import bench_worker
from .models import Channel, ContentItem, Report, ReporterType, ReportGroup
from .normalise import content_key

_WORDS = (
    "video", "challenge", "school", "students", "dangerous", "trend", "spreading", "account",
    "posted", "clip", "live", "stream", "comments", "minors", "harassment", "threat", "scam",
    "link", "giveaway", "crypto", "fake", "profile", "impersonating", "minister", "election",
    "claims", "hate", "speech", "group", "coordinated", "reposts", "across", "markets",
    "dozens", "reports", "hour", "urgent", "police", "regulator", "remove", "screenshot",
)  # fmt: skip
_MARKETS = ("BR", "MX", "US", "DE", "FR", "GB", "IN", "JP", "AU", "ES")
_LABELS = ("dangerous_challenge", "harassment", "scam", "hate_speech", "election", "spam")


class _Rollback(Exception):
    """Raised to leave the benchmark's transaction, undoing everything it wrote."""


@dataclass
class BenchResult:
    reports: int
    batch: int
    seconds: float
    batch_seconds: list[float]
    cpu_seconds: float
    raw_seconds: float
    groups: int

    @property
    def rate(self) -> float:
        return self.reports / self.seconds

    @property
    def raw_rate(self) -> float:
        return self.reports / self.raw_seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.batch_seconds)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def lines(self) -> list[str]:
        return [
            f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)",
            f"reports: {self.reports:,} in batches of {self.batch:,}; "
            f"{self.groups:,} groups after deduplication",
            f"batch API (dedup + grouping): {self.rate:,.0f} reports/s; per batch "
            f"p50 {self.percentile(0.5) * 1000:.0f} ms, p99 {self.percentile(0.99) * 1000:.0f} ms",
            f"  CPU in this process: {self.cpu_seconds / self.reports * 1e6:,.0f} µs/report "
            f"(= {self.reports / self.cpu_seconds:,.0f} reports/s per fully available core; "
            "database server time not included)",
            f"raw insert (bulk_create, same rows): {self.raw_rate:,.0f} reports/s",
            f"ratio batch API / raw insert: {self.rate / self.raw_rate:.2f}",
        ]


def generate(count: int, *, unique_share: float, seed: int = 7) -> list[dict[str, Any]]:
    """Reports in the shape of the API. ``unique_share`` of them are about something new;
    the rest repeat an earlier story's link or paraphrase its text."""
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    stories: list[tuple[str, str, str, str]] = []
    reports = []
    for n in range(count):
        if not stories or rng.random() < unique_share:
            words = " ".join(rng.choice(_WORDS) for _ in range(24))
            stories.append(
                (
                    words,
                    f"https://video.example/{run}/{n}",
                    rng.choice(_MARKETS),
                    rng.choice(_LABELS),
                )
            )
            text, url, market, label = stories[-1]
        else:
            text, url, market, label = rng.choice(stories)
            if rng.random() < 0.5:
                # A paraphrase about a different link to the same thing.
                text = text.replace(rng.choice(_WORDS), rng.choice(_WORDS), 1)
                url = f"https://video.example/{run}/{n}?utm_source=share"
        reports.append(
            {
                "external_id": f"bench-{run}-{n}",
                "market": market,
                "label": label,
                "reporter_type": ReporterType.USER.value,
                "text": text,
                "content": [{"url": url}],
            }
        )
    return reports


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _raw_insert(rows: list[dict[str, Any]], size: int) -> float:
    """The floor: the same rows written with bulk_create, no validation or grouping."""
    now = timezone.now()
    started = time.perf_counter()
    for batch in _batches(rows, size):
        with transaction.atomic():
            group = ReportGroup.objects.create(
                fingerprint="bench-raw", title="raw", first_seen_at=now, last_seen_at=now
            )
            reports = Report.objects.bulk_create(
                Report(
                    channel=Channel.API,
                    external_id="raw-" + row["external_id"],
                    received_at=now,
                    reporter_type=row["reporter_type"],
                    text=row["text"],
                    channel_label=row["label"],
                    raw=row,
                    group=group,
                )
                for row in batch
            )
            ContentItem.objects.bulk_create(
                ContentItem(
                    report=report,
                    group=group,
                    url=row["content"][0]["url"],
                    key=content_key(url=row["content"][0]["url"]),
                )
                for report, row in zip(reports, batch, strict=True)
            )
            _check_deferred_constraints()
    return time.perf_counter() - started


def _check_deferred_constraints() -> None:
    """PostgreSQL checks foreign keys at commit, and the benchmark never commits: run the
    pending checks now, as a commit after the request would, so their cost is measured."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _api_batches(rows: list[dict[str, Any]], size: int, token: str) -> tuple[list[float], float]:
    """Wall time per batch, and the CPU time this process spent on all of them."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    # Warm up: the first request loads the URLconf and the API modules, as a server's would
    # at start.
    client.get("/api/v1/reports/groups?limit=1")
    timings = []
    cpu = 0.0
    for batch in _batches(rows, size):
        body = json.dumps({"reports": batch})
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/reports/batch", body, content_type="application/json")
        _check_deferred_constraints()
        timings.append(time.perf_counter() - started)
        cpu += time.process_time() - cpu_started
        if response.status_code != 200:
            raise RuntimeError(f"batch refused: {response.status_code} {response.content[:300]!r}")
    return timings, cpu


def run(
    *, reports: int, batch: int, unique_share: float, progress: Callable[[str], None]
) -> BenchResult:
    rows = generate(reports, unique_share=unique_share)
    result: BenchResult | None = None
    try:
        with transaction.atomic():
            user = User.objects.create(
                username=f"bench-{uuid.uuid4().hex[:8]}", role=Role.INCIDENT_MANAGER
            )
            _, token = create_token(actor=user, user=user, name="bench")
            progress("raw insert…")
            try:
                with transaction.atomic():
                    raw_seconds = _raw_insert(rows, batch)
                    # Undone before the API run, so its rows cannot join these groups.
                    raise _Rollback
            except _Rollback:
                pass
            progress("batch API…")
            timings, cpu = _api_batches(rows, batch, token)
            prefix = rows[0]["external_id"].rsplit("-", 1)[0] + "-"
            groups = (
                Report.objects.filter(channel=Channel.API, external_id__startswith=prefix)
                .values("group")
                .distinct()
                .count()
            )
            result = BenchResult(reports, batch, sum(timings), timings, cpu, raw_seconds, groups)
            raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result


@dataclass
class ParallelResult:
    reports: int
    batch: int
    processes: int
    seconds: float
    batch_seconds: list[float]
    raw_seconds: float
    vendor: str
    groups: int

    def lines(self) -> list[str]:
        rate = self.reports / self.seconds
        raw_rate = self.reports / self.raw_seconds
        ordered = sorted(self.batch_seconds)

        def pct(q: float) -> float:
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

        return [
            f"database: scratch {self.vendor} database made for this run (dropped after); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)",
            f"reports: {self.reports:,} in batches of {self.batch:,}, "
            f"posted by {self.processes} processes at once; "
            f"{self.groups:,} groups after deduplication",
            f"batch API (dedup + grouping): {rate:,.0f} reports/s; per batch "
            f"p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms",
            f"raw insert (bulk_create, same rows, one process): {raw_rate:,.0f} reports/s",
            f"ratio batch API / raw insert: {rate / raw_rate:.2f}",
        ]


def run_parallel(
    *,
    reports: int,
    batch: int,
    unique_share: float,
    processes: int,
    progress: Callable[[str], None],
) -> ParallelResult:
    """The batch API with ``processes`` posting at once, against a scratch database."""
    rows = generate(reports, unique_share=unique_share)
    batches = list(_batches(rows, batch))
    context = multiprocessing.get_context("spawn")
    with _scratch_database() as env:
        progress("preparing a scratch database (migrate)…")
        (prepared,) = _in_children(
            context, bench_worker.prepare_scratch, [(env, rows, batch)], start=None
        )
        if isinstance(prepared, str):
            raise RuntimeError(prepared)
        token, raw_seconds = prepared
        progress(f"batch API with {processes} processes…")
        outcomes = _in_children(
            context,
            bench_worker.post_share,
            [(env, batches[n::processes], token) for n in range(processes)],
            start=context.Barrier(processes),
        )
        failures = [o for o in outcomes if isinstance(o, str)]
        if failures:
            raise RuntimeError(failures[0])
        prefix = rows[0]["external_id"].rsplit("-", 1)[0] + "-"
        (groups,) = _in_children(context, bench_worker.count_groups, [(env, prefix)], start=None)
        if isinstance(groups, str):
            raise RuntimeError(groups)
    began = min(o[0] for o in outcomes)
    ended = max(o[1] for o in outcomes)
    timings = [t for o in outcomes for t in o[2]]
    return ParallelResult(
        reports, batch, processes, ended - began, timings, raw_seconds, env["vendor"], groups
    )


def _in_children(
    context: Any, target: Callable[..., None], jobs: list[tuple[Any, ...]], start: Any
) -> list[Any]:
    """Run ``target(*job, start, results)`` in one spawned process per job; return what each
    put on the queue (an error message string if it failed, or died without answering)."""
    results = context.Queue()
    children = [context.Process(target=target, args=(*job, start, results)) for job in jobs]
    for child in children:
        child.start()
    outcomes: list[Any] = []
    while len(outcomes) < len(children):
        try:
            outcomes.append(results.get(timeout=5))
        except queue.Empty:
            if all(not child.is_alive() for child in children) and results.empty():
                outcomes += ["a bench process died without answering"] * (
                    len(children) - len(outcomes)
                )
    for child in children:
        child.join()
    return outcomes


@contextmanager
def _scratch_database() -> Iterator[dict[str, str]]:
    """Environment for child processes pointing at a new, empty database of the same kind."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="trustdesk-bench-")
        try:
            yield {"DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "vendor": "sqlite"}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if connection.vendor != "postgresql":
        raise RuntimeError(f"bench with several processes: {connection.vendor} not supported")
    import psycopg

    name = f"trustdesk_bench_{uuid.uuid4().hex[:10]}"
    params: dict[str, Any] = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    try:
        with psycopg.connect(**params) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise RuntimeError(
            f"bench with several processes writes to a scratch database, and creating one "
            f"failed ({exc}); give the database user CREATEDB, or run with --processes 1 "
            "(rolled back in the current database)"
        ) from None
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
    try:
        yield {"DATABASE_URL": f"postgres://{credentials}@{host}/{name}", "vendor": "postgresql"}
    finally:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
