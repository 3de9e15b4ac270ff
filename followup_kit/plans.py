"""Dated follow-up plans: when each step of an interview's follow-up starts and is due.

One vectorised planner (:func:`plan_steps`) serves every entry point, so a single
interview's plan, a client's plan form and the agenda over a whole cohort always agree:

* :func:`plan_follow_ups` plans one interview from plain arguments;
* :func:`plan_for_interview` plans one stored interview, with each step's state;
* :func:`followup_kit.agenda.build_agenda` lists every open step across clients.

The rules come from :mod:`followup_kit.rules`; the days are counted in business days
(:mod:`followup_kit.business_days`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .business_days import OffsetsByCountry, country_code
from .dates import is_blank
from .exceptions import NotFoundError, Problem, ValidationError
from .library import suggest_for_steps
from .plan_inputs import done_tables
from .rules import Rules, as_rules
from .schema import CHOICES, STEPS, format_day

__all__ = [
    "STATE_WORDS",
    "STEP_KIND",
    "STEP_STATES",
    "plan_follow_ups",
    "plan_for_interview",
    "plan_in_words",
    "plan_steps",
    "scripts_for",
]

#: A step's state in a plan. "missed" is a step so late it no longer helps (see the
#: ``missed_after`` rule) or a status check overtaken by the "close as ghosted" step.
STEP_STATES: tuple[str, ...] = ("overdue", "open", "done", "skipped", "missed")

#: How each state of a plan step is shown to people.
STATE_WORDS: dict[str, str] = {
    "overdue": "Overdue",
    "open": "To do",
    "done": "Done",
    "skipped": "Skipped",
    "missed": "Missed (too late to help now)",
}


def step_words(step: str, interviewer: Any = None) -> str:
    """A plan step in plain words, naming the interviewer of a thank-you.

    Examples
    --------
    >>> step_words("thank_you", "Dana Lee")
    'Thank-you note to Dana Lee'
    """
    words = CHOICES["step"].get(step, step)
    if step == "thank_you" and isinstance(interviewer, str) and interviewer:
        words += f" to {interviewer}"
    return words


def plan_in_words(plan: pd.DataFrame) -> pd.DataFrame:
    """A plan as a client reads it: steps, people, dates and reasons in plain words.

    Parameters
    ----------
    plan
        From :func:`plan_follow_ups` or :func:`plan_for_interview`.

    Returns
    -------
    DataFrame
        Indexed by the step in words ("Thank-you note to Dana Lee"), with the columns
        "From", "Due by", "Status", "Suggested script" and "Why"; blanks are empty text.

    Examples
    --------
    >>> plan = plan_follow_ups("2025-03-07", interviewers=["Dana Lee"])
    >>> plan_in_words(plan).loc["Thank-you note to Dana Lee", "Due by"]
    'Mon 10 Mar 2025'
    """
    from .formatting import script_title

    rows = []
    for row in plan.to_dict("records"):
        state = str(row.get("state", "open"))
        status = STATE_WORDS.get(state, state)
        if state == "done" and not is_blank(row.get("done_on")):
            status = f"Done on {format_day(row['done_on'])}"
        script = row.get("script_id")
        why = row.get("why")
        rows.append(
            {
                "Step": step_words(str(row["step"]), row.get("interviewer")),
                "From": format_day(row["start"]),
                "Due by": format_day(row["due"]),
                "Status": status,
                "Suggested script": script_title(script) if isinstance(script, str) else "",
                "Why": why if isinstance(why, str) else "",
            }
        )
    columns = ["Step", "From", "Due by", "Status", "Suggested script", "Why"]
    return pd.DataFrame(rows, columns=columns).set_index("Step")


#: What kind of follow-up to log when the client says "I sent it" for a step.
STEP_KIND: dict[str, str] = {
    "thank_you": "thank_you",
    "status_check": "status_check",
    "second_follow_up": "status_check",
    "gracious_reply": "other",
    "feedback_request": "feedback_request",
    "reconnect": "reconnect",
}

# --------------------------------------------------------------------------- the planner
_NAT = np.datetime64("NaT", "D")
_CODE = {s: i for i, s in enumerate(STEPS)}
TY, SC, SF, CLOSE, GR, FB, RC = (
    _CODE[s]
    for s in (
        "thank_you",
        "status_check",
        "second_follow_up",
        "close_as_ghosted",
        "gracious_reply",
        "feedback_request",
        "reconnect",
    )
)
# What a step's dates are counted from (turned into the "why" sentence).
(
    B_INTERVIEW,
    B_DECISION,
    B_REPLY,
    B_FIRST_SENT,
    B_FIRST_PLANNED,
    B_SECOND_SENT,
    B_SECOND_PLANNED,
    B_LAST_SENT,
    B_REJECTION,
    B_LAST_NEWS,
    B_LAST_CONTACT,
) = range(11)
_STATUS = {s: i for i, s in enumerate(CHOICES["status"])}  # open, next_round come first
_KIND = {s: i for i, s in enumerate(CHOICES["kind"])}
_RESULT = {s: i for i, s in enumerate(CHOICES["result"])}
_STATE = {s: i for i, s in enumerate(STEP_STATES)}
_REPLY_RESULTS = ("next_round", "still_deciding", "other")


def _days(values: Any) -> np.ndarray:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if s.dtype.kind != "M":
        s = pd.to_datetime(s.astype(object), errors="raise")
    if getattr(s.dtype, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return s.to_numpy(dtype="datetime64[D]")


def _codes(values: pd.Series, field: str) -> np.ndarray:
    """Positions of the values in ``CHOICES[field]`` (-1 where missing or unknown)."""
    choices = list(CHOICES[field])
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == choices:
        return values.cat.codes.to_numpy()
    return pd.Categorical(values.astype(object), categories=choices).codes


def _text(values: pd.Series) -> np.ndarray:
    """An object array of str with None for missing values."""
    s = values.astype(object)
    return s.where(s.notna(), None).to_numpy(dtype=object)


def _table(tables: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """One of the frames, with any missing schema column added as blanks."""
    frame = tables.get(name)
    dtypes = schema.frame_dtypes(name)
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    missing = [c for c in dtypes if c not in frame.columns]
    if missing:
        blank = {c: pd.Series(pd.NA, index=frame.index, dtype=dtypes[c]) for c in missing}
        frame = frame.assign(**blank)
    return frame


class _Ids:
    """Positions of ids in a column of unique ids.

    Sorted ids with few gaps (the usual case, also once closed interviews are left out)
    are found with one table lookup: a position for every id from the first to the last.
    Sorted ids spread thinly use a binary search, unsorted ones a hash index.
    """

    #: The lookup table may hold this many slots per id before a search is cheaper.
    SPREAD = 8

    def __init__(self, ids: pd.Series) -> None:
        self.values = _floats(ids)
        v = self.values
        is_sorted = bool(np.all(v[1:] > v[:-1]))  # False when any id is missing
        self.index = None if is_sorted else pd.Index(v)
        self.slots: np.ndarray | None = None
        if is_sorted and v.size and np.all(v == np.floor(v)):
            span = int(v[-1] - v[0]) + 1
            if span <= self.SPREAD * v.size + 1024:
                self.slots = np.full(span, -1, dtype=np.intp)
                self.slots[(v - v[0]).astype(np.intp)] = np.arange(v.size)

    def __len__(self) -> int:
        return self.values.size

    def find(self, ids: pd.Series) -> np.ndarray:
        keys = _floats(ids)
        if keys.size == 0 or self.values.size == 0:
            return np.full(keys.size, -1, dtype=np.intp)
        if self.index is not None:
            found = self.index.get_indexer(keys)
            found[np.isnan(keys)] = -1  # a blank id refers to nothing, not to a blank id
            return found
        if self.slots is not None:
            offset = keys - self.values[0]
            inside = (offset >= 0) & (offset < self.slots.size) & (offset == np.floor(offset))
            return np.where(inside, self.slots[np.where(inside, offset, 0).astype(np.intp)], -1)
        where = np.minimum(np.searchsorted(self.values, keys), self.values.size - 1)
        return np.where(self.values[where] == keys, where, -1)


def _floats(ids: Any) -> np.ndarray:
    """Ids as float64 (NaN where missing), cheap to compare and hash."""
    s = ids if isinstance(ids, pd.Series) else pd.Series(ids)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _first_per_group(
    p: np.ndarray, day: np.ndarray, n: int, rank: int, *, presorted: bool = False
) -> np.ndarray:
    """The ``rank``-th smallest date per position (-1: the largest; NaT where none)."""
    out = np.full(n, _NAT)
    if p.size == 0:
        return out
    if not presorted:
        order = np.lexsort((day, p))
        p, day = p[order], day[order]
    starts = np.r_[True, p[1:] != p[:-1]]
    first_index = np.maximum.accumulate(np.where(starts, np.arange(p.size), 0))
    ranks = np.arange(p.size) - first_index
    if rank < 0:  # the last (largest) of each group
        last = np.r_[p[1:] != p[:-1], True]
        out[p[last]] = day[last]
    else:
        pick = ranks == rank
        out[p[pick]] = day[pick]
    return out


def _later(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where ``b`` is a date after ``a`` (NaT never is)."""
    return ~np.isnat(b) & (np.isnat(a) | (b > a))


