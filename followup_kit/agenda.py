"""The coach's agenda: every open follow-up step across clients, grouped by urgency."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .business_days import OffsetsByCountry
from .plans import (
    _STATE,
    _days,
    _Ids,
    _table,
    _text,
    interview_countries,
    plan_steps,
    scripts_for,
)
from .rules import Rules, as_rules

__all__ = ["AGENDA_GROUPS", "build_agenda"]

#: Agenda groups, most urgent first. "this week" means due within the next 7 days.
AGENDA_GROUPS: tuple[str, ...] = ("overdue", "due today", "this week", "later")


def build_agenda(
    tables: Mapping[str, pd.DataFrame],
    *,
    today: date | str,
    client_id: int | None = None,
    rules: Rules | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Every open step across the coach's clients (or one client's), most urgent first.

    Parameters
    ----------
    tables
        The workbook's frames (``wb.tables()``).
    today
        The day the groups are judged on.
    client_id
        Only this client's steps.
    rules
        As for :func:`plan_follow_ups`.

    Returns
    -------
    DataFrame
        Columns ``group`` (ordered: overdue, due today, this week (due in the next
        7 days), later), ``client_id, client, interview_id, company, role, interviewer,
        interviewer_id, step, start, due, state, script_id``, sorted by group, due date
        and client. Done, skipped and missed steps are not listed.
    """
    now = schema.as_date(today)
    rules = as_rules(rules)
    if client_id is not None:
        tables = _for_client(tables, int(client_id))
    plan = plan_steps(_may_have_open_steps(tables, now, rules), rules, now)
    state = plan.rows["state"]
    steps = plan.frame((state == _STATE["open"]) | (state == _STATE["overdue"]))
    iv = plan.interviews
    p = steps["p"].to_numpy()
    client_of = pd.to_numeric(iv["client_id"]).to_numpy(dtype="float64")[p]
    clients = _table(tables, "clients")
    names = _text(clients["name"]) if "name" in clients else np.full(len(clients), None)
    where = pd.Index(pd.to_numeric(clients["id"]).astype("float64")).get_indexer(client_of)
    client_name = np.where(where >= 0, names[np.maximum(where, 0)] if len(names) else None, None)

    due = steps["due"].to_numpy(dtype="datetime64[D]")
    day = np.datetime64(now, "D")
    group = np.select(
        [due < day, due == day, due <= day + np.timedelta64(7, "D")], [0, 1, 2], default=3
    )
    agenda = pd.DataFrame(
        {
            "group": pd.Categorical.from_codes(group, categories=list(AGENDA_GROUPS), ordered=True),
            "client_id": pd.array(client_of, dtype="Float64").astype("Int64"),
            "client": pd.array(client_name, dtype="string"),
            "interview_id": pd.to_numeric(iv["id"]).to_numpy()[p],
            "company": _text_at(iv, "company", p),
            "role": _text_at(iv, "role", p),
            "interviewer": pd.array(steps["interviewer"].to_numpy(dtype=object), dtype="string"),
            "interviewer_id": steps["interviewer_id"].to_numpy(),
            "step": steps["step"],
            "start": steps["start"],
            "due": steps["due"],
            "state": steps["state"],
        }
    )
    agenda["interview_id"] = agenda["interview_id"].astype("Int64")
    agenda["script_id"] = scripts_for(steps, plan, now, rules).array
    order = np.lexsort(
        (
            agenda["step"].cat.codes.to_numpy(),
            p,
            agenda["start"].to_numpy(),
            due,
            group,
        )
    )
    return agenda.iloc[order].reset_index(drop=True)


#: Statuses whose interviews have no open step: every step is done or not planned (an
#: offer or a withdrawal ends the plan; a close as ghosted still plans reconnecting a few
#: months on; see ``plan_steps``).
_CLOSED = ("offer", "withdrawn")
#: Statuses whose only steps that can still be open are the gracious reply, the feedback
#: request and reconnecting later; each is missed ``missed_after`` business days after it
#: is due, and is due these many business days after a dated event of the interview.
_SETTLED = ("rejected", "ghosted")
_SETTLED_DUES = ("gracious_reply_due", "feedback_request_due", "reconnect_due")


