"""The hub's sign-in and spawner: who may sign in (the workbook says), and whose server is whose.

Loaded by the ``jupyterhub_config.py`` that :mod:`followup_kit.hub` writes; imports
JupyterHub, so nothing else in the package imports this module.

- :class:`WorkbookAuthenticator`: first-use passwords (bcrypt hashes in a file only root
  reads); a user may sign in only while they are a client with that username in the
  workbook, or a coach. Coaches are hub admins. Checked again every minute, so deleting
  a client signs them out.
- :class:`WorkbookSpawner`: each person's server runs as their own system user
  (``jupyter-<name>``, created on first start, home closed to others, as The Littlest
  JupyterHub does), connects to PostgreSQL as their own role through the socket (peer
  authentication, no password), and opens on the client forms (Voila) or, for a coach,
  on JupyterLab.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.spawner import LocalProcessSpawner

from .app import client_notebooks
from .postgres import client_usernames, coaches, hub_username_problem, sync_roles

__all__ = ["WorkbookAuthenticator", "WorkbookSpawner", "configure"]

#: Filled by :func:`configure` from the settings :mod:`followup_kit.hub` wrote.
SETTINGS: dict[str, Any] = {}
_CACHE: dict[str, Any] = {"at": 0.0, "roles": {}}
#: Held while a spawn creates a system user or database roles (spawns prepare in threads).
_SYSTEM_CHANGES = threading.Lock()


def _owner_workbook():
    from .store import Workbook

    wb = _CACHE.get("wb")
    if wb is None:
        wb = _CACHE["wb"] = Workbook(SETTINGS["owner_url"], data_dir=Path(SETTINGS["coach_files"]))
    return wb


def roles_now(fresh: bool = False) -> dict[str, str]:
    """Who may sign in: username -> "coach" or "client" (cached for two seconds)."""
    if not fresh and time.monotonic() - _CACHE["at"] < 2:
        return _CACHE["roles"]
    wb = _owner_workbook()
    roles: dict[str, str] = {}
    if SETTINGS.get("trial"):
        for name in _trial_usernames(wb):
            roles[name] = "client"
    else:
        for name in client_usernames(wb):
            if hub_username_problem(name) is None:
                roles[name] = "client"
        for name in coaches(wb):
            roles[name] = "coach"
    for name in SETTINGS.get("coaches", []):
        roles[name] = "coach"
    _CACHE.update(at=time.monotonic(), roles=roles)
    return roles


def _trial_usernames(wb) -> list[str]:
    frame = wb.clients()
    names = frame["username"].dropna().astype(str).str.strip().str.lower()
    return [n for n in names if n]


class WorkbookAuthenticator(FirstUseAuthenticator):
    """First-use passwords, for the workbook's clients (by username) and its coaches."""

    async def authenticate(self, handler, data):  # noqa: ANN001, ANN201 - JupyterHub's API
        name = self.normalize_username(data.get("username", ""))
        role = roles_now(fresh=True).get(name)
        if role is None:
            # Checked before the password is stored: a stranger never claims a name.
            self.log.info("Sign-in refused for %r: not a client or coach here", name)
            return None
        username = await super().authenticate(handler, data)
        if username is None:
            return None
        return {"name": username, "admin": role == "coach"}

    def check_allowed(self, username, authentication=None):  # noqa: ANN001, ANN201
        return username in roles_now()

    async def refresh_user(self, user, handler=None):  # noqa: ANN001, ANN201
        # False signs them out: a client deleted from the workbook is locked out.
        return user.name in roles_now()


