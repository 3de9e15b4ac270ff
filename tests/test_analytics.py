"""Analytics: every number checked against an independent calculation on small frames."""

from __future__ import annotations

import functools
import math
from datetime import date, timedelta

import holidays
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

import followup_kit as fk
from followup_kit import analytics as an
from followup_kit import demo, schema

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
        return an.analysis_frame(self.tables(), today=today, window_days=window_days)


def d(n: int, start: date = D0) -> date:
    return start + timedelta(days=n)


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out from its formula."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# -- the analysis frame ------------------------------------------------------------------


def test_thank_you_bucket_edges():
    c = Cohort()
    cid = c.client()
    delays = [0, 1, 2, 3, 4, 7, 8, None]
    for delay in delays:
        iid = c.interview(cid, D0)
        if delay is not None:
            c.send(iid, d(delay))
    f = c.frame()
    assert list(f["thank_you_timing"].astype(str)) == [
        "same day", "1 day", "2-3 days", "2-3 days", "4-7 days", "4-7 days", "8+ days", "none",
    ]  # fmt: skip
    assert list(f["thank_you_delay_days"]) == [0, 1, 2, 3, 4, 7, 8, pd.NA]
    assert list(f["thank_you_timing"].cat.categories) == list(an.THANK_YOU_BUCKETS)


def test_status_check_bucket_edges():
    c = Cohort()
    cid = c.client()
    delays = [0, 3, 4, 7, 8, 14, 15, None]
    for delay in delays:
        iid = c.interview(cid, D0)
        if delay is not None:
            c.send(iid, d(delay), kind="status_check")
    f = c.frame()
    assert list(f["status_check_timing"].astype(str)) == [
        "0-3 days", "0-3 days", "4-7 days", "4-7 days", "8-14 days", "8-14 days", "15+ days",
        "none",
    ]  # fmt: skip
    table = an.response_rates(f, "status_check_timing")
    assert list(table.index) == list(an.STATUS_CHECK_BUCKETS)
    assert list(table["n"]) == [2, 2, 2, 1, 1]


def test_pending_versus_settled_at_the_window_edge():
    today = date(2025, 6, 30)
    c = Cohort()
    cid = c.client()
    age30 = c.interview(cid, today - timedelta(days=30))  # window not closed yet
    age31 = c.interview(cid, today - timedelta(days=31))  # closed, no reply: settled
    reply30 = c.interview(cid, today - timedelta(days=60))
    c.reply(reply30, today - timedelta(days=30))  # day 30: inside the window
    reply31 = c.interview(cid, today - timedelta(days=60))
    c.reply(reply31, today - timedelta(days=29))  # day 31: too late to count
    young_replied = c.interview(cid, today - timedelta(days=3))
    c.reply(young_replied, today - timedelta(days=1))
    later = c.interview(cid, today - timedelta(days=5))
    c.reply(later, today + timedelta(days=2))  # after "today": not seen yet
    future = c.interview(cid, today + timedelta(days=4))
    f = c.frame(today=today).set_index("interview_id")
    assert f.loc[age30, "pending"] and not f.loc[age30, "responded"]
    assert f.loc[age31, "settled"] and not f.loc[age31, "responded"]
    assert f.loc[reply30, "responded"] and f.loc[reply30, "days_to_response"] == 30
    assert not f.loc[reply31, "responded"] and f.loc[reply31, "settled"]
    assert f.loc[reply31, "days_to_response"] == 31
    assert f.loc[young_replied, "responded"] and not f.loc[young_replied, "pending"]
    assert f.loc[later, "pending"] and pd.isna(f.loc[later, "days_to_response"])
    assert f.loc[future, "pending"] and f.loc[future, "age_days"] == -4
    rates = an.response_rates(f.reset_index(), "round")
    assert rates.loc["first", "n"] == 4  # age31, reply30, reply31, young_replied
    assert rates.loc["first", "responded"] == 2
    assert rates.loc["first", "pending"] == 3
    # Same frame, shorter window: the 30-day reply no longer counts.
    f10 = c.frame(today=today, window_days=10).set_index("interview_id")
    assert not f10.loc[reply30, "responded"] and f10.loc[age30, "settled"]


