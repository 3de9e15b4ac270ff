"""App mode: serve the client notebooks with Voila, code hidden, on 127.0.0.1 with a token.

``python -m followup_kit.app --port 8866`` (or ``make app``) prints the address to open.
Only notebooks whose metadata says ``{"followup_kit": {"audience": "client"}}`` are
served. Hiding the code is not access control: the token (or a JupyterHub login) is what
keeps others out, and every page still runs a Python kernel that can read the whole store.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["client_notebooks", "default_notebook_dir", "free_port", "main", "voila_argv"]

HOST = "127.0.0.1"
#: A kernel with no page connected is shut down after this long without activity...
CULL_AFTER_SECONDS = 120
#: ...checked this often, so it is gone at most 2.5 minutes after its page closed.
CULL_EVERY_SECONDS = 30


def default_notebook_dir() -> Path:
    """The workbook's ``notebooks/`` folder (beside the package in a checkout, else ./notebooks)."""
    checkout = Path(__file__).resolve().parents[1] / "notebooks"
    return checkout if checkout.is_dir() else Path.cwd() / "notebooks"


def client_notebooks(folder: str | Path) -> list[Path]:
    """The notebooks in ``folder`` meant for clients, by name.

    A notebook is a client notebook when its metadata holds
    ``"followup_kit": {"audience": "client"}``; coach notebooks are never served.
    """
    found = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue  # a half-written or broken notebook is simply not served
        if meta.get("followup_kit", {}).get("audience") == "client":
            found.append(path)
    return found


def free_port(port: int = 0, host: str = HOST) -> int:
    """``port`` if it is free on ``host`` (``0``: any free port); ``OSError`` if taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, port))
        return int(sock.getsockname()[1])


def voila_argv(root: str | Path, *, port: int, token: str) -> list[str]:
    """Voila's command line: serve ``root`` on 127.0.0.1:``port``, sources stripped.

    ``port_retries=0`` makes Voila stop rather than quietly move to another port, so the
    printed address is always the real one.
    """
    return [
        str(root),
        f"--port={port}",
        f"--Voila.ip={HOST}",
        f"--token={token}",
        "--no-browser",
        "--Voila.port_retries=0",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # Voila's own "page closed" shutdown is refused under a token (no XSRF value), so
        # a kernel with no page connected is ended after two minutes without activity;
        # a page still open keeps its kernel however long the client takes.
        f"--MappingKernelManager.cull_idle_timeout={CULL_AFTER_SECONDS}",
        f"--MappingKernelManager.cull_interval={CULL_EVERY_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m followup_kit.app",
        description="Serve the client forms without code (Voila), on this computer only.",
    )
    parser.add_argument(
        "--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866; 0: any free)"
    )
    parser.add_argument(
        "--notebook-dir",
        type=Path,
        default=None,
        help="folder with the notebooks (default: the workbook's notebooks/)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Start Voila on the client notebooks and print the address; return the exit code."""
    args = _parser().parse_args(argv)
    folder = args.notebook_dir or default_notebook_dir()
    notebooks = client_notebooks(folder)
    if not notebooks:
        print(f"error: no client notebooks found in {folder}.", file=sys.stderr)
        return 1
    try:
        port = free_port(args.port)
    except OSError as err:
        if err.errno != errno.EADDRINUSE:
            raise
        print(
            f"error: port {args.port} is already in use; choose another, e.g. "
            f"`make app PORT={args.port + 1}`.",
            file=sys.stderr,
        )
        return 1
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="followup-app-") as root:
        # Voila serves a whole folder; a folder holding only links to the client
        # notebooks keeps the coach notebooks out of reach.
        for path in notebooks:
            (Path(root) / path.name).symlink_to(path.resolve())
        # Each page's kernel is the lean page kernel: no debugger, no docstrings.
        from .page_kernel import write_kernelspec

        write_kernelspec(Path(root) / ".jupyter-path")
        paths = [str(Path(root) / ".jupyter-path"), os.environ.get("JUPYTER_PATH", "")]
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p)
        names = ", ".join(p.stem for p in notebooks)
        print(
            f"Serving the client forms ({names}) without code.\n"
            f"Open: http://{HOST}:{port}/?token={token}\n"
            "Only this computer can reach it; stop it with Ctrl+C.",
            flush=True,
        )
        from voila.app import Voila

        Voila.launch_instance(argv=voila_argv(root, port=port, token=token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
