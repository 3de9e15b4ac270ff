"""The kernel behind a client's page: IPython's kernel, lean.

``python -OO -m followup_kit.page_kernel -f CONNECTION_FILE`` starts ipykernel exactly as
``ipykernel_launcher`` does, except that ``debugpy`` is never imported (ipykernel then
simply offers no debugger; about 10 MiB) and Python runs with ``-OO``, which leaves out
the docstrings of every library it loads (about 5 MiB; nobody reads ``help()`` on a
client's page, and the workbook's own code has no ``assert``). App mode and the hub's
client servers use it through the kernelspec :func:`write_kernelspec` writes; the
coach's JupyterLab keeps the usual one. ``make app``, ``make test`` and ``make hub``
compile the venv for ``-OO`` once (``compileall -o 2``), so no page compiles it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

__all__ = ["write_kernelspec"]


def write_kernelspec(folder: str | Path, python: str | None = None) -> Path:
    """Write a ``python3`` kernelspec under ``folder/kernels`` that runs this module.

    Put ``folder`` first on ``JUPYTER_PATH`` and every notebook asking for ``python3``
    gets the lean kernel. Returns the kernelspec's folder.
    """
    spec = Path(folder) / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    python = python or sys.executable
    argv = [python, "-OO", "-m", "followup_kit.page_kernel", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel, indent=1))
    for path in (Path(folder), Path(folder) / "kernels", spec, spec / "kernel.json"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return spec


def main() -> None:
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # ipykernel: no debugger
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
