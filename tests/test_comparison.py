"""Comparing two groups: rates, the difference and its interval, the test, the reading."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep
from test_analytics import D0, Cohort, _rate_cohort, d, wilson_by_hand  # its synthetic cohorts

from followup_kit.comparison import compare
from followup_kit.exceptions import AnalyticsError


def test_compare_small_groups_use_fisher_and_say_so():
    f = _rate_cohort().frame()
    cmp = compare(f, "thank_you_timing", "same day", ["1 day", "none"])
    assert (cmp.responded_a, cmp.n_a, cmp.responded_b, cmp.n_b) == (4, 7, 5, 8)
    assert cmp.difference == pytest.approx(4 / 7 - 5 / 8)
    lo, hi = confint_proportions_2indep(4, 7, 5, 8, method="newcomb", compare="diff")
    assert (cmp.ci_low, cmp.ci_high) == pytest.approx((lo, hi))
    assert cmp.test == "Fisher's exact test"
    assert cmp.p_value == pytest.approx(stats.fisher_exact([[4, 3], [5, 3]])[1])
    assert cmp.too_little_data
    assert "Too little data" in cmp.reading and "observational" in cmp.reading
    assert "4 got a reply within 30 days (57%)" in cmp.reading
    assert str(cmp) == cmp.reading


def test_compare_large_groups_use_chi_square():
    c = Cohort()
    cid = c.client()
    for delay, n, k in ((0, 60, 36), (5, 50, 15)):
        for i in range(n):
            iid = c.interview(cid, D0)
            c.send(iid, d(delay))
            if i < k:
                c.reply(iid, d(12))
    cmp = compare(c.frame(), "thank_you_timing", "same day", "4-7 days")
    table = [[36, 24], [15, 35]]
    assert cmp.test == "chi-square test"
    assert cmp.p_value == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)
    assert cmp.difference == pytest.approx(0.6 - 0.3)
    assert not cmp.too_little_data and cmp.ci_low > 0
    assert "unlikely if the habit made no difference" in cmp.reading
    assert cmp.as_dict()["n_a"] == 60


def test_compare_with_an_empty_group():
    cmp = compare(_rate_cohort().frame(), "thank_you_timing", "same day", "8+ days")
    assert cmp.n_b == 0 and math.isnan(cmp.rate_b) and cmp.too_little_data
    assert "nothing to compare" in cmp.reading


def test_compare_unknown_bucket():
    with pytest.raises(AnalyticsError, match="no group"):
        compare(_rate_cohort().frame(), "thank_you_timing", "tomorrow", "none")


def test_cluster_compare_counts_clients_and_widens():
    # Clients 0-9 thank the same day, 10-19 after 5 days; each client's interviews go
    # together: 6 of the quick clients always get replies, 3 of the slow ones do.
    c = Cohort()
    for k in range(20):
        cid = c.client(f"C{k}")
        for _ in range(10):
            iid = c.interview(cid, D0)
            c.send(iid, D0 if k < 10 else d(5))
            if (k < 10 and k < 6) or (k >= 10 and k < 13):
                c.reply(iid, d(12))
    f = c.frame()
    wilson = compare(f, "thank_you_timing", "same day", "4-7 days")
    cluster = compare(f, "thank_you_timing", "same day", "4-7 days", interval="cluster")
    assert cluster.interval == "cluster" and wilson.interval == "wilson"
    assert (cluster.clients_a, cluster.clients_b) == (10, 10)
    assert cluster.difference == wilson.difference == pytest.approx(0.3)
    assert cluster.ci_high - cluster.ci_low >= 2 * (wilson.ci_high - wilson.ci_low)
    assert wilson.ci_low > 0 and cluster.ci_low < 0  # 200 interviews, but only 20 people
    assert cluster.test == "cluster-robust t-test" and cluster.p_value > 0.05
    assert "100 settled interviews from 10 clients" in cluster.reading
    assert "allowing for clients with several interviews" in cluster.reading
    assert "cannot tell these groups apart" in cluster.reading
    auto = compare(f, "thank_you_timing", "same day", "4-7 days", interval="auto")
    assert auto.interval == "cluster"
    assert (wilson.ci_low_a, wilson.ci_high_a) == pytest.approx(wilson_by_hand(60, 100))
