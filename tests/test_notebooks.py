"""The committed notebooks hold exactly what ``make notebooks`` writes for them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from refresh_notebooks import refresh

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize("name", ["02_plan_your_follow_up", "06_workshop"])
def test_committed_notebook_is_what_a_refresh_writes(name, tmp_path):
    committed = NOTEBOOKS / f"{name}.ipynb"
    fresh = refresh(committed, tmp_path / committed.name)
    assert json.loads(fresh.read_text()) == json.loads(committed.read_text()), (
        f"{committed.name} is stale: run `make notebooks` and commit the result"
    )
