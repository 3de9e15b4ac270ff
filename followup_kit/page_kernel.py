"""The kernel behind a client's page: IPython's kernel without its debugger.

``python -m followup_kit.page_kernel -f CONNECTION_FILE`` starts ipykernel exactly as
``ipykernel_launcher`` does, except that ``debugpy`` is never imported (ipykernel then
simply offers no debugger). A client page has no use for one, and it saves about 10 MiB
in each page's kernel. App mode and the hub's client servers use it through the
kernelspec :func:`write_kernelspec` writes; the coach's JupyterLab keeps the usual one.
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
    argv = [python or sys.executable, "-m", "followup_kit.page_kernel", "-f", "{connection_file}"]
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