@dataclass
class _Plan:
    """Every planned step of many interviews, plus per-interview facts the callers need."""

    rows: dict[str, np.ndarray]  # p, step, interviewer, interviewer_id, start, due, state...
    interviews: pd.DataFrame
    status: np.ndarray  # effective status code per interview position
    country: np.ndarray

    def frame(self, keep: np.ndarray | None = None) -> pd.DataFrame:
        """The steps as a frame (only the rows in ``keep``, when given)."""
        rows = self.rows if keep is None else {k: v[keep] for k, v in self.rows.items()}
        return _frame(rows)


def interview_countries(tables: Mapping[str, pd.DataFrame], iv: pd.DataFrame) -> np.ndarray:
    """Each interview's country code, its client's (US when the client gives none)."""
    clients = _table(tables, "clients")
    # Per client first (a few countries among them), then one lookup per interview.
    codes, uniques = pd.factorize(clients["country"].astype(object).fillna("US").to_numpy())
    names = np.array([*(country_code(c) for c in uniques), "US"], dtype=object)
    codes = np.append(codes, len(uniques))  # the last: an interview of no known client
    at = _Ids(clients["id"]).find(iv["client_id"])
    return names[codes[np.where(at >= 0, at, -1)]]


def plan_steps(tables: Mapping[str, pd.DataFrame], rules: Rules, today: date | None) -> _Plan:
    iv = _table(tables, "interviews")
    iv = iv[iv["interview_date"].notna()]
    n = len(iv)
    index = _Ids(iv["id"])
    interview_day = _days(iv["interview_date"])
    decision = _days(iv["decision_expected"])
    status = np.maximum(_codes(iv["status"], "status"), 0)  # blank counts as open

    country = interview_countries(tables, iv)
    bd = OffsetsByCountry(country, interview_day)

    # What was sent.
    fu = _table(tables, "follow_ups")
    fu_p = index.find(fu["interview_id"])
    fu_day = _days(fu["sent_on"])
    # Sorted once by interview and date; every per-interview pick below reuses the order.
    order = np.lexsort((fu_day, fu_p))
    fu_p, fu_day = fu_p[order], fu_day[order]
    fu_kind = _codes(fu["kind"], "kind")[order]
    fu_to = _floats(fu["interviewer_id"])[order]
    keep = (fu_p >= 0) & ~np.isnat(fu_day)

    def pick(rows: np.ndarray, rank: int) -> np.ndarray:
        return _first_per_group(fu_p[rows], fu_day[rows], n, rank, presorted=True)

    sc_rows = keep & (fu_kind == _KIND["status_check"])
    sent1, sent2, sent_last = pick(sc_rows, 0), pick(sc_rows, 1), pick(sc_rows, -1)
    fb_sent = pick(keep & (fu_kind == _KIND["feedback_request"]), -1)
    rc_sent = pick(keep & (fu_kind == _KIND["reconnect"]), 0)
    any_last = pick(keep, -1)

    # What came back.
    rs = _table(tables, "responses")
    rs_p = index.find(rs["interview_id"])
    rs_day = _days(rs["received_on"])
    rs_result = _codes(rs["result"], "result")
    rkeep = (rs_p >= 0) & ~np.isnat(rs_day)
    has_offer = np.zeros(n, dtype=bool)
    has_offer[rs_p[rkeep & (rs_result == _RESULT["offer"])]] = True
    shortlisted = np.zeros(n, dtype=bool)
    shortlisted[rs_p[rkeep & (rs_result == _RESULT["next_round"])]] = True
    rej = rkeep & (rs_result == _RESULT["rejection"])
    rejected_on = _first_per_group(rs_p[rej], rs_day[rej], n, 0)
    rep = rkeep & np.isin(rs_result, [_RESULT[r] for r in _REPLY_RESULTS])
    reply = _first_per_group(rs_p[rep], rs_day[rep], n, -1)
    news_last = _first_per_group(rs_p[rkeep], rs_day[rkeep], n, -1)

    # A logged offer or rejection settles an interview whose status was not updated, and
    # a "next round" reply means the client is shortlisted.
    waiting = status <= _STATUS["next_round"]
    status = np.where(waiting & has_offer, _STATUS["offer"], status)
    status = np.where(waiting & ~has_offer & ~np.isnat(rejected_on), _STATUS["rejected"], status)
    status = np.where((status == _STATUS["open"]) & shortlisted, _STATUS["next_round"], status)
    live = status <= _STATUS["next_round"]
    ghosted = status == _STATUS["ghosted"]
    rejected = status == _STATUS["rejected"]

    # Thank-you notes: one per interviewer.
    ty_start = bd(interview_day, rules["thank_you_start"])
    ty_due = bd(interview_day, rules["thank_you_due"])

    # First status check: after the decision date if given, else after the interview;
    # a reply before it was sent ("still deciding") restarts the wait from the reply.
    has_decision = ~np.isnat(decision)
    sc_start = np.where(
        has_decision,
        bd(decision, rules["status_check_after_decision_start"]),
        bd(interview_day, rules["status_check_start"]),
    )
    sc_due = np.where(
        has_decision,
        bd(decision, rules["status_check_after_decision_due"]),
        bd(interview_day, rules["status_check_due"]),
    )
    sc_basis = np.where(has_decision, B_DECISION, B_INTERVIEW)
    sc_from = np.where(has_decision, decision, interview_day)
    after_reply = bd(reply, rules["status_check_start"])
    push = np.isnat(sent1) & _later(sc_start, after_reply)
    sc_start = np.where(push, after_reply, sc_start)
    sc_due = np.where(push, bd(reply, rules["status_check_due"]), sc_due)
    sc_basis = np.where(push, B_REPLY, sc_basis)
    sc_from = np.where(push, reply, sc_from)

    # Second follow-up: counted from the first check as sent, else as planned.
    sf_from = np.where(np.isnat(sent1), sc_start, sent1)
    sf_basis = np.where(np.isnat(sent1), B_FIRST_PLANNED, B_FIRST_SENT)
    moved = _later(sf_from, reply)
    sf_from = np.where(moved, reply, sf_from)
    sf_basis = np.where(moved, B_REPLY, sf_basis)
    sf_start = bd(sf_from, rules["second_follow_up_start"])
    sf_due = bd(sf_from, rules["second_follow_up_due"])

    # Close as ghosted: counted from the last follow-up (sent, else planned) or reply.
    two = rules["max_status_checks"] >= 2
    if two:
        cl_from = np.where(np.isnat(sent2), sf_start, sent2)
        cl_basis = np.where(np.isnat(sent2), B_SECOND_PLANNED, B_SECOND_SENT)
    else:
        cl_from = np.where(np.isnat(sent1), sc_start, sent1)
        cl_basis = np.where(np.isnat(sent1), B_FIRST_PLANNED, B_FIRST_SENT)
    for extra, code in ((sent_last, B_LAST_SENT), (reply, B_REPLY)):
        moved = _later(cl_from, extra)
        cl_from = np.where(moved, extra, cl_from)
        cl_basis = np.where(moved, code, cl_basis)
    cl_start = bd(cl_from, rules["close_as_ghosted_after"])

    # Feedback request after a rejection (from the last news when none was logged).
    fb_from = np.where(np.isnat(rejected_on), np.fmax(news_last, any_last), rejected_on)
    fb_from = np.where(np.isnat(fb_from), interview_day, fb_from)
    fb_basis = np.where(np.isnat(rejected_on), B_LAST_NEWS, B_REJECTION)
    fb_start = bd(fb_from, rules["feedback_request_start"])
    fb_due = bd(fb_from, rules["feedback_request_due"])

    # A gracious reply to the news comes first, counted from the same day. Replies are
    # logged as kind "other": the first one sent on or after that day counts.
    gr_start = bd(fb_from, rules["gracious_reply_start"])
    gr_due = bd(fb_from, rules["gracious_reply_due"])
    gr_rows = keep & (fu_kind == _KIND["other"])
    gr_rows[gr_rows] = fu_day[gr_rows] >= fb_from[fu_p[gr_rows]]
    gr_sent = np.where(rejected, pick(gr_rows, 0), _NAT)

    # Reconnect a few months after a rejection, or after the last contact of an
    # interview closed as ghosted.
    last_contact = np.fmax(news_last, any_last)
    last_contact = np.where(np.isnat(last_contact), interview_day, last_contact)
    rc_from = np.where(rejected, fb_from, last_contact)
    rc_basis = np.where(rejected, fb_basis, B_LAST_CONTACT)
    rc_start = bd(rc_from, rules["reconnect_start"])
    rc_due = bd(rc_from, rules["reconnect_due"])

    is_ty = keep & (fu_kind == _KIND["thank_you"])
    ty = _thank_you_rows(tables, index, fu_p, fu_day, fu_to, is_ty, live)
    tp = ty["p"]
    blocks = [
        dict(ty, start=ty_start[tp], due=ty_due[tp], basis=B_INTERVIEW, base=interview_day[tp])
    ]
    every = np.arange(n)

    def block(step: int, include: np.ndarray, done_on: np.ndarray, **cols: np.ndarray) -> None:
        p = every[include]
        row_cols = {k: v[p] for k, v in cols.items()}
        blocks.append(dict(p=p, step=step, done_on=done_on[p], **row_cols))

    block(SC, live | ~np.isnat(sent1), sent1, start=sc_start, due=sc_due,
          basis=sc_basis, base=sc_from)  # fmt: skip
    if two:
        block(SF, live | ~np.isnat(sent2), sent2, start=sf_start, due=sf_due,
              basis=sf_basis, base=sf_from)  # fmt: skip
    block(CLOSE, live | ghosted, np.full(n, _NAT), start=cl_start, due=cl_start,
          basis=cl_basis, base=cl_from, done=ghosted)  # fmt: skip
    block(GR, rejected | ~np.isnat(gr_sent), gr_sent, start=gr_start, due=gr_due,
          basis=fb_basis, base=fb_from)  # fmt: skip
    block(FB, rejected | ~np.isnat(fb_sent), fb_sent, start=fb_start, due=fb_due,
          basis=fb_basis, base=fb_from)  # fmt: skip
    block(RC, rejected | ghosted | ~np.isnat(rc_sent), rc_sent, start=rc_start, due=rc_due,
          basis=rc_basis, base=rc_from)  # fmt: skip

    steps = _stack(blocks)
    skipped = _skipped(tables, index, steps)
    state = np.where(steps["done"], _STATE["done"], np.where(skipped, _STATE["skipped"], 1))
    if today is not None:
        now = np.datetime64(today, "D")
        is_open = state == _STATE["open"]
        due = steps["due"]
        late = is_open & (due < now)
        state = np.where(late, _STATE["overdue"], state)
        # Late thank-yous, replies, feedback requests and reconnections stop helping
        # after a while...
        maybe = np.flatnonzero(late & np.isin(steps["step"], (TY, GR, FB, RC)))
        too_late = bd.rows(steps["p"][maybe])(due[maybe], rules["missed_after"]) < now
        state[maybe[too_late]] = _STATE["missed"]
        # ...and unsent status checks are overtaken once it is time to close as ghosted.
        overtaken = is_open & np.isin(steps["step"], (SC, SF)) & (cl_start[steps["p"]] <= now)
        state = np.where(overtaken & live[steps["p"]], _STATE["missed"], state)
    steps["state"] = state
    return _Plan(rows=steps, interviews=iv, status=status, country=country)


