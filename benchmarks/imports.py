"""Benchmark: what ``import followup_kit`` costs, and the memory of a client page's kernel.

Run ``.venv/bin/python benchmarks/imports.py``. It prints

- the wall time of ``import followup_kit`` in a fresh interpreter (median of a few runs),
  and which heavy libraries that import pulled in;
- the memory of a kernel after it ran each client notebook (01-04) top to bottom, the
  same work a Voila page does when a client opens it (goal: at most 80 MiB), as USS (the
  memory only that kernel holds: what each more page costs) and RSS (which also counts
  the shared libraries every kernel maps), with the usual ipykernel and with the page
  kernel app mode and the hub use (:mod:`followup_kit.page_kernel`: no debugger, ``-OO``).
  The usual kernel's round runs first in the same temporary HOME, so the page kernels
  read the holiday lists it kept on disk, as every page after a client's first does.
  By default no client is chosen, so the pages show no one's data; ``--client ID``
  opens them as that client (the demo's client 1 has interviews and a plan), as a
  signed-in client's page does.

The notebooks run on a throw-away copy of the demo cohort, in a temporary HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("ipywidgets", "matplotlib", "statsmodels", "scipy", "sklearn", "sqlalchemy", "pandas")
CLIENT_NOTEBOOKS = (
    "01_log_an_interview",
    "02_plan_your_follow_up",
    "03_scripts_and_practice",
    "04_record_what_happened",
)
GOAL_MIB = 80

_PROBE = f"""
import json, sys, time
t = time.perf_counter()
import followup_kit
took = time.perf_counter() - t
print(json.dumps({{"seconds": took, "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def import_time(repeat: int) -> tuple[float, list[str]]:
    """Median seconds of a cold ``import followup_kit`` and the heavy modules it loaded."""
    runs = [
        json.loads(subprocess.check_output([sys.executable, "-c", _PROBE], text=True))
        for _ in range(repeat)
    ]
    return statistics.median(r["seconds"] for r in runs), runs[0]["loaded"]


def kernel_memory(notebook: Path, client: int | None = None) -> tuple[float, float]:
    """MiB resident (RSS) and unique to it (USS) in a kernel after it ran ``notebook``.

    RSS counts shared libraries in full in every kernel; USS is what each extra page's
    kernel really adds.
    """
    import nbformat
    import psutil
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    if client is not None:  # the parameters cell: open the page as this client
        for cell in nb.cells:
            cell.source = cell.source.replace("CLIENT = None", f"CLIENT = {int(client)}")
    client = NotebookClient(nb, timeout=300, kernel_name="python3")
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        pid = client.km.provisioner.process.pid
        info = psutil.Process(pid).memory_full_info()
        return info.rss / 2**20, info.uss / 2**20


def _isolate() -> None:
    """A temporary HOME and a demo store, as the tests use."""
    sys.path.insert(0, str(ROOT / "tests"))
    from isolation import isolate_and_load_demo

    isolate_and_load_demo()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--client", type=int, help="open the pages as this client id")
    args = parser.parse_args()

    seconds, loaded = import_time(args.repeat)
    print(
        f"import followup_kit: median {seconds * 1000:.0f} ms of {args.repeat} fresh runs; "
        f"heavy libraries loaded: {', '.join(loaded) or 'none'}"
    )
    _isolate()
    os.chdir(tempfile.mkdtemp())
    from followup_kit.page_kernel import write_kernelspec

    lean = Path(tempfile.mkdtemp()) / "jupyter-path"
    write_kernelspec(lean)
    for label, jupyter_path in (("usual ipykernel", None), ("page kernel", lean)):
        if jupyter_path:  # what app mode and the hub's client servers run
            os.environ["JUPYTER_PATH"] = str(jupyter_path)
        for name in CLIENT_NOTEBOOKS:
            rss, uss = kernel_memory(ROOT / "notebooks" / f"{name}.ipynb", args.client)
            verdict = "within" if uss <= GOAL_MIB else "OVER"
            print(
                f"{label}, after {name}: USS {uss:.0f} MiB ({verdict} the {GOAL_MIB} MiB goal "
                f"for what one more page adds), RSS {rss:.0f} MiB (shared libraries included)"
            )


if __name__ == "__main__":
    main()
