"""A synthetic, deterministic demo cohort that behaves like the surveys say, and how it
comes into a store and goes out of it.

Nobody in it is real: names, companies and dates are drawn from small invented lists.
Loaded into a store (:func:`load`), the cohort is dated for that workbook's today: its
last day is the weekday before, as the committed files end on the Friday before
:data:`DEMO_TODAY`. Its clients are told from real ones by their workshop groups
(:data:`COHORTS`), so :func:`remove` takes them out, with everything logged for them, and
leaves every other client alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import schema
from .spreadsheets import export_frame

if TYPE_CHECKING:
    from .store import Workbook

__all__ = [
    "COHORTS",
    "DEMO_END",
    "DEMO_TODAY",
    "DemoLoad",
    "dated_to",
    "end_for",
    "find",
    "generate",
    "load",
    "remove",
    "write_demo_files",
]

#: The confounder built in: after a final or panel round, this share of clients who would
#: have written later write the thank-you the same day, and such rounds get replies more
#: often (this much on the log-odds scale), whatever the thank-you did.
LATE_ROUND_SAME_DAY = 0.85
LATE_ROUND_LOGIT = 1.2

#: The last day of the committed demo cohort (a Friday), and the "today" it is dated for
#: (the Monday after): notebooks under test use that day.
DEMO_END = date(2026, 10, 30)
DEMO_TODAY = date(2026, 11, 2)

#: The workshop groups of the demo's clients: the mark that tells a demo client from a
#: real one (:func:`find`), so choose other names for real groups.
COHORTS = ("Demo spring cohort", "Demo summer cohort", "Demo autumn cohort", "Demo veterans' group")
#: The groups the demo had before they were marked: such clients are recognised only as
#: the whole default cohort, in order (see :func:`_unmarked_runs`).
_OLD_COHORTS = ("Spring cohort", "Summer cohort", "Autumn cohort", "Veterans' group")
#: An open interview quiet for this many days before the cohort's last day was closed as
#: ghosted (a coach's clients keep their lists tidy).
_QUIET_DAYS = 56
#: How many days of interviews the cohort spans, up to its last day.
_DAYS = 365

_FIRST = (
    "Alex Amara Bea Carlos Dana Eli Farah Gus Hana Ivan Jo Kemal Lena Mateo Nia Omar "
    "Priya Quinn Rosa Sami Tariq Uma Vic Wen Xavi Yara Zoe Ade Bruno Chiara Dev Erin "
    "Femi Greta Hugo Ines Jun Kai Lucia Milo"
).split()
_LAST = (
    "Rivera Okafor Lindqvist Haddad Moreau Tanaka Novak Mensah Silva Kowalski Byrne "
    "Aziz Park Costa Varga Nguyen Larsen Osei Petrov Romero Schulz Dubois Farouk Ito "
    "Jensen Kaur Lopez Murphy Nakamura Ortiz"
).split()
_COMPANIES = (
    "Northwind Analytics|Bluepeak Logistics|Harbour & Pine|Quillstone Health|Verdant Foods|"
    "Ironleaf Software|Copperline Energy|Maplegate Bank|Brightwater Schools|Solace Insurance|"
    "Tidewell Retail|Granite Arc Engineering|Lumen Street Media|Oakridge Council|Fernhill Labs|"
    "Riverbend Hospital|Kestrel Aviation|Saffron Hotels|Nimbus Cloud Co|Atlas Freight|"
    "Cedarview Care|Polaris Robotics|Marlow Legal|Juniper Telecom|Wayfarer Travel|"
    "Beacon Nonprofit|Summit Outdoor|Larkspur Design|Ember Games|Foundry Works"
).split("|")
_ROLES = (
    "Data Analyst|Project Coordinator|Operations Manager|Software Engineer|Nurse|"
    "Account Executive|Logistics Planner|HR Generalist|Teacher|Marketing Specialist|"
    "Financial Analyst|Customer Success Lead|Electrician|Policy Officer|UX Researcher|"
    "Procurement Officer|Lab Technician|Facilities Supervisor|Paralegal|Product Manager"
).split("|")
_COUNTRIES = (("US", 0.7), ("GB", 0.15), ("CA", 0.1), ("IE", 0.05))

_ROUNDS = (("screen", 0.25), ("first", 0.35), ("second", 0.2), ("final", 0.12), ("panel", 0.06))
_ROUNDS += (("other", 0.02),)
_ROUTES = (("direct", 0.6), ("hr", 0.25), ("agency", 0.15))
_TY_CHANNELS = (("email", 0.8), ("linkedin", 0.08), ("handwritten", 0.07), ("text", 0.05))
_SC_CHANNELS = (("email", 0.6), ("phone", 0.3), ("voicemail", 0.1))


def _pick(rng: np.random.Generator, options: tuple, n: int) -> np.ndarray:
    values, weights = zip(*options, strict=True)
    p = np.asarray(weights, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p / p.sum())]


def _distinct_people(interview: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Full names, with the same person drawn twice for one interview given the next
    surname (the store refuses one person listed twice); no extra random draws."""
    names = first + " " + last
    seen: set[tuple[int, str]] = set()
    for i, (iv, name) in enumerate(zip(interview, names, strict=True)):
        step = 0
        while (iv, name) in seen:
            step += 1
            name = f"{first[i]} {_LAST[(_LAST.index(last[i]) + step) % len(_LAST)]}"
        seen.add((iv, name))
        names[i] = name
    return names


