"""The analysis frame: every derived column checked against an independent calculation."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_analytics import D0, TODAY, Cohort, d

import followup_kit as fk
from followup_kit import analytics as an
from followup_kit import demo
from followup_kit.analysis import STATUS_CHECK_BUCKETS, THANK_YOU_BUCKETS, analysis_frame

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
    assert list(f["thank_you_timing"].cat.categories) == list(THANK_YOU_BUCKETS)


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
    assert list(table.index) == list(STATUS_CHECK_BUCKETS)
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
    f = analysis_frame(t, today=TODAY)
    assert list(f["interview_id"]) == [907, 15, 400]
    assert list(f["thank_you_delay_days"]) == [0, 2, pd.NA]
    assert list(f["client"]) == ["C"] * 3
    assert f["responded"].all()


def test_empty_tables_give_an_empty_frame_with_every_column():
    t = Cohort().tables()
    f = analysis_frame(t, today=TODAY)
    assert len(f) == 0 and "responded" in f and "thank_you_timing" in f
    assert an.response_rates(f, "thank_you_timing")["n"].sum() == 0
    assert an.funnel(f)["count"].tolist() == [0, 0, 0, 0, 0]


def test_negative_window_is_refused():
    with pytest.raises(fk.AnalyticsError, match="window_days"):
        analysis_frame(Cohort().tables(), today=TODAY, window_days=-1)


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
    f = analysis_frame(tables, today=today)
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
    f = analysis_frame(tables, today=today, window_days=14)
    _assert_matches_reference(f, _reference(tables, today, 14))


@pytest.mark.parametrize("window", ["30", 0, -1, 7.0, True, 10**9])
def test_a_window_that_is_not_a_whole_number_of_days_is_a_plain_refusal(window):
    with pytest.raises(fk.AnalyticsError, match="window_days") as err:
        analysis_frame(Cohort().tables(), today=TODAY, window_days=window)
    assert "Traceback" not in str(err.value) and len(str(err.value).splitlines()) == 1


def test_a_today_that_is_not_a_date_is_a_plain_refusal():
    with pytest.raises(fk.AnalyticsError, match="'garbage' is not a date"):
        analysis_frame(Cohort().tables(), today="garbage")
