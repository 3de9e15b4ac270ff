"""Calendar export: open follow-up steps as all-day iCalendar (.ics) events."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import OutputFileError
from .schema import CHOICES, format_day

__all__ = ["calendar_bytes", "write_ics"]

_UID_SPACE = uuid.UUID("4f1c3c52-1d0e-5b8a-9f3e-6a0c2f1b7d11")


def _uid(interview_id: Any, step: str, interviewer: Any) -> str:
    who = "" if interviewer is None or interviewer is pd.NA else str(interviewer).strip()
    key = f"{int(interview_id)}|{step}|{who.casefold()}"
    return f"{uuid.uuid5(_UID_SPACE, key)}@followup-workbook"


def calendar_bytes(steps: pd.DataFrame, *, name: str = "Interview follow-ups") -> bytes:
    """The iCalendar text (bytes) for the open steps of a plan or an agenda.

    See :func:`write_ics` for what each event holds.
    """
    from icalendar import Calendar, Event

    needed = {"interview_id", "step", "start", "due"}
    missing = sorted(needed - set(steps.columns))
    if missing:
        raise ValueError(
            f"write_ics needs the columns {sorted(needed)}; missing {missing}. "
            "Pass a frame from plan_for_interview or build_agenda."
        )
    if "state" in steps.columns:
        steps = steps[steps["state"].isin(["open", "overdue"])]
    cal = Calendar()
    cal.add("prodid", "-//Follow-up Workbook//followup_kit//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    stamp = datetime.now(UTC).replace(microsecond=0)
    for row in steps.to_dict("records"):
        step = str(row["step"])
        who = row.get("interviewer")
        who = None if who is None or who is pd.NA else str(who)
        start = pd.Timestamp(row["start"]).date()
        what = CHOICES["step"].get(step, step)
        if step == "thank_you" and who:
            what += f" to {who}"
        company = row.get("company")
        if isinstance(company, str) and company:
            what += f" ({company})"
        client = row.get("client")
        if isinstance(client, str) and client:
            what = f"{client}: {what}"
        lines = [f"Due by {format_day(row['due'])}."]
        script = row.get("script_id")
        if isinstance(script, str) and script:
            lines.append(f"Suggested script: {script}.")
        why = row.get("why")
        if isinstance(why, str) and why:
            lines.append(why)
        event = Event()
        event.add("uid", _uid(row["interview_id"], step, who))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(days=1))
        event.add("summary", what)
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: keep the day free
        cal.add_component(event)
    return cal.to_ical()


def write_ics(steps: pd.DataFrame, path: str | Path) -> Path:
    """Write open steps as all-day calendar events; return the file's path.

    Parameters
    ----------
    steps
        A plan (:func:`plan_for_interview`) or an agenda (:func:`build_agenda`). Rows
        whose ``state`` is done, skipped or missed are left out.
    path
        Where to write the ``.ics`` file.

    Notes
    -----
    Each event sits on the step's start date; its description gives the due date and
    the suggested script. The UID is derived from (interview, step, interviewer), so
    importing a newer export updates the same calendar entries instead of adding copies.
    """
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise OutputFileError(path, "give the calendar a file name, e.g. follow-ups.ics.")
    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputFileError(target, "that is a folder; give a file name, e.g. follow-ups.ics.")
    if not target.parent.is_dir():
        raise OutputFileError(target, f"there is no folder {target.parent}; create it first.")
    content = calendar_bytes(steps)
    try:
        target.write_bytes(content)
    except OSError as err:
        raise OutputFileError(target, err.strerror or str(err)) from err
    return target
