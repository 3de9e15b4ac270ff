"""The hub's set-up without starting it: its config file, refusals, password reset."""

from __future__ import annotations

import dbm

from followup_kit import hub, postgres


def test_config_hands_our_settings_to_the_plugins(tmp_path):
    path = hub.write_config(tmp_path / "jupyterhub_config.py", {"ip": "127.0.0.1", "trial": False})
    text = path.read_text()
    assert "from followup_kit.hub_plugins import configure" in text
    assert "configure(c, {'ip': '127.0.0.1', 'trial': False})" in text
    assert path.stat().st_mode & 0o077 == 0  # only its owner reads it


def test_a_sqlite_store_is_refused_for_a_multi_client_hub(monkeypatch):
    monkeypatch.setattr(hub.os, "geteuid", lambda: 0)
    said = hub.isolation_problem("sqlite:////tmp/x.sqlite")
    assert said is not None and "SQLite" in said


def test_not_root_is_refused_for_a_multi_client_hub(monkeypatch):
    monkeypatch.setattr(hub.os, "geteuid", lambda: 1000)
    assert "must run as root" in hub.isolation_problem("postgresql://x@/y")


def test_forgetting_a_password_lets_them_choose_again(tmp_path, capsys):
    (tmp_path / "private").mkdir()
    with dbm.open(str(tmp_path / "private" / "passwords.dbm"), "c") as db:
        db[b"alex"] = b"hash"
        db[b"bea"] = b"hash"
    assert hub.forget_password(tmp_path, " Alex ") == 0
    with dbm.open(str(tmp_path / "private" / "passwords.dbm"), "r") as db:
        assert list(db.keys()) == [b"bea"]
    assert hub.forget_password(tmp_path, "alex") == 1
    assert "no password is stored" in capsys.readouterr().err


def test_usernames_that_cannot_be_a_system_user_or_role_are_explained():
    assert postgres.hub_username_problem("alex") is None
    assert postgres.hub_username_problem("a.b-c9") is None
    for bad in ("Alex", "has space", "x" * 24, "followup_owner", "-dash", "root", "pg_x"):
        assert postgres.hub_username_problem(bad), bad
