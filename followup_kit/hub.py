"""``python -m followup_kit.hub`` (``make hub``): the workshop server.

JupyterHub in front, PostgreSQL with row-level security behind: each client signs in
with their own password, gets their own server running as their own system user, and
reaches only their own rows. It starts (and at the end stops) a local PostgreSQL cluster
under ``data/postgres`` unless ``FOLLOWUP_DB_URL`` names one, writes the hub's
``jupyterhub_config.py`` into ``data/hub/private`` and runs JupyterHub until Ctrl+C.

Where clients cannot be kept apart (not root, or no PostgreSQL) it refuses, unless
``--single-person-trial`` is given: then every hub page says clients are not separated.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .app import default_notebook_dir, free_port
from .exceptions import FollowupKitError

__all__ = ["isolation_problem", "main", "write_config"]

CHECKOUT = Path(__file__).resolve().parents[1]
DEFAULT_SINGLEUSER_VENV = "/opt/followup-kit/venv"
DEFAULT_PROXY = CHECKOUT / ".hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"


def _data_dir() -> Path:
    from .paths import default_data_dir

    return default_data_dir()


def _parser() -> argparse.ArgumentParser:
    env = os.environ.get
    p = argparse.ArgumentParser(
        prog="python -m followup_kit.hub",
        description="Run a workshop: JupyterHub sign-in, one server per person, "
        "PostgreSQL keeping each client's rows apart.",
    )
    p.add_argument(
        "--ip",
        default=env("HUB_IP", "127.0.0.1"),
        help="127.0.0.1 (default) or 0.0.0.0 so laptops in the room can reach it",
    )
    p.add_argument("--port", type=int, default=int(env("HUB_PORT", "8000")))
    p.add_argument(
        "--coach",
        default=env("COACH", "coach"),
        help="the coach's username (a hub admin who sees every client)",
    )
    p.add_argument("--ssl-key", default=env("HUB_SSL_KEY"), help="TLS key file (with --ssl-cert)")
    p.add_argument("--ssl-cert", default=env("HUB_SSL_CERT"), help="TLS certificate file")
    p.add_argument(
        "--state", type=Path, default=None, help="the hub's own files (default data/hub)"
    )
    p.add_argument(
        "--pg-dir",
        type=Path,
        default=env("FOLLOWUP_PG_DIR"),
        help="the local PostgreSQL cluster (default data/postgres)",
    )
    p.add_argument(
        "--singleuser-venv",
        default=env("FOLLOWUP_HUB_VENV", DEFAULT_SINGLEUSER_VENV),
        help="a venv every system user can read, with the workbook installed",
    )
    p.add_argument(
        "--proxy",
        default=env("FOLLOWUP_HUB_PROXY"),
        help="configurable-http-proxy (default: the one `make hub` installs)",
    )
    p.add_argument(
        "--user-prefix",
        default=env("FOLLOWUP_HUB_USER_PREFIX", "jupyter-"),
        help="system users are this prefix plus the username (default jupyter-)",
    )
    p.add_argument("--notebooks", type=Path, default=None, help="the workbook's notebooks")
    p.add_argument(
        "--single-person-trial",
        action="store_true",
        help="start even though clients cannot be separated (one person trying it)",
    )
    p.add_argument(
        "--forget-password",
        metavar="USERNAME",
        help="let USERNAME choose a new password at their next sign-in, and exit",
    )
    p.add_argument("--hub-port", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--proxy-api-port", type=int, default=0, help=argparse.SUPPRESS)
    return p


def isolation_problem(db_url: str | None) -> str | None:
    """Why this machine cannot keep clients apart, in plain words; ``None`` if it can."""
    if os.geteuid() != 0:
        return (
            "the hub must run as root to start each client's server as their own system "
            "user (so one client's kernel cannot read another's files). Run `sudo make hub`."
        )
    if not shutil.which("useradd"):
        return "this system has no `useradd`, so clients cannot get their own system users."
    if db_url:
        if not db_url.startswith("postgresql"):
            return (
                "FOLLOWUP_DB_URL names a SQLite file, which cannot keep clients' rows apart; "
                "unset it to use a local PostgreSQL, or point it at PostgreSQL."
            )
        return None
    from .postgres import _postgres_bin

    try:
        _postgres_bin()
    except FollowupKitError as err:
        return str(err)
    return None


def write_config(path: Path, settings: dict[str, Any]) -> Path:
    """The hub's ``jupyterhub_config.py``: our settings handed to ``hub_plugins.configure``."""
    path.write_text(
        "# Written by `python -m followup_kit.hub` on every start: change its options\n"
        "# (see `python -m followup_kit.hub --help`) rather than this file.\n"
        "from followup_kit.hub_plugins import configure\n\n"
        f"configure(c, {settings!r})  # noqa: F821 - JupyterHub provides c\n"
    )
    path.chmod(0o600)
    return path


def _addresses(ip: str) -> list[str]:
    if ip != "0.0.0.0":
        return [ip]
    found = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            if info[4][0] not in found and not info[4][0].startswith("127."):
                found.append(info[4][0])
    except OSError:
        pass
    return found or ["<this computer's address>"]


