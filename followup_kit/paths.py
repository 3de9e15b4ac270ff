"""Where the workbook keeps its files: the data folder, and the live and demo stores in it."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["default_data_dir", "default_store", "demo_store", "is_demo_store"]


def default_data_dir() -> Path:
    """The folder holding the default store and the coach's files.

    ``FOLLOWUP_DATA_DIR`` if set; otherwise ``data/`` beside the package when it runs
    from a checkout (the usual case, ``pip install -e .``); otherwise ``./data``.
    """
    env = os.environ.get("FOLLOWUP_DATA_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[1] / "data"
    return checkout if checkout.is_dir() else Path.cwd() / "data"


def default_store() -> Path:
    """The SQLite file used when nothing else is named: ``workbook.sqlite`` in the data folder."""
    return default_data_dir() / "workbook.sqlite"


def demo_store() -> Path:
    """The SQLite file that holds the demo cohort: ``demo.sqlite`` in the data folder.

    ``make lab`` and ``make app`` open it (they set ``FOLLOWUP_DB_URL`` to it), and
    ``python -m followup_kit demo`` loads into it unless ``--store`` names another.
    """
    return (default_data_dir() / "demo.sqlite").resolve()


def is_demo_store(file: str | os.PathLike | None) -> bool:
    """Whether ``file`` (a workbook's SQLite file, or ``None``) is :func:`demo_store`."""
    if not file:
        return False
    return Path(file).resolve() == demo_store()
