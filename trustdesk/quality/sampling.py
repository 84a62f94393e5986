"""Drawing a fair sample of each person's closed work. Pure functions: no database.

The draw is stratified: a person's closed items fall into strata by kind (incident or
regulatory request) and risk (``high``: SEV1/SEV2 or a missed legal deadline). The sample
size is shared out between strata in proportion to ``size x weight`` (high-risk strata
weigh ``high_risk_weight``, so they are over-sampled but standard work still appears), and
items are drawn at random inside each stratum.

Everything random comes from one ``random.Random(seed)``, and candidates are put in a fixed
order first, so the same population and seed always give the same sample.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

HIGH = "high"
STANDARD = "standard"
_KINDS = ("incident", "regulatory_request")
# Fixed order: ties in the allocation go to the first stratum, high-risk incidents first.
STRATA: tuple[str, ...] = tuple(f"{kind}:{risk}" for kind in _KINDS for risk in (HIGH, STANDARD))


@dataclass(frozen=True)
class Candidate:
    """One closed item: ``key`` is ``"<kind>:<id>"``, e.g. ``"incident:12"``."""

    key: str
    high_risk: bool

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def stratum(self) -> str:
        return f"{self.kind}:{HIGH if self.high_risk else STANDARD}"

    @property
    def order(self) -> tuple[str, int]:
        kind, _, pk = self.key.partition(":")
        return (kind, int(pk))


def derive_seed(*parts: object, salt: str) -> int:
    """A seed from what identifies a draw (e.g. region, period, person) and a secret salt.
    63 bits, so it fits a signed 64-bit database column."""
    text = "|".join([salt, *(str(part) for part in parts)])
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def stratum_weight(stratum: str, high_risk_weight: float) -> float:
    return high_risk_weight if stratum.endswith(f":{HIGH}") else 1.0


def allocate(sizes: Mapping[str, int], *, size: int, high_risk_weight: float) -> dict[str, int]:
    """How many items to draw from each stratum. Seats go one at a time to the stratum with
    the highest ``size x weight / (2 x seats + 1)`` (Sainte-Laguë, the unbiased proportional
    rule) among those with items left; ties go to the earlier stratum in ``STRATA``."""
    if high_risk_weight < 1:
        raise ValueError("high_risk_weight must be at least 1")
    order = [s for s in STRATA if sizes.get(s, 0) > 0]
    order += sorted(s for s in sizes if s not in STRATA and sizes[s] > 0)
    seats = dict.fromkeys(order, 0)
    for _ in range(min(size, sum(sizes[s] for s in order))):
        open_strata = [s for s in order if seats[s] < sizes[s]]
        best = max(
            open_strata,
            key=lambda s: (
                sizes[s] * stratum_weight(s, high_risk_weight) / (2 * seats[s] + 1),
                -order.index(s),
            ),
        )
        seats[best] += 1
    return seats


def draw(
    candidates: Sequence[Candidate], *, size: int, high_risk_weight: float, seed: int
) -> list[Candidate]:
    """The sample: ``size`` items (or all, if fewer), stratified as ``allocate`` says."""
    rng = random.Random(seed)
    strata: dict[str, list[Candidate]] = {}
    for candidate in sorted(set(candidates), key=lambda c: c.order):
        strata.setdefault(candidate.stratum, []).append(candidate)
    sizes = {name: len(items) for name, items in strata.items()}
    seats = allocate(sizes, size=size, high_risk_weight=high_risk_weight)
    chosen: list[Candidate] = []
    for name, count in seats.items():
        chosen.extend(rng.sample(strata[name], count))
    return chosen


def pick_for_calibration(keys: Sequence[str], *, share: float, seed: int) -> set[str]:
    """The items a second reviewer scores blind: ``share`` of them, rounded, and at least
    one whenever the share is above zero, so a small team still measures agreement."""
    if share <= 0 or not keys:
        return set()
    count = min(len(keys), max(1, round(len(keys) * share)))
    return set(random.Random(seed).sample(sorted(keys), count))


class RoundRobin:
    """Hands out reviewers in turn, skipping anyone excluded (the person reviewed, the first
    reviewer) or who may not review the item (cannot see it)."""

    def __init__(self, reviewers: Sequence[int], *, start: int = 0) -> None:
        self.reviewers = list(reviewers)
        self.position = start % len(self.reviewers) if self.reviewers else 0

    def next(
        self, *, exclude: Collection[int] = (), can_review: Callable[[int], bool] | None = None
    ) -> int | None:
        count = len(self.reviewers)
        for step in range(count):
            index = (self.position + step) % count
            reviewer = self.reviewers[index]
            if reviewer in exclude or (can_review is not None and not can_review(reviewer)):
                continue
            self.position = (index + 1) % count
            return reviewer
        return None
