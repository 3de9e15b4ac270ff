"""Start JupyterLab or the Voila app on a free loopback port for tests; stop them by PID.

Used by ``test_app.py`` and ``test_browser.py``. Servers inherit the test run's own
HOME, JUPYTER_* and store variables (set by the root ``conftest.py``), listen on
127.0.0.1 only and need a token. Only the processes started here are ever stopped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ROOT",
    "Server",
    "chromium_browser",
    "copy_notebooks",
    "free_port",
    "require_chromium",
    "shrink_png",
    "start_app",
    "start_lab",
]

ROOT = Path(__file__).resolve().parents[1]
#: Where browser tests save screenshots: git-ignored, unless FOLLOWUP_SCREENSHOTS names a
#: folder (``docs/screenshots`` refreshes the README's).
SHOTS = Path(os.environ.get("FOLLOWUP_SCREENSHOTS") or ROOT / "screenshots")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
_START_TIMEOUT = 60.0


def require_chromium() -> str:
    """Debian's chromium path; skip without it (fail under ``CI=true``)."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    reason = (
        f"{CHROMIUM} is missing: install Debian's chromium (`make browser`, as root) to run "
        "the browser tests; `playwright install` is not used."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def chromium_browser(executable: str | Path, *extra_args: str) -> Iterator:
    """Debian's chromium, launched headless by Playwright for the ``with`` block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(executable), args=[*CHROMIUM_ARGS, *extra_args]
        )
        try:
            yield launched
        finally:
            launched.close()


def shrink_png(path: str | Path) -> None:
    """256 colours are plenty for a page of text and flat charts: a third of the bytes."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def loopback_context(browser, *, width: int = 1280, height: int = 900):
    """A new browser context that reaches only our own loopback servers.

    Voila's CDN icon font and anything else off this machine stay blocked.
    """
    context = browser.new_context(viewport={"width": width, "height": height})
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1:")
            else route.abort()
        ),
    )
    return context


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process this test run started, its base URL and token, and its log file."""

    proc: subprocess.Popen
    url: str
    token: str
    log: Path

    def get(self, path: str, *, auth: bool = True) -> tuple[int, bytes]:
        """GET ``path`` (with the token unless ``auth=False``); redirects are not followed."""
        request = urllib.request.Request(self.url + path)
        if auth:
            request.add_header("Authorization", f"token {self.token}")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> None:
        """End this server (it shuts down its own kernels); kill it if it hangs."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def _wait(check: Callable[[], bool], server: Server, what: str) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{server.log_tail()}")
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{what} did not start in {_START_TIMEOUT:.0f} s:\n{server.log_tail()}")


