"""Analytics: every number checked against an independent calculation on small frames."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import followup_kit as fk
from followup_kit import analysis, demo, evidence, schema
from followup_kit import analytics as an
from followup_kit.analysis import THANK_YOU_BUCKETS, analysis_frame
from followup_kit.evidence import rule_evidence

TODAY = date(2025, 6, 30)  # a Monday
D0 = date(2025, 3, 3)  # a Monday, long settled by TODAY


# -- building hand-made tables ----------------------------------------------------------


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    cols = schema.TABLES[table].columns
    data = {c: [r.get(c) for r in rows] for c in cols}
    return schema.to_frame_dtypes(table, pd.DataFrame(data, columns=cols))


class Cohort:
    """A tiny cohort built row by row; ``tables()`` gives the workbook's shape."""

    def __init__(self) -> None:
        self.clients: list[dict] = []
        self.interviews: list[dict] = []
        self.follow_ups: list[dict] = []
        self.responses: list[dict] = []

    def client(self, name="C", *, country="US", cohort="A") -> int:
        cid = len(self.clients) + 1
        self.clients.append({"id": cid, "name": name, "country": country, "cohort": cohort})
        return cid

    def interview(self, client_id, day, *, round="first", decision=None, status="open", **kw):
        iid = len(self.interviews) + 1
        self.interviews.append(
            {
                "id": iid,
                "client_id": client_id,
                "company": kw.get("company", f"Co{iid}"),
                "role": "Analyst",
                "round": round,
                "interview_date": day,
                "format": "video",
                "contact_route": "direct",
                "decision_expected": decision,
                "status": status,
            }
        )
        return iid

    def send(self, iid, day, kind="thank_you", channel="email", script=None, version=None):
        self.follow_ups.append(
            {
                "id": len(self.follow_ups) + 1,
                "interview_id": iid,
                "kind": kind,
                "channel": channel,
                "sent_on": day,
                "script_id": script,
                "script_version": version,
            }
        )

    def reply(self, iid, day, result="still_deciding"):
        self.responses.append(
            {
                "id": len(self.responses) + 1,
                "interview_id": iid,
                "received_on": day,
                "channel": "email",
                "result": result,
            }
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "clients": _frame("clients", self.clients),
            "interviews": _frame("interviews", self.interviews),
            "interviewers": _frame("interviewers", []),
            "follow_ups": _frame("follow_ups", self.follow_ups),
            "responses": _frame("responses", self.responses),
            "skipped_steps": _frame("skipped_steps", []),
        }

    def frame(self, today=TODAY, window_days=30) -> pd.DataFrame:
        return analysis_frame(self.tables(), today=today, window_days=window_days)


def d(n: int, start: date = D0) -> date:
    return start + timedelta(days=n)


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out from its formula."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# -- rates --------------------------------------------------------------------------------


def _rate_cohort() -> Cohort:
    """Same day: 7 settled (4 replied) + 1 pending; 1 day: 3 settled (0 replied); none: 5/5."""
    c = Cohort()
    cid = c.client()
    for i in range(7):
        iid = c.interview(cid, D0)
        c.send(iid, D0)
        if i < 4:
            c.reply(iid, d(10))
    iid = c.interview(cid, TODAY - timedelta(days=3))
    c.send(iid, TODAY - timedelta(days=3))
    for _ in range(3):
        iid = c.interview(cid, D0)
        c.send(iid, d(1))
    for _ in range(5):
        iid = c.interview(cid, D0)
        c.reply(iid, d(2))
    return c


