"""Reading the store fast gives exactly what reading it row by row gives.

``Database.frame`` sends each column as one long text (SQLite ``group_concat``,
PostgreSQL ``string_agg``) and falls back to ``Database.plain_frame`` when it cannot; the
coach dashboard reads only ``DASHBOARD_COLUMNS``, and its agenda leaves closed interviews
out. Each is checked against the plain way on random stores: several countries and their
holidays, blanks everywhere a blank is allowed, awkward text.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from builders import DEMO_TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

import followup_kit as fk
from followup_kit import _db, agenda, schema
from followup_kit.analysis import analysis_frame
from followup_kit.business_days import SUPPORTED_COUNTRIES
from followup_kit.dashboard_data import dashboard_inputs
from followup_kit.reading import DASHBOARD_COLUMNS, FRAME_TABLES
from followup_kit.rules import as_rules

TODAY = date(2026, 3, 20)

#: Text that a naive reader would split, unquote or mistake for a blank.
AWKWARD = [
    "Acme",
    "O'Brien & Sons",
    'Say "hi", then leave',
    "comma, inside",
    "two\nlines",
    "tab\there",
    "back\\slash \\N",
    "NULL",
    "Zoë Ångström",
    "北京 Labs 🚀",
    "-",
    "0",
    "x" * 110,
]


def _pick(rng: np.random.Generator, values: list, n: int, blank: float = 0.0) -> list:
    out = [values[i] for i in rng.integers(0, len(values), n)]
    return [None if rng.random() < blank else v for v in out]


def random_tables(seed: int) -> dict[str, pd.DataFrame]:
    """A small random workbook (ids link the frames; the store gives its own)."""
    rng = np.random.default_rng(seed)
    n_clients = int(rng.integers(1, 8))
    countries = [*SUPPORTED_COUNTRIES, "JP", None]
    clients = pd.DataFrame(
        {
            "id": range(1, n_clients + 1),
            "name": _pick(rng, AWKWARD, n_clients),
            "cohort": _pick(rng, ["Spring", "Autumn, late", "Ünïcode"], n_clients, 0.3),
            "country": _pick(rng, countries, n_clients),
        }
    )
    n_iv = int(rng.integers(1, 40))
    days = [TODAY - timedelta(days=int(d)) for d in rng.integers(-30, 500, n_iv)]
    decision = [
        d + timedelta(days=int(k)) if rng.random() < 0.4 else None
        for d, k in zip(days, rng.integers(0, 20, n_iv), strict=True)
    ]
    interviews = pd.DataFrame(
        {
            "id": range(1, n_iv + 1),
            "client_id": rng.integers(1, n_clients + 1, n_iv),
            "company": _pick(rng, AWKWARD, n_iv),
            "role": _pick(rng, AWKWARD, n_iv),
            "round": _pick(rng, list(schema.CHOICES["round"]), n_iv),
            "interview_date": days,
            "format": _pick(rng, list(schema.CHOICES["format"]), n_iv),
            "contact_route": _pick(rng, list(schema.CHOICES["contact_route"]), n_iv),
            "decision_expected": decision,
            "status": _pick(rng, list(schema.CHOICES["status"]), n_iv),
            "notes": _pick(rng, AWKWARD, n_iv, 0.7),
        }
    )
    people = [(i, p) for i in range(1, n_iv + 1) for p in range(int(rng.integers(0, 3)))]
    interviewers = pd.DataFrame(
        {
            "id": range(1, len(people) + 1),
            "interview_id": [i for i, _ in people],
            # One name per person of an interview: the store refuses a name listed twice.
            "name": [
                f"{a[:100]} {p}"
                for a, (_, p) in zip(_pick(rng, AWKWARD, len(people)), people, strict=True)
            ],
            "email": _pick(rng, ["a@b.example", "x.y@z.example"], len(people), 0.5),
        }
    )

    def after(iv: int, most: int) -> date | None:
        start = days[iv - 1]
        latest = min((TODAY - start).days, most)
        return None if latest < 0 else start + timedelta(days=int(rng.integers(0, latest + 1)))

    rows = []
    for _ in range(int(rng.integers(0, 80))):
        iv = int(rng.integers(1, n_iv + 1))
        sent = after(iv, 40)
        if sent is None:
            continue
        mine = [k + 1 for k, (i, _) in enumerate(people) if i == iv]
        who = mine[int(rng.integers(0, len(mine)))] if mine and rng.random() < 0.6 else None
        rows.append((iv, who, sent))
    follow_ups = pd.DataFrame(
        {
            "id": range(1, len(rows) + 1),
            "interview_id": [r[0] for r in rows],
            "interviewer_id": pd.array([r[1] for r in rows], dtype="Int64"),
            "kind": _pick(rng, list(schema.CHOICES["kind"]), len(rows)),
            "channel": _pick(rng, list(schema.CHOICES["channel"]), len(rows)),
            "sent_on": [r[2] for r in rows],
            "script_id": _pick(rng, ["thank_you_note", "check_in", "a,b"], len(rows), 0.4),
            "script_version": _pick(rng, ["1", "v2", "2.1"], len(rows), 0.3),
            "notes": _pick(rng, AWKWARD, len(rows), 0.6),
        }
    )
    replies = [(iv, after(iv, 60)) for iv in rng.integers(1, n_iv + 1, int(rng.integers(0, 25)))]
    replies = [(int(iv), d) for iv, d in replies if d is not None]
    responses = pd.DataFrame(
        {
            "id": range(1, len(replies) + 1),
            "interview_id": [r[0] for r in replies],
            "received_on": [r[1] for r in replies],
            "channel": _pick(rng, list(schema.CHOICES["channel"]), len(replies)),
            "result": _pick(rng, list(schema.CHOICES["result"]), len(replies)),
            "feedback": _pick(rng, AWKWARD, len(replies), 0.5),
        }
    )
    skips = rng.integers(1, n_iv + 1, int(rng.integers(0, 6)))
    skipped = pd.DataFrame(
        {
            "id": range(1, len(skips) + 1),
            "interview_id": skips,
            "step": _pick(rng, list(schema.STEPS), len(skips)),
            "interviewer": _pick(rng, AWKWARD, len(skips), 0.5),
            "reason": "not needed",
        }
    )
    return {
        "clients": clients,
        "interviews": interviews,
        "interviewers": interviewers,
        "follow_ups": follow_ups,
        "responses": responses,
        "skipped_steps": skipped,
    }


def plain_tables(wb, client_id: int | None = None) -> dict[str, pd.DataFrame]:
    with wb.db.read() as conn:
        return {
            name: wb.db.plain_frame(
                conn, name, None if client_id is None else wb._client_filter(name, client_id)
            )
            for name in FRAME_TABLES
        }


def check_same_as_plain(wb) -> None:
    """Every read the fast way equals the row-by-row read, whole, narrow and per client."""
    plain = plain_tables(wb)
    fast = wb.tables()
    for name in FRAME_TABLES:
        pd.testing.assert_frame_equal(fast[name], plain[name], check_exact=True)
    narrow = wb.tables(columns=DASHBOARD_COLUMNS)
    for name, cols in DASHBOARD_COLUMNS.items():
        pd.testing.assert_frame_equal(narrow[name], plain[name][["id", *cols]])
    for cid in plain["clients"]["id"].tolist()[:2]:
        mine = wb.tables(client_id=cid)
        theirs = plain_tables(wb, cid)
        for name in FRAME_TABLES:
            pd.testing.assert_frame_equal(mine[name], theirs[name])


def check_dashboard_as_before(wb, today: date = TODAY) -> None:
    """The dashboard's one narrow read gives the frame and agenda the full read gave."""
    inputs = dashboard_inputs(wb, today=today)
    everything = plain_tables(wb)
    pd.testing.assert_frame_equal(inputs.frame, analysis_frame(everything, today=today))
    before = _plan_every_interview(everything, today, wb.rules)
    pd.testing.assert_frame_equal(inputs.agenda, before)