def _weekday(days: np.ndarray) -> np.ndarray:
    """Move datetime64[D] values that fall on a weekend to the Monday after."""
    return np.busday_offset(days, 0, roll="forward")


def _clients(rng: np.random.Generator, n_clients: int, *, created: date) -> pd.DataFrame:
    """The cohort's clients: the first draws from ``rng``, whatever the dates."""
    cid = np.arange(1, n_clients + 1)
    names = _pick(rng, tuple((f, 1) for f in _FIRST), n_clients) + " "
    names = names + _pick(rng, tuple((s, 1) for s in _LAST), n_clients)
    return pd.DataFrame(
        {
            "id": cid,
            "name": names,
            "cohort": np.asarray(COHORTS, dtype=object)[(cid - 1) % len(COHORTS)],
            "country": _pick(rng, _COUNTRIES, n_clients),
            "username": None,
            "created": pd.Timestamp(created),
        }
    )


def generate(
    n_clients: int = 40, seed: int = 7, *, end: date = DEMO_END, days: int = _DAYS
) -> dict[str, pd.DataFrame]:
    """Generate a demo cohort in the shape of :meth:`Workbook.tables`.

    Each client has on average 20 interviews spread over the ``days`` before
    ``end``, with one to three interviewers (three or four on a panel), thank-you
    notes, status checks, second follow-ups, employer replies and feedback
    requests. Anything dated after ``end`` has not happened yet and is left out,
    so recent interviews are still waiting.

    The effects built in (so the coach's charts have something true to find):

    * about 78% of clients' interviews get a thank-you; its delay is 0 days (35%),
      1 day (30%), 2-3 days (20%), 4-7 days (10%) or 8+ days (5%);
    * the chance of any reply within 30 days follows
      ``logit p = -1.0 + 0.6 [thank-you within a day] + 0.35 [thank-you 2-3 days]
      + 0.45 [first status check 4-7 days after] + 0.2 [status check at another time]
      + 1.2 [final or panel round]``: about 40% of interviews get any reply, so about
      60% are ghosted, inside the 40-75% surveys report (Greenhouse 2022: 75%);
    * **a confounder, on purpose**: after a final or panel round, 85% of the clients who
      would have written later send the thank-you the same day instead (the job feels
      close), and those rounds get replies more often whatever the thank-you did. So the
      raw gap between quick and slow thank-yous is larger than what the thank-you itself
      adds; :func:`~followup_kit.adjusted.adjusted_compare`, holding the round equal,
      recovers most of the difference (notebook 05 shows both);
    * replies take 2-30 days without a status check (median about 8), and a few days
      after it when the client checked in; a reply is a rejection 45% of the time,
      next round 33%, offer 10% (more after a final round), still deciding 12%.

    These are moderate, made-up effects for teaching, not estimates of real ones.

    Parameters
    ----------
    n_clients
        How many clients; 50,000 gives about a million interviews in seconds.
    seed
        Same seed, same cohort.
    end, days
        The cohort covers ``days`` days up to ``end``.

    Returns
    -------
    dict of DataFrame
        ``clients, interviews, interviewers, follow_ups, responses, skipped_steps``
        with the dtypes of :func:`followup_kit.schema.frame_dtypes`.
    """
    rng = np.random.default_rng(seed)
    end64 = np.datetime64(end, "D")

    clients = _clients(rng, n_clients, created=end - timedelta(days=days))
    cid = clients["id"].to_numpy()

    # Interviews: about 20 per client, on weekdays.
    per = 1 + rng.poisson(19, n_clients)
    n = int(per.sum())
    client_of = np.repeat(cid, per)
    iv_day = _weekday(end64 - rng.integers(0, days, n).astype("timedelta64[D]"))
    iv_day = np.minimum(iv_day, np.busday_offset(end64, 0, roll="backward"))
    rounds = _pick(rng, _ROUNDS, n)
    route = _pick(rng, _ROUTES, n)
    fmt = np.where(
        rounds == "screen", "phone", np.where(rng.random(n) < 0.5, "video", "onsite")
    ).astype(object)
    has_decision = rng.random(n) < 0.4
    decision = iv_day + rng.integers(5, 15, n).astype("timedelta64[D]")
    iid = np.arange(1, n + 1)

    # Interviewers: 1-3, 3-4 on a panel.
    n_people = np.where(rounds == "panel", rng.integers(3, 5, n), rng.integers(1, 4, n))
    person_iv = np.repeat(iid, n_people)
    m = len(person_iv)
    first_names = _pick(rng, tuple((f, 1) for f in _FIRST), m)
    person_names = _distinct_people(
        person_iv, first_names, _pick(rng, tuple((s, 1) for s in _LAST), m)
    )
    first_person = np.concatenate(([0], np.cumsum(n_people)[:-1])) + 1  # interviewer ids

    # Thank-you notes: one per interviewer for most clients, else only to the first.
    ty_sent = rng.random(n) < 0.78
    ty_delay = _pick(rng, ((0, 0.35), (1, 0.30), (2, 0.12), (3, 0.08), (5, 0.10), (9, 0.05)), n)
    ty_delay = ty_delay.astype(int) + (ty_delay.astype(int) >= 5) * rng.integers(-1, 3, n)
    # The confounder: after a final or panel round, clients write the same day more often
    # (the job feels close). Drawn from its own stream, so the rest of the cohort keeps
    # its draws.
    late_round = np.isin(rounds, ["final", "panel"])
    keen = np.random.default_rng([seed, 16]).random(n) < LATE_ROUND_SAME_DAY
    ty_delay = np.where(late_round & keen, 0, ty_delay)
    ty_each = rng.random(n) < 0.7
    ty_count = np.where(ty_sent, np.where(ty_each, n_people, 1), 0)
    ty_iv = np.repeat(iid, ty_count)
    ty_offset = np.arange(len(ty_iv)) - np.repeat(np.cumsum(ty_count) - ty_count, ty_count)
    ty_day = np.repeat(iv_day + ty_delay.astype("timedelta64[D]"), ty_count)
    ty_channel = np.repeat(_pick(rng, _TY_CHANNELS, n), ty_count)

    # First status check: after the decision date if one was given, else ~a week.
    sc_sent = rng.random(n) < 0.6
    sc_delay = np.where(
        has_decision,
        (decision - iv_day).astype(int) + rng.integers(1, 6, n),
        rng.choice([2, 3, 5, 6, 7, 7, 8, 10, 14, 18], n),
    )
    sc_day = iv_day + sc_delay.astype("timedelta64[D]")
    sc_channel = _pick(rng, _SC_CHANNELS, n)

    # Replies.
    ty_fast = ty_sent & (ty_delay <= 1)
    ty_mid = ty_sent & (ty_delay >= 2) & (ty_delay <= 3)
    sc_good = sc_sent & (sc_delay >= 4) & (sc_delay <= 7)
    logit = (
        -1.0
        + 0.6 * ty_fast
        + 0.35 * ty_mid
        + 0.45 * sc_good
        + 0.2 * (sc_sent & ~sc_good)
        + LATE_ROUND_LOGIT * late_round
    )
    replied = rng.random(n) < 1 / (1 + np.exp(-logit))
    reply_delay = np.clip(np.round(rng.lognormal(np.log(8), 0.6, n)), 2, 30).astype(int)
    # Where the client checked in, the answer comes a few days after the check.
    prompted = np.clip(np.round(rng.lognormal(np.log(4), 0.6, n)), 1, 20).astype(int)
    reply_delay = np.where(sc_sent, sc_delay + prompted, reply_delay)
    reply_day = iv_day + reply_delay.astype("timedelta64[D]")
    result = np.where(
        late_round,
        _pick(rng, (("rejection", 45), ("next_round", 15), ("offer", 28), ("still", 12)), n),
        _pick(rng, (("rejection", 45), ("next_round", 35), ("offer", 8), ("still", 12)), n),
    )
    result = np.where(result == "still", "still_deciding", result).astype(object)
    reply_seen = replied & (reply_day <= end64)
    sc_sent &= sc_day <= end64

    # Second follow-up: for some who checked and still heard nothing.
    second = sc_sent & (rng.random(n) < 0.45)
    second_day = sc_day + rng.integers(6, 12, n).astype("timedelta64[D]")
    second &= (second_day <= end64) & (~reply_seen | (second_day < reply_day))

    # Feedback requests after a rejection.
    feedback = reply_seen & (result == "rejection") & (rng.random(n) < 0.4)
    feedback_day = reply_day + rng.integers(1, 4, n).astype("timedelta64[D]")
    feedback &= feedback_day <= end64

    status = np.select(
        [
            reply_seen & (result == "next_round"),
            reply_seen & (result == "offer"),
            reply_seen & (result == "rejection"),
            ~reply_seen & (iv_day < end64 - 45) & (rng.random(n) < 0.5),
            rng.random(n) < 0.03,
        ],
        ["next_round", "offer", "rejected", "ghosted", "withdrawn"],
        default="open",
    ).astype(object)
    # A kept caseload: what went quiet long ago was closed as ghosted (the plan's own last
    # step), so the demo opens on the few steps really due, not on months of them.
    never = np.datetime64("NaT")
    last = np.fmax.reduce(
        [
            iv_day,
            np.where(sc_sent, sc_day, never),
            np.where(second, second_day, never),
            np.where(reply_seen, reply_day, never),
        ]
    )
    quiet = np.isin(status, ["open", "next_round"]) & (last < end64 - _QUIET_DAYS)
    status = np.where(quiet, "ghosted", status).astype(object)

    interviews = pd.DataFrame(
        {
            "id": iid,
            "client_id": client_of,
            "company": _pick(rng, tuple((c, 1) for c in _COMPANIES), n),
            "role": _pick(rng, tuple((r, 1) for r in _ROLES), n),
            "round": rounds,
            "interview_date": iv_day,
            "format": fmt,
            "contact_route": route,
            "decision_expected": np.where(has_decision, decision, np.datetime64("NaT")),
            "status": status,
            "notes": None,
        }
    )
    interviewers = pd.DataFrame(
        {"id": np.arange(1, m + 1), "interview_id": person_iv, "name": person_names}
    )
    interviewers["title"] = None
    interviewers["email"] = None

    ty_keep = ty_day <= end64
    ty_script = np.where(
        np.repeat(rounds == "panel", ty_count), "panel_thank_you", "thank_you_note"
    )
    sc_script = np.select(
        [route == "agency", route == "hr", has_decision, sc_channel != "email"],
        ["agency_follow_up", "hr_only_follow_up", "decision_date_passed", "decision_check_call"],
        default="decision_check_call",
    )
    parts = [
        (
            ty_iv[ty_keep],
            "thank_you",
            ty_channel[ty_keep],
            ty_day[ty_keep],
            (np.repeat(first_person, ty_count) + ty_offset)[ty_keep],
            ty_script[ty_keep],
        ),
        (
            iid[sc_sent],
            "status_check",
            sc_channel[sc_sent],
            sc_day[sc_sent],
            None,
            sc_script[sc_sent],
        ),
        (
            iid[second],
            "status_check",
            np.full(second.sum(), "email", dtype=object),
            second_day[second],
            None,
            np.full(second.sum(), "second_follow_up", dtype=object),
        ),
        (
            iid[feedback],
            "feedback_request",
            np.full(feedback.sum(), "email", dtype=object),
            feedback_day[feedback],
            None,
            np.full(feedback.sum(), "feedback_request", dtype=object),
        ),
    ]
    # The steps after a rejection, drawn apart so the effects above stay as they were:
    # half thank them for the news within a day, and most whose interview closed (told
    # no, or never answered) reach out again a few months on (the reconnect window).
    later = np.random.default_rng([seed, 1])
    rejected = reply_seen & (result == "rejection")
    gracious_day = np.busday_offset(reply_day, later.integers(0, 2, n), roll="forward")
    gracious = rejected & (later.random(n) < 0.5) & (gracious_day <= end64)
    closed = rejected | (status == "ghosted")
    since = np.where(rejected, reply_day, last)
    reconnect_day = since + later.integers(95, 120, n).astype("timedelta64[D]")
    reconnect = closed & (later.random(n) < 0.7) & (reconnect_day <= end64)
    for ivs, kind, day, script in (
        (iid[gracious], "other", gracious_day[gracious], "different_direction"),
        (iid[reconnect], "reconnect", reconnect_day[reconnect], "reconnect_later"),
    ):
        parts.append((ivs, kind, np.full(len(ivs), "email", dtype=object), day, None, script))
    frames = []
    for ivs, kind, channel, day, who, script in parts:
        used = rng.random(len(ivs)) < 0.6  # not every message came from a script
        frames.append(
            pd.DataFrame(
                {
                    "interview_id": ivs,
                    "interviewer_id": who,
                    "kind": kind,
                    "channel": channel,
                    "sent_on": day,
                    "script_id": np.where(used, script, None),
                    "script_version": np.where(used, "1", None),
                }
            )
        )
    follow_ups = pd.concat(frames, ignore_index=True)
    follow_ups = follow_ups.sort_values(["sent_on", "interview_id"], kind="stable")
    follow_ups.insert(0, "id", np.arange(1, len(follow_ups) + 1))
    follow_ups["notes"] = None

    responses = pd.DataFrame(
        {
            "interview_id": iid[reply_seen],
            "received_on": reply_day[reply_seen],
            "channel": np.where(rng.random(reply_seen.sum()) < 0.8, "email", "phone"),
            "result": result[reply_seen],
            "feedback": None,
            "reflection": None,
        }
    )
    responses.insert(0, "id", np.arange(1, len(responses) + 1))
    skipped = pd.DataFrame(columns=schema.TABLES["skipped_steps"].columns)

    tables = {
        "clients": clients,
        "interviews": interviews,
        "interviewers": interviewers,
        "follow_ups": follow_ups.reset_index(drop=True),
        "responses": responses,
        "skipped_steps": skipped,
    }
    return {name: _typed(name, frame) for name, frame in tables.items()}


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    # Columns the cohort does not fill (contacts added later) come out empty.
    frame = frame.reindex(columns=schema.TABLES[table].columns)
    out = {}
    for name, dtype in schema.frame_dtypes(table).items():
        out[name] = frame[name].astype(dtype)
    return pd.DataFrame(out)