def copy_notebooks(target: Path, names: list[str]) -> Path:
    """Copy notebooks into ``target`` so a browser run never saves over the repo's files."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(ROOT / "notebooks" / name, target / name)
    return target


def _allow_root() -> list[str]:
    return ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []


def start_lab(notebook_dir: Path, work: Path, env: dict[str, str]) -> Server:
    """JupyterLab on ``notebook_dir``: loopback, a token, no news pop-up, all cells rendered."""
    settings = work / "lab-settings"
    settings.mkdir(parents=True, exist_ok=True)
    overrides = {
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        # Render every cell, so widgets below the fold exist in the page.
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    }
    (settings / "overrides.json").write_text(json.dumps(overrides))
    token = secrets.token_hex(16)
    log = work / "lab.log"
    for _attempt in range(3):
        port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={notebook_dir}",
            f"--LabApp.app_settings_dir={settings}",
            *_allow_root(),
        ]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=notebook_dir
            )
        server = Server(proc, f"http://127.0.0.1:{port}", token, log)
        try:
            _wait(lambda s=server: s.get("/api/status")[0] == 200, server, "JupyterLab")
        except RuntimeError:
            if "address already in use" in server.log_tail().lower():
                continue  # someone took the port between our check and the bind
            raise
        return server
    raise RuntimeError(f"JupyterLab found no free port:\n{server.log_tail()}")


def start_app(notebook_dir: Path, work: Path, env: dict[str, str]) -> Server:
    """``python -m followup_kit.app --port 0`` on ``notebook_dir``; read the URL it prints."""
    log = work / "app.log"
    cmd = [sys.executable, "-m", "followup_kit.app", "--port", "0"]
    cmd += ["--notebook-dir", str(notebook_dir)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    server = Server(proc, "", "", log)

    def printed() -> bool:
        match = re.search(r"Open: (http://127\.0\.0\.1:\d+)/\?token=(\S+)", server.log_tail())
        if match:
            server.url, server.token = match.group(1), match.group(2)
        return bool(match)

    _wait(printed, server, "The Voila app")
    _wait(lambda: server.get("/voila/api/contents")[0] == 200, server, "The Voila app")
    return server


#: What a page at this width does wrong: buttons off screen or cut off, boxes that
#: scroll sideways inside the page, dropdowns showing nothing.
_LAYOUT_JS = """
() => {
  const width = window.innerWidth;
  const outside = [];
  for (const b of document.querySelectorAll('button')) {
    const r = b.getBoundingClientRect();
    const style = getComputedStyle(b);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    const words = (b.innerText || b.title || '').trim();
    if (r.left < -0.5 || r.right > width + 0.5) outside.push(`${words} [${r.left}, ${r.right}]`);
    if (b.scrollWidth > b.clientWidth + 1) outside.push(`${words} (cut off)`);
  }
  // A box that scrolls sideways inside the page is as bad as a page that does.
  const scrollers = [];
  for (const el of document.querySelectorAll('body *')) {
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1
        && el.getBoundingClientRect().height > 0) {
      // name the widest thing inside, which is what to fix
      let widest = null;
      for (const c of el.querySelectorAll('*')) {
        if (!widest || c.getBoundingClientRect().right > widest.getBoundingClientRect().right)
          widest = c;
      }
      const culprit = widest ? `${widest.tagName.toLowerCase()}.${widest.className}` : '';
      scrollers.push(`${el.className} (${el.scrollWidth} > ${el.clientWidth}; ${culprit})`);
    }
  }
  // A dropdown showing nothing reads as "nothing was chosen" (or lost).
  const blank = [];
  const cut = [];
  const ruler = document.createElement('canvas').getContext('2d');
  for (const s of document.querySelectorAll('select')) {
    const r = s.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || s.multiple || s.size > 1) continue;
    const chosen = s.selectedIndex >= 0
      ? s.options[s.selectedIndex].text.replace(/\u00a0/g, ' ').trim() : '';
    if (!chosen) blank.push(String(s.parentElement.className));
    if (r.left < -0.5 || r.right > width + 0.5) outside.push(`select [${r.left}, ${r.right}]`);
    // A choice wider than its box is cut off; it is fine only when the whole choice is
    // written out, visibly, just below the dropdown (fk-full-choice).
    const style = getComputedStyle(s);
    ruler.font = style.font;
    const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = s.clientWidth - pad - 20;  // 20 px: the arrow
    if (chosen && ruler.measureText(chosen).width > room) {
      const box = s.closest('.widget-dropdown') || s;
      const next = box.nextElementSibling;
      const shown = next && next.classList.contains('fk-full-choice')
        && next.getBoundingClientRect().height > 0
        && next.innerText.replace(/\u00a0/g, ' ').includes(chosen);
      if (!shown) cut.push(chosen);
    }
  }
  return {
    blank: blank,
    cut: cut,
    scrollers: scrollers,
    scroll: document.scrollingElement.scrollWidth,
    width: width,
    outside: outside,
  };
}
"""


def layout_problems(page) -> list[str]:  # noqa: ANN001 - a Playwright page
    """Every way the page fails its width, in words (``[]``: none).

    The page itself must not scroll sideways, nor any box inside it (Voila scrolls
    inside a panel); every visible button lies whole inside the window; no dropdown
    shows an empty choice, nor one cut off by its width unless the whole choice is
    written out beneath it.
    """
    found = page.evaluate(_LAYOUT_JS)
    problems = [f"button off screen or cut off: {b}" for b in found["outside"]]
    problems += [f"scrolls sideways: {s}" for s in found["scrollers"]]
    problems += [f"dropdown showing nothing: {d}" for d in found["blank"]]
    problems += [f"dropdown cuts its choice: {c!r}" for c in found["cut"]]
    if found["scroll"] > found["width"]:
        problems.append(f"the page scrolls sideways ({found['scroll']} > {found['width']} px)")
    return problems
