"""Analytics: every number checked against an independent calculation on small frames."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import followup_kit as fk
from followup_kit import analysis, demo, evidence, schema
from followup_kit import analytics as an
from followup_kit.analysis import THANK_YOU_BUCKETS, analysis_frame
from followup_kit.evidence import rule_evidence
from followup_kit.workshop import workshop_table

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
        "n", "responded", "rate", "ci_low", "ci_high", "pending", "too_few", "clients",
    ]  # fmt: skip
    assert table.attrs["interval"] == "wilson" and list(table["clients"]) == [1, 1, 0, 0, 0, 1]
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


# -- intervals that know a client is not an interview ---------------------------------------


def _clustered(clients: int, each: int, *, replied: Callable[[int, int], bool]) -> Cohort:
    """``clients`` clients with ``each`` settled interviews; replied(client, i) decides."""
    c = Cohort()
    for k in range(clients):
        cid = c.client(f"C{k}")
        for i in range(each):
            iid = c.interview(cid, D0)
            c.send(iid, D0)
            if replied(k, i):
                c.reply(iid, d(10))
    return c


def _width(table: pd.DataFrame, group: str = "same day") -> float:
    return float(table.loc[group, "ci_high"] - table.loc[group, "ci_low"])


def test_cluster_interval_is_wide_when_each_clients_interviews_go_the_same_way():
    # 200 interviews from 20 clients: half the clients always get a reply, half never.
    f = _clustered(20, 10, replied=lambda k, i: k % 2 == 0).frame()
    wilson = an.response_rates(f, "thank_you_timing")
    cluster = an.response_rates(f, "thank_you_timing", interval="cluster")
    assert cluster.loc["same day", "n"] == 200 and cluster.loc["same day", "clients"] == 20
    assert cluster.attrs["interval"] == "cluster" and wilson.attrs["interval"] == "wilson"
    assert cluster.loc["same day", "rate"] == wilson.loc["same day", "rate"] == 0.5
    assert _width(cluster) >= 2 * _width(wilson)
    # About what 20 independent interviews would give (t on 19 df instead of 1.96).
    lo, hi = wilson_by_hand(10, 20, z=stats.t.ppf(0.975, 19))
    assert _width(cluster) == pytest.approx(hi - lo, abs=0.03)
    assert an.response_rates(f, "thank_you_timing", interval="auto").attrs["interval"] == "cluster"


def test_cluster_interval_agrees_with_wilson_for_one_interview_per_client():
    f = _clustered(200, 1, replied=lambda k, i: k % 5 < 2).frame()
    wilson = an.response_rates(f, "thank_you_timing").loc["same day"]
    cluster = an.response_rates(f, "thank_you_timing", interval="cluster").loc["same day"]
    assert cluster["rate"] == wilson["rate"] == 0.4
    assert cluster["ci_low"] == pytest.approx(wilson["ci_low"], abs=0.005)
    assert cluster["ci_high"] == pytest.approx(wilson["ci_high"], abs=0.005)
    assert _width(an.response_rates(f, "thank_you_timing", interval="cluster")) == pytest.approx(
        _width(an.response_rates(f, "thank_you_timing")), rel=0.03
    )
    # Nobody has two interviews in a group: "auto" keeps Wilson.
    assert an.response_rates(f, "thank_you_timing", interval="auto").attrs["interval"] == "wilson"


def test_cluster_interval_matches_a_gee_sandwich_by_hand():
    """The variance is the robust (sandwich) variance of an intercept-only GEE, x G/(G-1)."""
    import statsmodels.api as sm

    pattern = [3, 1, 4, 1, 5, 0, 2, 6, 5, 3, 5, 0]
    f = _clustered(12, 6, replied=lambda k, i: i < pattern[k]).frame()
    row = an.response_rates(f, "thank_you_timing", interval="cluster").loc["same day"]
    settled = f[f["settled"]]
    y = settled["responded"].to_numpy(dtype=float)
    groups = settled["client_id"].to_numpy(dtype=int)
    fit = sm.GEE(y, np.ones((len(y), 1)), groups=groups, family=sm.families.Gaussian()).fit()
    p = y.mean()
    v = fit.cov_robust[0, 0] * 12 / 11
    lo, hi = wilson_by_hand(p * (p * (1 - p) / v), p * (1 - p) / v, z=stats.t.ppf(0.975, 11))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi))


def test_cluster_interval_at_zero_and_with_one_client():
    never = _clustered(4, 10, replied=lambda k, i: False).frame()
    row = an.response_rates(never, "thank_you_timing", interval="cluster").loc["same day"]
    # All 40 went the same way: the worst case (each client's interviews together) is
    # assumed, so it is as wide as Wilson for 4 interviews, with t on 3 df.
    lo, hi = wilson_by_hand(0, 4, z=stats.t.ppf(0.975, 3))
    assert row["ci_low"] == 0 and row["ci_high"] == pytest.approx(hi)
    alone = _clustered(1, 8, replied=lambda k, i: i < 3).frame()
    row = an.response_rates(alone, "thank_you_timing", interval="cluster").loc["same day"]
    assert (row["ci_low"], row["ci_high"]) == (0.0, 1.0)
    with pytest.raises(fk.AnalyticsError, match="interval must be one of"):
        an.response_rates(alone, "thank_you_timing", interval="bootstrap")


def test_rule_evidence_and_workshop_tables_take_the_interval():
    f = _clustered(20, 10, replied=lambda k, i: k % 2 == 0).frame()
    wilson = rule_evidence(f)
    cluster = rule_evidence(f, interval="auto")
    assert wilson.attrs["interval"] == "wilson" and cluster.attrs["interval"] == "cluster"
    w, cl = wilson.loc["thank_you_due"], cluster.loc["thank_you_due"]
    assert cl["clients_followed"] == 20 and cl["n_followed"] == 200
    assert cl["ci_high_followed"] - cl["ci_low_followed"] >= 2 * (
        w["ci_high_followed"] - w["ci_low_followed"]
    )
    table = workshop_table(f, "thank_you_timing", k=5)
    assert table.attrs["interval"] == "cluster" and table.loc["same day", "clients"] == 20
    assert _width(table) == pytest.approx(
        _width(an.response_rates(f, "thank_you_timing", interval="cluster"))
    )
    scripts = an.by_script(f, interval="cluster")
    assert scripts.attrs["interval"] == "cluster"


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
    from followup_kit import comparison

    assert "response_rates" in an.__all__
    for module, name in (
        (analysis, "analysis_frame"),
        (evidence, "rule_evidence"),
        (comparison, "compare"),
        (an, "response_rates"),
    ):
        assert name in module.__all__ and getattr(fk, name) is getattr(module, name)
    assert fk.AnalyticsError is an.AnalyticsError


# -- adjusted comparisons -------------------------------------------------------------------


def _confounded(
    seed: int = 3, clients: int = 300, each: int = 8, *, routes: bool = True
) -> tuple[Cohort, float]:
    """Final rounds both reply more and thank the same day more often; the habit adds a
    known amount. Returns the cohort and the true average effect (percentage points / 100).

    logit P(reply) = -1.2 + 0.5 [same day] + 1.5 [final] + u_client (sd 0.5).
    """
    rng = np.random.default_rng(seed)
    c = Cohort()
    truth = []
    for k in range(clients):
        cid = c.client(f"C{k}")
        u = rng.normal(0, 0.5)
        for _ in range(each):
            final = rng.random() < 0.3
            quick = rng.random() < (0.85 if final else 0.3)
            fmt = "onsite" if rng.random() < 0.5 else "video"
            iid = c.interview(cid, D0, round="final" if final else "first")
            c.interviews[-1]["format"] = fmt
            if routes:
                c.interviews[-1]["contact_route"] = "hr" if rng.random() < 0.3 else "direct"
            c.send(iid, D0 if quick else d(5))
            base = -1.2 + 1.5 * final + u
            p_with, p_without = 1 / (1 + np.exp(-(base + 0.5))), 1 / (1 + np.exp(-base))
            truth.append(p_with - p_without)
            if rng.random() < (p_with if quick else p_without):
                c.reply(iid, d(12))
    return c, float(np.mean(truth))


def test_adjusted_compare_recovers_a_known_effect_the_raw_one_overstates():
    cohort, truth = _confounded()
    f = cohort.frame()
    adj = fk.adjusted_compare(f, "thank_you_timing", "same day", "4-7 days")
    assert adj.raw.interval == "cluster" and adj.clients == 300 and adj.interviews == 2400
    assert adj.raw.difference > truth + 0.08  # confounded by round
    assert adj.difference == pytest.approx(truth, abs=0.04)
    assert adj.ci_low < truth < adj.ci_high
    assert abs(adj.difference - truth) < abs(adj.raw.difference - truth) / 3
    text = adj.reading
    assert "Holding round, format and contact route equal" in text
    assert "observational" in text and "went with who used the habit" in text
    assert f"{100 * adj.difference:+.0f} percentage points" in text


def test_adjusted_compare_refuses_what_the_data_cannot_support():
    cohort, _ = _confounded(clients=6, each=10)
    with pytest.raises(fk.AnalyticsError, match="Too few clients"):
        fk.adjusted_compare(cohort.frame(), "thank_you_timing", "same day", "4-7 days")
    cohort, _ = _confounded(clients=40, each=6, routes=False)
    f = cohort.frame()
    with pytest.raises(fk.AnalyticsError, match="same contact route"):
        fk.adjusted_compare(f, "thank_you_timing", "same day", "4-7 days")  # all direct
    adj = fk.adjusted_compare(
        f, "thank_you_timing", "same day", "4-7 days", covariates=["round", "format"]
    )
    assert adj.covariates == ("round", "format")
    # Every final-round interview got a reply: the model has no finite answer.
    for iid in f.loc[f["round"] == "final", "interview_id"]:
        cohort.reply(int(iid), d(3))
    with pytest.raises(fk.AnalyticsError, match="perfect separation"):
        fk.adjusted_compare(
            cohort.frame(), "thank_you_timing", "same day", "4-7 days", covariates=["round"]
        )


@pytest.mark.parametrize("limit", [1, 250, 620, 10**9])  # 1, 2, 5 or every group at once
def test_counts_are_the_same_whether_groups_are_counted_at_once_or_a_few_at_a_time(
    monkeypatch, limit
):
    """The (group, client, status) counts fit in memory a few groups at a time: any
    split gives the same tables, scripts counted once per script an interview used."""
    frame = analysis_frame(demo.generate(n_clients=40, seed=5), today="2026-11-02")
    whole = {by: an.response_rates(frame, by, interval="cluster") for by in _SPLIT_BY}
    monkeypatch.setattr(an, "_DENSE_LIMIT", limit)
    for by, expected in whole.items():
        got = an.response_rates(frame, by, interval="cluster")
        pd.testing.assert_frame_equal(got, expected)
    assert len(whole["script_version"]) > 3  # several groups: a split really happened


_SPLIT_BY = ("thank_you_timing", "script_id", "script_version", "round")


def test_an_interview_using_two_scripts_counts_once_in_each(monkeypatch):
    frame = analysis_frame(demo.generate(n_clients=40, seed=5), today="2026-11-02")
    monkeypatch.setattr(an, "_DENSE_LIMIT", 3)
    table = an.response_rates(frame, "script_id")
    settled = frame[frame["settled"]]
    for script in table.index:
        sets = settled["scripts_before_reply"].astype(object).fillna(an.NONE_GROUP)
        used = sets.str.split(", ").map(lambda names, s=script: s in names)
        assert table.loc[script, "n"] == int(used.sum())
        assert table.loc[script, "responded"] == int(settled.loc[used, "responded"].sum())