def test_first_thank_you_is_the_earliest_and_keeps_its_channel():
    c = Cohort()
    cid = c.client()
    iid = c.interview(cid, D0)
    c.send(iid, d(3), channel="handwritten")  # logged first, sent later
    c.send(iid, d(1), channel="linkedin")
    c.send(iid, d(1), channel="email")  # same day, logged later: not the first
    c.send(iid, d(6), kind="status_check", channel="phone")
    c.send(iid, d(4), kind="status_check", channel="voicemail")
    c.send(iid, d(12), kind="status_check", channel="email")
    c.send(iid, d(200), kind="status_check")  # after today: ignored
    f = c.frame().iloc[0]
    assert f["thank_you_delay_days"] == 1 and f["thank_you_channel"] == "linkedin"
    assert f["status_check_delay_days"] == 4 and f["status_check_channel"] == "voicemail"
    assert f["second_follow_up_date"] == pd.Timestamp(d(6))
    assert f["n_follow_ups"] == 6 and f["n_status_checks"] == 3
    assert isinstance(f["thank_you_channel"], str)


def test_business_days_skip_weekends_and_the_countrys_holidays():
    c = Cohort()
    us = c.client(country="US")
    gb = c.client(country="GB")
    # Thu 3 Jul 2025 -> Mon 7 Jul: Fri 4 Jul is a US holiday, not a British one.
    for cid in (us, gb):
        iid = c.interview(cid, date(2025, 7, 3))
        c.send(iid, date(2025, 7, 7))
    # Fri 7 Mar 2025 -> Mon 10 Mar: the weekend does not count.
    iid = c.interview(us, date(2025, 3, 7))
    c.send(iid, date(2025, 3, 10))
    f = c.frame(today=date(2025, 9, 1))
    assert list(f["thank_you_delay_days"]) == [4, 4, 3]
    assert list(f["thank_you_delay_bdays"]) == [1, 2, 1]


def test_decision_date_and_second_follow_up_gaps():
    c = Cohort()
    cid = c.client()
    # Decision expected Fri 14 Mar; check on Tue 18 Mar = 2 business days after it.
    iid = c.interview(cid, D0, decision=date(2025, 3, 14))
    c.send(iid, date(2025, 3, 18), kind="status_check")
    c.send(iid, date(2025, 3, 25), kind="status_check")  # 5 business days later
    f = c.frame().iloc[0]
    assert f["status_check_after_decision_bdays"] == 2
    assert f["second_follow_up_gap_bdays"] == 5
    assert f["status_check_delay_bdays"] == 11


def test_scripts_used_and_scripts_before_the_reply():
    c = Cohort()
    cid = c.client()
    a = c.interview(cid, D0)
    c.send(a, d(0), script="thank_you_note", version="2")
    c.send(a, d(6), kind="status_check", script="decision_check_call", version="1")
    c.reply(a, d(9), result="rejection")
    c.send(a, d(10), kind="feedback_request", script="feedback_request", version="1")
    b = c.interview(cid, D0)
    c.send(b, d(1), script="thank_you_note", version="1")
    c.send(b, d(1), script="thank_you_note", version="1")  # twice: counted once
    e = c.interview(cid, D0)  # no scripts at all
    c.send(e, d(1))
    f = c.frame()
    assert f.loc[0, "script_ids"] == "decision_check_call, feedback_request, thank_you_note"
    assert f.loc[0, "scripts_before_reply"] == "decision_check_call, thank_you_note"
    assert f.loc[0, "versions_before_reply"] == "decision_check_call v1, thank_you_note v2"
    assert f.loc[1, "script_ids"] == "thank_you_note"
    assert pd.isna(f.loc[2, "script_ids"])
    by_id = an.response_rates(f, "script_id", min_n=1)
    assert list(by_id.index) == ["decision_check_call", "thank_you_note", "none"]
    assert by_id.loc["thank_you_note", "n"] == 2
    assert by_id.loc["thank_you_note", "responded"] == 1
    assert "feedback_request" not in by_id.index  # sent after the reply: earned nothing
    by_version = an.by_script(f, min_n=1)
    assert list(by_version.index) == [
        "decision_check_call v1", "thank_you_note v1", "thank_you_note v2", "none",
    ]  # fmt: skip
    assert list(by_version["n"]) == [1, 1, 1, 1]


