"""The command line: demo, import, export, info, backup, and friendly errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import followup_kit as fk
from followup_kit.__main__ import main


def run(store, *args):
    return main(["--store", str(store), *args])


def test_demo_loads_once_with_if_empty(tmp_path, capsys):
    store = tmp_path / "w.sqlite"
    assert run(store, "demo", "--clients", "3", "--if-empty") == 0
    assert "Loaded the demo cohort" in capsys.readouterr().out
    assert run(store, "demo", "--if-empty") == 0
    assert "already has clients" in capsys.readouterr().out
    assert fk.open_workbook(store).counts()["clients"] == 3


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A data folder of its own, the live store named by FOLLOWUP_DB_URL, a fixed today."""
    monkeypatch.setenv("FOLLOWUP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FOLLOWUP_DB_URL", f"sqlite:///{tmp_path / 'live.sqlite'}")
    monkeypatch.setenv("FOLLOWUP_TODAY", "2026-12-02")
    return tmp_path / "data"


def test_the_demo_goes_into_its_own_store_never_the_live_one(data_dir, tmp_path, capsys):
    assert main(["demo", "--clients", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Loaded the demo cohort into {data_dir / 'demo.sqlite'}, dated for")
    assert "today (Wed 2 Dec 2026; its last day is Tue 1 Dec 2026): 3 clients," in out
    assert " follow-ups, " in out and " replies." in out and "_" not in out.split(":")[-1]
    assert fk.open_workbook(data_dir / "demo.sqlite").counts()["clients"] == 3
    assert fk.open_workbook(tmp_path / "live.sqlite").counts()["clients"] == 0


def test_refresh_loads_only_when_missing_or_dated_for_another_day(data_dir, capsys, monkeypatch):
    assert main(["demo", "--refresh", "--clients", "3"]) == 0
    assert "Loaded the demo cohort" in capsys.readouterr().out
    assert main(["demo", "--refresh", "--clients", "3"]) == 0
    assert capsys.readouterr().out.endswith(
        "holds the demo cohort, dated for today (Wed 2 Dec 2026).\n"
    )
    monkeypatch.setenv("FOLLOWUP_TODAY", "2026-12-03")
    assert main(["demo", "--refresh", "--clients", "3"]) == 0
    out = capsys.readouterr().out
    assert "its last day is Wed 2 Dec 2026" in out
    assert "It replaces the demo that was there (3 clients, with everything logged for them)" in out
    assert fk.open_workbook(data_dir / "demo.sqlite").counts()["clients"] == 3


def test_remove_takes_the_demo_out_of_a_named_store_and_keeps_real_clients(tmp_path, capsys):
    store = tmp_path / "live.sqlite"
    with fk.open_workbook(store, today="2026-12-02") as wb:
        wb.add_client("Robin Real")
    assert main(["--store", str(store), "demo", "--clients", "4"]) == 0
    out = capsys.readouterr().out
    assert "Your 1 other client is untouched. Take the demo out again with:" in out
    assert f"python -m followup_kit --store {store} demo --remove" in out
    assert main(["--store", str(store), "demo", "--remove"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Removed the demo cohort from {store}: 4 clients, ")
    assert out.endswith("Your 1 other client stays.\n")
    assert list(fk.open_workbook(store).clients()["name"]) == ["Robin Real"]
    assert main(["--store", str(store), "demo", "--remove"]) == 0
    assert capsys.readouterr().out == f"{store} holds no demo clients: nothing removed.\n"


def test_remove_and_refresh_do_not_go_together(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path / "w.sqlite", "demo", "--remove", "--refresh")
    assert exit_info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_info_export_import_backup(tmp_path, capsys):
    store = tmp_path / "w.sqlite"
    run(store, "demo", "--clients", "2")
    assert run(store, "info") == 0
    out = capsys.readouterr().out
    assert "clients" in out and str(tmp_path) in out
    assert run(store, "export", str(tmp_path / "out")) == 0
    assert (tmp_path / "out" / "interviews.csv").exists()
    assert run(tmp_path / "copy.sqlite", "import", str(tmp_path / "out")) == 0
    assert run(store, "backup", str(tmp_path / "b.sqlite")) == 0
    original = fk.open_workbook(store).counts()
    assert fk.open_workbook(tmp_path / "copy.sqlite").counts().equals(original)
    assert fk.open_workbook(tmp_path / "b.sqlite").counts().equals(original)


def test_errors_are_one_line_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("")
    assert run(tmp_path / "w.sqlite", "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Could not read") and "Traceback" not in err


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "followup_kit", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("demo", "import", "export", "info", "backup"):
        assert command in out


def test_unknown_command_exits_with_usage(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path / "w.sqlite", "frobnicate")
    assert exit_info.value.code == 2


@pytest.mark.slow  # seven fresh interpreters
def test_each_refusal_is_one_plain_line_and_a_non_zero_exit(tmp_path):
    """Through ``python -m followup_kit`` itself: no traceback, a message, exit 1."""
    store = tmp_path / "w.sqlite"
    assert run(store, "demo", "--clients", "2") == 0
    (tmp_path / "taken.xlsx").write_bytes(b"keep")
    (tmp_path / "taken.sqlite").write_bytes(b"keep")
    (tmp_path / "empty").mkdir()
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    cases = {
        ("export", str(tmp_path / "taken.xlsx")): "a file is already there",
        ("backup", str(tmp_path)): "that is a folder",
        ("backup", str(tmp_path / "taken.sqlite")): "never overwrites",
        ("import", str(tmp_path / "empty")): "no workbook export or spreadsheet here",
        ("import", str(tmp_path / "photos")): "no workbook export or spreadsheet here",
        ("import", str(tmp_path / "nowhere.csv")): "there is no such file",
        ("info",): "FOLLOWUP_TODAY: 'garbage' is not a date",
    }
    env = {**os.environ, "FOLLOWUP_TODAY": "garbage"}
    for args, message in cases.items():
        done = subprocess.run(
            [sys.executable, "-m", "followup_kit", "--store", str(store), *args],
            capture_output=True,
            text=True,
            env=env if args == ("info",) else None,
        )
        assert done.returncode == 1, (args, done.stderr)
        assert done.stderr.startswith("error: ") and message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1, args
    assert (tmp_path / "taken.xlsx").read_bytes() == b"keep"
    assert (tmp_path / "taken.sqlite").read_bytes() == b"keep"
