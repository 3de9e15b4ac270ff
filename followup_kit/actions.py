"""What a client or coach does, as plain functions over a Workbook (no widgets).

Every write a form makes goes through here: log, change or delete an interview, a
follow-up or a reply; log a planned step as sent, skip it or undo the skip; log a call
or a message sent from a script; add a client, a recording, a spreadsheet or the demo.
A script or a test can call the same functions.

Each action takes the workbook first and, where there is one, the acting client as the
``client_id`` keyword, and refuses with :class:`~followup_kit.exceptions.NotYoursError`
when the row it would change belongs to someone else (``client_id=None`` is the coach,
who may act on anyone's rows). Pages learn who is acting from
:func:`followup_kit.identity.signed_in`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import demo
from .identity import require_own
from .library import CALL_ANSWERS, Script, get_script
from .plans import STEP_KIND
from .schema import STEPS

if TYPE_CHECKING:
    from .store import Workbook

__all__ = [
    "add_client",
    "add_recording",
    "call_outcome",
    "change_client_phone",
    "change_follow_up",
    "change_interview",
    "change_recording_note",
    "change_response",
    "close_as_ghosted",
    "delete_follow_up",
    "delete_interview",
    "delete_recording",
    "delete_response",
    "import_file",
    "kind_for_step",
    "load_demo",
    "remove_demo",
    "log_call",
    "log_follow_up",
    "log_from_script",
    "log_interview",
    "log_response",
    "log_step_sent",
    "next_follow_up_number",
    "save_concerns",
    "skip_plan_step",
    "undo_skip",
]

#: The follow-up kind logged for each plan step (the follow-ups table has no "second" kind).
_KIND_FOR_STEP = {
    "thank_you": "thank_you",
    "status_check": "status_check",
    "second_follow_up": "status_check",
    "feedback_request": "feedback_request",
    "close_as_ghosted": "other",
    "gracious_reply": "other",
    "reconnect": "reconnect",
}
_GOT_IT_RESULTS = ("offer", "next_round")


# --------------------------------------------------------------------------- clients
def add_client(
    wb: Workbook,
    name: str,
    *,
    cohort: str | None = None,
    country: str | None = None,
    username: str | None = None,
    phone: str | None = None,
) -> int:
    """Add a client (a client adding themselves, or the coach); return the new id.

    Parameters
    ----------
    wb
        The open workbook.
    name
        The client's name or alias.
    cohort, country
        Their workshop group (blank: none) and the country whose holidays count.
    username
        Their JupyterHub user name, when they sign in through one.
    phone
        Their own phone number (blank: none), for scripts that leave it.

    Returns
    -------
    int
        The new client's id.
    """
    return wb.add_client(
        name, cohort=cohort or None, country=country, username=username, phone=phone or None
    )


def change_client_phone(
    wb: Workbook, client: int, phone: str | None, *, client_id: int | None = None
) -> None:
    """Set (or, blank, clear) the phone number in ``client``'s profile.

    ``client_id`` is the acting client (``None``: the coach); a client changes only
    their own.
    """
    require_own(wb, "clients", client, client_id)
    wb.update_client(client, phone=phone)


# --------------------------------------------------------------------------- interviews
def log_interview(
    wb: Workbook,
    *,
    client_id: int,
    interviewers: Iterable[str | Mapping[str, Any]] = (),
    **fields: Any,
) -> int:
    """Log an interview with the people who ran it, in one transaction; return its id.

    Parameters
    ----------
    wb
        The open workbook.
    client_id
        The client the interview belongs to (the acting client).
    interviewers
        Names, or dicts with ``name``, ``title`` and ``email``.
    **fields
        ``company``, ``role``, ``interview_date`` and any other interview field.

    Returns
    -------
    int
        The new interview's id.
    """
    require_own(wb, "clients", client_id, client_id)  # a client that is (still) there
    return wb.log_interview(client_id, interviewers=list(interviewers), **fields)


def change_interview(
    wb: Workbook,
    interview_id: int,
    *,
    client_id: int | None = None,
    interviewers: Iterable[Mapping[str, Any]] | None = None,
    **changes: Any,
) -> None:
    """Change an interview and, when given, its interviewers, together or not at all.

    Parameters
    ----------
    wb
        The open workbook.
    interview_id
        The interview to change.
    client_id
        The acting client (``None``: the coach).
    interviewers
        The full list after the change: dicts with ``id`` for people kept (``None`` for
        new ones); stored people left out are deleted. ``None`` leaves them alone.
    **changes
        Interview fields to set.
    """
    require_own(wb, "interviews", interview_id, client_id)
    if interviewers is not None:
        changes["interviewers"] = list(interviewers)
    wb.update_interview(interview_id, **changes)


def save_concerns(
    wb: Workbook, interview_id: int, concerns: str | None, *, client_id: int | None = None
) -> None:
    """Save the concerns the client expects for one interview, with their answers.

    The call coach shows them beside the call's second question ("is there anything
    about my background you are unsure of?"). ``None`` or "" clears them.
    """
    require_own(wb, "interviews", interview_id, client_id)
    text = concerns.strip() if isinstance(concerns, str) else concerns
    wb.update_interview(int(interview_id), concerns=text or None)


def delete_interview(
    wb: Workbook, interview_id: int, *, client_id: int | None = None
) -> dict[str, int]:
    """Delete an interview with everything attached; return the rows removed per table."""
    require_own(wb, "interviews", interview_id, client_id)
    return wb.delete_interview(interview_id)


def close_as_ghosted(
    wb: Workbook, interview_id: int | Iterable[int], *, client_id: int | None = None
) -> int:
    """Close interviews as ghosted (no reply came): their remaining steps leave the agenda.

    Parameters
    ----------
    wb
        The open workbook.
    interview_id
        One interview id, or several (the coach clearing stale interviews).
    client_id
        The acting client (``None``: the coach).

    Returns
    -------
    int
        How many interviews were closed.
    """
    ids = [interview_id] if isinstance(interview_id, int) else list(interview_id)
    for iid in ids:
        require_own(wb, "interviews", iid, client_id)
    return wb.close_as_ghosted(ids)


# --------------------------------------------------------------------------- follow-ups, replies
def log_follow_up(
    wb: Workbook, interview_id: int, *, client_id: int | None = None, **fields: Any
) -> int:
    """Log a message the client sent about an interview; return the follow-up's id.

    ``fields`` are the follow-up's: ``kind``, ``channel``, ``sent_on``,
    ``interviewer_id``, ``script_id``, ``script_version``, ``notes``.
    """
    require_own(wb, "interviews", interview_id, client_id)
    return wb.log_follow_up(interview_id, **fields)


def change_follow_up(
    wb: Workbook, follow_up_id: int, *, client_id: int | None = None, **changes: Any
) -> None:
    """Change a logged follow-up's fields."""
    require_own(wb, "follow_ups", follow_up_id, client_id)
    wb.update_follow_up(follow_up_id, **changes)


