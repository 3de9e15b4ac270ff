"""The client pages' kernel: ipykernel without its debugger, and without docstrings."""

from __future__ import annotations

import json
import sys

import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from followup_kit.page_kernel import write_kernelspec

pytestmark = pytest.mark.slow  # starts a kernel

PROBE = (
    "import sys, json, pandas\n"
    "print(json.dumps({'optimize': sys.flags.optimize,"
    " 'debugger': sys.modules.get('debugpy') is not None,"
    " 'pandas_doc': pandas.DataFrame.merge.__doc__ is not None}))"
)


def test_the_page_kernel_runs_lean_and_still_runs_pandas(tmp_path):
    spec = write_kernelspec(tmp_path)
    argv = json.loads((spec / "kernel.json").read_text())["argv"]
    assert argv[:4] == [sys.executable, "-OO", "-m", "followup_kit.page_kernel"]

    specs = KernelSpecManager(kernel_dirs=[str(spec.parent)])
    km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
    km.start_kernel()
    try:
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=120)
        printed: list[str] = []

        def keep(msg: dict) -> None:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])

        reply = client.execute_interactive(PROBE, timeout=120, output_hook=keep)
        client.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert json.loads("".join(printed)) == {
        "optimize": 2,
        "debugger": False,
        "pandas_doc": False,
    }
