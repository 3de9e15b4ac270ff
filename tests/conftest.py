"""Shared fixtures: a fresh store per test, small synthetic frames, closed figures."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pytest

import followup_kit as fk

TODAY = date(2025, 3, 20)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def wb(tmp_path):
    """An empty workbook in a temporary SQLite file, with a fixed today."""
    with fk.open_workbook(tmp_path / "wb.sqlite", today=TODAY) as workbook:
        yield workbook


@pytest.fixture
def filled(wb):
    """A workbook with one client, one interview (two interviewers), a thank-you, a reply."""
    cid = wb.add_client("Alex Rivera", country="US", cohort="Spring")
    iid = wb.log_interview(
        cid,
        "Acme",
        "Analyst",
        date(2025, 3, 4),
        interviewers=["Dana Lee", {"name": "Sam Ortiz", "title": "CTO"}],
    )
    wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=date(2025, 3, 4))
    wb.log_response(iid, received_on=date(2025, 3, 11), result="next_round")
    wb.ids = {"client": cid, "interview": iid}
    return wb


@pytest.fixture
def rng():
    return np.random.default_rng(20251125)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