@pytest.mark.parametrize("n", [55, 70])  # past a float's exact bits; past a 64-bit mask
def test_many_distinct_scripts_fall_back_and_stay_correct(n):
    c = Cohort()
    cid = c.client()
    for i in range(n):
        iid = c.interview(cid, D0)
        c.send(iid, d(0), script=f"s{i:02d}")
        c.send(iid, d(1), script=f"s{(i + 1) % n:02d}")
        c.send(iid, d(2), script=f"s{i:02d}")  # the same script twice counts once
    f = c.frame()
    assert f.loc[0, "script_ids"] == "s00, s01"
    assert f.loc[n - 1, "script_ids"] == f"s00, s{n - 1:02d}"
    assert an.response_rates(f, "script_id", min_n=1)["n"].sum() == 2 * n


def test_ids_that_are_not_one_two_three():
    c = Cohort()
    cid = c.client()
    for delay in (0, 2, None):
        iid = c.interview(cid, D0)
        if delay is not None:
            c.send(iid, d(delay))
        c.reply(iid, d(5))
    t = c.tables()
    shift = {1: 907, 2: 15, 3: 400}
    t["interviews"]["id"] = t["interviews"]["id"].map(shift).astype("Int64")
    for name in ("follow_ups", "responses"):
        t[name]["interview_id"] = t[name]["interview_id"].map(shift).astype("Int64")
    t["clients"]["id"] = pd.array([77], dtype="Int64")
    t["interviews"]["client_id"] = pd.array([77] * 3, dtype="Int64")
    f = an.analysis_frame(t, today=TODAY)
    assert list(f["interview_id"]) == [907, 15, 400]
    assert list(f["thank_you_delay_days"]) == [0, 2, pd.NA]
    assert list(f["client"]) == ["C"] * 3
    assert f["responded"].all()


def test_empty_tables_give_an_empty_frame_with_every_column():
    t = Cohort().tables()
    f = an.analysis_frame(t, today=TODAY)
    assert len(f) == 0 and "responded" in f and "thank_you_timing" in f
    assert an.response_rates(f, "thank_you_timing")["n"].sum() == 0
    assert an.funnel(f)["count"].tolist() == [0, 0, 0, 0, 0]


def test_negative_window_is_refused():
    with pytest.raises(fk.AnalyticsError, match="window_days"):
        an.analysis_frame(Cohort().tables(), today=TODAY, window_days=-1)


# -- an independent, row-by-row version of the frame ------------------------------------


@functools.cache
def _holiday_set(country: str) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=range(2023, 2028)))


def _bdays(a: date, b: date, country: str) -> int:
    """Business days after a up to and including b, counted one day at a time."""
    hol = _holiday_set(country)
    sign, lo, hi = (1, a, b) if b >= a else (-1, b, a)
    count = 0
    day = lo + timedelta(days=1)
    while day <= hi:
        count += day.weekday() < 5 and day not in hol
        day += timedelta(days=1)
    return sign * count


