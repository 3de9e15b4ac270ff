"""Timing rules: the defaults in ``rules.toml``, a coach's overrides, and their checks.

Every timing rule is a number of business days with a plain reason ("why") and where the
number comes from ("source"). :func:`load_rules` reads the package's ``rules.toml`` and a
coach's ``data/rules.toml`` on top; the plans, the agenda and the analytics all use it.
"""

from __future__ import annotations

import difflib
import tomllib
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import RulesFileError

__all__ = ["GREETINGS", "Rule", "Rules", "as_rules", "channel_rule", "load_rules"]

_RULES_FILE = Path(__file__).with_name("rules.toml")
_RULE_FIELDS = ("label", "value", "unit", "why", "source")
_COACH_FIELDS = ("value", "why", "source")
_PAIRS = (
    ("thank_you_start", "thank_you_due"),
    ("status_check_after_decision_start", "status_check_after_decision_due"),
    ("status_check_start", "status_check_due"),
    ("second_follow_up_start", "second_follow_up_due"),
    ("gracious_reply_start", "gracious_reply_due"),
    ("feedback_request_start", "feedback_request_due"),
    ("reconnect_start", "reconnect_due"),
)
# A later step must land after the one it counts from, so these cannot be 0.
_AT_LEAST_ONE = ("second_follow_up_start", "close_as_ghosted_after")
_MAX_DAYS = 260  # about a year of business days
# The rules in rules.toml that are not a number of days.
_CHANNEL = "channel"
_GREETING = "greeting"
#: How scripts greet an interviewer: the coach's ``greeting`` setting takes one of these.
GREETINGS = ("first_name", "title_surname")


def _amount(value: object, unit: str) -> str:
    """``1, "business days after ..."`` -> ``"1 business day after ..."``."""
    for many in ("business days", "messages"):
        if value == 1 and unit.startswith(many):
            unit = many[:-1] + unit[len(many) :]
    return f"{value} {unit}"


@dataclass(frozen=True)
class Rule:
    """One timing rule: its value, the plain reason for it and where the number comes from."""

    key: str
    label: str
    value: int  # business days (the channel rule's is the channel, e.g. "email")
    unit: str
    why: str
    source: str
    set_by: str = "default"


