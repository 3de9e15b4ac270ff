"""Rule evidence: each timing rule's split, rates, intervals and verdict checked by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep
from test_analytics import D0, Cohort, d, wilson_by_hand

from followup_kit.evidence import rule_evidence

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
    table = rule_evidence(c.frame())
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
        relaxed = rule_evidence(c.frame(), {"thank_you_due": due}).loc["thank_you_due"]
        assert (relaxed["n_followed"], relaxed["n_not"]) == split
        assert relaxed["title"].startswith(f"Thank-you within {due} business day")
    # With a higher bar for "enough data", the same numbers say so.
    few = rule_evidence(c.frame(), min_n=11).loc["thank_you_due"]
    assert few["verdict"] == "too little data"


def test_rule_evidence_status_check_counts_only_interviews_still_waiting():
    c = Cohort()
    cid = c.client()
    # Mon 3 Mar: business day 3 is Thu 6 Mar, day 5 is Mon 10 Mar.
    early_reply = c.interview(cid, D0)
    c.reply(early_reply, d(2))  # answered before the window opened: not counted
    in_window = c.interview(cid, D0)
    c.send(in_window, date(2025, 3, 7), kind="status_check")
    c.reply(in_window, date(2025, 3, 14))
    too_late = c.interview(cid, D0)
    c.send(too_late, date(2025, 3, 20), kind="status_check")
    never = c.interview(cid, D0)
    with_date = c.interview(cid, D0, decision=d(10))  # belongs to the other rule
    c.send(with_date, d(12), kind="status_check")
    row = rule_evidence(c.frame(), min_n=1).loc["status_check_start"]
    assert (row["n_followed"], row["n_not"]) == (1, 2)
    assert row["rate_followed"] == 1 and row["rate_not"] == 0
    assert row["title"].startswith("First status check 3-5 business days after the interview")
    assert "a few days to a week" in row["who"]
    # Sent on business day 6 (Tue 11 Mar), the old window's middle, it is now late.
    late = Cohort()
    lid = late.interview(late.client(), D0)
    late.send(lid, date(2025, 3, 11), kind="status_check")
    assert rule_evidence(late.frame(), min_n=1).loc["status_check_start", "n_not"] == 1
    decision = rule_evidence(c.frame(), min_n=1).loc["status_check_after_decision_start"]
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
    row = rule_evidence(c.frame(), min_n=1).loc["second_follow_up_start"]
    assert (row["n_followed"], row["n_not"]) == (1, 1)
    assert (row["rate_followed"], row["rate_not"]) == (0, 1)
    assert row["verdict"] in {"no clear difference", "followed did worse"}


def test_rule_evidence_lists_the_rejection_and_reconnect_rules_unmeasured():
    c = Cohort()
    c.interview(c.client(), D0)
    table = rule_evidence(c.frame(), min_n=1)
    for key in ("gracious_reply_start", "reconnect_start"):
        assert table.loc[key, "verdict"] == "not measured", key
        assert table.loc[key, "why"] and table.loc[key, "source"], key
    assert table.loc["reconnect_start", "title"].startswith("Reconnect 60-85 business days")
    assert table.loc["gracious_reply_start", "title"].endswith("before asking for feedback")
