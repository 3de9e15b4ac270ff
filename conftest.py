"""Test-run isolation: every run gets its own HOME, Jupyter dirs and a demo store.

This runs before any notebook kernel starts, so nbval's kernels inherit it: notebooks
open the temporary store through ``FOLLOWUP_DB_URL`` and see a fixed "today".
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: The Monday after the demo cohort ends; plans and "in the future" checks use it.
TEST_TODAY = "2026-11-02"


def pytest_configure(config) -> None:
    root = Path(tempfile.mkdtemp(prefix="followup-test-"))
    for var, sub in {
        "HOME": "home",
        "JUPYTER_CONFIG_DIR": "jupyter/config",
        "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
        "FOLLOWUP_DATA_DIR": "data",
    }.items():
        (root / sub).mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(root / sub)
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["FOLLOWUP_TODAY"] = TEST_TODAY
    os.environ.pop("JUPYTERHUB_USER", None)

    from followup_kit import demo, open_workbook

    store = root / "data" / "workbook.sqlite"
    with open_workbook(store, today=TEST_TODAY) as wb:
        wb.load_tables(demo.generate())
    os.environ["FOLLOWUP_DB_URL"] = f"sqlite:///{store}"
    config.followup_tmp = root