@settings(max_examples=6, derandomize=True, database=None, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_fast_reads_equal_plain_reads_on_random_stores(tmp_path_factory, seed):
    path = tmp_path_factory.mktemp("store") / "random.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(seed), progress=False)
        check_same_as_plain(wb)
        check_dashboard_as_before(wb)


def test_the_demo_cohort_reads_and_plans_the_same(tmp_path):
    from followup_kit import demo

    with fk.open_workbook(tmp_path / "demo.sqlite", today=DEMO_TODAY) as wb:
        wb.load_tables(demo.generate(n_clients=30, seed=3), progress=False)
        check_same_as_plain(wb)
        check_dashboard_as_before(wb, DEMO_TODAY)
        # Most demo interviews are settled: the agenda did leave some out.
        statuses = wb.interviews()["status"].astype(str)
        assert statuses.isin(["offer", "withdrawn", "ghosted"]).any()


def test_rows_come_in_chunks_by_id(tmp_path, monkeypatch):
    monkeypatch.setattr(_db, "_CHUNK_ROWS", 3)
    with fk.open_workbook(tmp_path / "chunks.sqlite", today=TODAY) as wb:
        wb.load_tables(random_tables(5), progress=False)
        with wb.db.read() as conn:
            first = conn.exec_driver_sql("SELECT min(id) FROM interviews").scalar()
            conn.exec_driver_sql(f"DELETE FROM interviews WHERE id = {first + 3}")  # a gap
            fast = wb.db.frame(conn, "interviews")
            plain = wb.db.plain_frame(conn, "interviews")
        assert len(fast) > 6  # three chunks or more
        pd.testing.assert_frame_equal(fast, plain)


def test_text_the_long_text_cannot_carry_falls_back_to_the_plain_read(tmp_path, monkeypatch):
    path = tmp_path / "odd.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        cid = wb.add_client("Plain Name", country="GB")
    # Written behind the workbook's back: cleaning refuses control characters.
    with sqlite3.connect(path) as con:
        con.execute("UPDATE clients SET cohort = ? WHERE id = ?", ("a\x1fb", cid))
        con.execute("INSERT INTO clients (name, cohort) VALUES (?, ?)", ("\x1e", None))
    plain_reads = []
    with fk.open_workbook(path, today=TODAY) as wb:
        real = wb.db.plain_frame
        monkeypatch.setattr(
            wb.db, "plain_frame", lambda *a, **k: plain_reads.append(a[1]) or real(*a, **k)
        )
        clients = wb.clients()
    assert plain_reads == ["clients"]
    assert clients["cohort"].tolist()[0] == "a\x1fb"
    assert clients["name"].tolist()[1] == "\x1e"


def test_empty_tables_read_with_their_dtypes(wb):
    for name in FRAME_TABLES:
        frame = wb.tables()[name]
        assert frame.empty
        assert {c: str(t) for c, t in frame.dtypes.items()} == {
            c: str(t) for c, t in schema.frame_dtypes(name).items() if c != "data"
        }


def test_dashboard_columns_are_read_and_nothing_else(tmp_path):
    with fk.open_workbook(tmp_path / "n.sqlite", today=TODAY) as wb:
        wb.load_tables(random_tables(11), progress=False)
        narrow = wb.tables(columns=DASHBOARD_COLUMNS)
    assert set(narrow) == set(DASHBOARD_COLUMNS)
    assert "notes" not in narrow["interviews"]
    assert "feedback" not in narrow["responses"]
    assert list(narrow["follow_ups"].columns) == ["id", *DASHBOARD_COLUMNS["follow_ups"]]


def _plan_every_interview(tables, today, rules):
    """The agenda with no interview left out before planning."""
    keep = agenda._may_have_open_steps
    try:
        agenda._may_have_open_steps = lambda tables, *_: tables
        return agenda.build_agenda(tables, today=today, rules=rules)
    finally:
        agenda._may_have_open_steps = keep


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("days_on", [0, 40, 120, 400])
def test_agenda_without_interviews_that_cannot_have_an_open_step_is_the_same(seed, days_on):
    from followup_kit import demo

    tables = demo.generate(n_clients=25, seed=seed)
    today = DEMO_TODAY + timedelta(days=days_on)
    rules = as_rules(None)
    kept = agenda._may_have_open_steps(tables, today, rules)
    left_out = ~tables["interviews"]["id"].isin(kept["interviews"]["id"])
    status = tables["interviews"]["status"].astype(str)
    assert left_out[status.isin(agenda._CLOSED)].all()
    # Rejected and ghosted interviews are left out once their last steps are missed.
    settled_out = left_out[status.isin(agenda._SETTLED)]
    if days_on >= 120:
        assert settled_out.any()
    if days_on == 400:
        assert settled_out.all()
    assert len(kept["follow_ups"]) < len(tables["follow_ups"])
    # Not one step of a left-out interview is open or overdue...
    every = agenda.plan_steps(tables, rules, today)
    gone = left_out.to_numpy()[every.rows["p"]]
    assert not np.isin(every.rows["state"][gone], [0, 1]).any()
    # ...so the agenda is the same without them.
    pd.testing.assert_frame_equal(
        _plan_every_interview(tables, today, rules), agenda.build_agenda(kept, today=today)
    )


def test_a_coachs_longer_reconnect_rule_keeps_settled_interviews_on_the_agenda():
    from followup_kit import demo

    tables = demo.generate(n_clients=25, seed=4)
    today = DEMO_TODAY + timedelta(days=120)
    usual = agenda._may_have_open_steps(tables, today, as_rules(None))
    patient = as_rules({"reconnect_start": 150, "reconnect_due": 200})
    longer = agenda._may_have_open_steps(tables, today, patient)
    assert len(longer["interviews"]) > len(usual["interviews"])
    pd.testing.assert_frame_equal(
        _plan_every_interview(tables, today, patient),
        agenda.build_agenda(tables, today=today, rules=patient),
    )


def test_dates_stored_in_another_form_read_as_before(tmp_path):
    path = tmp_path / "dates.sqlite"
    with fk.open_workbook(path, today=TODAY) as wb:
        wb.load_tables(random_tables(4), progress=False)
    # A store written by other tools may hold a date with its time, or a single digit.
    with sqlite3.connect(path) as con:
        first = con.execute("SELECT min(id) FROM follow_ups").fetchone()[0]
        con.execute("UPDATE follow_ups SET sent_on = sent_on || ' 00:00:00' WHERE id = ?", (first,))
    with fk.open_workbook(path, today=TODAY) as wb:
        with wb.db.read() as conn:
            fast = wb.db.frame(conn, "follow_ups")
            plain = wb.db.plain_frame(conn, "follow_ups")
    pd.testing.assert_frame_equal(fast, plain)
    assert fast["sent_on"].notna().all()
