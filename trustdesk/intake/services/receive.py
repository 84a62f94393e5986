"""Receiving reports: validate, normalise, deduplicate and store, in one transaction per call.

``receive_batch`` is the one path; ``receive_report`` is a batch of one. A batch loads what it
needs for validation and grouping in a fixed number of queries and writes a few multi-row
statements (``bulk.py``), which is how the batch API reaches thousands of reports per
second. Validation, normalisation, MinHash signatures, the key and external-id lookups and
the report rows are done before the intake lock is taken; under it a batch catches up with
what other writers stored meanwhile, matches and writes (docs/intake.md, "Throughput").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from trustdesk.accounts.models import Team, TeamKind, User
from trustdesk.audit import services as audit
from trustdesk.lib.errors import InvalidInput
from trustdesk.taxonomy.models import Market

from .. import bulk, conf, dedup, evidence
from ..incoming import IncomingReport, Outcome, Result
from ..models import Attachment, ContentItem, GroupBand, Report, ReporterType, ReportGroup
from ..normalise import (
    MarketHints,
    Taxonomy,
    account_key,
    content_key,
    resolve_category,
    resolve_language,
    resolve_market,
)
from .grouping import absorb, new_group, note_on_incidents, suggest_severity

MAX_TEXT = 100_000
# What intake changes on a group that already exists.
GROUP_FIELDS = (
    "report_count", "first_seen_at", "last_seen_at", "markets", "source_types",
    "minors_involved", "category", "keyword_codes", "restricted", "region", "team",
    "suggested_severity", "severity_reasons",
)  # fmt: skip
_FUTURE_SLACK = timedelta(minutes=5)
_REPORTER_TYPES = frozenset(ReporterType.values)
_new_report = bulk.Maker(Report)


class ItemRow(NamedTuple):
    """A content item ready to insert: no model instance is built on the hot path."""

    url: str
    content_id: str
    account_id: str
    content_type: str
    key: str
    account_key: str


ITEM_COLUMNS = ("report", "group", *ItemRow._fields)


@dataclass
class Prepared:
    index: int
    report: Report
    items: list[ItemRow]
    attachments: list[tuple[str, str, bytes, evidence.Sniffed]]
    fingerprint: dedup.Fingerprint
    signature_text: str
    group: ReportGroup | None = None
    duplicates: list[int] = field(default_factory=list)
    row: list[Any] = field(default_factory=list)


def _check_received_at(value: datetime | None, now: datetime, errors: dict[str, str]) -> datetime:
    if value is None:
        return now
    if timezone.is_naive(value):
        errors["received_at"] = "Give a time zone (e.g. 2026-11-25T18:00:00Z)."
        return now
    if value > now + _FUTURE_SLACK:
        errors["received_at"] = "This time is in the future."
    return value


def _check_items(incoming: IncomingReport, errors: dict[str, str]) -> list[ItemRow]:
    if len(incoming.items) > conf.MAX_ITEMS_PER_REPORT:
        errors["content"] = f"At most {conf.MAX_ITEMS_PER_REPORT} content items per report."
        return []
    items = []
    for i, item in enumerate(incoming.items):
        url, content_id = item.url.strip(), item.content_id.strip()
        account_id = item.account_id.strip()
        if not (url or content_id or account_id):
            errors[f"content.{i}"] = "Give a url, a content_id or an account_id."
            continue
        if url:
            parts = urlsplit(url if "://" in url else "https://" + url)
            if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
                errors[f"content.{i}.url"] = "Not an http(s) link."
                continue
        items.append(
            ItemRow(
                url,
                content_id[:200],
                account_id[:200],
                item.content_type.strip()[:40],
                content_key(url=url, content_id=content_id),
                account_key(account_id),
            )
        )
    return items


def _check_attachments(
    incoming: IncomingReport, errors: dict[str, str]
) -> list[tuple[str, str, bytes, evidence.Sniffed]]:
    if len(incoming.attachments) > conf.MAX_ATTACHMENTS_PER_REPORT:
        errors["attachments"] = f"At most {conf.MAX_ATTACHMENTS_PER_REPORT} attachments."
        return []
    checked = []
    for i, att in enumerate(incoming.attachments):
        try:
            sniffed = evidence.check_allowed(att.filename, att.data, att.content_type)
        except InvalidInput as exc:
            errors[f"attachments.{i}"] = exc.errors["attachments"]
            continue
        checked.append((att.filename[:255], att.content_type[:100], att.data, sniffed))
    return checked


def _check_text(incoming: IncomingReport, errors: dict[str, str]) -> None:
    if len(incoming.title) > 300:
        errors["title"] = "At most 300 characters."
    if len(incoming.text) > MAX_TEXT:
        errors["text"] = f"At most {MAX_TEXT:,} characters."
    if not (
        incoming.text.strip() or incoming.title.strip() or incoming.items or incoming.attachments
    ):
        errors["text"] = "A report needs text, a content item or an attachment."
    if len(incoming.external_id) > 255:
        errors["external_id"] = "At most 255 characters."


def _market(
    incoming: IncomingReport, taxonomy: Taxonomy, errors: dict[str, str]
) -> tuple[Market | None, str]:
    hints = MarketHints(
        incoming.market, incoming.country, incoming.phone, incoming.locale, incoming.jurisdiction
    )
    market, source = resolve_market(hints, taxonomy.markets)
    if incoming.market.strip() and source != "market":
        errors["market"] = f"Unknown market {incoming.market.strip()!r}; use an ISO country code."
    return market, source


def prepare(index: int, incoming: IncomingReport, taxonomy: Taxonomy, now: datetime) -> Prepared:
    """Validate and normalise one report without touching the database. Raises
    ``InvalidInput`` naming every wrong field."""
    errors: dict[str, str] = {}
    if incoming.reporter_type not in _REPORTER_TYPES:
        errors["reporter_type"] = f"One of {', '.join(ReporterType.values)}."
    received_at = _check_received_at(incoming.received_at, now, errors)
    market, market_source = _market(incoming, taxonomy, errors)
    category = resolve_category(
        category=incoming.category,
        label=incoming.label,
        channel=incoming.channel,
        categories=taxonomy.categories,
    )
    if incoming.category.strip() and category is None:
        errors["category"] = f"Unknown category {incoming.category.strip()!r}."
    keywords = sorted({k.strip().upper() for k in incoming.keywords if k.strip()})
    unknown = [k for k in keywords if k not in taxonomy.keywords]
    if unknown:
        errors["keywords"] = f"Unknown keyword(s): {', '.join(unknown)}."
    _check_text(incoming, errors)
    items = _check_items(incoming, errors)
    attachments = _check_attachments(incoming, errors)
    if errors:
        raise InvalidInput(errors)
    report = _new_report(
        {
            "market": market,
            "category": category,
            "submitted_by": incoming.submitted_by,
            "intake_address": incoming.intake_address,
        },
        channel=incoming.channel,
        external_id=incoming.external_id.strip(),
        received_at=received_at,
        created_at=now,
        reporter_type=incoming.reporter_type,
        claimed_reporter_type=incoming.claimed_reporter_type,
        verified=incoming.verified,
        verification_note=incoming.verification_note[:300],
        reporter_name=incoming.reporter_name.strip()[:200],
        reporter_contact=incoming.reporter_contact.strip()[:254],
        market_id=market.pk if market is not None else None,
        market_source=market_source,
        language=resolve_language(incoming.language, incoming.locale, market),
        category_id=category.pk if category is not None else None,
        keyword_codes=keywords,
        channel_label=incoming.label.strip()[:120],
        title=incoming.title.strip(),
        text=incoming.text,
        minors_involved=incoming.minors_involved,
        raw=incoming.raw,
        submitted_by_id=incoming.submitted_by.pk if incoming.submitted_by else None,
        intake_address_id=incoming.intake_address.pk if incoming.intake_address else None,
        group_id=None,
    )
    fingerprint = dedup.Fingerprint(
        content_keys=[i.key for i in items if i.key],
        account_keys=[i.account_key for i in items if i.account_key],
    )
    return Prepared(
        index, report, items, attachments, fingerprint, f"{report.title}\n{report.text}"
    )


@dataclass
class StoredReports:
    """Reports already stored under the batch's (channel, external id)s: read before the
    intake lock, brought up to date under it from the reports written since (ids above
    ``mark``; report ids are taken under the lock, see ``dedup.KeyHits``)."""

    wanted: dict[str, list[str]]
    mark: int = 0
    found: dict[tuple[str, str], Report] = field(default_factory=dict)

    @classmethod
    def read(cls, prepared: list[Prepared]) -> StoredReports:
        wanted: dict[str, list[str]] = {}
        for p in prepared:
            if p.report.external_id:
                wanted.setdefault(p.report.channel, []).append(p.report.external_id)
        stored = cls(wanted)
        if wanted:
            (stored.mark,) = bulk.max_ids(Report)
            stored._add(Report.objects.all())
        return stored

    def catch_up(self) -> None:
        """Under the lock: the few reports written since ``read``, matched here rather than
        by an ``IN`` list the planner might answer from the external-id index instead."""
        if not self.wanted:
            return
        wanted = {(channel, ext) for channel, ids in self.wanted.items() for ext in ids}
        since = Report.objects.filter(pk__gt=self.mark).order_by()
        pks = [
            pk
            for pk, channel, ext in since.values_list("pk", "channel", "external_id")
            if (channel, ext) in wanted
        ]
        if pks:
            self._add(Report.objects.filter(pk__in=pks))

    def _add(self, reports: QuerySet[Report]) -> None:
        for channel, ids in self.wanted.items():
            for report in stored_query(reports, channel, ids).select_related("group"):
                self.found[(channel, report.external_id)] = report


def stored_query(
    reports: QuerySet[Report], channel: str, external_ids: list[str]
) -> QuerySet[Report]:
    """Reports of ``channel`` with one of ``external_ids``, answered from the unique
    (channel, external id) index. That index leaves out reports without an external id, so
    the query must say it does too (in the index's words, for SQLite; PostgreSQL cannot
    prove it from a long ``IN`` list): without it both databases read every report."""
    return (
        reports.filter(channel=channel, external_id__in=external_ids)
        .exclude(external_id="")
        .order_by()
    )


def _split_duplicates(
    prepared: list[Prepared], stored: StoredReports
) -> tuple[list[Prepared], list[Result]]:
    """Drop reports already stored (same channel and external id) or repeated in this batch.
    Their answer is the first report. Must run under the intake lock."""
    stored.catch_up()
    results: list[Result] = []
    first: dict[tuple[str, str], Prepared] = {}
    fresh: list[Prepared] = []
    for p in prepared:
        key = (p.report.channel, p.report.external_id)
        if p.report.external_id and key in stored.found:
            results.append(Result(p.index, Outcome.DUPLICATE, stored.found[key]))
        elif p.report.external_id and key in first:
            first[key].duplicates.append(p.index)
        else:
            if p.report.external_id:
                first[key] = p
            fresh.append(p)
    return fresh, results


def _teams_by_region() -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for team in Team.objects.filter(kind=TeamKind.INCIDENT_MANAGEMENT).exclude(region=""):
        teams.setdefault(team.region, team)
    return teams


def _fingerprint_texts(prepared: list[Prepared]) -> None:
    """MinHash signatures and band keys, computed before the transaction: pure CPU work
    that need not hold the intake lock (another process can write meanwhile)."""
    texts = [p.signature_text for p in prepared]
    for p, (signature, bands) in zip(prepared, dedup.signatures(texts), strict=True):
        p.fingerprint.signature = signature
        p.fingerprint.bands = bands


def _assign_groups(
    prepared: list[Prepared], taxonomy: Taxonomy, hits: dedup.KeyHits, teams: dict[str, Team]
) -> tuple[list[tuple[ReportGroup, list[int]]], list[ReportGroup]]:
    """Match each report to a group, opening new ones. Returns the new groups with their
    band keys, and the existing groups the batch touched. Must run under the intake lock."""
    window = conf.group_window()
    earliest = min(p.report.received_at for p in prepared)
    categories = {c.pk: c for c in taxonomy.categories.values()}
    hits.catch_up()
    matcher = dedup.Matcher.load(hits, earliest, window, categories)
    new: list[tuple[ReportGroup, list[int]]] = []
    touched: dict[int, ReportGroup] = {}
    for p in sorted(prepared, key=lambda p: (p.report.received_at, p.index)):
        group = matcher.match(p.fingerprint, p.report.received_at)
        if group is None:
            group = new_group(p.report, p.fingerprint)
            new.append((group, p.fingerprint.bands))
            matcher.remember(group, p.fingerprint, new=True)
        else:
            matcher.remember(group, p.fingerprint, new=False)
            if group.pk is not None:
                touched[group.pk] = group
        absorb(group, p.report, teams)
        p.group = group
    for group in [*(g for g, _ in new), *touched.values()]:
        suggest_severity(group)
    return new, list(touched.values())


def _write(
    prepared: list[Prepared], new: list[tuple[ReportGroup, list[int]]], touched: list[ReportGroup]
) -> None:
    bulk.insert([group for group, _ in new])
    bulk.insert_rows(
        GroupBand, ("group", "key"), [(group.pk, key) for group, bands in new for key in bands]
    )
    for p in prepared:
        assert p.group is not None
        p.report.group_id = p.group.pk
        p.report._state.fields_cache["group"] = p.group
    bulk.insert([p.report for p in prepared], rows=[p.row for p in prepared], late=("group_id",))
    bulk.insert_rows(
        ContentItem,
        ITEM_COLUMNS,
        [(p.report.pk, p.report.group_id, *item) for p in prepared for item in p.items],
    )
    attachments = [
        Attachment(
            report=p.report,
            evidence=evidence.store(data, sniffed),
            filename=filename,
            declared_type=declared,
        )
        for p in prepared
        for filename, declared, data, sniffed in p.attachments
    ]
    bulk.insert(attachments)
    bulk.update(touched, GROUP_FIELDS)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector for the length of a batch. A batch allocates tens of
    thousands of short-lived objects without cycles, which reference counting frees anyway;
    left on, the collector rescans the whole heap several times per batch (measured at a
    quarter of the batch time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def receive_batch(*, reports: Sequence[IncomingReport], actor: User | None = None) -> list[Result]:
    """Receive many reports. Each gets its own answer: created, duplicate (with the first
    report), or invalid (with the wrong fields). Valid reports are stored together in one
    transaction; invalid ones store nothing."""
    with gc_paused():
        return _receive_batch(reports, actor)


def _receive_batch(reports: Sequence[IncomingReport], actor: User | None) -> list[Result]:
    now = timezone.now()
    taxonomy = Taxonomy.load()
    results: list[Result] = []
    prepared: list[Prepared] = []
    for index, incoming in enumerate(reports):
        try:
            prepared.append(prepare(index, incoming, taxonomy, now))
        except InvalidInput as exc:
            results.append(Result(index, Outcome.INVALID, errors=exc.as_errors()))
    _fingerprint_texts(prepared)
    # Reads and row building that need not hold the intake lock (another process can write
    # meanwhile); what changes in between is caught up with under the lock.
    stored = StoredReports.read(prepared)
    teams = _teams_by_region()
    hits = dedup.KeyHits.read(p.fingerprint for p in prepared)
    for p, row in zip(prepared, bulk.rows_for([p.report for p in prepared]), strict=True):
        p.row = row
    with dedup.writer_queue(), transaction.atomic():
        dedup.lock_for_grouping()
        fresh, duplicates = _split_duplicates(prepared, stored)
        results += duplicates
        if fresh:
            new, touched = _assign_groups(fresh, taxonomy, hits, teams)
            _write(fresh, new, touched)
            note_on_incidents(fresh_reports=[(p.report, p.group) for p in fresh], actor=actor)
            audit.record(
                actor=actor,
                action="intake.receive",
                object_type="intake.report",
                object_id=fresh[0].report.pk,
                after={
                    "channel": sorted({p.report.channel for p in fresh}),
                    "reports": len(fresh),
                    "first": fresh[0].report.pk,
                    "last": fresh[-1].report.pk,
                    "groups_opened": len(new),
                    "duplicates": len(duplicates) + sum(len(p.duplicates) for p in fresh),
                },
            )
        for p in fresh:
            results.append(Result(p.index, Outcome.CREATED, p.report))
            results += [Result(i, Outcome.DUPLICATE, p.report) for i in p.duplicates]
    return sorted(results, key=lambda r: r.index)


def receive_report(*, report: IncomingReport, actor: User | None = None) -> Result:
    """Receive one report; raises ``InvalidInput`` if it is wrong."""
    (result,) = receive_batch(reports=[report], actor=actor)
    if result.outcome == Outcome.INVALID:
        raise InvalidInput({e["field"]: e["message"] for e in result.errors})
    return result
