"""Stratified sampling: SEV1/SEV2 and breached work is over-sampled, standard work still
appears, and a stratum never gives more than it has."""

from collections import Counter

import pytest

from trustdesk.quality.sampling import Candidate, allocate, draw


def _population(high: int, standard: int, kind: str = "incident") -> list[Candidate]:
    items = [Candidate(f"{kind}:{n}", True) for n in range(1, high + 1)]
    items += [Candidate(f"{kind}:{n}", False) for n in range(high + 1, high + standard + 1)]
    return items


def test_it_shares_the_sample_in_proportion_to_size_times_weight():
    # 10 high-risk x3 = 30 against 30 standard x1 = 30: an even split of 4.
    sizes = {"incident:high": 10, "incident:standard": 30}
    assert allocate(sizes, size=4, high_risk_weight=3) == {
        "incident:high": 2,
        "incident:standard": 2,
    }


def test_without_extra_weight_the_split_follows_the_population():
    sizes = {"incident:high": 10, "incident:standard": 30}
    assert allocate(sizes, size=4, high_risk_weight=1) == {
        "incident:high": 1,
        "incident:standard": 3,
    }


def test_a_small_stratum_gives_all_it_has_and_the_rest_go_elsewhere():
    sizes = {"incident:high": 1, "incident:standard": 30}
    assert allocate(sizes, size=5, high_risk_weight=10) == {
        "incident:high": 1,
        "incident:standard": 4,
    }


def test_regulatory_requests_are_strata_of_their_own():
    sizes = {"incident:standard": 6, "regulatory_request:high": 2}
    seats = allocate(sizes, size=4, high_risk_weight=3)
    assert seats == {"regulatory_request:high": 2, "incident:standard": 2}


def test_a_person_with_less_work_than_the_sample_size_has_all_of_it_drawn():
    population = _population(1, 2)
    assert sorted(c.key for c in draw(population, size=4, high_risk_weight=3, seed=7)) == [
        "incident:1",
        "incident:2",
        "incident:3",
    ]


def test_over_weighting_is_measurable_over_many_seeds():
    # 20% of the work is high-risk; weighted x3 it should be about 43% of the sample
    # (3*5 / (3*5 + 20)), and never the whole of it.
    population = _population(5, 20)
    drawn = Counter()
    for seed in range(400):
        for candidate in draw(population, size=5, high_risk_weight=3, seed=seed):
            drawn[candidate.high_risk] += 1
    share = drawn[True] / (drawn[True] + drawn[False])
    assert share == pytest.approx(2 / 5)  # 2 of every 5 seats, whatever the seed
    unweighted = Counter()
    for seed in range(400):
        for candidate in draw(population, size=5, high_risk_weight=1, seed=seed):
            unweighted[candidate.high_risk] += 1
    assert unweighted[True] / 2000 == pytest.approx(1 / 5)


def test_every_high_risk_item_gets_a_fair_chance_within_its_stratum():
    population = _population(5, 20)
    picked = Counter()
    for seed in range(2000):
        for candidate in draw(population, size=5, high_risk_weight=3, seed=seed):
            if candidate.high_risk:
                picked[candidate.key] += 1
    # 2 of 5 high-risk items drawn each time: each about 800 times in 2000 draws.
    assert set(picked) == {f"incident:{n}" for n in range(1, 6)}
    assert all(700 < count < 900 for count in picked.values())


def test_the_weight_must_not_under_sample_high_risk_work():
    with pytest.raises(ValueError, match="at least 1"):
        allocate({"incident:high": 1}, size=1, high_risk_weight=0.5)