def test_response_rates_counts_rates_and_wilson_bounds():
    table = an.response_rates(_rate_cohort().frame(), "thank_you_timing", min_n=5)
    assert list(table.index) == list(THANK_YOU_BUCKETS)
    assert table.index.name == "thank_you_timing"
    assert list(table.columns) == [
        "n", "responded", "rate", "ci_low", "ci_high", "pending", "too_few",
    ]  # fmt: skip
    assert list(table["n"]) == [7, 3, 0, 0, 0, 5]
    assert list(table["responded"]) == [4, 0, 0, 0, 0, 5]
    assert list(table["pending"]) == [1, 0, 0, 0, 0, 0]
    assert list(table["too_few"]) == [False, True, True, True, True, False]
    assert table.loc["same day", "rate"] == pytest.approx(4 / 7)
    assert math.isnan(table.loc["2-3 days", "rate"])
    for group, k, n in (("same day", 4, 7), ("1 day", 0, 3), ("none", 5, 5)):
        lo, hi = wilson_by_hand(k, n)
        sm_lo, sm_hi = proportion_confint(k, n, method="wilson")
        assert table.loc[group, "ci_low"] == pytest.approx(lo, abs=1e-12)
        assert table.loc[group, "ci_high"] == pytest.approx(hi, abs=1e-12)
        assert (lo, hi) == pytest.approx((sm_lo, sm_hi), abs=1e-12)
    assert math.isnan(table.loc["4-7 days", "ci_low"])


def test_response_rates_by_any_column_has_a_none_group():
    table = an.response_rates(_rate_cohort().frame(), "thank_you_channel")
    assert list(table.index) == ["email", "none"]
    assert table.loc["email", "n"] == 10 and table.loc["none", "n"] == 5


def test_response_rates_unknown_column():
    with pytest.raises(fk.AnalyticsError, match="no such column"):
        an.response_rates(_rate_cohort().frame(), "shoe_size")


# -- comparing two groups -----------------------------------------------------------------


def test_compare_small_groups_use_fisher_and_say_so():
    f = _rate_cohort().frame()
    cmp = an.compare(f, "thank_you_timing", "same day", ["1 day", "none"])
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
    cmp = an.compare(c.frame(), "thank_you_timing", "same day", "4-7 days")
    table = [[36, 24], [15, 35]]
    assert cmp.test == "chi-square test"
    assert cmp.p_value == pytest.approx(stats.chi2_contingency(table, correction=False).pvalue)
    assert cmp.difference == pytest.approx(0.6 - 0.3)
    assert not cmp.too_little_data and cmp.ci_low > 0
    assert "unlikely if the habit made no difference" in cmp.reading
    assert cmp.as_dict()["n_a"] == 60


def test_compare_with_an_empty_group():
    cmp = an.compare(_rate_cohort().frame(), "thank_you_timing", "same day", "8+ days")
    assert cmp.n_b == 0 and math.isnan(cmp.rate_b) and cmp.too_little_data
    assert "nothing to compare" in cmp.reading


def test_compare_unknown_bucket():
    with pytest.raises(fk.AnalyticsError, match="no group"):
        an.compare(_rate_cohort().frame(), "thank_you_timing", "tomorrow", "none")


# -- time to reply (Kaplan-Meier) ----------------------------------------------------------


def _km_cohort() -> Cohort:
    """Replies on days 1, 2, 3; two still waiting at ages 2 and 4 days (censored)."""
    c = Cohort()
    cid = c.client()
    for days in (1, 2, 3):
        iid = c.interview(cid, TODAY - timedelta(days=10))
        c.reply(iid, TODAY - timedelta(days=10 - days))
    c.interview(cid, TODAY - timedelta(days=2))
    c.interview(cid, TODAY - timedelta(days=4))
    c.interview(cid, TODAY + timedelta(days=3))  # not yet happened: left out
    return c


