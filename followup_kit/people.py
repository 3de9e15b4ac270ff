"""Interviewers as people give them: names or dicts, checked as one interview's list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from . import schema
from .dates import is_blank
from .exceptions import Problem

__all__ = ["PERSON_KEYS", "clean_people", "people_list"]

#: What an interviewer dict may hold (``id`` too, when editing an interview's list).
PERSON_KEYS = ("name", "title", "email", "greet_as", "honorific")
_ID_FIELD = schema.TABLES["interviewers"]["id"]


def people_list(interviewers: object) -> list[Any]:
    """Interviewers given as names or dicts (or one of either), names turned into dicts.

    Anything else is passed on as it is, for :func:`clean_people` to refuse.
    """
    if isinstance(interviewers, str | Mapping):
        interviewers = [interviewers]
    try:
        given = list(interviewers)  # type: ignore[call-overload]
    except TypeError:
        given = [interviewers]
    return [
        {"name": p} if isinstance(p, str) else dict(p) if isinstance(p, Mapping) else p
        for p in given
    ]


def clean_people(
    people: list[Any], *, today: date, editing: bool = False
) -> tuple[list[dict], list[Problem]]:
    """Validate interviewer rows; problems are named ``interviewers[i].field``.

    Only ``name``, ``title``, ``email``, ``greet_as`` (``"first_name"`` or
    ``"title_surname"``; blank: the coach's setting) and ``honorific`` ("Dr", "Ms")
    are known keys; an ``id`` only when
    ``editing`` an interview's stored interviewers (it picks the row to change).
    The same person twice (names compared without case or extra spaces) is refused:
    two identical steps and calendar events would follow.
    """
    cleaned, problems = [], []
    allowed = {*PERSON_KEYS, "id"} if editing else set(PERSON_KEYS)
    seen_names: dict[str, int] = {}
    seen_ids: dict[int, int] = {}
    for i, person in enumerate(people, start=1):
        where = f"interviewers[{i}]"
        if not isinstance(person, dict):
            why = "give a name, or a dict with name, title, email, greet_as, honorific."
            problems.append(Problem(where, why, check="not_a_person"))
            continue
        for key in sorted(map(str, set(person) - allowed)):
            if key == "id":
                why = "an id is given only to change a stored interviewer; leave it out."
            else:
                why = (
                    f"{key!r} is not something I keep; give name, title, email, "
                    "greet_as and honorific."
                )
            problems.append(Problem(f"{where}.{key}", why, check="unknown_key"))
        rec, found = schema.validate_record(
            "interviewers",
            {**{k: person.get(k) for k in PERSON_KEYS}, "interview_id": 1},
            today=today,
        )
        problems += [replace(p, field=f"{where}.{p.field}") for p in found]
        row = {k: rec[k] for k in PERSON_KEYS}
        key = schema.person_key(row["name"])
        if key is not None and key in seen_names:
            problems.append(
                Problem(
                    f"{where}.name",
                    f"{row['name']} is already listed (interviewer {seen_names[key]}); "
                    "list each person once.",
                    check="duplicate_name",
                )
            )
        elif key is not None:
            seen_names[key] = i
        if editing and not is_blank(person.get("id")):
            number, problem = schema.clean_value(_ID_FIELD, person["id"], today)
            if problem is not None:
                problems.append(replace(problem, field=f"{where}.id"))
            elif number in seen_ids:
                problems.append(
                    Problem(
                        f"{where}.id",
                        f"the same interviewer as interviewer {seen_ids[number]}.",
                        check="duplicate_id",
                    )
                )
            else:
                seen_ids[number] = i
                row["id"] = number
        cleaned.append(row)
    return cleaned, problems