def _wait_for_hub(url: str, proc: subprocess.Popen, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            import ssl

            ctx = ssl._create_unverified_context()  # our own certificate, maybe self-signed
            with urllib.request.urlopen(url + "hub/api", timeout=3, context=ctx):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    return False


def forget_password(state: Path, username: str) -> int:
    """Remove ``username``'s password hash: the next password they type becomes theirs."""
    import dbm

    path = Path(state).resolve() / "private" / "passwords.dbm"
    name = username.strip().lower()
    try:
        with dbm.open(str(path), "w") as db:
            del db[name.encode()]
    except (KeyError, *dbm.error):
        print(f"error: no password is stored for {name!r} in {path}.", file=sys.stderr)
        return 1
    print(f"{name} may choose a new password at their next sign-in.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workshop hub and wait; stop the hub and the database on Ctrl+C."""
    args = _parser().parse_args(argv)
    if bool(args.ssl_key) != bool(args.ssl_cert):
        print("error: give both --ssl-key and --ssl-cert, or neither.", file=sys.stderr)
        return 2
    if args.forget_password:
        return forget_password((args.state or _data_dir() / "hub"), args.forget_password)
    db_url = os.environ.get("FOLLOWUP_DB_URL")
    trial = args.single_person_trial
    why = isolation_problem(db_url)
    if why and not trial:
        print(
            f"error: refusing to start a hub for several clients: {why}\n"
            "To try it alone on this computer, add --single-person-trial "
            "(`make hub TRIAL=1`): then clients are NOT separated.",
            file=sys.stderr,
        )
        return 2
    if trial:
        print("Single-person trial: clients are NOT separated on this hub.", flush=True)
    data = _data_dir()
    state = (args.state or data / "hub").resolve()
    private = state / "private"
    coach_files = state / "coach-files"
    for folder, mode in ((state, 0o755), (private, 0o700), (coach_files, 0o755)):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(mode)
    for name in ("rules.toml", "scripts"):  # the coach's own rules and scripts, read-only
        source = data / name
        if source.is_file():
            shutil.copyfile(source, coach_files / name)
        elif source.is_dir():
            shutil.copytree(source, coach_files / name, dirs_exist_ok=True)
    singleuser = Path(args.singleuser_venv) / "bin" / "jupyterhub-singleuser"
    proxy = args.proxy or (str(DEFAULT_PROXY) if DEFAULT_PROXY.exists() else None)
    proxy = proxy or shutil.which("configurable-http-proxy")
    missing = [
        what
        for what, ok in (
            (f"{singleuser} (run `make hub-env`)", singleuser.exists()),
            ("configurable-http-proxy (run `make hub`, which installs it)", proxy),
        )
        if not ok
    ]
    if missing:
        print(f"error: missing {', '.join(missing)}.", file=sys.stderr)
        return 2

    from .postgres import LocalCluster, add_coach, secure_database, sync_roles
    from .store import Workbook, open_workbook

    cluster = None
    hub = None
    try:
        if trial and not (db_url or "").startswith("postgresql"):
            owner_url = db_url or f"sqlite:///{data / 'workbook.sqlite'}"
            open_workbook(owner_url).close()
        else:
            if not db_url:
                cluster = LocalCluster(
                    args.pg_dir or data / "postgres", user_prefix=args.user_prefix
                )
                db_url = cluster.ensure()
            owner_url = db_url
            with Workbook(owner_url, data_dir=coach_files) as wb:
                secure_database(wb)
                add_coach(wb, args.coach)
                print(f"Client sign-ins: {sync_roles(wb)}.", flush=True)
        settings = {
            "state": str(private),
            "coach_files": str(coach_files),
            "notebooks": str((args.notebooks or default_notebook_dir()).resolve()),
            "owner_url": owner_url,
            "trial": trial,
            "coaches": [args.coach.strip().lower()],
            "user_prefix": args.user_prefix,
            "ip": args.ip,
            "port": args.port,
            "hub_port": args.hub_port or free_port(),
            "proxy_api_port": args.proxy_api_port or free_port(),
            "proxy_cmd": str(proxy),
            "singleuser_cmd": str(singleuser),
            "ssl_key": args.ssl_key,
            "ssl_cert": args.ssl_cert,
        }
        from .page_kernel import write_kernelspec

        page_kernel = state / "page-kernel"
        write_kernelspec(page_kernel, python=str(Path(args.singleuser_venv) / "bin" / "python"))
        settings["page_kernel_path"] = str(page_kernel)
        config = write_config(private / "jupyterhub_config.py", settings)
        env = dict(os.environ, PATH=f"{Path(str(proxy)).parent}:{os.environ.get('PATH', '')}")
        hub = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=private, env=env
        )
        scheme = "https" if args.ssl_key else "http"
        local = f"{scheme}://{'127.0.0.1' if args.ip == '0.0.0.0' else args.ip}:{args.port}/"
        if not _wait_for_hub(local, hub):
            print("error: the hub did not start; see the messages above.", file=sys.stderr)
            return 1
        urls = ", ".join(f"{scheme}://{a}:{args.port}/" for a in _addresses(args.ip))
        print(
            f"\nThe workshop hub is running. Give clients this address: {urls}\n"
            f"Coach: sign in as '{args.coach}' and choose a password (8 characters or "
            "more); the first password typed for a name becomes its password.\n"
            "Clients sign in with the username you gave them in the workbook the same way.\n"
            "Stop it with Ctrl+C (this also stops the database).",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: hub.send_signal(signal.SIGTERM))
        try:
            return hub.wait()
        except KeyboardInterrupt:
            return 0
    except FollowupKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        if hub is not None and hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
            try:
                hub.wait(60)
            except subprocess.TimeoutExpired:
                hub.kill()
        if cluster is not None:
            cluster.stop()
            print("Stopped the hub and its database.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