class WorkbookSpawner(LocalProcessSpawner):
    """A person's server as their own system user, on their own database role."""

    @property
    def system_name(self) -> str:
        if SETTINGS.get("trial"):
            return pwd.getpwuid(os.geteuid()).pw_name
        return SETTINGS["user_prefix"] + self.user.name

    def make_preexec_fn(self, name):  # noqa: ANN001, ANN201
        if SETTINGS.get("trial"):
            return None
        return super().make_preexec_fn(self.system_name)

    def user_env(self, env):  # noqa: ANN001, ANN201
        who = pwd.getpwnam(self.system_name)
        env["USER"] = who.pw_name
        env["HOME"] = self._home(who)
        env["SHELL"] = who.pw_shell or "/bin/sh"
        return env

    def _home(self, who: pwd.struct_passwd) -> str:
        if SETTINGS.get("trial"):
            return str(Path(SETTINGS["state"]) / "homes" / self.user.name)
        return who.pw_dir

    def get_env(self):  # noqa: ANN201
        env = super().get_env()
        venv_bin = str(Path(SETTINGS["singleuser_cmd"]).parent)
        env["PATH"] = f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"
        env["FOLLOWUP_DB_URL"] = self._db_url()
        env["FOLLOWUP_DATA_DIR"] = SETTINGS["coach_files"]
        env["MPLBACKEND"] = "Agg"
        env["FOLLOWUP_HUB"] = "trial" if SETTINGS.get("trial") else "isolated"
        if not self._is_coach():
            # Client pages' kernels are the lean page kernel (followup_kit.page_kernel).
            env["JUPYTER_PATH"] = SETTINGS["page_kernel_path"]
        for name in ("FOLLOWUP_TODAY",):
            if os.environ.get(name):
                env[name] = os.environ[name]
        return env

    def _db_url(self) -> str:
        if SETTINGS.get("trial"):
            return SETTINGS["owner_url"]
        from sqlalchemy.engine import make_url

        # The owner's socket, as this person's own role: peer authentication lets their
        # system user in as that role only, so no password is needed or kept.
        url = make_url(SETTINGS["owner_url"]).set(username=self.user.name, password=None)
        return url.render_as_string(hide_password=False)

    def _is_coach(self) -> bool:
        return roles_now().get(self.user.name) == "coach"

    def _prepare(self) -> None:
        """Create the system user and their copy of the notebooks; line up the roles."""
        coach = self._is_coach()
        if not SETTINGS.get("trial"):
            with _SYSTEM_CHANGES:  # one useradd and one role sync at a time
                _ensure_system_user(self.system_name)
                sync_roles(_owner_workbook())  # their database role exists before they start
        who = pwd.getpwnam(self.system_name)
        home = Path(self._home(who))
        home.mkdir(parents=True, exist_ok=True)
        folder = home / "workbook"
        folder.mkdir(exist_ok=True)
        source = Path(SETTINGS["notebooks"])
        wanted = sorted(source.glob("*.ipynb")) if coach else client_notebooks(source)
        for path in wanted:
            target = folder / path.name
            if coach and target.exists():
                continue  # a coach's own edits are theirs; a client's forms are refreshed
            shutil.copyfile(path, target)
        if not SETTINGS.get("trial"):
            for path in [folder, *folder.iterdir()]:
                os.chown(path, who.pw_uid, who.pw_gid)
        self.notebook_dir = str(folder)
        self.default_url = "/lab" if coach else "/voila/tree"

    async def start(self):  # noqa: ANN201
        # useradd, the role sync and the copies block: off the hub's event loop, so ten
        # clients signing in at once do not wait for each other's preparation.
        await asyncio.to_thread(self._prepare)
        return await super().start()


def _ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    subprocess.run(
        ["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name],
        check=True,
        capture_output=True,
    )
    # One client's files are theirs alone.
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)


def configure(c: Any, settings: dict[str, Any]) -> None:
    """Fill JupyterHub's config ``c`` from the settings :mod:`followup_kit.hub` wrote."""
    SETTINGS.clear()
    SETTINGS.update(settings)
    state = Path(settings["state"])
    c.JupyterHub.ip = settings["ip"]
    c.JupyterHub.port = settings["port"]
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings["hub_port"]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
    c.ConfigurableHTTPProxy.command = [settings["proxy_cmd"]]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    if settings.get("ssl_key"):
        c.JupyterHub.ssl_key = settings["ssl_key"]
        c.JupyterHub.ssl_cert = settings["ssl_cert"]
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.authenticator_class = WorkbookAuthenticator
    c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
    c.FirstUseAuthenticator.min_password_length = 8
    c.Authenticator.admin_users = set(settings.get("coaches", []))
    c.Authenticator.auth_refresh_age = 60
    c.Authenticator.refresh_pre_spawn = True
    c.JupyterHub.spawner_class = WorkbookSpawner
    c.Spawner.cmd = [settings["singleuser_cmd"]]
    c.Spawner.http_timeout = 90
    c.Spawner.start_timeout = 120
    c.Spawner.args = singleuser_args()
    c.JupyterHub.shutdown_on_logout = False
    if settings.get("trial"):
        c.JupyterHub.template_vars = {
            "announcement": (
                "Single-person trial: clients are NOT separated here. Every account "
                "runs as the same system user on one shared file."
            )
        }


def singleuser_args() -> list[str]:
    """Each person's server: culled page kernels, no code on client pages."""
    from .app import CULL_AFTER_SECONDS, CULL_EVERY_SECONDS

    return [
        # Voila cannot shut down a closed page's kernel itself: a kernel with no page
        # connected is ended after CULL_AFTER_SECONDS without activity.
        f"--MappingKernelManager.cull_idle_timeout={CULL_AFTER_SECONDS}",
        f"--MappingKernelManager.cull_interval={CULL_EVERY_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        # A server nobody used for an hour stops; signing in starts it again.
        "--ServerApp.shutdown_no_activity_timeout=3600",
    ]