def delete_follow_up(
    wb: Workbook, follow_up_id: int, *, client_id: int | None = None
) -> dict[str, int]:
    """Delete one follow-up; return the rows removed per table."""
    require_own(wb, "follow_ups", follow_up_id, client_id)
    return wb.delete_follow_up(follow_up_id)


def log_response(
    wb: Workbook, interview_id: int, *, client_id: int | None = None, **fields: Any
) -> int:
    """Log the employer's reply (with the client's reflection); return its id.

    ``fields`` are the response's: ``received_on``, ``result``, ``channel``,
    ``feedback``, ``reflection``.
    """
    require_own(wb, "interviews", interview_id, client_id)
    return wb.log_response(interview_id, **fields)


def change_response(
    wb: Workbook, response_id: int, *, client_id: int | None = None, **changes: Any
) -> None:
    """Change a logged reply's fields."""
    require_own(wb, "responses", response_id, client_id)
    wb.update_response(response_id, **changes)


def delete_response(
    wb: Workbook, response_id: int, *, client_id: int | None = None
) -> dict[str, int]:
    """Delete one reply; return the rows removed per table."""
    require_own(wb, "responses", response_id, client_id)
    return wb.delete_response(response_id)


# --------------------------------------------------------------------------- the plan
def log_step_sent(
    wb: Workbook,
    interview_id: int,
    step: str,
    *,
    channel: str = "email",
    sent_on: date | str | None = None,
    interviewer_id: int | None = None,
    script_id: str | None = None,
    client_id: int | None = None,
) -> int:
    """Log that the client did a step of their plan ("I sent it"); return the follow-up's id.

    Thank-yous are logged as kind ``thank_you`` (to the interviewer, when known), status
    checks and second follow-ups as ``status_check``, feedback requests as
    ``feedback_request``. ``sent_on`` defaults to the workbook's today.

    Raises
    ------
    ValueError
        For ``close_as_ghosted``, which is not sent: use :func:`close_as_ghosted`.
    """
    kind = STEP_KIND.get(step)
    if kind is None:
        raise ValueError(
            f"{step!r} is not something you send; use close_as_ghosted() to close an interview."
        )
    require_own(wb, "interviews", interview_id, client_id)
    who = (
        int(interviewer_id) if interviewer_id is not None and not pd.isna(interviewer_id) else None
    )
    return wb.log_follow_up(
        int(interview_id),
        kind=kind,
        channel=channel,
        sent_on=sent_on if sent_on is not None else wb.today,
        interviewer_id=who if kind == "thank_you" else None,
        script_id=script_id,
    )


