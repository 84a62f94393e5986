"""The weighted score against hand-computed values, and critical failures."""

import pytest

from trustdesk.quality.stats import Rated, weighted_score


def _rubric(severity, category, policy, stakeholders=3):
    return [
        Rated("severity", severity, 1, 5, weight=2),  # normalised (v-1)/4
        Rated("category", category, 1, 5, weight=1),
        Rated("policy", policy, 0, 1, weight=1, critical=True, pass_threshold=1),
        Rated("stakeholders", stakeholders, 1, 3, weight=2),
    ]


def test_it_weights_normalised_scores():
    # severity 4 -> 0.75 x2 = 1.5; category 3 -> 0.5 x1 = 0.5; policy 1 -> 1 x1 = 1;
    # stakeholders 3 of 1..3 -> 1 x2 = 2. Total 5 / weight 6 = 0.833333.
    result = weighted_score(_rubric(4, 3, 1), pass_mark=0.7)
    assert result.score == pytest.approx(5 / 6, abs=1e-6)
    assert result.passed
    assert result.critical_failures == ()


def test_a_critical_failure_fails_the_review_whatever_the_score():
    # severity 5 -> 1 x2; category 5 -> 1; policy 0 -> 0; stakeholders 3 -> 1 x2: 5/6 again.
    result = weighted_score(_rubric(5, 5, 0), pass_mark=0.7)
    assert result.score == pytest.approx(5 / 6, abs=1e-6)
    assert result.critical_failures == ("policy",)
    assert not result.passed


def test_not_applicable_criteria_leave_the_weights():
    # stakeholders N/A: (1.5 + 0.5 + 1) / 4 = 0.75
    result = weighted_score(_rubric(4, 3, 1, stakeholders=None), pass_mark=0.7)
    assert result.score == pytest.approx(0.75)


def test_a_score_exactly_at_the_pass_mark_passes():
    ratings = [Rated("a", 8, 1, 11, weight=1)]  # (8 - 1) / 10 = 0.7, a float that is not
    assert weighted_score(ratings, pass_mark=0.7).passed


def test_just_below_the_pass_mark_fails():
    ratings = [Rated("a", 3, 1, 5, weight=1), Rated("b", 4, 1, 5, weight=1)]  # 0.625
    result = weighted_score(ratings, pass_mark=0.7)
    assert result.score == pytest.approx(0.625)
    assert not result.passed


def test_nothing_applicable_is_no_score_and_no_pass():
    result = weighted_score([Rated("a", None, 1, 5, weight=1)], pass_mark=0.7)
    assert result.score is None
    assert not result.passed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"value": 6, "scale_min": 1, "scale_max": 5, "weight": 1}, "off the scale"),
        ({"value": 1, "scale_min": 5, "scale_max": 1, "weight": 1}, "low to high"),
        ({"value": 1, "scale_min": 1, "scale_max": 5, "weight": 0}, "positive"),
    ],
)
def test_it_refuses_impossible_ratings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Rated("x", **kwargs)