def test_kaplan_meier_matches_a_hand_computation():
    f = _km_cohort().frame()
    curve = an.response_curves(f)
    # Day 1: 5 at risk, 1 reply -> S = 4/5. Day 2: 4 at risk, 1 reply -> S = 0.8 * 3/4.
    # The one censored on day 2 leaves after it; day 3: 2 at risk -> S = 0.6 * 1/2.
    s = [1.0, 0.8, 0.6, 0.3]
    assert list(curve["days"]) == [0, 1, 2, 3]
    assert list(curve["replied"]) == pytest.approx([1 - x for x in s])
    assert list(curve["at_risk"]) == [5, 5, 4, 2]
    assert (curve["ci_low"] <= curve["replied"] + 1e-12).all()
    assert (curve["ci_high"] >= curve["replied"] - 1e-12).all()
    # Censored interviews are not failures: the naive share would be 3 of 5.
    summary = an.time_to_response(f)
    row = summary.loc["all"]
    assert (row["n"], row["replies"], row["still_waiting"]) == (5, 3, 2)
    assert row["median_days"] == 3
    assert row["median_days_if_replied"] == 2
    assert row["replied_by_window"] == pytest.approx(0.7)


def test_kaplan_meier_greenwood_interval_by_hand():
    f = _km_cohort().frame()
    curve = an.response_curves(f)
    # Greenwood: var(S) = S^2 * sum d / (n (n - d)); log-log transformed 95% interval.
    s1, var_sum = 0.8, 1 / (5 * 4)
    se = s1 * math.sqrt(var_sum)
    width = 1.959963984540054 * se / (s1 * abs(math.log(s1)))
    lo_s = math.exp(-math.exp(math.log(-math.log(s1)) + width))
    hi_s = math.exp(-math.exp(math.log(-math.log(s1)) - width))
    assert curve.loc[1, "ci_low"] == pytest.approx(1 - hi_s)
    assert curve.loc[1, "ci_high"] == pytest.approx(1 - lo_s)


def test_median_not_reached_when_most_are_ghosted():
    c = Cohort()
    cid = c.client()
    iid = c.interview(cid, D0)
    c.reply(iid, d(4))
    for _ in range(4):
        c.interview(cid, D0)
    row = an.time_to_response(c.frame()).loc["all"]
    assert math.isnan(row["median_days"]) and math.isnan(row["median_ci_high"])
    assert row["median_days_if_replied"] == 4
    assert row["replied_by_window"] == pytest.approx(0.2)


def test_time_to_response_by_group():
    f = _rate_cohort().frame()
    table = an.time_to_response(f, "thank_you_timing")
    assert table.loc["none", "median_days"] == 2
    assert table.loc["1 day", "replies"] == 0 and math.isnan(table.loc["1 day", "median_days"])
    assert table.loc["same day", "n"] == 8  # the pending one counts, censored
    curves = an.response_curves(f, "thank_you_timing")
    assert set(curves["group"]) == {"same day", "1 day", "none"}


# -- other views --------------------------------------------------------------------------


def test_funnel_counts_by_hand():
    c = Cohort()
    cid = c.client()
    a = c.interview(cid, D0)
    c.send(a, d(0))
    c.send(a, d(6), kind="status_check")
    c.reply(a, d(8), result="next_round")
    b = c.interview(cid, D0)
    c.send(b, d(1))
    c.reply(b, d(3), result="rejection")
    c.interview(cid, D0)
    e = c.interview(cid, D0, status="offer")  # offer noted by status only, no reply row
    c.send(e, d(0))
    c.interview(cid, TODAY)  # pending: left out of the funnel
    table = an.funnel(c.frame())
    assert list(table.index) == list(an.FUNNEL_STAGES)
    assert list(table["count"]) == [4, 3, 1, 2, 2]
    assert list(table["share"]) == pytest.approx([1, 0.75, 0.25, 0.5, 0.5])
    assert an.funnel(c.frame(), settled_only=False).loc["Interviews", "count"] == 5


