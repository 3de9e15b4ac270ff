"""The demo cohort: deterministic, valid, committed as generated, with the effects it claims."""

from __future__ import annotations

import filecmp
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followup_kit as fk
from followup_kit import demo, schema

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def big():
    return demo.generate(n_clients=3000, seed=11)


def test_same_seed_same_cohort():
    a, b = demo.generate(seed=7), demo.generate(seed=7)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["interviews"].equals(demo.generate(seed=8)["interviews"])


def test_committed_demo_files_are_what_the_generator_makes(tmp_path):
    demo.write_demo_files(tmp_path)
    names = sorted(p.name for p in DEMO_DIR.glob("*.csv"))
    assert names == sorted(p.name for p in tmp_path.glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(DEMO_DIR, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == []


def test_tables_have_the_schema_columns_and_dtypes():
    tables = demo.generate(n_clients=5)
    assert set(tables) == {
        "clients",
        "interviews",
        "interviewers",
        "follow_ups",
        "responses",
        "skipped_steps",
    }
    for name, frame in tables.items():
        assert list(frame.columns) == schema.TABLES[name].columns
        for col, dtype in schema.frame_dtypes(name).items():
            assert frame[col].dtype == dtype, (name, col)


def test_every_row_passes_the_store_rules(tmp_path):
    tables = demo.generate(n_clients=40)
    with fk.open_workbook(tmp_path / "d.sqlite", today=demo.DEMO_END) as wb:
        added = wb.load_tables(tables)
        assert added["interviews"] == len(tables["interviews"])
        assert added["follow_ups"] == len(tables["follow_ups"])
        assert wb.import_table(DEMO_DIR)["responses"] == len(tables["responses"])


def test_nothing_happens_after_the_end(big):
    end = pd.Timestamp(demo.DEMO_END)
    assert big["interviews"]["interview_date"].max() <= end
    assert big["follow_ups"]["sent_on"].max() <= end
    assert big["responses"]["received_on"].max() <= end
    assert (big["interviews"]["interview_date"].dt.day_of_week < 5).all()


def test_about_twenty_interviews_per_client_with_one_to_four_interviewers(big):
    per_client = big["interviews"].groupby("client_id").size()
    assert 19 < per_client.mean() < 21
    people = big["interviewers"].groupby("interview_id").size()
    assert people.min() == 1 and people.max() == 4


def _settled(tables):
    iv = tables["interviews"]
    first = tables["responses"].groupby("interview_id")["received_on"].min()
    iv = iv.assign(reply=iv["id"].map(first))
    old = iv["interview_date"] <= pd.Timestamp(demo.DEMO_END) - pd.Timedelta(days=30)
    iv = iv[old]
    return iv.assign(responded=(iv["reply"] - iv["interview_date"]).dt.days.le(30))


def test_ghosting_is_inside_the_surveyed_range(big):
    ghosted = 1 - _settled(big)["responded"].mean()
    assert 0.40 <= ghosted <= 0.75


def test_faster_thank_yous_get_more_replies(big):
    iv = _settled(big)
    ty = big["follow_ups"].query("kind == 'thank_you'").groupby("interview_id")["sent_on"].min()
    delay = (iv["id"].map(ty) - iv["interview_date"]).dt.days
    fast = iv.loc[delay.le(1), "responded"].mean()
    none = iv.loc[delay.isna(), "responded"].mean()
    slow = iv.loc[delay.ge(4), "responded"].mean()
    assert fast - none > 0.08 and fast > slow


def test_well_timed_status_checks_get_more_replies(big):
    iv = _settled(big)
    sc = big["follow_ups"].query("kind == 'status_check'").groupby("interview_id")["sent_on"].min()
    delay = (iv["id"].map(sc) - iv["interview_date"]).dt.days
    good = iv.loc[delay.between(4, 7), "responded"].mean()
    early = iv.loc[delay.between(0, 3), "responded"].mean()
    # Not against "no status check": a reply that came first made the check needless,
    # so that group is full of quick replies (the analytics must say so too).
    assert good - early > 0.03


def test_follow_up_ids_and_links_are_consistent(big):
    fu, people = big["follow_ups"], big["interviewers"]
    assert fu["id"].is_unique and np.array_equal(fu["id"], np.arange(1, len(fu) + 1))
    linked = fu.dropna(subset=["interviewer_id"]).merge(
        people, left_on="interviewer_id", right_on="id", suffixes=("", "_p")
    )
    assert (linked["interview_id"] == linked["interview_id_p"]).all()


def test_the_documented_confounder_makes_the_raw_gap_overstate(big):
    """Late rounds thank faster and get more replies: adjusting for round shrinks the gap."""
    frame = fk.analysis_frame(big, today=demo.DEMO_END)
    late = frame["round"].isin(["final", "panel"])
    same_day = frame["thank_you_timing"] == "same day"
    assert same_day[late].mean() > same_day[~late].mean() + 0.3
    quick, slow = ["same day", "1 day"], ["2-3 days", "4-7 days", "8+ days", "none"]
    adjusted = fk.adjusted_compare(frame, "thank_you_timing", quick, slow)
    assert adjusted.raw.difference - adjusted.difference > 0.02
    assert adjusted.ci_low > 0  # the thank-you still helps, as built in


# -- the demo in a store: dated for today, told apart, taken out whole ---------------------


@pytest.mark.parametrize(
    ("today", "end"),
    [
        (date(2026, 11, 2), date(2026, 10, 30)),  # Monday: the Friday before
        (date(2026, 11, 1), date(2026, 10, 30)),  # Sunday
        (date(2026, 11, 4), date(2026, 11, 3)),  # Wednesday: Tuesday
    ],
)
def test_a_demo_ends_the_weekday_before_its_today(today, end):
    assert demo.end_for(today) == end


def test_the_committed_cohort_is_the_one_dated_for_demo_today():
    assert demo.end_for(demo.DEMO_TODAY) == demo.DEMO_END
    assert set(demo.generate(n_clients=8)["clients"]["cohort"]) == set(demo.COHORTS)


def _store(path, today):
    return fk.open_workbook(path, today=today)


def test_loaded_a_month_later_it_is_the_same_cohort_shifted(tmp_path):
    """The demo never goes stale: loaded on any day, it ends the weekday before."""
    first, later = date(2026, 11, 2), date(2026, 11, 30)  # four weeks apart, both Mondays
    with _store(tmp_path / "a.sqlite", first) as a, _store(tmp_path / "b.sqlite", later) as b:
        assert demo.load(a).end == date(2026, 10, 30)
        done = demo.load(b)
        assert done.end == date(2026, 11, 27) and done.replaced == 0
        assert demo.dated_to(b) == done.end
        ia, ib = a.interviews(), b.interviews()
        assert len(ia) == len(ib) and ib["interview_date"].max() <= pd.Timestamp(done.end)
        shift = (ib["interview_date"] - ia["interview_date"]).dt.days
        assert (shift == 28).all()
        assert list(ia["company"]) == list(ib["company"])
        # What is overdue on the day it was loaded is about the same, not a month's
        # pile-up (public holidays move a few business-day windows).
        overdue_a = (a.agenda()["group"] == "overdue").sum()
        overdue_b = (b.agenda()["group"] == "overdue").sum()
        assert abs(overdue_a - overdue_b) <= 5


def test_the_demo_opens_on_the_few_steps_really_due():
    """A kept caseload: long-quiet interviews were closed as ghosted, so the coach's
    agenda on the demo's today lists a few overdue steps per client, not months of them."""
    with fk.open_workbook(":memory:", today=demo.DEMO_TODAY) as wb:
        wb.load_tables(demo.generate(), progress=False)
        agenda = wb.agenda()
    overdue = agenda[agenda["group"] == "overdue"]
    assert len(overdue) < 100  # it was 351 before quiet interviews were closed
    assert overdue.groupby("client_id").size().max() <= 6
    assert (overdue["step"] == "close_as_ghosted").sum() <= 45


def test_loading_again_replaces_the_demo_and_keeps_real_clients(tmp_path):
    with _store(tmp_path / "d.sqlite", date(2026, 11, 2)) as wb:
        real = wb.add_client("Robin Real", cohort="Spring cohort")
        iid = wb.log_interview(real, "Acme", "Analyst", date(2026, 10, 1))
        demo.load(wb, n_clients=5)
        old = demo.find(wb)
        # Something logged for a demo client goes with the demo.
        theirs = wb.interviews(old[0])["id"].iloc[0]
        wb.log_follow_up(theirs, kind="status_check", channel="email", sent_on=date(2026, 11, 2))
    with _store(tmp_path / "d.sqlite", date(2026, 12, 2)) as wb:
        done = demo.load(wb, n_clients=5)
        assert done.replaced == 5 and done.added["clients"] == 5
        new = demo.find(wb)
        assert len(new) == 5 and not set(new) & set(old)
        assert set(wb.clients()["id"]) == {real, *new}
        assert list(wb.interviews(real)["id"]) == [iid]
        assert demo.dated_to(wb) == date(2026, 12, 1)


def test_remove_takes_out_every_demo_row_and_nothing_else(tmp_path):
    with _store(tmp_path / "d.sqlite", date(2026, 11, 2)) as wb:
        demo.load(wb, n_clients=6)
        real = wb.add_client("Robin Real", cohort="Spring cohort")
        iid = wb.log_interview(real, "Acme", "Analyst", date(2026, 10, 1), interviewers=["Dana"])
        wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=date(2026, 10, 1))
        ids = demo.find(wb)
        wb.add_recording(ids[0], "take.wav", b"RIFF\x00\x00\x00\x00WAVEfmt ", mime="audio/wav")
        before = wb.counts()
        removed = demo.remove(wb)
        assert removed["clients"] == 6 and removed["recordings"] == 1
        after = wb.counts()
        assert after["clients"] == 1 and after["interviews"] == 1 and after["follow_ups"] == 1
        assert after["interviewers"] == 1 and after["recordings"] == 0
        assert (before - after).loc[list(removed)].to_dict() == removed
        assert demo.find(wb) == [] and demo.dated_to(wb) is None
        assert demo.remove(wb) == {}


def test_a_removal_that_fails_removes_nothing(tmp_path, monkeypatch):
    with _store(tmp_path / "d.sqlite", date(2026, 11, 2)) as wb:
        demo.load(wb, n_clients=4)
        before = wb.counts()
        real_delete = wb.db.delete_with_children

        def fail_after(conn, table, ids):
            real_delete(conn, table, ids)  # every row gone inside the transaction...
            raise fk.StoreError("The disk is full.")  # ...then it fails before the commit

        monkeypatch.setattr(wb.db, "delete_with_children", fail_after)
        with pytest.raises(fk.StoreError):
            demo.remove(wb)
        assert wb.counts().equals(before) and len(demo.find(wb)) == 4


def test_a_demo_loaded_before_it_was_marked_is_still_found(tmp_path):
    """An older `make lab` put the default cohort, unmarked, into the live store."""
    tables = demo.generate(end=date(2026, 10, 30))
    old_names = dict(zip(demo.COHORTS, demo._OLD_COHORTS, strict=True))
    tables["clients"]["cohort"] = tables["clients"]["cohort"].map(old_names).astype("string")
    first = tables["clients"].iloc[0]
    with _store(tmp_path / "live.sqlite", date(2026, 12, 1)) as wb:
        # A real client who happens to share the first demo client's name and group.
        twin = wb.add_client(first["name"], cohort=first["cohort"], country=first["country"])
        wb.load_tables(tables, progress=False)
        found = demo.find(wb)
        assert len(found) == 40 and twin not in found
        assert demo.dated_to(wb) == date(2026, 10, 30)
        demo.remove(wb)
        assert list(wb.clients()["id"]) == [twin]


def test_a_real_group_named_like_an_old_demo_group_is_not_the_demo(tmp_path):
    with _store(tmp_path / "live.sqlite", date(2026, 12, 1)) as wb:
        small = demo.generate(n_clients=5)["clients"]
        for row in small.itertuples():
            wb.add_client(row.name, cohort="Spring cohort", country=row.country)
        assert demo.find(wb) == [] and demo.remove(wb) == {}
        assert wb.counts()["clients"] == 5
