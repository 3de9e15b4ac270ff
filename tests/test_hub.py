"""The workshop hub for real: PostgreSQL, JupyterHub, system users, two clients and a coach.

``python -m followup_kit.hub`` starts on free loopback ports with its own PostgreSQL
cluster under a short /tmp folder; clients and the coach sign in with Debian's chromium.
Every system user made here starts with ``fkt-`` and is removed (``userdel -r``) at the
end, even when a test fails. Under ``CI=true`` anything missing is a failure.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import (
    ROOT,
    chromium_browser,
    free_port,
    loopback_context,
    require_chromium,
)

import followup_kit as fk
from followup_kit import postgres

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.postgres]

PREFIX = "fkt-"
CLIENTS = {"fkann": ("Ann Example", "Ann Corp"), "fkben": ("Ben Example", "Ben Industries")}
COACH = "fkcoach"
PASSWORDS = {"fkann": "ann-secret-1", "fkben": "ben-secret-2", COACH: "coach-secret-3"}
VENV = Path(os.environ.get("FOLLOWUP_HUB_VENV", "/opt/followup-kit/venv"))
PROXY = ROOT / ".hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
WAIT_MS = 90_000


def _missing_or_skip() -> None:
    missing = []
    if os.geteuid() != 0:
        missing.append("root (to create system users)")
    try:
        postgres._postgres_bin()
    except fk.FollowupKitError:
        missing.append("PostgreSQL (Debian's postgresql)")
    if not PROXY.exists():
        missing.append(f"{PROXY} (node's configurable-http-proxy: `make hub-tools`)")
    if not (VENV / "bin" / "jupyterhub-singleuser").exists():
        missing.append(f"{VENV} (the clients' venv: `make hub-env`)")
    if missing:
        reason = "the hub test needs " + ", ".join(missing) + "; `make test` installs them"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _remove_test_users() -> None:
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(PREFIX):
            subprocess.run(["userdel", "-r", "-f", entry.pw_name], capture_output=True)


class Hub:
    """``python -m followup_kit.hub`` in a folder of its own; its log; stop and start."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = root / "hub.log"
        self.cluster = postgres.LocalCluster(root / "pg", user_prefix=PREFIX)

    def start(self) -> None:
        env = dict(os.environ)
        env.pop("FOLLOWUP_DB_URL", None)
        cmd = [sys.executable, "-m", "followup_kit.hub", "--port", str(self.port)]
        cmd += ["--state", str(self.root / "state"), "--pg-dir", str(self.root / "pg")]
        cmd += ["--user-prefix", PREFIX, "--coach", COACH, "--singleuser-venv", str(VENV)]
        cmd += ["--proxy", str(PROXY)]
        seen = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited:\n{self.tail()}")
            if b"The workshop hub is running" in self.log.read_bytes()[seen:]:
                return
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not start:\n{self.tail()}")

    def stop(self) -> None:
        self.stop_hub()
        self.cluster.stop()  # no-op when the hub stopped it, as it should

    def stop_hub(self) -> None:
        """Ctrl+C for ``make hub``: it stops JupyterHub, the servers and the database."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(90)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-60:])

    def owner(self) -> fk.Workbook:
        return fk.open_workbook(self.cluster.url())


@pytest.fixture(scope="module")
def hub():
    _missing_or_skip()
    chromium = require_chromium()
    root = Path(tempfile.mkdtemp(prefix="fkh-", dir="/tmp"))
    root.chmod(0o755)
    _remove_test_users()
    h = Hub(root)
    try:
        h.cluster.ensure()  # the coach's store: two clients with usernames, one without
        with h.owner() as wb:
            for username, (name, _) in CLIENTS.items():
                wb.add_client(name, cohort="Hub test", username=username)
            wb.add_client("No Username")
        h.cluster.stop()
        h.start()
        h.chromium = chromium
        yield h
    finally:
        h.stop()
        _remove_test_users()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(hub):
    with chromium_browser(hub.chromium) as launched:
        yield launched


def start_sign_in(browser, hub, username: str):
    """A new browser context that pressed "Sign in" as ``username`` (its server starting)."""
    context = loopback_context(browser, width=1280, height=1000)
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", username)
    page.fill("#password_input", PASSWORDS[username])
    page.click("#login_submit")
    return context, page


def landed(page, username: str):
    page.wait_for_url(re.compile(rf".*/user/{username}/.*"), timeout=WAIT_MS)
    return page


def sign_in(browser, hub, username: str):
    """A new browser context signed in as ``username``; its page on the landing URL."""
    context, page = start_sign_in(browser, hub, username)
    return context, landed(page, username)


_RUN_IN_KERNEL = """
async ([base, code]) => {
  const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "";
  const made = await fetch(base + "api/kernels", {
    method: "POST", headers: {"X-XSRFToken": decodeURIComponent(xsrf)}, body: "{}"});
  if (!made.ok) return "kernel refused: " + made.status;
  const kernel = await made.json();
  const ws = new WebSocket(
    `ws://${location.host}${base}api/kernels/${kernel.id}/channels`);
  const id = "run-" + Math.random();
  let out = "";
  const done = new Promise((resolve) => {
    ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      if (msg.parent_header.msg_id !== id) return;
      if (msg.msg_type === "stream") out += msg.content.text;
      if (msg.msg_type === "error") out += "ERROR " + msg.content.ename + msg.content.evalue;
      if (msg.msg_type === "status" && msg.content.execution_state === "idle") resolve(out);
    };
  });
  await new Promise((resolve) => { ws.onopen = resolve; });
  ws.send(JSON.stringify({
    header: {msg_id: id, username: "", session: "s" + id, msg_type: "execute_request",
             version: "5.3", date: new Date().toISOString()},
    parent_header: {}, metadata: {}, buffers: [], channel: "shell",
    content: {code, silent: false, store_history: false, user_expressions: {},
              allow_stdin: false, stop_on_error: true}}));
  const text = await done;
  ws.close();
  await fetch(base + "api/kernels/" + kernel.id, {
    method: "DELETE", headers: {"X-XSRFToken": decodeURIComponent(xsrf)}});
  return text;
}
"""

_PROBE = """
import getpass, json, followup_kit as fk
wb = fk.open_workbook()
with wb.engine.begin() as conn:
    rows = [list(r) for r in conn.exec_driver_sql("select client_id, company from interviews")]
    changed = conn.exec_driver_sql(
        "update interviews set notes = 'planted' where company <> %(own)s", {"own": OWN}
    ).rowcount
    deleted = conn.exec_driver_sql(
        "delete from interviews where company <> %(own)s", {"own": OWN}
    ).rowcount
