"""A throw-away world for a test run or a notebook refresh: HOME, Jupyter, a demo store."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from builders import DEMO_TODAY

#: The Monday after the demo cohort ends; plans and "in the future" checks use it.
TEST_TODAY = DEMO_TODAY.isoformat()


def isolate_and_load_demo() -> Path:
    """Point HOME, Jupyter, matplotlib and the store at a new temporary folder.

    The store there holds the demo cohort and is named by ``FOLLOWUP_DB_URL``, so
    kernels started afterwards (nbval's, ``tests/refresh_notebooks.py``'s) use it.
    Returns the folder.
    """
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
    return root
