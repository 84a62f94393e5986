"""Deduplication and grouping.

A report joins an existing group when, within the grouping window, it is about
1. content already in an open incident (any age): it joins that incident's group;
2. the same content item (normalised URL or platform content id) or the same account;
3. near-duplicate text: MinHash signatures (datasketch) banded for LSH. Band hashes live in
   ``GroupBand`` rows so every process sees the same clusters; a band hit is confirmed by
   comparing the stored signature before the report joins.

Candidates for a whole batch are loaded in a handful of queries. The ``Matcher`` then also
remembers the groups the batch itself creates, so two reports in one batch meet too.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TypeVar

import numpy as np
from datasketch import MinHash
from django.db import connection

from trustdesk.incidents.lifecycle import OPEN_STATUSES
from trustdesk.taxonomy.models import Category

from . import bulk
from .models import ContentItem, GroupBand, GroupStatus, ReportGroup

NUM_PERM = 64
# Signatures are stored, so the permutations must not change under them: fix the seed and
# the hashing scheme rather than take the library's defaults.
SEED = 1
SCHEME = "affine32"
# 16 bands of 4 rows: pairs with Jaccard similarity around 0.5 and above collide in at least
# one band with high probability ((1/16)^(1/4) ~ 0.5); the signature check then keeps out
# the false positives.
BANDS, ROWS = 16, 4
SIMILARITY = 0.5
MIN_TOKENS = 4
_WORD = re.compile(r"\w+", re.UNICODE)
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_CHUNK = 2000
_T = TypeVar("_T")
_loaded_group = bulk.Maker(ReportGroup)
_INCIDENT_GROUP = (GroupStatus.CONVERTED, GroupStatus.ATTACHED)
# Serialises intake writers on PostgreSQL, so two processes cannot both miss each other's
# new group and open two groups for the same content. SQLite writers already queue
# (BEGIN IMMEDIATE).
_LOCK_ID = 0x7D1A_7A6E


@dataclass
class Fingerprint:
    content_keys: list[str] = field(default_factory=list)
    account_keys: list[str] = field(default_factory=list)
    signature: np.ndarray | None = None
    bands: list[int] = field(default_factory=list)


def shingles(text: str) -> list[str]:
    """Word pairs of the text without its links (links are matched exactly instead)."""
    words = _WORD.findall(_URL.sub(" ", text.lower()))
    if len(words) < MIN_TOKENS:
        return []
    return [f"{a} {b}" for a, b in pairwise(words)]


# Odd 64-bit multipliers: a band's four 32-bit values and its index are combined with
# wrapping arithmetic, then mixed (SplitMix64's finaliser), so equal bands give equal keys
# and different bands almost never do. Vectorised over a whole batch.
_ROW_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93],
    dtype=np.uint64,
)
_BAND_MULTIPLIER = np.uint64(0xFF51AFD7ED558CCD)


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def band_matrix(signatures: np.ndarray) -> np.ndarray:
    """(n, NUM_PERM) uint32 signatures -> (n, BANDS) int64 band keys."""
    rows = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    combined = (rows * _ROW_MULTIPLIERS).sum(axis=2, dtype=np.uint64)
    combined = combined + np.arange(BANDS, dtype=np.uint64) * _BAND_MULTIPLIER
    return _mix(combined).view(np.int64)


def band_keys(signature: np.ndarray) -> list[int]:
    return [int(k) for k in band_matrix(signature.reshape(1, -1))[0]]


# datasketch's affine32 permutations for our seed: h -> a * fmix32(h) + b (mod 2^32). Taken
# from the library once, so the signatures below are exactly what ``MinHash.bulk`` gives
# (tests compare them); only the arithmetic is done for a whole batch at once.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
_A = np.ascontiguousarray(_PERMUTATIONS[0], dtype=np.uint32)
_B = np.ascontiguousarray(_PERMUTATIONS[1], dtype=np.uint32)
_SHINGLE_HASHES: dict[str, bytes] = {}
_SHINGLE_CACHE_SIZE = 100_000


def _shingle_hash(shingle: str) -> bytes:
    """The first four bytes of the UTF-8 shingle's SHA-1 (datasketch's ``sha1_hash32``, little
    endian), remembered: word pairs repeat a lot across reports about the same thing."""
    digest = _SHINGLE_HASHES.get(shingle)
    if digest is None:
        if len(_SHINGLE_HASHES) >= _SHINGLE_CACHE_SIZE:
            _SHINGLE_HASHES.clear()
        digest = hashlib.sha1(shingle.encode()).digest()[:4]  # noqa: S324 (not security)
        _SHINGLE_HASHES[shingle] = digest
    return digest


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch pre-mixes each input hash."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash_matrix(shingle_sets: Sequence[Sequence[str]]) -> np.ndarray:
    """(n, NUM_PERM) uint32 MinHash signatures of n non-empty shingle sets, the same values
    as ``MinHash.bulk(..., num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)``, computed for the
    whole batch in a few array operations instead of a few per text."""
    known = _SHINGLE_HASHES.get
    digests = b"".join(
        known(s) or _shingle_hash(s) for shingles_ in shingle_sets for s in shingles_
    )
    hashes = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    # One row per permutation, so each text's shingles are contiguous within a row (reducing
    # along rows is several times faster than down columns).
    permuted = _A[:, None] * hashes[None, :] + _B[:, None]
    starts = np.cumsum([0, *(len(s) for s in shingle_sets[:-1])])
    return np.ascontiguousarray(np.minimum.reduceat(permuted, starts, axis=1).T)


def signatures(texts: Sequence[str]) -> list[tuple[np.ndarray | None, list[int]]]:
    """(MinHash signature, LSH band keys) for many texts at once. Texts too short to compare
    get (None, [])."""
    sets = [shingles(text) for text in texts]
    wanted = [i for i, s in enumerate(sets) if s]
    result: list[tuple[np.ndarray | None, list[int]]] = [(None, [])] * len(texts)
    if wanted:
        matrix = minhash_matrix([sets[i] for i in wanted])
        bands = band_matrix(matrix).tolist()
        for row, i in enumerate(wanted):
            result[i] = (matrix[row], bands[row])
    return result


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def pack(signature: np.ndarray) -> bytes:
    return np.ascontiguousarray(signature, dtype=np.uint32).tobytes()


def unpack(data: bytes | memoryview | None) -> np.ndarray | None:
    return np.frombuffer(bytes(data), dtype=np.uint32) if data else None


@contextmanager
def writer_queue() -> Iterator[None]:
    """On a SQLite file, queue intake writers on an exclusive file lock before they open their
    transaction. SQLite's own lock has no queue: a writer that finds it taken sleeps and
    polls (1, 2, 5 … 100 ms), so with several web processes a batch often waited for a lock
    that had been free for tens of milliseconds. ``flock`` wakes the next writer the moment
    the last one lets go. Elsewhere (PostgreSQL, in-memory SQLite) it does nothing."""
    name = str(connection.settings_dict.get("NAME") or "")
    in_memory = not name or name.startswith(":memory:") or "mode=memory" in name
    # Inside an outer transaction (an Idempotency-Key record, a test) this connection may
    # already hold SQLite's write lock: waiting for the file lock then could deadlock with a
    # process that holds the file lock and waits for SQLite's. Such callers just use
    # SQLite's own lock.
    if connection.vendor != "sqlite" or in_memory or connection.in_atomic_block:
        yield
        return
    with open(f"{name}.intake-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_for_grouping() -> None:
    """Take the intake lock for the rest of the current transaction (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])