print(json.dumps({"user": getpass.getuser(), "rows": rows, "changed": changed,
                  "deleted": deleted, "db": str(wb.engine.url.username)}))
"""


def run_in_own_kernel(page, username: str, code: str) -> str:
    """Run ``code`` in a new kernel of this signed-in user's own server."""
    return page.evaluate(_RUN_IN_KERNEL, [f"/user/{username}/", code])


def log_interview(page, hub, username: str, company: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{hub.url}/user/{username}/voila/render/01_log_an_interview.ipynb")
    form = page.locator(".ct-interview-form")
    form.wait_for(timeout=WAIT_MS)
    form.locator(".ct-company input").fill(company)
    form.locator(".ct-role input").fill("Analyst")
    form.locator(".ct-interview-date input[type=date]").fill("2026-10-28")
    form.locator(".ct-interviewer").nth(0).locator(".ct-interviewer-name input").fill("Dana Lee")
    save = form.locator("button.ct-save")
    expect(save).to_be_enabled(timeout=20_000)
    save.click()
    expect(form.locator(".ct-report")).to_contain_text(f"Saved: First interview at {company}")


def test_two_clients_and_a_coach_each_see_what_they_should(hub, browser):
    from playwright.sync_api import expect

    started = time.monotonic()
    # Everyone presses "Sign in" at once; their servers start side by side.
    sessions = {name: start_sign_in(browser, hub, name) for name in [*CLIENTS, COACH]}
    coach_context, coach_page = sessions.pop(COACH)
    for username, (_, page) in sessions.items():
        landed(page, username)
        assert f"/user/{username}/voila/tree" in page.url  # clients land on the forms
        expect(page.get_by_text("01_log_an_interview")).to_be_visible(timeout=WAIT_MS)
        assert "05_coach_dashboard" not in page.content()

    for username, (_, page) in sessions.items():
        log_interview(page, hub, username, CLIENTS[username][1])

    for username, (_, page) in sessions.items():
        own = CLIENTS[username][1]
        other = next(c for u, (_, c) in CLIENTS.items() if u != username)
        # Every page they have: their own entry shows, the other's never does.
        for notebook in ("01_log_an_interview", "04_record_what_happened"):
            if notebook not in page.url:  # 01 is still open from saving
                page.goto(f"{hub.url}/user/{username}/voila/render/{notebook}.ipynb")
            page.locator(".ct-interview-form, .ct-record-form").first.wait_for(timeout=WAIT_MS)
            expect(page.locator("body")).to_contain_text(own, timeout=20_000)
            assert other not in page.inner_text("body")
            assert "Ann Example" not in page.inner_text("body") or username == "fkann"
        # Their own kernel, whatever code it runs, reaches only their rows.
        said = run_in_own_kernel(page, username, f"OWN = {own!r}\n" + _PROBE)
        probe = json.loads(said.strip().splitlines()[-1]), said
        result = probe[0]
        assert result["user"] == PREFIX + username
        assert result["db"] == username
        assert [row[1] for row in result["rows"]] == [own]
        assert (result["changed"], result["deleted"]) == (0, 0)
        # Another client's server is refused.
        response = page.goto(f"{hub.url}/user/{other_user(username)}/voila/tree")
        assert response.status in (403, 404) or f"/user/{username}/" in page.url
        assert other not in page.inner_text("body")

    with hub.owner() as wb:
        companies = sorted(wb.interviews()["company"])
        assert companies == sorted(c for _, c in CLIENTS.values())
        assert "planted" not in set(wb.interviews()["notes"].dropna())

    context, page = coach_context, landed(coach_page, COACH)
    assert f"/user/{COACH}/lab" in page.url  # the coach lands on JupyterLab
    page.goto(f"{hub.url}/user/{COACH}/voila/render/05_coach_dashboard.ipynb")
    page.locator(".widget-html:visible").first.wait_for(timeout=WAIT_MS)
    # The charts come first; the agenda, worked out on a second thread, follows.
    page.locator(".fk-tabs").first.wait_for(timeout=WAIT_MS)
    expect(page.locator("body")).not_to_contain_text("Working out what needs", timeout=WAIT_MS)
    expect(page.locator("body")).to_contain_text(re.compile("Due today|Nothing is waiting"))
    said = run_in_own_kernel(
        page,
        COACH,
        "import followup_kit as fk\nprint(int(fk.open_workbook().counts()['interviews']))",
    )
    assert said.strip().splitlines()[-1] == "2", said
    admin = page.goto(f"{hub.url}/hub/admin")
    assert admin.status == 200  # coaches are hub admins
    context.close()
    for context, _ in sessions.values():
        context.close()
    assert time.monotonic() - started < 240, "the hub test should stay quick"


def other_user(username: str) -> str:
    return next(u for u in CLIENTS if u != username)


def test_stopping_and_starting_the_hub_keeps_every_row(hub, browser):
    with hub.owner() as wb:
        before = wb.counts().to_dict()
    hub.stop_hub()
    assert hub.cluster.pid is None  # the hub stopped its database
    hub.start()
    with hub.owner() as wb:
        assert wb.counts().to_dict() == before
    context, page = sign_in(browser, hub, "fkann")  # the password set before still works
    said = run_in_own_kernel(
        page,
        "fkann",
        "import followup_kit as fk\nprint(list(fk.open_workbook().interviews()['company']))",
    )
    assert said.strip().splitlines()[-1] == "['Ann Corp']", said
    context.close()


def test_a_stranger_and_a_deleted_client_cannot_sign_in(hub, browser):
    context = loopback_context(browser, width=1280, height=1000)
    page = context.new_page()
    for username, password in (("mallory", "whatever-123"), ("fkben", "wrong-password")):
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", username)
        page.fill("#password_input", password)
        page.click("#login_submit")
        page.wait_for_load_state()
        assert "/hub/login" in page.url, username
    with hub.owner() as wb:
        ben = wb.client_for_user("fkben")
        wb.delete_client(ben)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", "fkben")
    page.fill("#password_input", PASSWORDS["fkben"])
    page.click("#login_submit")
    page.wait_for_load_state()
    assert "/hub/login" in page.url
    context.close()


def test_the_hub_refuses_to_start_without_isolation(tmp_path):
    env = dict(os.environ, FOLLOWUP_DB_URL=f"sqlite:///{tmp_path / 'x.sqlite'}")
    done = subprocess.run(
        [sys.executable, "-m", "followup_kit.hub", "--state", str(tmp_path / "state")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "refusing to start a hub for several clients" in done.stderr
    assert "--single-person-trial" in done.stderr


def test_hub_pages_are_reachable_only_on_loopback_by_default(hub):
    with urllib.request.urlopen(f"{hub.url}/hub/api", timeout=10) as response:
        assert response.status == 200
    config = (hub.root / "state" / "private" / "jupyterhub_config.py").read_text()
    assert "'ip': '127.0.0.1'" in config
    assert oct((hub.root / "state" / "private").stat().st_mode & 0o777) == "0o700"
