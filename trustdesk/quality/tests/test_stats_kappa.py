"""Percent agreement and Cohen's kappa against hand-computed values."""

import pytest

from trustdesk.quality.stats import (
    cohens_kappa,
    describe_kappa,
    linear_weighted_kappa,
    percent_agreement,
)

# The textbook example: 50 items, both say yes 20 times, both no 15, and they split 5 + 10.
# po = 35/50 = 0.7; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
TEXTBOOK = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15

# Four items on a 1..3 scale.
# Unweighted: po = 2/4; marginals A {1: .5, 2: .25, 3: .25}, B {1: .25, 2: .75};
# pe = .5*.25 + .25*.75 = .3125; kappa = (.5 - .3125) / .6875 = 3/11.
# Linear weights |i-j|/2: observed disagreement (0 + .5 + 0 + .5)/4 = .25; expected
# .5*.75*.5 + .25*.25*.5 + .25*.25*1 + .25*.75*.5 = .375; kappa_w = 1 - .25/.375 = 1/3.
SMALL = [(1, 1), (1, 2), (2, 2), (3, 2)]


def test_percent_agreement():
    assert percent_agreement(TEXTBOOK) == pytest.approx(0.7)
    assert percent_agreement(SMALL) == pytest.approx(0.5)
    assert percent_agreement([]) is None


def test_kappa_matches_the_textbook_example():
    assert cohens_kappa(TEXTBOOK) == pytest.approx(0.4)


def test_kappa_on_an_ordinal_scale():
    assert cohens_kappa(SMALL) == pytest.approx(3 / 11)


def test_linear_weighted_kappa_gives_partial_credit_for_near_misses():
    assert linear_weighted_kappa(SMALL, scale_min=1, scale_max=3) == pytest.approx(1 / 3)


def test_perfect_agreement_is_one():
    pairs = [(1, 1), (2, 2), (3, 3), (2, 2)]
    assert cohens_kappa(pairs) == pytest.approx(1.0)
    assert linear_weighted_kappa(pairs, scale_min=1, scale_max=3) == pytest.approx(1.0)


def test_agreement_worse_than_chance_is_negative():
    assert cohens_kappa([(1, 2), (2, 1)]) == pytest.approx(-1.0)


def test_kappa_is_undefined_when_everyone_gave_one_score():
    assert cohens_kappa([(4, 4), (4, 4)]) is None
    assert cohens_kappa([]) is None


def test_not_applicable_counts_as_a_score_but_not_for_weighted_kappa():
    pairs = [(None, None), (1, 1), (2, 3)]
    assert percent_agreement(pairs) == pytest.approx(2 / 3)
    # Only (1, 1) and (2, 3) are weighed: observed .5/2 = .25 (width 2); marginals
    # A {1: .5, 2: .5}, B {1: .5, 3: .5}: expected .25*0 + .25*1 + .25*.5 + .25*.5 = .5.
    assert linear_weighted_kappa(pairs, scale_min=1, scale_max=3) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kappa", "word"),
    [
        (None, "undefined"),
        (-0.1, "poor"),
        (0.1, "slight"),
        (0.4, "fair"),
        (0.55, "moderate"),
        (0.7, "substantial"),
        (0.95, "almost perfect"),
    ],
)
def test_it_names_kappa_bands(kappa, word):
    assert describe_kappa(kappa) == word
