"""A workshop saving at once: many writer processes, one SQLite store, nothing lost."""

from __future__ import annotations

import os
import signal
import sqlite3

import pandas as pd
import pytest
import store_workers as sw

import followup_kit as fk
from followup_kit import demo


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "workshop.sqlite"
    fk.open_workbook(path, today=sw.TODAY).close()
    return path


@pytest.mark.slow
@pytest.mark.parametrize(
    ("writers", "saves", "forked"),
    [
        pytest.param(8, 200, False, id="foundation-8x200-fresh-interpreters"),
        pytest.param(30, 200, True, id="workshop-30x200"),
    ],
)
def test_writers_at_once_lose_nothing(store, writers, saves, forked):
    result = sw.run_workshop(store, writers, saves, forked=forked)

    assert result.errors == [], "a writer saw an error a person would see"
    for p in result.people:
        assert p.proc.returncode == 0, f"{p.name} crashed:\n{''.join(p.stderr)}"
    returned = result.saved
    assert len(returned) == writers * saves

    con = sqlite3.connect(store)
    rows = con.execute(
        "SELECT i.id, i.company, i.role, c.name FROM interviews i "
        "JOIN clients c ON c.id = i.client_id"
    ).fetchall()
    panels = dict(
        con.execute("SELECT interview_id, count(*) FROM interviewers GROUP BY interview_id")
    )
    con.close()
    assert len(rows) == writers * saves
    by_id = {r[0]: r for r in rows}
    # Every returned id holds exactly that writer's save, under that writer's client.
    for name, seq, iid, _ns in returned:
        assert by_id[iid][1:] == (name, f"save {seq:05d}", name)
    # None duplicated: one row per (writer, sequence number), one interviewer per row.
    assert len({(r[1], r[2]) for r in rows}) == len(rows)
    assert set(panels.values()) == {1} and len(panels) == len(rows)
    assert sw.integrity(store) == ("ok", [])
    print(
        f"\nload held: {writers} writers, {len(returned)} saves, "
        f"{result.throughput:.0f} saves/s, p50 {result.latency_ms(0.5):.1f} ms, "
        f"p99 {result.latency_ms(0.99):.0f} ms, max {result.latency_ms(1.0):.0f} ms, lost 0"
    )


def _big_flat_csv(path, n):
    """A flat sheet of ``n`` interviews over 40 clients, each with a thank-you."""
    frame = pd.DataFrame(
        {
            "client": [f"Import client {i % 40:02d}" for i in range(n)],
            "company": [f"Company {i}" for i in range(n)],
            "role": "Analyst",
            "interview_date": "2026-09-14",
            "interviewers": "Dana Lee; Sam Ortiz",
            "thank_you_date": "2026-09-15",
            "thank_you_channel": "email",
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_writer_killed_mid_bulk_import_leaves_store_as_before(store, tmp_path):
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        wb.load_tables(demo.generate(n_clients=5, seed=3))
        before = wb.tables()
        counts = wb.counts()
    sheet = _big_flat_csv(tmp_path / "big.csv", 12_000)

    ctx = sw.forkserver()
    parent, child = ctx.Pipe(duplex=False)
    # Freeze after the third chunk: interviews are half written, nothing committed.
    proc = ctx.Process(
        target=sw.bulk_import_then_freeze, args=(str(store), str(sheet), 3, child), daemon=True
    )
    proc.start()
    child.close()
    seen = []
    try:
        while not seen or seen[-1][0] != "paused":
            assert parent.poll(120), f"the import never reached its third chunk: {seen}"
            seen.append(parent.recv())
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.exitcode is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
    assert proc.exitcode == -signal.SIGKILL
    assert [s[1] for s in seen if s[0] == "chunk"] == ["clients", "interviews", "interviews"]

    assert sw.integrity(store) == ("ok", [])
    with fk.open_workbook(store, today=sw.TODAY) as wb:
        assert wb.counts().equals(counts)
        after = wb.tables()
        for name, frame in before.items():
            pd.testing.assert_frame_equal(after[name], frame, obj=name)
        # The store still works: the same import now goes through whole.
        added = wb.import_table(sheet, progress=False)
        assert added["interviews"] == 12_000
        assert wb.counts()["interviews"] == counts["interviews"] + 12_000
    assert sw.integrity(store) == ("ok", [])
