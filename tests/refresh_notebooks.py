"""Re-run the notebooks on the demo cohort and store the outputs nbval compares.

Run it with ``make notebooks`` after changing the demo cohort, a chart, a table or a
notebook: each notebook is executed the way the test run executes it (a fresh demo
store, the fixed "today", throw-away HOME and Jupyter folders), and its outputs are
written back, except widgets' (a new model id each run) and those of cells marked
``# NBVAL_IGNORE_OUTPUT``, which stay empty.

    python tests/refresh_notebooks.py                   # every notebook, in place
    python tests/refresh_notebooks.py notebooks/06_workshop.ipynb --out /tmp/check
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from isolation import isolate_and_load_demo  # the test run's own set-up
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

IGNORED = ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP")
WIDGET = "application/vnd.jupyter.widget-view+json"


def refresh(path: Path, out: Path) -> Path:
    """Execute the notebook at ``path`` and write it, with its outputs, to ``out``."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nb.metadata.pop("widgets", None)  # the widgets' state: new each run, and large
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if cell.source.lstrip().startswith(IGNORED):
            cell.outputs = []
        # A widget's output is a fresh model id each run: nothing to compare.
        cell.outputs = [o for o in cell.outputs if WIDGET not in o.get("data", {})]
        if not cell.outputs:
            cell.execution_count = None
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, help="write here instead of in place")
    args = parser.parse_args(argv)
    isolate_and_load_demo()
    for path in args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")):
        written = refresh(path, args.out / path.name if args.out else path)
        print(f"refreshed {written}")


if __name__ == "__main__":
    main()