def _chunks(values: Sequence[_T]) -> Iterator[list[_T]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


@dataclass
class KeyHits:
    """Which groups the batch's content, account and band keys point at.

    Read before the intake lock is taken (``read``): the key lookups are the costliest reads
    of a batch, and another process can write meanwhile. Brought up to date under the lock
    (``catch_up``) from the rows written since, found by id: every intake writer inserts
    content items and bands while holding the lock and commits before letting it go, so ids
    become visible in order, and everything not seen by ``read`` has an id above the largest
    one seen before it."""

    content: set[str]
    accounts: set[str]
    bands: set[int]
    item_mark: int = 0
    band_mark: int = 0
    content_pairs: list[tuple[str, int]] = field(default_factory=list)
    account_pairs: list[tuple[str, int]] = field(default_factory=list)
    band_pairs: list[tuple[int, int]] = field(default_factory=list)

    @classmethod
    def read(cls, fingerprints: Iterable[Fingerprint]) -> KeyHits:
        fps = list(fingerprints)
        hits = cls(
            content={k for fp in fps for k in fp.content_keys},
            accounts={k for fp in fps for k in fp.account_keys},
            bands={b for fp in fps for b in fp.bands},
        )
        # The marks first: a row committed between them and the lookups is merely seen twice.
        hits.item_mark, hits.band_mark = bulk.max_ids(ContentItem, GroupBand)
        hits.content_pairs = bulk.pairs_for_keys(ContentItem, "key", "group", sorted(hits.content))
        hits.account_pairs = bulk.pairs_for_keys(
            ContentItem, "account_key", "group", sorted(hits.accounts)
        )
        hits.band_pairs = bulk.pairs_for_keys(GroupBand, "key", "group", sorted(hits.bands))
        return hits

    def catch_up(self) -> None:
        """Add the hits among rows written since ``read``. Call it holding the intake lock."""
        items = ContentItem.objects.filter(pk__gt=self.item_mark).order_by()
        for key, account, group_id in items.values_list("key", "account_key", "group_id"):
            if key in self.content:
                self.content_pairs.append((key, group_id))
            if account in self.accounts:
                self.account_pairs.append((account, group_id))
        if self.bands:
            bands = GroupBand.objects.filter(pk__gt=self.band_mark).order_by()
            for band, group_id in bands.values_list("key", "group_id"):
                if band in self.bands:
                    self.band_pairs.append((band, group_id))


class Matcher:
    """Finds the group for each report of a batch, and learns as the batch goes."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self.incident_groups: dict[str, ReportGroup] = {}
        self.by_content: dict[str, ReportGroup] = {}
        self.by_account: dict[str, ReportGroup] = {}
        self.by_band: dict[int, list[ReportGroup]] = {}
        self.signatures: dict[int, np.ndarray | None] = {}

    @classmethod
    def load(
        cls, hits: KeyHits, earliest: datetime, window: timedelta, categories: dict[int, Category]
    ) -> Matcher:
        """The groups the batch's keys point at (``hits``), read under the intake lock. The
        keys are looked up alone and the groups filtered afterwards: joined, the planner
        would rather walk every open group. Groups are read as plain rows (``categories`` by
        id supplies their category), which costs a fraction of building them through the
        ORM."""
        matcher = cls(window)
        content_pairs, account_pairs, band_pairs = (
            hits.content_pairs,
            hits.account_pairs,
            hits.band_pairs,
        )
        ids = {gid for _, gid in content_pairs + account_pairs} | {gid for _, gid in band_pairs}
        # By primary key alone, then filtered here: given the status and window conditions
        # too, both SQLite and PostgreSQL prefer walking every open group in the window.
        columns = [*_loaded_group.columns, "incident__status"]
        oldest = earliest - window
        groups: dict[int, ReportGroup] = {}
        for id_chunk in _chunks(sorted(ids)):
            rows = ReportGroup.objects.filter(pk__in=id_chunk).order_by().values_list(*columns)
            for *values, incident_status in rows:
                group = _loaded_group.loaded(values)
                if group.status == GroupStatus.OPEN:
                    if group.last_seen_at < oldest:
                        continue
                elif group.status not in _INCIDENT_GROUP or incident_status not in OPEN_STATUSES:
                    continue
                if group.category_id in categories:
                    group._state.fields_cache["category"] = categories[group.category_id]
                groups[group.pk] = group
        for key, gid in content_pairs:
            group = groups.get(gid)
            if group is not None:
                table = (
                    matcher.by_content
                    if group.status == GroupStatus.OPEN
                    else (matcher.incident_groups)
                )
                table.setdefault(key, group)
        for key, gid in account_pairs:
            if gid in groups and groups[gid].status == GroupStatus.OPEN:
                matcher.by_account.setdefault(key, groups[gid])
        for band, gid in band_pairs:
            if gid in groups and groups[gid].status == GroupStatus.OPEN:
                matcher.by_band.setdefault(band, []).append(groups[gid])
        for group in groups.values():
            # Keyed by identity: the batch's new groups have no primary key yet.
            matcher.signatures[id(group)] = unpack(group.signature)
        return matcher

    def _fresh(self, group: ReportGroup, at: datetime) -> bool:
        return group.status == GroupStatus.OPEN and group.last_seen_at >= at - self.window

    def match(self, fp: Fingerprint, at: datetime) -> ReportGroup | None:
        for key in fp.content_keys:
            group = self.incident_groups.get(key)
            if group is not None:
                return group
        for table, keys in ((self.by_content, fp.content_keys), (self.by_account, fp.account_keys)):
            for key in keys:
                group = table.get(key)
                if group is not None and self._fresh(group, at):
                    return group
        if fp.signature is None:
            return None
        best: tuple[float, ReportGroup | None] = (0.0, None)
        for band in fp.bands:
            for group in self.by_band.get(band, ()):
                stored = self.signatures.get(id(group))
                if stored is None or not self._fresh(group, at):
                    continue
                score = similarity(fp.signature, stored)
                if score >= SIMILARITY and score > best[0]:
                    best = (score, group)
        return best[1]

    def remember(self, group: ReportGroup, fp: Fingerprint, *, new: bool) -> None:
        """Make the batch's later reports find ``group`` by this report's keys. Only a new
        group's own text is banded: a group is compared with the text that opened it."""
        table = self.incident_groups if group.incident_id else self.by_content
        for key in fp.content_keys:
            table.setdefault(key, group)
        for key in fp.account_keys:
            self.by_account.setdefault(key, group)
        if new and fp.signature is not None:
            self.signatures[id(group)] = fp.signature
            for band in fp.bands:
                self.by_band.setdefault(band, []).append(group)