def skip_plan_step(
    wb: Workbook,
    interview_id: int,
    step: str,
    *,
    reason: str,
    note: str = "",
    interviewer: str | None = None,
    client_id: int | None = None,
) -> int:
    """Mark a step as skipped with a reason (plus an optional note); return its id."""
    text = reason.strip()
    if note and note.strip():
        text = f"{text}: {note.strip()}" if text else note.strip()
    require_own(wb, "interviews", interview_id, client_id)
    who = interviewer if isinstance(interviewer, str) and interviewer else None
    return wb.skip_step(int(interview_id), step, reason=text, interviewer=who)


def undo_skip(wb: Workbook, skipped_id: int, *, client_id: int | None = None) -> None:
    """Put a skipped step back on the plan."""
    require_own(wb, "skipped_steps", skipped_id, client_id)
    wb.delete_skipped_step(int(skipped_id))


# --------------------------------------------------------------------------- scripts and calls
def kind_for_step(step: str | None) -> str:
    """The follow-up ``kind`` to log for a plan step (``status_check`` when not known).

    Examples
    --------
    >>> kind_for_step("second_follow_up")
    'status_check'
    """
    if step is None:
        return "status_check"
    if step not in _KIND_FOR_STEP:
        raise ValueError(f"step should be one of {list(STEPS)} or None, got {step!r}")
    return _KIND_FOR_STEP[step]


def call_outcome(answer: str, *, got_it_result: str = "offer") -> tuple[str, str | None]:
    """What a follow-up call's answer means for the log.

    Parameters
    ----------
    answer
        A key of :data:`followup_kit.CALL_ANSWERS`.
    got_it_result
        For "you got it": ``"offer"`` or ``"next_round"``.

    Returns
    -------
    (channel, result)
        The follow-up's channel (``"phone"`` or ``"voicemail"``) and the employer's
        answer as a response result, or None when they gave no answer.

    Examples
    --------
    >>> call_outcome("someone_else")
    ('phone', 'rejection')
    >>> call_outcome("voicemail")
    ('voicemail', None)
    """
    if got_it_result not in _GOT_IT_RESULTS:
        raise ValueError(f"got_it_result should be 'offer' or 'next_round', got {got_it_result!r}")
    outcomes: dict[str, tuple[str, str | None]] = {
        "no_decision": ("phone", "still_deciding"),
        "someone_else": ("phone", "rejection"),
        "you_got_it": ("phone", got_it_result),
        "voicemail": ("voicemail", None),
        "call_back_later": ("phone", None),
    }
    try:
        return outcomes[answer]
    except KeyError:
        raise ValueError(f"answer should be one of {list(CALL_ANSWERS)}, got {answer!r}") from None


def _as_script(script: Script | str, extra_dir: Any) -> Script:
    return get_script(script, extra_dir) if isinstance(script, str) else script


def log_from_script(
    wb: Any,
    interview_id: int,
    script: Script | str,
    channel: str,
    *,
    sent_on: date | str | None = None,
    kind: str | None = None,
    step: str | None = None,
    interviewer_id: int | None = None,
    notes: str | None = None,
    extra_dir: Any = None,
    client_id: int | None = None,
) -> int:
    """Log a follow-up sent from a script: the step it is for, to whom, how and when.

    Parameters
    ----------
    wb
        The open workbook.
    interview_id
        The interview the message is about.
    script
        A :class:`~followup_kit.library.Script` or a script id.
    channel
        How it was sent (``"email"``, ``"phone"`` ...).
    sent_on
        Default ``wb.today``.
    kind, step
        The follow-up kind; default the one for ``step`` (see :func:`kind_for_step`).
        With neither, a script made for exactly one step of the plan logs that step's
        kind (a thank-you note logs a thank-you), any other a status check.
    interviewer_id
        The interviewer it went to (one of this interview's, else ``ValidationError``):
        each interviewer's thank-you is marked done on its own.
    notes
        As for the follow-ups table.
    extra_dir
        A coach's script folder; default the workbook's.
    client_id
        The acting client (``None``: the coach).

    Returns
    -------
    int
        The new follow-up's id, stored with the script's id and version.
    """
    require_own(wb, "interviews", interview_id, client_id)
    s = _as_script(script, extra_dir if extra_dir is not None else wb)
    if kind is None and step is None and len(s.when.steps) == 1:
        step = s.when.steps[0]
    who = (
        int(interviewer_id) if interviewer_id is not None and not pd.isna(interviewer_id) else None
    )
    return wb.log_follow_up(
        interview_id,
        kind=kind or kind_for_step(step),
        channel=channel,
        sent_on=sent_on or wb.today,
        interviewer_id=who,
        script_id=s.id,
        script_version=s.version,
        notes=notes,
    )


