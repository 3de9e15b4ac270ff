"""Plan inputs: what already happened, given to ``plan_follow_ups`` as a dict, as tables.

:func:`~followup_kit.plans.plan_follow_ups` plans one interview from plain arguments;
:func:`done_tables` checks its ``done`` dict and turns it into the one-interview set of
tables the planner reads, as if the interview were stored. Package-internal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .exceptions import Problem, ValidationError
from .schema import CHOICES, STEPS

__all__: list[str] = []


def done_tables(
    interview_date: date,
    decision: date | None,
    interviewers: int | Iterable[str],
    country: str,
    done: Mapping[str, Any] | None,
) -> dict[str, pd.DataFrame]:
    """The ``done`` dict of :func:`~followup_kit.plans.plan_follow_ups` as one interview's tables.

    Every problem (an unknown key, a date before the interview, an unknown result, step
    or status) is collected and raised together as one :class:`ValidationError`.
    """
    done = dict(done or {})
    allowed = {"thank_you", "status_check", "feedback_request", "response", "skipped", "status"}
    unknown = sorted(set(done) - allowed)
    if unknown:
        raise ValidationError(
            [
                Problem(
                    k,
                    f"unknown key in done; use {', '.join(sorted(allowed))}.",
                    check="unknown_key",
                )
                for k in unknown
            ],
            what="plan",
        )
    problems: list[Problem] = []

    def day(value: Any, field: str) -> date | None:
        try:
            d = schema.as_date(value)
        except ValueError as err:
            problems.append(Problem(field, str(err), check="not_a_date"))
            return None
        if d is not None and d < interview_date:
            problems.append(
                Problem(
                    field, f"{d} is before the interview ({interview_date}).", check="not_before"
                )
            )
        return d

    def dates(value: Any, field: str) -> list[date]:
        items = value if isinstance(value, list | tuple | set | pd.Series) else [value]
        return [d for d in (day(v, field) for v in items) if d is not None]

    if isinstance(interviewers, int | np.integer) and not isinstance(interviewers, bool):
        if interviewers < 1:
            problems.append(
                Problem("interviewers", "at least 1 interviewer, or their names.", check="too_few")
            )
        names = [f"Interviewer {i}" for i in range(1, int(interviewers) + 1)]
        names = names if len(names) > 1 else []
    else:
        names = [str(x).strip() for x in interviewers if str(x).strip()]
    people = pd.DataFrame(
        {"id": range(1, len(names) + 1), "interview_id": 1, "name": names}, dtype=object
    )
    by_name = {name.casefold(): i for i, name in enumerate(names, start=1)}

    rows: list[tuple[str, Any, date]] = []
    ty = done.get("thank_you", [])
    if isinstance(ty, Mapping):
        for who, when in ty.items():
            pid = by_name.get(str(who).strip().casefold())
            if pid is None:
                problems.append(
                    Problem(
                        "thank_you",
                        f"{who!r} is not one of the interviewers.",
                        check="not_at_interview",
                    )
                )
            for d in dates(when, "thank_you"):
                rows.append(("thank_you", pid, d))
    else:
        rows += [("thank_you", None, d) for d in dates(ty, "thank_you")]
    for kind in ("status_check", "feedback_request"):
        rows += [(kind, None, d) for d in dates(done.get(kind, []), kind)]
    follow_ups = pd.DataFrame(
        {
            "interview_id": 1,
            "kind": [r[0] for r in rows],
            "interviewer_id": [r[1] for r in rows],
            "sent_on": pd.to_datetime([r[2] for r in rows]),
        }
    )

    replies = done.get("response", [])
    if isinstance(replies, tuple) and len(replies) == 2 and isinstance(replies[1], str):
        replies = [replies]
    answers = []
    for item in replies:
        when, result = item
        if result not in CHOICES["result"]:
            problems.append(
                Problem(
                    "response",
                    f"choose one of: {', '.join(CHOICES['result'])}.",
                    check="not_a_choice",
                )
            )
        d = day(when, "response")
        if d is not None:
            answers.append((d, result))
    responses = pd.DataFrame(
        {
            "interview_id": 1,
            "received_on": pd.to_datetime([a[0] for a in answers]),
            "result": [a[1] for a in answers],
        }
    )

    skipped = []
    for item in done.get("skipped", []):
        step, who = (item, None) if isinstance(item, str) else tuple(item)
        if step not in STEPS:
            problems.append(
                Problem(
                    "skipped",
                    f"{step!r} is not a step; use {', '.join(STEPS)}.",
                    check="not_a_choice",
                )
            )
        skipped.append((step, who))
    skipped_steps = pd.DataFrame(
        {
            "interview_id": 1,
            "step": [s for s, _ in skipped],
            "interviewer": [w for _, w in skipped],
        }
    )

    status = done.get("status", "open")
    if status not in CHOICES["status"]:
        problems.append(
            Problem(
                "status",
                f"choose one of: {', '.join(CHOICES['status'])}.",
                check="not_a_choice",
            )
        )
    if decision is not None and decision < interview_date:
        problems.append(
            Problem(
                "decision_expected",
                "the expected decision date cannot be before the interview.",
                check="not_before",
            )
        )
    if problems:
        raise ValidationError(problems, what="plan")
    interviews = pd.DataFrame(
        {
            "id": [1],
            "client_id": [1],
            "interview_date": pd.to_datetime([interview_date]),
            "decision_expected": pd.to_datetime([decision]),
            "status": [status],
        }
    )
    clients = pd.DataFrame({"id": [1], "country": [country]})
    return {
        "clients": clients,
        "interviews": interviews,
        "interviewers": people,
        "follow_ups": follow_ups,
        "responses": responses,
        "skipped_steps": skipped_steps,
    }
