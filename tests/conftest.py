"""Shared fixtures: a fresh store per test, small synthetic frames, closed figures."""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pytest
from builders import TODAY, agenda_book, fill

import followup_kit as fk


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def wb(tmp_path, monkeypatch):
    """An empty workbook in a temporary SQLite file, with a fixed today.

    Its data folder (coach files) is the same temporary folder.
    """
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path))
    with fk.open_workbook(tmp_path / "wb.sqlite", today=TODAY) as workbook:
        yield workbook


@pytest.fixture
def filled(wb):
    """A workbook holding :func:`builders.fill`'s client; ``wb.ids`` names its rows."""
    wb.ids = fill(wb)
    return wb


@pytest.fixture
def rng():
    return np.random.default_rng(20251125)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def book(wb):
    """A workbook holding :func:`builders.agenda_book`; ``wb.ids`` names its rows."""
    wb.ids = agenda_book(wb)
    return wb