def _reference(tables: dict[str, pd.DataFrame], today: date, window: int) -> pd.DataFrame:
    """One interview at a time, in plain Python: slow, simple, independent."""
    clients = {int(r.id): r for r in tables["clients"].itertuples()}
    fus = [r for r in tables["follow_ups"].itertuples() if r.sent_on.date() <= today]
    rss = [r for r in tables["responses"].itertuples() if r.received_on.date() <= today]
    rows = []
    for iv in tables["interviews"].itertuples():
        day = iv.interview_date.date()
        country = clients[int(iv.client_id)].country
        mine = [f for f in fus if f.interview_id == iv.id]
        tys = sorted((f for f in mine if f.kind == "thank_you"), key=lambda f: f.sent_on)
        scs = sorted((f for f in mine if f.kind == "status_check"), key=lambda f: f.sent_on)
        reps = sorted((r for r in rss if r.interview_id == iv.id), key=lambda r: r.received_on)
        first = reps[0].received_on.date() if reps else None
        days_to = (first - day).days if first else None
        responded = days_to is not None and days_to <= window
        before = {f.script_id for f in mine if isinstance(f.script_id, str)}
        before = {
            f.script_id
            for f in mine
            if isinstance(f.script_id, str) and (first is None or f.sent_on.date() < first)
        }
        rows.append(
            {
                "interview_id": int(iv.id),
                "thank_you_delay_days": (tys[0].sent_on.date() - day).days if tys else None,
                "thank_you_delay_bdays": _bdays(day, tys[0].sent_on.date(), country)
                if tys
                else None,
                "thank_you_channel": tys[0].channel if tys else None,
                "status_check_delay_days": (scs[0].sent_on.date() - day).days if scs else None,
                "status_check_delay_bdays": _bdays(day, scs[0].sent_on.date(), country)
                if scs
                else None,
                "second_follow_up_gap_bdays": _bdays(
                    scs[0].sent_on.date(), scs[1].sent_on.date(), country
                )
                if len(scs) > 1
                else None,
                "n_follow_ups": len(mine),
                "n_status_checks": len(scs),
                "days_to_response": days_to,
                "bdays_to_response": _bdays(day, first, country) if first else None,
                "responded": responded,
                "pending": not responded and (today - day).days <= window,
                "reached_next_round_or_offer": any(
                    r.result in ("next_round", "offer") for r in reps
                )
                or iv.status in ("next_round", "offer"),
                "scripts_before_reply": ", ".join(sorted(before)) or None,
            }
        )
    return pd.DataFrame(rows)


