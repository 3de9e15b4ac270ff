"""Fixtures for the widget tests (the store fixtures come from ``tests/conftest.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def cid(wb):
    """A client in the empty workbook."""
    return wb.add_client("Alex Rivera", cohort="Spring")


@pytest.fixture
def iid(filled):
    """The filled workbook's interview, still waiting to hear (its reply said next round)."""
    filled.update_interview(filled.ids["interview"], status="open")
    return filled.ids["interview"]
