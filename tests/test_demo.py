"""The demo cohort: deterministic, valid, committed as generated, with the effects it claims."""

from __future__ import annotations

import filecmp
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