def _may_have_open_steps(
    tables: Mapping[str, pd.DataFrame], today: date, rules: Rules
) -> Mapping[str, pd.DataFrame]:
    """The tables without the interviews that have no open step on ``today``, and their rows.

    Planning is per interview, so leaving interviews out changes no other interview's
    steps; in a long-running workbook most of the store is left out:

    - closed interviews (offer, withdrawn) plan no open step at all;
    - settled ones (rejected, ghosted) whose every step is missed by ``today``: their
      steps count from the interview's dated events (the interview, the decision date,
      what was sent and what came back), so none is open once even the latest of those
      events, moved on by the longest of their due dates and then by ``missed_after``,
      lies before ``today``. The same business-day calendars as the plan's judge it.
    """
    iv = tables.get("interviews")
    if iv is None or "status" not in iv or not len(iv):
        return tables
    status = iv["status"]
    drop = status.isin(_CLOSED).to_numpy(dtype=bool, copy=True)
    index = _Ids(iv["id"])
    settled = np.flatnonzero(
        status.isin(_SETTLED).to_numpy(dtype=bool) & iv["interview_date"].notna().to_numpy()
    )
    children = {
        name: frame
        for name in ("interviewers", "follow_ups", "responses", "skipped_steps")
        if (frame := tables.get(name)) is not None and "interview_id" in frame
    }
    at = {name: index.find(frame["interview_id"]) for name, frame in children.items()}
    if settled.size:
        drop[settled] = _all_missed(tables, iv, at, settled, today, rules)
    if not drop.any():
        return tables
    out = dict(tables)
    out["interviews"] = iv[~drop]
    for name, frame in children.items():
        # Rows of no known interview are ignored by the planner anyway.
        out[name] = frame[(at[name] >= 0) & ~drop[np.maximum(at[name], 0)]]
    return out


def _all_missed(
    tables: Mapping[str, pd.DataFrame],
    iv: pd.DataFrame,
    at: Mapping[str, np.ndarray],
    settled: np.ndarray,
    today: date,
    rules: Rules,
) -> np.ndarray:
    """For the interviews at positions ``settled``: is every step they can plan missed?

    ``at`` holds the interview position of each row of the other tables (-1: none).
    """
    never = np.iinfo(np.int64).min  # NaT's number: below every day
    latest = np.maximum(
        _days(iv["interview_date"]).astype(np.int64),
        _days(iv["decision_expected"]).astype(np.int64) if "decision_expected" in iv else never,
    )
    for name, column in (("follow_ups", "sent_on"), ("responses", "received_on")):
        frame = tables.get(name)
        if name in at and column in frame:
            found = at[name] >= 0
            np.maximum.at(latest, at[name][found], _days(frame[column]).astype(np.int64)[found])
    # The latest step is missed from bd(bd(day, longest), missed_after): a function that
    # never goes down as the day goes on, so per country it is enough to find the first
    # day from which it reaches ``today``. Looked for in a span wide enough for any rules.
    longest = max(rules[key] for key in _SETTLED_DUES)
    span = 2 * (longest + rules["missed_after"]) + 31
    now = np.datetime64(today, "D")
    days = now - np.arange(span, -1, -1)
    codes, countries = pd.factorize(interview_countries(tables, iv.iloc[settled]))
    first_kept = np.empty(len(countries), dtype=np.int64)
    for i, country in enumerate(countries):
        bd = OffsetsByCountry(np.full(days.size, country, dtype=object), days)
        reaches = bd(bd(days, longest), rules["missed_after"]) >= now
        first_kept[i] = never if reaches[0] else days[np.argmax(reaches)].astype(np.int64)
    return latest[settled] < first_kept[codes]


def _text_at(iv: pd.DataFrame, column: str, p: np.ndarray) -> pd.arrays.StringArray:
    """A text column of the interviews at positions ``p``, as ``string``."""
    if column not in iv:
        return pd.array([None] * p.size, dtype="string")
    values = iv[column].array
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "python":
        return values.take(p)
    return pd.array(_text(iv[column])[p], dtype="string")


def _for_client(tables: Mapping[str, pd.DataFrame], client_id: int) -> dict[str, pd.DataFrame]:
    iv = _table(tables, "interviews")
    mine = iv[pd.to_numeric(iv["client_id"]) == client_id]
    out = {"interviews": mine}
    clients = _table(tables, "clients")
    out["clients"] = clients[pd.to_numeric(clients["id"]) == client_id]
    ids = pd.to_numeric(mine["id"])
    for name in ("interviewers", "follow_ups", "responses", "skipped_steps"):
        frame = _table(tables, name)
        out[name] = frame[pd.to_numeric(frame["interview_id"]).isin(ids)]
    return out
