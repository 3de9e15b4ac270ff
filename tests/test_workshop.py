"""Workshop views: small groups hidden, private columns refused, distinct clients counted."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_analytics import D0, Cohort, _rate_cohort, d

import followup_kit as fk
from followup_kit.workshop import workshop_curves, workshop_funnel, workshop_table

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
    table = workshop_table(f, "thank_you_timing", k=k)
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
    table = workshop_table(f, "thank_you_timing", k=5)
    # "none" is under k; "1 day" (the smallest shown) goes too, or "none" = total - rest.
    assert list(table["shown"][["same day", "1 day", "none"]]) == [True, False, False]


def test_workshop_counts_distinct_clients_not_interviews():
    c = Cohort()
    cid = c.client()
    for _ in range(20):  # one client, many interviews: still one person
        iid = c.interview(cid, D0)
        c.send(iid, D0)
    table = workshop_table(c.frame(), "thank_you_timing", k=2)
    assert not table.loc["same day", "shown"]


def test_workshop_refuses_names_and_companies():
    f = _rate_cohort().frame()
    for by in ("client", "company", "client_id"):
        with pytest.raises(fk.AnalyticsError, match="identifies a person"):
            workshop_table(f, by)


def test_workshop_funnel_and_curves_hide_small_groups():
    f = _clients_cohort({"same day": 4}).frame()
    assert not workshop_funnel(f, k=5)["shown"].any()
    assert workshop_funnel(f, k=5)["count"].isna().all()
    assert workshop_funnel(f, k=4)["count"].iloc[0] == 4
    assert workshop_curves(f, k=5).empty and not workshop_curves(f, k=4).empty
    f = _clients_cohort({"same day": 6, "1 day": 5, "none": 3}).frame()
    curves = workshop_curves(f, "thank_you_timing", k=5)
    assert set(curves["group"]) == {"same day"}
