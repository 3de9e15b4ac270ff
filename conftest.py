"""Test-run isolation: every run gets its own HOME, Jupyter dirs and a demo store.

This runs before any notebook kernel starts, so nbval's kernels inherit it: notebooks
open the temporary store through ``FOLLOWUP_DB_URL`` and see a fixed "today". The
folder is removed when the run ends.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "tests"))

from isolation import isolate_and_load_demo  # noqa: E402 - found through the line above


def pytest_configure(config) -> None:
    config.followup_tmp = isolate_and_load_demo()


def pytest_unconfigure(config) -> None:
    shutil.rmtree(config.followup_tmp, ignore_errors=True)