def _thank_you_rows(
    tables: Mapping[str, pd.DataFrame],
    index: _Ids,
    fu_p: np.ndarray,
    fu_day: np.ndarray,
    fu_to: np.ndarray,
    is_ty: np.ndarray,
    live: np.ndarray,
) -> dict[str, Any]:
    """One thank-you row per interviewer (one unnamed row when none were logged).

    The follow-up arrays are sorted by interview and date; ``is_ty`` marks thank-yous.
    """
    n = len(index)
    people = _table(tables, "interviewers")
    person = _Ids(people["id"])
    pp = index.find(people["interview_id"])
    # Notes sent to a named interviewer of this interview: the first one counts.
    to = person.find(fu_to)
    addressed = is_ty & (to >= 0)
    addressed[addressed] = pp[to[addressed]] == fu_p[addressed]
    person_done = _first_per_group(to[addressed], fu_day[addressed], len(person), 0)

    ok = pp >= 0
    pid, pname, pdone, pp = person.values[ok], _text(people["name"])[ok], person_done[ok], pp[ok]
    lonely = np.flatnonzero(np.bincount(pp, minlength=n) == 0)
    p = np.concatenate([pp, lonely])
    who_id = np.concatenate([pid, np.full(lonely.size, np.nan)])
    name = np.concatenate([pname, np.full(lonely.size, None, dtype=object)])
    done_on = np.concatenate([pdone, np.full(lonely.size, _NAT)])
    # Stable sort keeps each interview's people in the order they were logged.
    order = np.argsort(p, kind="stable")
    p, who_id, name, done_on = p[order], who_id[order], name[order], done_on[order]

    # Notes with no (known) interviewer count for the interviewers not yet thanked, in order.
    loose = is_ty & ~addressed
    loose_count = np.bincount(fu_p[loose], minlength=n)
    loose_first = _first_per_group(fu_p[loose], fu_day[loose], n, 0, presorted=True)
    pending = np.flatnonzero(np.isnat(done_on))
    gp = p[pending]
    starts = np.r_[True, gp[1:] != gp[:-1]] if gp.size else np.zeros(0, dtype=bool)
    rank = np.arange(gp.size) - np.maximum.accumulate(np.where(starts, np.arange(gp.size), 0))
    covered = rank < loose_count[gp]
    done_on[pending[covered]] = loose_first[gp[covered]]
    include = live[p] | ~np.isnat(done_on)
    return dict(
        p=p[include],
        step=TY,
        interviewer=name[include],
        interviewer_id=who_id[include],
        done_on=done_on[include],
    )