class Rules(Mapping[str, int]):
    """The timing rules in force: a read-only mapping of rule name to number of days.

    Attributes
    ----------
    path
        The coach's override file that was read, or ``None``.
    data_dir
        The folder the rules were loaded for (its ``scripts/`` folder holds the coach's
        scripts, used for the agenda's suggestions), or ``None``.
    problems
        Every :class:`~followup_kit.exceptions.RulesFileError` found in the coach's file.
        When it is not empty the whole file was ignored and the defaults are in force.
    greeting
        How scripts greet an interviewer whose record does not say: ``"first_name"``
        ("Dear Dana,") or ``"title_surname"`` ("Dear Dr Lee,"); a coach sets it with
        ``greeting = "title_surname"`` in their ``rules.toml``.
    """

    def __init__(
        self,
        rules: Mapping[str, Rule],
        *,
        path: Path | None = None,
        data_dir: Path | None = None,
        problems: Iterable[RulesFileError] = (),
        greeting: str | None = None,
    ) -> None:
        self._rules = dict(rules)
        self.greeting = greeting or _default_greeting()
        self.path = path
        self.data_dir = data_dir
        self.problems: tuple[RulesFileError, ...] = tuple(problems)

    def __getitem__(self, key: str) -> int:
        return self._rules[key].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def __repr__(self) -> str:
        changed = [k for k, r in self._rules.items() if r.set_by != "default"]
        extra = f", changed by the coach: {', '.join(changed)}" if changed else ""
        bad = f", {len(self.problems)} problem(s) in {self.path}" if self.problems else ""
        return f"<Rules: {len(self)} rules{extra}{bad}>"

    def _repr_html_(self) -> str:
        """The rules as a plain table for notebooks: what, when and why."""
        import html

        left = "style='text-align:left;vertical-align:top'"
        rows = "".join(
            f"<tr><td data-label='Rule' {left}>{html.escape(r.label)}</td>"
            f"<td data-label='Value' {left}>{html.escape(_amount(r.value, r.unit))}</td>"
            f"<td data-label='Why' {left}>{html.escape(r.why)}</td></tr>"
            for r in self._rules.values()
        )
        note = "".join(f"<p>Not used: {html.escape(str(p))}</p>" for p in self.problems)
        heads = "".join(f"<th {left}>{h}</th>" for h in ("Rule", "Value", "Why"))
        # "fk-cards": on a phone, the client pages' stylesheet shows each rule as a card.
        return (
            f"{note}<table class='fk-cards'><thead><tr>{heads}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def rule(self, key: str) -> Rule:
        """The full :class:`Rule` (value, why, source) for ``key``."""
        return self._rules[key]

    def as_frame(self) -> pd.DataFrame:
        """One row per rule: rule, label, value, unit, why, source, set_by."""
        rows = [vars(r) for r in self._rules.values()]
        frame = pd.DataFrame(rows, columns=["key", *_RULE_FIELDS, "set_by"])
        return frame.rename(columns={"key": "rule"}).astype(
            {c: "string" for c in ("rule", "label", "unit", "why", "source", "set_by")}
        )

    def with_values(self, changes: Mapping[str, Any], *, origin: str = "given") -> Rules:
        """A copy with some rules changed; bad changes raise :class:`RulesFileError`.

        ``changes`` takes the same shapes as a coach's file: ``{"thank_you_due": 2}`` or
        ``{"thank_you_due": {"value": 2, "why": "..."}}``.
        """
        merged, problems = _apply(self._rules, changes, origin)
        if problems:
            raise problems[0]
        return Rules(merged, path=self.path, data_dir=self.data_dir, greeting=self.greeting)


def _suggest_key(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _check_number(key: str, value: object, origin: object) -> RulesFileError | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return RulesFileError(
            origin, key, f"wanted a whole number, got {value!r} ({type(value).__name__})."
        )
    if value < 0:
        return RulesFileError(origin, key, f"cannot be negative, got {value}.")
    if value > _MAX_DAYS:
        return RulesFileError(
            origin, key, f"{value} is more than a year of business days; check the number."
        )
    if key == "max_status_checks" and value not in (1, 2):
        return RulesFileError(origin, key, f"must be 1 or 2, got {value}.")
    if key in _AT_LEAST_ONE and value < 1:
        return RulesFileError(
            origin, key, "must be at least 1: this step has to come after the one before it."
        )
    return None


def _apply(
    base: Mapping[str, Rule], changes: Mapping[str, Any], origin: object
) -> tuple[dict[str, Rule], list[RulesFileError]]:
    """Apply a coach's changes to ``base``; every problem is collected, none applied twice."""
    merged = dict(base)
    problems: list[RulesFileError] = []
    for key, raw in changes.items():
        if key not in base:
            problems.append(RulesFileError(origin, key, "unknown rule." + _suggest_key(key, base)))
            continue
        fields: dict[str, Any]
        if isinstance(raw, Mapping):
            fields = dict(raw)
            for sub in fields:
                if sub not in _COACH_FIELDS:
                    problems.append(
                        RulesFileError(
                            origin,
                            f"{key}.{sub}",
                            f"unknown field; a rule may set {', '.join(_COACH_FIELDS)}.",
                        )
                    )
            fields = {k: v for k, v in fields.items() if k in _COACH_FIELDS}
        else:
            fields = {"value": raw}
        bad = False
        if "value" in fields:
            problem = _check_number(key, fields["value"], origin)
            if problem:
                problems.append(problem)
                bad = True
        for text_field in ("why", "source"):
            if text_field in fields and not isinstance(fields[text_field], str):
                problems.append(
                    RulesFileError(origin, f"{key}.{text_field}", "wanted text in quotes.")
                )
                bad = True
        if not bad:
            merged[key] = replace(base[key], **fields, set_by=str(origin))
    if not problems:
        for start, due in _PAIRS:
            if merged[due].value < merged[start].value:
                key = due if due in changes else start
                problems.append(
                    RulesFileError(
                        origin,
                        key,
                        f"{due} ({merged[due].value}) cannot be earlier than "
                        f"{start} ({merged[start].value}).",
                    )
                )
    return merged, problems


def _read_toml(path: Path) -> tuple[dict[str, Any], RulesFileError | None]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8")), None
    except UnicodeDecodeError:
        return {}, RulesFileError(path, "(whole file)", "not UTF-8 text; save it as UTF-8.")
    except tomllib.TOMLDecodeError as err:
        return {}, RulesFileError(path, "(whole file)", f"not valid TOML: {err}.")
    except OSError as err:
        return {}, RulesFileError(path, "(whole file)", f"cannot be read: {err.strerror}.")


@cache
def _default_rules() -> dict[str, Rule]:
    data, problem = _read_toml(_RULES_FILE)
    if problem:
        raise problem
    rules = {}
    for key, fields in data.items():
        if key in (_CHANNEL, _GREETING):
            continue  # not timing rules: see channel_rule() and Rules.greeting
        missing = [f for f in _RULE_FIELDS if f not in fields]
        if missing:
            raise RulesFileError(_RULES_FILE, key, f"missing {', '.join(missing)}.")
        number = _check_number(key, fields["value"], _RULES_FILE)
        if number:
            raise number
        rules[key] = Rule(key=key, **{f: fields[f] for f in _RULE_FIELDS})
    return rules


@cache
def _default_greeting() -> str:
    data, problem = _read_toml(_RULES_FILE)
    if problem:
        raise problem
    value = data.get(_GREETING, {}).get("value", GREETINGS[0])
    if value not in GREETINGS:
        raise RulesFileError(_RULES_FILE, _GREETING, f"must be one of {', '.join(GREETINGS)}.")
    return value


def _coach_greeting(data: dict[str, Any], path: Path) -> tuple[str | None, list[RulesFileError]]:
    """Take the coach's ``greeting`` out of their file's data: (setting or None, problems)."""
    raw = data.pop(_GREETING, None)
    if raw is None:
        return None, []
    value = raw.get("value") if isinstance(raw, Mapping) else raw
    if isinstance(raw, Mapping) and set(raw) - set(_COACH_FIELDS):
        extra = ", ".join(sorted(set(raw) - set(_COACH_FIELDS)))
        return None, [RulesFileError(path, _GREETING, f"unknown field(s) {extra}; set value.")]
    if value not in GREETINGS:
        why = f'must be "first_name" or "title_surname", got {value!r}.'
        return None, [RulesFileError(path, _GREETING, why)]
    return value, []


def load_rules(data_dir: str | Path | None = None, *, strict: bool = False) -> Rules:
    """The timing rules: the package defaults, overridden by ``data_dir/rules.toml``.

    Parameters
    ----------
    data_dir
        The coach's data folder (``wb.data_dir``), or the path of a ``.toml`` file.
        ``None`` or a folder without ``rules.toml``: the defaults.
    strict
        ``False`` (default): a bad coach file is ignored as a whole, the defaults stay in
        force, a warning names the file and key, and ``rules.problems`` lists every
        problem. ``True``: the first problem is raised as
        :class:`~followup_kit.exceptions.RulesFileError`.

    Returns
    -------
    Rules
        A read-only mapping of rule name to number, e.g. ``rules["thank_you_due"] == 1``.

    Examples
    --------
    >>> load_rules()["status_check_start"]
    3
    """
    defaults = _default_rules()
    folder = None if data_dir is None else Path(data_dir)
    if folder is None:
        return Rules(defaults)
    path = folder if folder.suffix == ".toml" else folder / "rules.toml"
    home = path.parent if folder.suffix == ".toml" else folder
    if not path.is_file():
        return Rules(defaults, data_dir=home)
    data, problem = _read_toml(path)
    greeting, greeting_problems = _coach_greeting(data, path)
    problems = [problem] if problem else greeting_problems + _apply(defaults, data, path)[1]
    if problems:
        if strict:
            raise problems[0]
        warnings.warn(
            f"{problems[0]} The default timing rules are used instead"
            + (f" ({len(problems)} problems in all)." if len(problems) > 1 else "."),
            UserWarning,
            stacklevel=2,
        )
        return Rules(defaults, path=path, data_dir=home, problems=problems)
    merged = _apply(defaults, data, path)[0]
    return Rules(merged, path=path, data_dir=home, greeting=greeting)


def as_rules(rules: Rules | Mapping[str, Any] | None) -> Rules:
    if rules is None:
        return Rules(_default_rules())
    if isinstance(rules, Rules):
        return rules
    return Rules(_default_rules()).with_values(rules, origin="rules argument")


@cache
def channel_rule() -> Rule:
    """The channel rule: how a thank-you should go (``value``), with its why and source.

    It is not a timing rule (no number of days), so it is not in :class:`Rules`; the
    analytics check it against the coach's data beside the timing rules.

    Examples
    --------
    >>> channel_rule().value
    'email'
    """
    data, problem = _read_toml(_RULES_FILE)
    if problem:
        raise problem
    fields = data[_CHANNEL]
    missing = [f for f in _RULE_FIELDS if f not in fields]
    if missing:
        raise RulesFileError(_RULES_FILE, _CHANNEL, f"missing {', '.join(missing)}.")
    return Rule(key=_CHANNEL, **{f: fields[f] for f in _RULE_FIELDS})