def write_demo_files(folder: str | Path, **kwargs) -> Path:
    """Write the demo cohort as an export folder (one CSV per table)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in generate(**kwargs).items():
        export_frame(frame).to_csv(folder / f"{name}.csv", index=False, encoding="utf-8")
    return folder


# -- the demo in a store ---------------------------------------------------------------


def end_for(today: date) -> date:
    """The last day of a demo dated for ``today``: the weekday before it.

    Examples
    --------
    >>> end_for(date(2026, 11, 2))  # a Monday: the Friday before
    datetime.date(2026, 10, 30)
    >>> end_for(date(2026, 12, 2))
    datetime.date(2026, 12, 1)
    """
    day = np.busday_offset(np.datetime64(today, "D"), -1, roll="forward")
    return day.astype(object)


@dataclass(frozen=True)
class DemoLoad:
    """What :func:`load` did: rows added per table, the demo clients it replaced, and
    the last day of the cohort now in the store."""

    added: dict[str, int]
    replaced: int
    end: date


def find(wb: Workbook) -> list[int]:
    """The ids of the demo's clients in ``wb``, by id (empty when it holds no demo).

    A demo client is one in a demo workshop group (:data:`COHORTS`), and also, from the
    time before those groups were marked, a client of an unbroken run of clients exactly
    like the default cohort's forty, in order (name, group, country).
    """
    clients = wb.clients()
    marked = clients.loc[clients["cohort"].isin(COHORTS), "id"]
    return sorted({int(i) for i in marked} | set(_unmarked_runs(clients)))


def dated_to(wb: Workbook) -> date | None:
    """The last day of the demo cohort in ``wb`` (``None`` when it holds no demo).

    Read from when its clients were added (:data:`_DAYS` days before it); with more
    than one load, the newest.
    """
    ids = find(wb)
    if not ids:
        return None
    clients = wb.clients()
    created = clients.loc[clients["id"].isin(ids), "created"].dropna()
    if created.empty:
        return None
    return (created.max() + pd.Timedelta(days=_DAYS)).date()


def load(wb: Workbook, n_clients: int = 40, seed: int = 7) -> DemoLoad:
    """Load the demo cohort into ``wb``, dated for its today (:attr:`Workbook.today`).

    Any demo already there is replaced in the same transaction: its clients go, with
    everything logged for them. Other clients are never touched.
    """
    old = find(wb)
    end = end_for(wb.today)
    tables = generate(n_clients, seed, end=end)
    added = wb.load_tables(tables, progress=False, replacing_clients=old)
    return DemoLoad(added=added, replaced=len(old), end=end)


def remove(wb: Workbook) -> dict[str, int]:
    """Take the demo's clients out of ``wb``, with everything logged for them, in one
    transaction; return the rows removed per table (empty when there was no demo)."""
    ids = find(wb)
    return wb.delete_clients(ids) if ids else {}


_UNMARKED_BY = ("name", "cohort", "country")


@functools.cache
def _unmarked_cohort() -> tuple[tuple[str, str, str], ...]:
    """The default cohort's clients as an older version loaded them (unmarked groups)."""
    frame = _clients(np.random.default_rng(7), 40, created=DEMO_END)
    groups = dict(zip(COHORTS, _OLD_COHORTS, strict=True))
    return tuple(
        (name, groups[cohort], country)
        for name, cohort, country in zip(
            frame["name"], frame["cohort"], frame["country"], strict=True
        )
    )


def _unmarked_runs(clients: pd.DataFrame) -> list[int]:
    """Ids of each run of clients, in id order, that is exactly the default cohort as an
    older version loaded it: forty in a row, each name, group and country alike. One
    such client alone may be a real person; the whole run in order is the demo."""
    expected = _unmarked_cohort()
    frame = clients.sort_values("id")
    cols = [frame[c].astype(object).where(frame[c].notna(), None) for c in _UNMARKED_BY]
    rows = list(zip(*cols, strict=True))
    ids = frame["id"].astype(int).tolist()
    found: list[int] = []
    n = len(expected)
    start = 0
    while start + n <= len(rows):
        if rows[start] == expected[0] and tuple(rows[start : start + n]) == expected:
            found += ids[start : start + n]
            start += n
        else:
            start += 1
    return found