def _stack(blocks: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Concatenate blocks of per-row arrays (scalars are repeated; gaps filled)."""
    fill = {"interviewer": (None, object), "interviewer_id": (np.nan, "float64")}
    cols: dict[str, list[np.ndarray]] = {
        k: [] for k in ("p", "step", "interviewer", "interviewer_id", "start", "due",
                        "done_on", "basis", "base", "done")
    }  # fmt: skip
    for b in blocks:
        size = b["p"].size
        for k, parts in cols.items():
            v = b.get(k)
            if v is None and k in fill:
                parts.append(np.full(size, fill[k][0], dtype=fill[k][1]))
            elif v is None and k == "done":
                parts.append(~np.isnat(b["done_on"]))
            elif np.ndim(v) == 0:
                parts.append(np.full(size, v))
            else:
                parts.append(np.asarray(v))
    return {k: np.concatenate(parts) for k, parts in cols.items()}


def _skipped(
    tables: Mapping[str, pd.DataFrame], index: _Ids, steps: dict[str, np.ndarray]
) -> np.ndarray:
    """Which planned rows the client marked as skipped."""
    sk = _table(tables, "skipped_steps")
    out = np.zeros(steps["p"].size, dtype=bool)
    if len(sk) == 0:
        return out
    sp = index.find(sk["interview_id"])
    code = sk["step"].astype(object).map(_CODE).to_numpy(dtype=object)
    ok = (sp >= 0) & pd.notna(code)
    sp, code = sp[ok], code[ok].astype(int)
    who = _text(sk["interviewer"])[ok]
    keys = sp.astype(np.int64) * 8 + code
    step_key = steps["p"].astype(np.int64) * 8 + steps["step"].astype(np.int64)
    not_ty = steps["step"] != TY
    out[not_ty] = np.isin(step_key[not_ty], keys[code != TY])
    ty_skips = code == TY
    if ty_skips.any():
        everyone = set(sp[ty_skips & pd.isna(who)].tolist())
        named = {
            (int(q), str(w).strip().casefold())
            for q, w in zip(sp[ty_skips], who[ty_skips], strict=True)
            if w is not None
        }
        named_p = {q for q, _ in named}
        for i in np.flatnonzero(~not_ty & np.isin(steps["p"], list(everyone | named_p))):
            q, w = int(steps["p"][i]), steps["interviewer"][i]
            out[i] = (
                q in everyone
                or w is None  # an unnamed note: any thank-you skip for the interview covers it
                or (q, str(w).strip().casefold()) in named
            )
    return out


def _frame(steps: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "p": steps["p"].astype(np.intp),
            "step": pd.Categorical.from_codes(steps["step"].astype(np.int8), categories=STEPS),
            "interviewer": steps["interviewer"],
            "interviewer_id": pd.array(steps["interviewer_id"], dtype="Float64").astype("Int64")
            if steps["p"].size
            else pd.array([], dtype="Int64"),
            "start": steps["start"].astype("datetime64[us]"),
            "due": steps["due"].astype("datetime64[us]"),
            "state": pd.Categorical.from_codes(steps["state"].astype(np.int8), STEP_STATES),
            "done_on": steps["done_on"].astype("datetime64[us]"),
            "basis": steps["basis"].astype(np.int8),
            "base": steps["base"].astype("datetime64[us]"),
        }
    )
    return frame


# --------------------------------------------------------------------------- words


def _span(a: int, b: int) -> str:
    if a == b:
        return f"{a} business day{'s' if a != 1 else ''}"
    return f"{a}-{b} business days"


def _months(days: int) -> str:
    """Business days as months in words: 60 -> "three months" (about 21 a month)."""
    months = max(1, round(days / 21))
    words = {1: "a month", 2: "two months", 3: "three months", 4: "four months",
             5: "five months", 6: "six months"}  # fmt: skip
    return words.get(months, f"{months} months")


def _why(step: str, basis: int, base: Any, who: Any, rules: Rules) -> str:
    """The plain-words reason for one planned step."""
    on = format_day(base)
    if step == "thank_you":
        person = who if isinstance(who, str) and who else "your interviewer"
        late = rules["thank_you_due"]
        return (
            f"Thank {person} for the interview on {on}: the same day is best, and it still "
            f"counts up to {_span(late, late)} later. One note per interviewer."
        )
    if step == "status_check":
        a, b = rules["status_check_start"], rules["status_check_due"]
        if basis == B_DECISION:
            a = rules["status_check_after_decision_start"]
            b = rules["status_check_after_decision_due"]
            return (
                f"They said they would decide by {on}. If you have not heard by then, ask "
                f"politely for news {_span(a, b)} after that date."
            )
        if basis == B_REPLY:
            return (
                f"They got back to you on {on} without a final answer; check in again "
                f"{_span(a, b)} after that if nothing more arrives."
            )
        return (
            f"No decision date was given, so ask where things stand {_span(a, b)} after "
            f"the interview on {on}."
        )
    if step == "second_follow_up":
        a, b = rules["second_follow_up_start"], rules["second_follow_up_due"]
        if basis == B_FIRST_SENT:
            lead = f"Your first status check went out on {on}"
        elif basis == B_REPLY:
            lead = f"Their last message came on {on}"
        else:
            lead = f"Counting from the first status check's planned day, {on}"
        return (
            f"{lead}: if there is still no answer, write once more {_span(a, b)} later, in "
            "the same thread, with something new."
        )
    if step == "close_as_ghosted":
        n = rules["close_as_ghosted_after"]
        if basis in (B_FIRST_PLANNED, B_SECOND_PLANNED):
            lead = f"If your last follow-up (planned for {on}) gets no reply"
        elif basis == B_REPLY:
            lead = f"If nothing follows their message of {on}"
        else:
            lead = f"If your last follow-up (sent {on}) gets no reply"
        return (
            f"{lead} within {_span(n, n)}, close this interview as ghosted and put your "
            "energy into other openings. Silence is common and says little about you."
        )
    if step == "gracious_reply":
        a, b = rules["gracious_reply_start"], rules["gracious_reply_due"]
        if basis == B_REJECTION:
            news = f"They told you no on {on}"
        else:
            news = f"The interview is marked not selected (last news on {on})"
        return (
            f"{news}. Within {_span(b, b) if a == 0 else _span(a, b)}, thank them for letting "
            "you know and ask to be "
            "kept in mind for future roles: a gracious answer leaves the door open."
        )
    if step == "reconnect":
        a = rules["reconnect_start"]
        if basis == B_LAST_CONTACT:
            lead = f"They never gave an answer (last contact on {on})"
        elif basis == B_REJECTION:
            lead = f"They told you no on {on}"
        else:
            lead = f"The interview is marked not selected (last news on {on})"
        return (
            f"{lead}. About {_months(a)} later ({_span(a, a)}), write once with a piece of "
            "news and ask to be considered for new openings; sooner if you see the role "
            "posted again."
        )
    a, b = rules["feedback_request_start"], rules["feedback_request_due"]
    if basis == B_REJECTION:
        return (
            f"They told you no on {on}. Ask for feedback {_span(a, b)} later, graciously; "
            "the answer helps with the next interview."
        )
    return (
        f"The interview is marked not selected (last news on {on}). Ask for feedback "
        f"{_span(a, b)} later, graciously."
    )


def _whys(steps: pd.DataFrame, rules: Rules) -> list[str]:
    return [
        _why(s, int(b), d, w, rules)
        for s, b, d, w in zip(
            steps["step"].astype(str),
            steps["basis"],
            steps["base"],
            steps["interviewer"],
            strict=True,
        )
    ]


# --------------------------------------------------------------------------- plans
_ORDER = ["start", "step_order", "interviewer_order"]


def _sorted(steps: pd.DataFrame) -> pd.DataFrame:
    key = steps.assign(
        step_order=steps["step"].cat.codes,
        interviewer_order=steps["interviewer_id"].fillna(2**62),
    )
    order = key.sort_values(_ORDER, kind="stable").index
    return steps.loc[order].reset_index(drop=True)


def plan_follow_ups(
    interview_date: date | str,
    *,
    decision_expected: date | str | None = None,
    interviewers: int | Iterable[str] = 1,
    country: str = "US",
    rules: Rules | Mapping[str, Any] | None = None,
    done: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The dated follow-up plan for one interview.

    Parameters
    ----------
    interview_date
        The day of the interview.
    decision_expected
        The day they said they would decide, if they named one.
    interviewers
        How many people interviewed, or their names (one thank-you row each).
    country
        The client's country code; its public holidays are not business days.
    rules
        :class:`Rules` (e.g. ``wb.rules``), a dict of changes to the defaults such as
        ``{"thank_you_due": 2}``, or ``None`` for the defaults.
    done
        What already happened, so later steps move with the real dates. Keys (all
        optional):

        * ``"thank_you"``: dates of thank-you notes, or ``{interviewer name: date}``;
          undated-by-name notes count for the interviewers in order;
        * ``"status_check"``: dates of every status check or follow-up message sent
          (the first is the first status check, the second the second follow-up);
        * ``"feedback_request"``: dates of feedback requests;
        * ``"response"``: ``(date, result)`` or a list of them, result one of
          next_round, offer, rejection, still_deciding, other;
        * ``"skipped"``: steps skipped, as names (``"status_check"``) or
          ``(step, interviewer)`` pairs for one thank-you;
        * ``"status"``: the interview's status (default ``"open"``).

    Returns
    -------
    DataFrame
        One row per step in date order: ``step``, ``interviewer`` (thank-yous only),
        ``start`` (the first sensible day), ``due`` (the last day before it is late),
        ``why`` (plain words), ``state`` (open / done / skipped) and ``done_on``.
        An interview that got an offer or was withdrawn has no open steps;
        after a rejection the new steps are a gracious reply, the feedback request and,
        a few months on, reconnecting (also offered after an interview closed as ghosted).

    Examples
    --------
    >>> plan = plan_follow_ups(date(2025, 3, 4), interviewers=["Dana Lee"])
    >>> plan[["step", "start", "due"]].astype(str).values.tolist()[:2]
    [['thank_you', '2025-03-04', '2025-03-05'], ['status_check', '2025-03-07', '2025-03-11']]
    """
    day = schema.as_date(interview_date)
    if day is None:
        raise ValidationError(
            [Problem("interview_date", "please give the interview date.", check="required")]
        )
    try:
        decision = schema.as_date(decision_expected)
    except ValueError as err:
        raise ValidationError(
            [Problem("decision_expected", str(err), check="not_a_date")], what="plan"
        ) from err
    rules = as_rules(rules)
    tables = done_tables(day, decision, interviewers, country_code(country), done)
    steps = _sorted(plan_steps(tables, rules, None).frame())
    steps["why"] = pd.array(_whys(steps, rules), dtype="string")
    steps["interviewer"] = steps["interviewer"].astype("string")
    return steps[["step", "interviewer", "start", "due", "why", "state", "done_on"]]


def _one_interview(
    tables: Mapping[str, pd.DataFrame], interview_id: int
) -> dict[str, pd.DataFrame]:
    iv = _table(tables, "interviews")
    mine = iv[pd.to_numeric(iv["id"]) == interview_id]
    if mine.empty:
        raise NotFoundError("interviews", interview_id)
    out = {"interviews": mine}
    clients = _table(tables, "clients")
    out["clients"] = clients[pd.to_numeric(clients["id"]).isin(mine["client_id"])]
    for name in ("interviewers", "follow_ups", "responses", "skipped_steps"):
        frame = _table(tables, name)
        out[name] = frame[pd.to_numeric(frame["interview_id"]) == interview_id]
    return out


def plan_for_interview(
    tables: Mapping[str, pd.DataFrame],
    interview_id: int,
    *,
    today: date | str,
    rules: Rules | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The plan for one stored interview, with each step's state on ``today``.

    Parameters
    ----------
    tables
        The workbook's frames (``wb.tables()``): interviews, clients (for the country),
        interviewers, follow_ups, responses and skipped_steps.
    interview_id
        Which interview.
    today
        The day states are judged on.
    rules
        As for :func:`plan_follow_ups`.

    Returns
    -------
    DataFrame
        Columns ``interview_id, step, interviewer, interviewer_id, start, due, state,
        done_on, why, script_id``. ``state`` is done, skipped, open, overdue (due before
        today) or missed (too late to help, or overtaken by "close as ghosted"). An
        interview with an offer or withdrawn has no open steps; one closed as ghosted
        (or rejected) keeps only the steps that follow: reconnecting a few months on.
    """
    now = schema.as_date(today)
    rules = as_rules(rules)
    plan = plan_steps(_one_interview(tables, int(interview_id)), rules, now)
    steps = _sorted(plan.frame())
    steps.insert(0, "interview_id", pd.array([int(interview_id)] * len(steps), dtype="Int64"))
    steps["why"] = pd.array(_whys(steps, rules), dtype="string")
    steps["interviewer"] = steps["interviewer"].astype("string")
    steps["script_id"] = scripts_for(steps, plan, now, rules)
    cols = ["interview_id", "step", "interviewer", "interviewer_id", "start", "due", "state"]
    return steps[[*cols, "done_on", "why", "script_id"]]


def scripts_for(steps: pd.DataFrame, plan: _Plan, today: date, rules: Rules) -> pd.Series:
    """A suggested script id per step, asking the script library once per situation."""

    if steps.empty:
        return pd.Series(pd.array([], dtype="string"), index=steps.index, name="script_id")
    iv = plan.interviews
    p = steps["p"].to_numpy()
    n = len(iv)

    def choice(field: str, default: str) -> np.ndarray:
        fallback = list(CHOICES[field]).index(default)
        if field not in iv:
            return np.full(p.size, fallback)
        codes = _codes(iv[field], field)
        return np.where(codes < 0, fallback, codes)[p] if n else codes

    decision = _days(iv["decision_expected"])[p]
    fields = ("step", "contact_route", "round", "status")
    parts = (
        steps["step"].cat.codes.to_numpy(),
        choice("contact_route", "direct"),
        choice("round", "first"),
        plan.status[p],
        (~np.isnat(decision) & (decision < np.datetime64(today, "D"))).astype(int),
    )
    dims = (*(len(CHOICES[f]) for f in fields), 2)
    key = np.ravel_multi_index([np.asarray(x, dtype=np.intp) for x in parts], dims)
    distinct, inverse = np.unique(key, return_inverse=True)
    decoded = np.unravel_index(distinct, dims)
    situations = pd.DataFrame(
        {
            f: np.array(list(CHOICES[f]), dtype=object)[c]
            for f, c in zip(fields, decoded[:4], strict=True)
        }
    )
    situations["decision_passed"] = decoded[4].astype(bool)
    folder = rules.data_dir / "scripts" if rules.data_dir is not None else None
    suggested = suggest_for_steps(situations, extra_dir=folder)
    values = pd.array(suggested.to_numpy(dtype=object), dtype="string")
    return pd.Series(values.take(inverse.ravel()), index=steps.index, name="script_id")
