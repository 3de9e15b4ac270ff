"""What many tests build: the fixed days and small stores with known contents.

Tests import from here (``from builders import TODAY``); the fixtures in ``conftest.py``
wrap the builders. One "today" for synthetic stores, one for the demo cohort.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

#: Text that would run if a page forgot to escape it.
EVIL = "<img src=x onerror=alert(1)>"

#: How every PNG file starts.
PNG = b"\x89PNG\r\n\x1a\n"

#: "Today" in every synthetic store the tests build (a Thursday).
TODAY = date(2025, 3, 20)

#: "Today" for the demo cohort: the Monday after it ends (see ``isolation.py``).
DEMO_TODAY = date(2026, 11, 2)


def fill(wb) -> dict[str, int]:
    """One client, one interview (two interviewers), a thank-you, a reply; their ids."""
    cid = wb.add_client("Alex Rivera", country="US", cohort="Spring")
    iid = wb.log_interview(
        cid,
        "Acme",
        "Analyst",
        date(2025, 3, 4),
        interviewers=["Dana Lee", {"name": "Sam Ortiz", "title": "CTO"}],
    )
    wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=date(2025, 3, 4))
    wb.log_response(iid, received_on=date(2025, 3, 11), result="next_round")
    return {"client": cid, "interview": iid}


def agenda_book(wb) -> dict[str, int]:
    """Two clients (US and GB) with interviews in every situation the agenda sorts."""
    us = wb.add_client("Alex Rivera", country="US")
    gb = wb.add_client("Bea Okafor", country="GB")
    ids = {"us": us, "gb": gb}
    # Thank-you to Dana sent, to Sam not (and long overdue: missed); reply next_round.
    ids["acme"] = wb.log_interview(
        us, "Acme", "Analyst", date(2025, 3, 4), interviewers=["Dana Lee", "Sam Ortiz"]
    )
    dana = int(wb.interviewers().query("name == 'Dana Lee'")["id"].iloc[0])
    wb.log_follow_up(
        ids["acme"],
        kind="thank_you",
        channel="email",
        sent_on=date(2025, 3, 4),
        interviewer_id=dana,
    )
    wb.log_response(ids["acme"], received_on=date(2025, 3, 11), result="next_round")
    # Yesterday's interview: thank-you due today.
    ids["globex"] = wb.log_interview(us, "Globex", "Engineer", date(2025, 3, 19))
    # Decision date passed: status check overdue, with the thank-you done.
    ids["initech"] = wb.log_interview(
        us, "Initech", "Planner", date(2025, 3, 10), decision_expected=date(2025, 3, 14)
    )
    wb.log_follow_up(ids["initech"], kind="thank_you", channel="email", sent_on=date(2025, 3, 10))
    # Offer: nothing open.
    ids["umbrella"] = wb.log_interview(us, "Umbrella", "Nurse", date(2025, 3, 3), status="offer")
    # GB client, today's interview; the thank-you is skipped.
    ids["hooli"] = wb.log_interview(
        gb, "Hooli", "Designer", date(2025, 3, 20), interviewers=["Kim"]
    )
    wb.skip_step(ids["hooli"], "thank_you", reason="No contact address", interviewer="Kim")
    return ids


def demo_with_evil(path: Path):
    """A 12-client demo store at ``path`` (today :data:`DEMO_TODAY`) plus a client, Eve,
    whose name and company hold :data:`EVIL`; her id is ``wb.evil``."""
    import followup_kit as fk
    from followup_kit import demo

    wb = fk.open_workbook(path, today=DEMO_TODAY)
    wb.load_tables(demo.generate(n_clients=12, seed=7), progress=False)
    cid = wb.add_client(f"Eve {EVIL}", cohort="Spring cohort")
    iid = wb.log_interview(cid, f"Bad {EVIL}", "Analyst", date(2026, 10, 20))
    wb.log_follow_up(iid, kind="thank_you", channel="email", sent_on=date(2026, 10, 20))
    wb.evil = cid
    return wb