def test_by_client():
    c = Cohort()
    alex = c.client("Alex", cohort="Spring")
    bo = c.client("Bo", cohort="Summer")
    for i in range(3):
        iid = c.interview(alex, d(i))
        c.send(iid, d(i + 2))
        if i == 0:
            c.reply(iid, d(5), result="offer")
    c.interview(bo, TODAY)
    table = an.by_client(c.frame())
    assert list(table.index) == [alex, bo]
    assert table.loc[alex, "client"] == "Alex" and table.loc[bo, "cohort"] == "Summer"
    assert table.loc[alex, "interviews"] == 3 and table.loc[alex, "responded"] == 1
    assert table.loc[alex, "rate"] == pytest.approx(1 / 3)
    assert table.loc[alex, "median_thank_you_days"] == 2
    assert table.loc[alex, "next_round_or_offer"] == 1
    assert table.loc[bo, "n"] == 0 and table.loc[bo, "pending"] == 1
    assert table.loc[alex, "last_interview"] == pd.Timestamp(d(2))


def test_client_timeline():
    c = Cohort()
    cid = c.client()
    other = c.client("Other")
    iid = c.interview(cid, D0, company="Acme")
    c.send(iid, d(0), script="thank_you_note")
    c.send(iid, d(7), kind="status_check", channel="phone")
    c.reply(iid, d(9), result="next_round")
    c.send(iid, d(400), kind="status_check")  # after today
    c.interview(other, D0)
    t = an.client_timeline(c.tables(), cid, today=TODAY)
    assert list(t["event"]) == ["interview", "thank_you", "status_check", "reply"]
    assert list(t["day"]) == [0, 0, 7, 9]
    assert list(t["what"]) == [
        "Interview", "Thank-you note", "Status check", "Reply: Next round",
    ]  # fmt: skip
    assert set(t["company"]) == {"Acme"}
    assert t.loc[1, "script_id"] == "thank_you_note"


# -- filters and the dashboard tables -------------------------------------------------------


def test_filter_frame():
    c = Cohort()
    a = c.client("A", cohort="Spring")
    b = c.client("B", cohort="Summer")
    c.interview(a, d(0), round="first")
    c.interview(a, d(10), round="final")
    c.interview(b, d(20), round="first")
    f = c.frame()
    assert len(an.filter_frame(f, start=d(5))) == 2
    assert len(an.filter_frame(f, end=d(10))) == 2
    assert len(an.filter_frame(f, start=d(5), end=d(15))) == 1
    assert len(an.filter_frame(f, client_id=a)) == 2
    assert len(an.filter_frame(f, round="first")) == 2
    assert len(an.filter_frame(f, cohort="Summer", round="first")) == 1
    assert an.filter_frame(f, client_id=b).attrs["window_days"] == 30


def test_dashboard_tables_on_the_demo():
    f = analysis_frame(demo.generate(n_clients=12, seed=7), today="2026-11-02")
    tables = an.dashboard_tables(f)
    assert set(tables) == {
        "thank_you_timing", "status_check_timing", "channel", "script", "round", "funnel",
        "time_to_response", "curves", "clients",
    }  # fmt: skip
    settled = int(f["settled"].sum())
    assert tables["thank_you_timing"]["n"].sum() == settled
    # The shared Kaplan-Meier fits give exactly what the public functions give.
    pd.testing.assert_frame_equal(
        tables["time_to_response"], an.time_to_response(f, "thank_you_timing")
    )
    pd.testing.assert_frame_equal(tables["curves"], an.response_curves(f, "thank_you_timing"))
    assert tables["funnel"].loc["Interviews", "count"] == settled
    assert tables["clients"]["interviews"].sum() == len(f)
    # The demo builds in a benefit of quick thank-yous; with 12 clients it shows.
    rates = tables["thank_you_timing"]["rate"]
    assert rates["same day"] > rates["none"]
    assert set(rule_evidence(f).index) >= {"thank_you_due", "status_check_start"}


def test_public_api_is_exported():
    for name in ("response_rates", "compare"):
        assert name in an.__all__
    for module, name in ((analysis, "analysis_frame"), (evidence, "rule_evidence")):
        assert name in module.__all__ and getattr(fk, name) is getattr(module, name)
    assert fk.AnalyticsError is an.AnalyticsError