def log_call(
    wb: Any,
    interview_id: int,
    script: Script | str,
    answer: str,
    *,
    sent_on: date | str | None = None,
    step: str | None = None,
    got_it_result: str = "offer",
    interviewer_id: int | None = None,
    notes: str | None = None,
    feedback: str | None = None,
    extra_dir: Any = None,
    client_id: int | None = None,
) -> dict[str, Any]:
    """Log a follow-up call and, if the employer answered, their answer, in one step.

    The call is logged as a follow-up (channel phone, or voicemail) with the script's id
    and version; an answer ("no decision yet", "we chose someone else", "you got it")
    is logged as a response on the same day. If the response cannot be saved, the
    follow-up is removed again so the log never holds half a call.

    Returns
    -------
    dict
        ``follow_up_id``, ``response_id`` (None when there was no answer), ``channel``
        and ``result``.
    """
    channel, result = call_outcome(answer, got_it_result=got_it_result)
    day = sent_on or wb.today
    fid = log_from_script(
        wb,
        interview_id,
        script,
        channel,
        sent_on=day,
        step=step,
        interviewer_id=interviewer_id,
        notes=notes,
        extra_dir=extra_dir,
        client_id=client_id,
    )
    rid = None
    if result is not None:
        try:
            rid = wb.log_response(
                interview_id, received_on=day, result=result, channel="phone", feedback=feedback
            )
        except Exception:
            wb.delete_follow_up(fid)  # keep the call and its answer together, or neither
            raise
    return {"follow_up_id": fid, "response_id": rid, "channel": channel, "result": result}


def next_follow_up_number(wb: Any, interview_id: int) -> int:
    """Which follow-up the next message would be (1 = the first after the thank-you)."""
    interviews = wb.interviews()
    row = interviews.loc[interviews["id"] == interview_id]
    if row.empty:
        return 1
    done = wb.follow_ups(int(row.iloc[0]["client_id"]))
    done = done.loc[(done["interview_id"] == interview_id) & (done["kind"] != "thank_you")]
    return len(done) + 1


# --------------------------------------------------------------------------- recordings
def add_recording(
    wb: Workbook,
    client_id: int,
    filename: str,
    data: bytes,
    *,
    mime: str | None = None,
    script_id: str | None = None,
    seconds: float | None = None,
    note: str | None = None,
) -> int:
    """Store a client's rehearsal recording (its length in seconds when known); return its id.

    The content decides, not the name or the type a browser reports: it must be audio
    (WAV, MP3, M4A, OGG, WebM or FLAC) of at most 25 MB, else ``ValidationError``.
    A ``mime`` that is not an audio type (a recorder's ``video/webm``) is replaced by
    the type the content shows.
    """
    require_own(wb, "clients", client_id, client_id)
    if mime is not None and not str(mime).strip().lower().startswith("audio/"):
        mime = None
    return wb.add_recording(
        client_id, filename, data, mime=mime, script_id=script_id, seconds=seconds, note=note
    )


def change_recording_note(
    wb: Workbook, recording_id: int, note: str | None, *, client_id: int | None = None
) -> None:
    """Change (or clear, with ``None`` or "") the client's note on one rehearsal take."""
    require_own(wb, "recordings", recording_id, client_id)
    wb.update_recording(recording_id, note=note)


def delete_recording(wb: Workbook, recording_id: int, *, client_id: int | None = None) -> None:
    """Delete one rehearsal recording."""
    require_own(wb, "recordings", recording_id, client_id)
    wb.delete_recording(recording_id)


# --------------------------------------------------------------------------- whole tables
def import_file(wb: Workbook, name: str, data: bytes) -> dict[str, int]:
    """Import an uploaded CSV or Excel file's bytes: all rows or none.

    Parameters
    ----------
    wb
        The open workbook.
    name
        The file's name; its suffix says how to read it.
    data
        The file's content.

    Returns
    -------
    dict
        The rows added per table.

    Raises
    ------
    BadFileError, ValidationError
        The file cannot be read, or some rows are wrong (nothing is imported).
    """
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="followup-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return wb.import_table(path)


def load_demo(wb: Workbook) -> dict[str, int]:
    """Load the synthetic demo cohort, dated for the workbook's today; return the rows
    added per table. A demo already there is replaced (see :func:`followup_kit.demo.load`).
    """
    return demo.load(wb).added


def remove_demo(wb: Workbook) -> dict[str, int]:
    """Take the demo's clients out, with everything logged for them, in one transaction;
    other clients stay. Returns the rows removed per table (empty: there was no demo)."""
    return demo.remove(wb)