def _assert_matches_reference(f: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert len(f) == len(ref)
    for col in ref.columns:
        got = f[col].astype(object).where(f[col].notna(), None).tolist()
        want = ref[col].astype(object).where(ref[col].notna(), None).tolist()
        assert got == want, col


def test_frame_matches_a_row_by_row_calculation_on_the_demo():
    tables = demo.generate(n_clients=4, seed=3)
    today = date(2026, 11, 2)
    f = an.analysis_frame(tables, today=today)
    _assert_matches_reference(f, _reference(tables, today, 30))


_day = st.integers(min_value=0, max_value=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ivs=st.lists(st.tuples(st.integers(0, 2), _day), min_size=1, max_size=8),
    fus=st.lists(
        st.tuples(st.integers(0, 7), _day, st.sampled_from(["thank_you", "status_check"])),
        max_size=12,
    ),
    rss=st.lists(st.tuples(st.integers(0, 7), _day), max_size=6),
    today_offset=st.integers(0, 60),
)
def test_frame_matches_the_row_by_row_calculation_on_random_cohorts(ivs, fus, rss, today_offset):
    c = Cohort()
    for i, country in enumerate(("US", "GB", "CA")):
        c.client(f"C{i}", country=country)
    for client, day in ivs:
        c.interview(client + 1, d(day))
    for iv, offset, kind in fus:
        if iv < len(ivs):
            start = c.interviews[iv]["interview_date"]
            c.send(iv + 1, start + timedelta(days=offset), kind=kind, script=f"s{offset % 3}")
    for iv, offset in rss:
        if iv < len(ivs):
            c.reply(iv + 1, c.interviews[iv]["interview_date"] + timedelta(days=offset))
    today = d(today_offset + 20)
    tables = c.tables()
    f = an.analysis_frame(tables, today=today, window_days=14)
    _assert_matches_reference(f, _reference(tables, today, 14))


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
    assert list(table.index) == list(an.THANK_YOU_BUCKETS)
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


# -- evidence beside each rule ----------------------------------------------------------


def test_rule_evidence_thank_you_rule_by_hand():
    c = Cohort()
    cid = c.client()
    # In time (<= 1 business day): 12 interviews, 8 replies. Late or none: 10, 2 replies.
    for i in range(12):
        iid = c.interview(cid, D0)
        c.send(iid, d(i % 2))
        if i < 8:
            c.reply(iid, d(10))
    for i in range(10):
        iid = c.interview(cid, D0)
        if i % 2:
            c.send(iid, d(4))
        if i < 2:
            c.reply(iid, d(10))
    table = an.rule_evidence(c.frame())
    row = table.loc["thank_you_due"]
    assert (row["n_followed"], row["n_not"]) == (12, 10)
    assert row["rate_followed"] == pytest.approx(8 / 12)
    assert row["rate_not"] == pytest.approx(2 / 10)
    assert (row["ci_low_followed"], row["ci_high_followed"]) == pytest.approx(wilson_by_hand(8, 12))
    lo, hi = confint_proportions_2indep(8, 12, 2, 10, method="newcomb", compare="diff")
    assert (row["diff_ci_low"], row["diff_ci_high"]) == pytest.approx((lo, hi))
    assert row["p_value"] == pytest.approx(stats.fisher_exact([[8, 4], [2, 8]])[1])
    assert row["verdict"] == "followed did better"
    assert "observational" in row["reading"]
    assert "TopResume" in row["source"]  # from the timing rules file
    assert table.loc["max_status_checks", "verdict"] == "not measured"
    assert pd.isna(table.loc["max_status_checks", "n_followed"])
    # Day 4 (Fri 7 Mar) is business day 4: a coach allowing 3 keeps it out, 4 lets it in.
    for due, split in ((3, (12, 10)), (4, (17, 5))):
        relaxed = an.rule_evidence(c.frame(), {"thank_you_due": due}).loc["thank_you_due"]
        assert (relaxed["n_followed"], relaxed["n_not"]) == split
        assert relaxed["title"].startswith(f"Thank-you within {due} business day")
    # With a higher bar for "enough data", the same numbers say so.
    few = an.rule_evidence(c.frame(), min_n=11).loc["thank_you_due"]
    assert few["verdict"] == "too little data"


def test_rule_evidence_status_check_counts_only_interviews_still_waiting():
    c = Cohort()
    cid = c.client()
    # Mon 3 Mar: business day 5 is Mon 10 Mar, day 7 is Wed 12 Mar.
    early_reply = c.interview(cid, D0)
    c.reply(early_reply, d(2))  # answered before the window opened: not counted
    in_window = c.interview(cid, D0)
    c.send(in_window, date(2025, 3, 11), kind="status_check")
    c.reply(in_window, date(2025, 3, 14))
    too_late = c.interview(cid, D0)
    c.send(too_late, date(2025, 3, 20), kind="status_check")
    never = c.interview(cid, D0)
    with_date = c.interview(cid, D0, decision=d(10))  # belongs to the other rule
    c.send(with_date, d(12), kind="status_check")
    row = an.rule_evidence(c.frame(), min_n=1).loc["status_check_start"]
    assert (row["n_followed"], row["n_not"]) == (1, 2)
    assert row["rate_followed"] == 1 and row["rate_not"] == 0
    decision = an.rule_evidence(c.frame(), min_n=1).loc["status_check_after_decision_start"]
    assert (decision["n_followed"], decision["n_not"]) == (1, 0)
    assert never and too_late  # ids used above


def test_rule_evidence_second_follow_up():
    c = Cohort()
    cid = c.client()
    ok = c.interview(cid, D0)
    c.send(ok, d(7), kind="status_check")
    c.send(ok, d(14), kind="status_check")  # 5 business days later
    soon = c.interview(cid, D0)
    c.send(soon, d(7), kind="status_check")
    c.send(soon, d(9), kind="status_check")
    c.reply(soon, d(12))
    after_reply = c.interview(cid, D0)
    c.send(after_reply, d(7), kind="status_check")
    c.reply(after_reply, d(8))
    c.send(after_reply, d(20), kind="status_check")  # a reaction to the reply: left out
    row = an.rule_evidence(c.frame(), min_n=1).loc["second_follow_up_start"]
    assert (row["n_followed"], row["n_not"]) == (1, 1)
    assert (row["rate_followed"], row["rate_not"]) == (0, 1)
    assert row["verdict"] in {"no clear difference", "followed did worse"}


# -- workshop view ------------------------------------------------------------------------


def _clients_cohort(sizes: dict[str, int]) -> Cohort:
    """One interview per client; the thank-you delay (in days) names the group."""
    c = Cohort()
    delays = {"same day": 0, "1 day": 1, "2-3 days": 2, "4-7 days": 5, "8+ days": 9}
    for group, clients in sizes.items():
        for i in range(clients):
            cid = c.client(f"{group}-{i}")
            iid = c.interview(cid, D0, company="Secret Corp")
            if group != "none":
                c.send(iid, d(delays[group]))
            if i % 2:
                c.reply(iid, d(6))
    return c


def test_workshop_hides_groups_under_k_clients():
    k = 5
    f = _clients_cohort({"same day": k, "1 day": k - 1, "2-3 days": k - 1, "none": k + 2}).frame()
    table = an.workshop_table(f, "thank_you_timing", k=k)
    assert table.loc["same day", "shown"] and table.loc["none", "shown"]
    assert table.loc["same day", "n"] == k
    for group in ("1 day", "2-3 days"):
        assert not table.loc[group, "shown"]
        assert table.loc[group, "note"] == "too few to show"
        assert pd.isna(table.loc[group, "n"]) and math.isnan(table.loc[group, "rate"])
    assert table.loc["same day", "note"] == ""
    text = table.to_string()
    assert "Secret Corp" not in text and "same day-0" not in text


def test_workshop_hides_a_second_group_when_only_one_is_small():
    f = _clients_cohort({"same day": 6, "1 day": 5, "none": 4}).frame()
    table = an.workshop_table(f, "thank_you_timing", k=5)
    # "none" is under k; "1 day" (the smallest shown) goes too, or "none" = total - rest.
    assert list(table["shown"][["same day", "1 day", "none"]]) == [True, False, False]


def test_workshop_counts_distinct_clients_not_interviews():
    c = Cohort()
    cid = c.client()
    for _ in range(20):  # one client, many interviews: still one person
        iid = c.interview(cid, D0)
        c.send(iid, D0)
    table = an.workshop_table(c.frame(), "thank_you_timing", k=2)
    assert not table.loc["same day", "shown"]


def test_workshop_refuses_names_and_companies():
    f = _rate_cohort().frame()
    for by in ("client", "company", "client_id"):
        with pytest.raises(fk.AnalyticsError, match="identifies a person"):
            an.workshop_table(f, by)


def test_workshop_funnel_and_curves_hide_small_groups():
    f = _clients_cohort({"same day": 4}).frame()
    assert not an.workshop_funnel(f, k=5)["shown"].any()
    assert an.workshop_funnel(f, k=5)["count"].isna().all()
    assert an.workshop_funnel(f, k=4)["count"].iloc[0] == 4
    assert an.workshop_curves(f, k=5).empty and not an.workshop_curves(f, k=4).empty
    f = _clients_cohort({"same day": 6, "1 day": 5, "none": 3}).frame()
    curves = an.workshop_curves(f, "thank_you_timing", k=5)
    assert set(curves["group"]) == {"same day"}


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
    f = an.analysis_frame(demo.generate(n_clients=12, seed=7), today="2026-11-02")
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
    assert set(an.rule_evidence(f).index) >= {"thank_you_due", "status_check_start"}


def test_public_api_is_exported():
    for name in ("analysis_frame", "response_rates", "compare", "rule_evidence"):
        assert name in an.__all__
    assert fk.AnalyticsError is an.AnalyticsError
