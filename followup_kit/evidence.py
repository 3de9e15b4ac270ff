"""Rule evidence: each timing rule beside what the coach's own clients' data says about it.

:func:`rule_evidence` splits the analysis frame into interviews that followed a rule and
those that did not, and compares their reply rates with the same statistics as
:func:`~followup_kit.comparison.compare`, ending in a verdict per rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .analysis import day_numbers
from .comparison import Sides, compare_counts
from .intervals import resolve_interval
from .rules import Rule, channel_rule, load_rules

__all__ = ["rule_evidence"]

Verdict = tuple[np.ndarray, np.ndarray]


def _f(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype="float64", na_value=np.nan)


def _still_waiting(frame: pd.DataFrame, opens_bdays: np.ndarray | float) -> np.ndarray:
    """No reply yet when the rule's window opened (a reply before it decides on its own)."""
    return ~(_f(frame, "bdays_to_response") < opens_bdays)


def _settled(frame: pd.DataFrame) -> np.ndarray:
    return frame["settled"].to_numpy(dtype=bool)


def _thank_you(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    return _settled(frame), _f(frame, "thank_you_delay_bdays") <= r["thank_you_due"]


def _status_check(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    start, due = r["status_check_start"], r["status_check_due"]
    delay = _f(frame, "status_check_delay_bdays")
    no_date = frame["decision_expected"].isna().to_numpy()
    eligible = _settled(frame) & no_date & _still_waiting(frame, start)
    return eligible, (delay >= start) & (delay <= due)


def _decision_check(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    start = r["status_check_after_decision_start"]
    due = r["status_check_after_decision_due"]
    after = _f(frame, "status_check_after_decision_bdays")
    opens = _f(frame, "decision_bdays") + start  # the window opens, counted from the interview
    eligible = _settled(frame) & ~np.isnan(opens) & _still_waiting(frame, opens)
    return eligible, (after >= start) & (after <= due)


def _second_follow_up(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    gap = _f(frame, "second_follow_up_gap_bdays")
    second = day_numbers(frame["second_follow_up_date"])
    reply = day_numbers(frame["first_response_date"])
    eligible = _settled(frame) & ~np.isnan(gap) & ~(reply < second)
    return eligible, gap >= r["second_follow_up_start"]


def _thank_you_channel(frame: pd.DataFrame, r: Mapping[str, Any]) -> Verdict:
    channel = frame["thank_you_channel"].astype(object).to_numpy()
    eligible = _settled(frame) & frame["thank_you_date"].notna().to_numpy()
    return eligible, channel == r["channel"]


@dataclass(frozen=True)
class _Measure:
    """How one rule is checked against the data: who counts, and who followed it."""

    key: str  # the rule whose why and source are shown
    title: Callable[[Mapping[str, int]], str]
    who: str
    followed: str = ""
    not_followed: str = ""
    test: Callable[[pd.DataFrame, Mapping[str, int]], Verdict] | None = None


_CAUSE_NOTE = (
    "Not measured against replies: people send more follow-ups when no reply has come, "
    "so the data would mostly show that, not whether the rule helps."
)

_MEASURES: tuple[_Measure, ...] = (
    _Measure(
        "thank_you_due",
        lambda r: (
            f"Thank-you within {r['thank_you_due']} business "
            f"day{'s' if r['thank_you_due'] != 1 else ''} of the interview"
        ),
        "All settled interviews.",
        "sent in time",
        "sent later or not at all",
        _thank_you,
    ),
    _Measure(
        "status_check_start",
        lambda r: (
            f"First status check {r['status_check_start']}-{r['status_check_due']} business "
            "days after the interview (no decision date given)"
        ),
        "Settled interviews with no stated decision date, still waiting when the window "
        "opened. The window is the seed article's 'a few days to a week'.",
        "sent in the window",
        "sent earlier, later or not at all",
        _status_check,
    ),
    _Measure(
        "status_check_after_decision_start",
        lambda r: (
            f"First status check {r['status_check_after_decision_start']}-"
            f"{r['status_check_after_decision_due']} business days after the stated "
            "decision date"
        ),
        "Settled interviews with a stated decision date, still waiting when the window opened.",
        "sent in the window",
        "sent earlier, later or not at all",
        _decision_check,
    ),
    _Measure(
        "second_follow_up_start",
        lambda r: (
            f"Second follow-up at least {r['second_follow_up_start']} business days after the first"
        ),
        "Settled interviews with a second status check sent before any reply.",
        "sent after a long enough wait",
        "sent sooner",
        _second_follow_up,
    ),
    _Measure(
        "channel",
        lambda r: "Thank-you by email (the channel most employers accept)",
        "Settled interviews with a thank-you.",
        "sent by email",
        "sent another way",
        _thank_you_channel,
    ),
    _Measure(
        "max_status_checks",
        lambda r: f"At most {r['max_status_checks']} follow-ups after the thank-you",
        _CAUSE_NOTE,
    ),
    _Measure(
        "close_as_ghosted_after",
        lambda r: (
            f"Close as ghosted {r['close_as_ghosted_after']} business days after the last follow-up"
        ),
        "Not measured against replies: closing is about moving on, not about getting one.",
    ),
    _Measure(
        "gracious_reply_start",
        lambda r: (
            f"Reply graciously {r['gracious_reply_start']}-{r['gracious_reply_due']} "
            "business days after a rejection, before asking for feedback"
        ),
        "Not measured against replies: it comes after the employer has answered.",
    ),
    _Measure(
        "feedback_request_start",
        lambda r: (
            f"Ask for feedback {r['feedback_request_start']}-{r['feedback_request_due']} "
            "business days after a rejection"
        ),
        "Not measured against replies: it comes after the employer has answered.",
    ),
    _Measure(
        "reconnect_start",
        lambda r: (
            f"Reconnect {r['reconnect_start']}-{r['reconnect_due']} business days after a "
            "rejection or an interview closed as ghosted (sooner if the role is re-posted)"
        ),
        "Not measured against replies: it is about the next opening, months later.",
    ),
)


def _rules_info(rules: object) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The rule values ({key: days}) and each rule's why and source, from the timing rules.

    Accepts what :func:`~followup_kit.rules.load_rules` returns, a plain mapping of key to
    number, or ``None``; rules it does not give keep the defaults of ``rules.toml``. The
    channel rule (``values["channel"]``, e.g. "email") comes from ``rules.toml`` too.
    """
    defaults = load_rules()
    if rules is None:
        rules = defaults
    values: dict[str, Any] = dict(defaults)
    info = {key: _about(defaults.rule(key)) for key in defaults}
    channel = channel_rule()
    values["channel"], info["channel"] = channel.value, _about(channel)
    for key in rules:  # type: ignore[attr-defined]
        value = rules[key]  # type: ignore[index]
        if isinstance(value, Mapping):
            value = value.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            values[str(key)] = int(value)
        full = rules.rule(key) if hasattr(rules, "rule") else None
        if full is not None:
            info[str(key)] = _about(full)
        elif isinstance(rules[key], Mapping):  # type: ignore[index]
            raw = rules[key]  # type: ignore[index]
            info[str(key)] = {"why": str(raw.get("why", "")), "source": str(raw.get("source", ""))}
    return values, info


def _about(rule: Rule) -> dict[str, str]:
    return {"why": str(rule.why), "source": str(rule.source)}


def rule_evidence(
    frame: pd.DataFrame, rules: object = None, *, min_n: int = 10, interval: str = "wilson"
) -> pd.DataFrame:
    """Each timing rule beside what the coach's own clients' data says about it.

    Parameters
    ----------
    frame
        From :func:`~followup_kit.analysis.analysis_frame`.
    rules
        The timing rules in force (``timing.load_rules(wb.data_dir)``); ``None`` uses
        the defaults. A plain ``{"thank_you_due": 2}`` mapping works too.
    min_n
        Fewer settled interviews than this on either side: "too little data".
    interval
        ``"wilson"`` (default), ``"cluster"`` or ``"auto"``, as for
        :func:`~followup_kit.comparison.compare`; with ``"auto"`` the whole table uses the
        cluster interval when any client has more than one interview on a side of any
        rule. ``table.attrs["interval"]`` says which was used.

    Returns
    -------
    DataFrame
        Indexed by ``rule`` (the timing rule's key): ``title``, ``why``, ``source``,
        ``who`` (which interviews count), ``followed`` / ``not_followed`` (what each side
        means), ``n_followed``, ``rate_followed``, ``ci_low_followed``,
        ``ci_high_followed`` (95%), the same with ``_not``, ``difference`` with
        ``diff_ci_low`` / ``diff_ci_high``, ``p_value``, ``verdict`` ("followed did
        better", "followed did worse", "no clear difference", "too little data" or "not
        measured"), ``reading`` (from :func:`~followup_kit.comparison.compare`), and
        ``clients_followed`` / ``clients_not`` (distinct clients on each side, for the
        workshop's privacy check).

    Notes
    -----
    Timing is counted in business days (weekends and the client's country's public
    holidays left out), as the rules are written. For the status-check rules only
    interviews still waiting for a reply when the rule's window opened count, so a reply
    that came first cannot make skipping the step look good. Those who were still waiting
    but did not send in the window count as "not followed" even if a reply then came
    before they wrote, which if anything flatters not following the rule.
    """
    values, info = _rules_info(rules)
    window = frame.attrs.get("window_days")
    sides: dict[str, Sides] = {}
    prepared = Sides.prepare(frame)
    for m in _MEASURES:
        if m.test is not None:
            eligible, followed = m.test(frame, values)
            followed = followed & eligible
            sides[m.key] = Sides.of(frame, followed, eligible & ~followed, prepared)
    kind = resolve_interval(interval, any(s.repeated for s in sides.values()))

    rows = []
    for m in _MEASURES:
        about = info.get(m.key, {})
        row: dict[str, Any] = {
            "rule": m.key,
            "title": m.title(values),
            "why": about.get("why", ""),
            "source": about.get("source", ""),
            "who": m.who,
            "followed": m.followed,
            "not_followed": m.not_followed,
        }
        if m.test is None:
            row.update(verdict="not measured", reading=m.who)
            rows.append(row)
            continue
        two = sides[m.key]
        counts = two.counts
        cmp = compare_counts(
            m.key,
            True,
            False,
            counts,
            min_n=min_n,
            window_days=window,
            label_a=f"where it was {m.followed}",
            label_b=f"where it was {m.not_followed}",
            sides=two,
            interval=kind,
        )
        if cmp.too_little_data:
            verdict = "too little data"
        elif cmp.ci_low > 0:
            verdict = "followed did better"
        elif cmp.ci_high < 0:
            verdict = "followed did worse"
        else:
            verdict = "no clear difference"
        row.update(
            n_followed=counts[1],
            rate_followed=cmp.rate_a,
            ci_low_followed=cmp.ci_low_a,
            ci_high_followed=cmp.ci_high_a,
            n_not=counts[3],
            rate_not=cmp.rate_b,
            ci_low_not=cmp.ci_low_b,
            ci_high_not=cmp.ci_high_b,
            difference=cmp.difference,
            diff_ci_low=cmp.ci_low,
            diff_ci_high=cmp.ci_high,
            p_value=cmp.p_value,
            verdict=verdict,
            reading=cmp.reading,
            clients_followed=two.clients[0],
            clients_not=two.clients[1],
        )
        rows.append(row)
    cols = [
        "rule", "title", "why", "source", "who", "followed", "not_followed", "n_followed",
        "rate_followed", "ci_low_followed", "ci_high_followed", "n_not", "rate_not",
        "ci_low_not", "ci_high_not", "difference", "diff_ci_low", "diff_ci_high", "p_value",
        "verdict", "reading", "clients_followed", "clients_not",
    ]  # fmt: skip
    table = pd.DataFrame(rows).reindex(columns=cols)
    for c in ("n_followed", "n_not", "clients_followed", "clients_not"):
        table[c] = table[c].astype("Int64")
    for c in cols[8:11] + cols[12:19]:
        table[c] = table[c].astype("float64")
    table = table.set_index("rule")
    table.attrs = {"window_days": window, "interval": kind}
    return table
