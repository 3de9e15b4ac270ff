"""The script library: loading scenario files, ranking them for a situation, rendering them."""

from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import TemplateSyntaxError, Undefined, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .exceptions import NotFoundError, ScriptFileError, TemplateError
from .schema import CHOICES, STEPS

__all__ = [
    "CALL_ANSWERS",
    "PLACEHOLDERS",
    "Dont",
    "Script",
    "When",
    "context_for",
    "get_script",
    "load_scripts",
    "parse_script",
    "render_script",
    "render_script_text",
    "scripts",
    "speaking_time",
    "suggest_for_steps",
    "suggest_scripts",
]

#: Channels a script can be written for (the follow-up table's channels).
CHANNELS: tuple[str, ...] = tuple(CHOICES["channel"])
#: Channels that are spoken rather than written.
SPOKEN: tuple[str, ...] = ("phone", "voicemail")

#: What the employer can say on a follow-up call, in the order the call coach shows them.
CALL_ANSWERS: dict[str, str] = {
    "no_decision": "No decision yet",
    "someone_else": "We chose someone else",
    "you_got_it": "You got it",
    "voicemail": "Voicemail",
    "call_back_later": "Call back later",
}

#: Placeholder names every script may use, and the visible blank shown when one is empty.
PLACEHOLDERS: dict[str, str] = {
    "client_name": "your name",
    "client_first_name": "your first name",
    "client_phone": "your phone number",
    "client_email": "your email",
    "interviewer": "interviewer's name",
    "interviewer_title": "interviewer's job title",
    "company": "company",
    "role": "job title",
    "round": "interview round",
    "interview_date": "day of the interview",
    "interview_day": "weekday of the interview",
    "decision_date": "date they said they would decide",
    "specific_point": "one thing you discussed",
    "new_point": "something new since you last wrote",
    "recruiter": "recruiter's name",
    "hr_contact": "HR contact's name",
    "other_company": "the other company",
    "offer_deadline": "date your answer to the other offer is due",
    "concern": "the concern they raised",
    "example_1": "a concrete example",
    "example_2": "a second example",
}

#: Situation flags a script can require or favour, with the words used in reasons.
FLAGS: dict[str, str] = {
    "decision_passed": "the date they gave for a decision has passed",
    "rejected": "they told you they chose someone else",
    "reposted": "the role has been posted again",
    "panel": "it was a panel interview",
    "agency": "you came through an agency recruiter",
    "hr": "you have only dealt with HR",
    "shortlisted": "they said you were through to another round",
    "other_offer": "you have another offer to answer",
}

_SLUG = re.compile(r"^[a-z][a-z0-9_]{1,79}$")
_FRONT = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019-][A-Za-z0-9]+)*")
_BUILTIN_DIR = Path(__file__).with_name("script_library")
_TOP_KEYS = {"id", "version", "title", "summary", "priority", "when", "dont", "placeholders"}
_WHEN_KEYS = {"steps", "statuses", "routes", "rounds", "requires", "favours"}


# --------------------------------------------------------------------------- model
@dataclass(frozen=True)
class When:
    """When a script fits: plan steps, interview statuses, routes, rounds and flags.

    An empty tuple means "any". ``requires`` flags must all hold for the script to be
    suggested; ``favours`` flags raise its rank when they hold.
    """

    steps: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    rounds: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    favours: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dont:
    """A line not to use, and why it hurts."""

    text: str
    why: str


@dataclass(frozen=True)
class Script:
    """One scenario: when it fits, the DO text per channel, the DON'Ts, the call branches.

    ``texts`` maps a channel (``"email"``, ``"phone"`` ...) to its template; phone
    branches are stored under ``"phone:<answer>"`` with the answer keys of :data:`CALL_ANSWERS`.
    """

    id: str
    version: str
    title: str
    summary: str = ""
    when: When = field(default_factory=When)
    texts: Mapping[str, str] = field(default_factory=dict)
    donts: tuple[Dont, ...] = ()
    placeholders: Mapping[str, str] = field(default_factory=dict)
    priority: int = 0
    notes: str = ""
    source: str = "built-in"
    path: str | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels this script has DO text for, in the standard order."""
        return tuple(c for c in CHANNELS if c in self.texts)

    @property
    def is_phone(self) -> bool:
        """Whether the call coach can walk through this script."""
        return "phone" in self.texts

    def branches(self) -> dict[str, str]:
        """The call's follow-up lines per answer (voicemail falls back to the voicemail text)."""
        out = {}
        for key in CALL_ANSWERS:
            text = self.texts.get(f"phone:{key}")
            if text is None and key == "voicemail":
                text = self.texts.get("voicemail")
            if text is not None:
                out[key] = text
        return out

    def text(self, channel: str) -> str:
        """The raw template for ``channel`` (or ``"phone:<answer>"``)."""
        if channel == "phone:voicemail" and channel not in self.texts:
            channel = "voicemail"
        try:
            return self.texts[channel]
        except KeyError:
            have = ", ".join(self.channels) or "none"
            raise TemplateError(
                f"Script {self.id!r} has no {channel!r} text; it has: {have}."
            ) from None

    def hints(self) -> dict[str, str]:
        """Blank hints for every placeholder, this script's own wording first."""
        return {**PLACEHOLDERS, **self.placeholders}


# --------------------------------------------------------------------------- loading
def _str_list(
    data: Mapping[str, Any], key: str, allowed: Iterable[str], path: Path, where: str
) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScriptFileError(path, f"{where}.{key}", 'should be a list of words, e.g. ["a"].')
    allowed = list(allowed)
    bad = [v for v in value if v not in allowed]
    if bad:
        raise ScriptFileError(
            path, f"{where}.{key}", f"unknown value(s) {bad}; choose from {allowed}."
        )
    return tuple(value)


def _heading_key(heading: str) -> str | None:
    """``"phone: no decision yet"`` -> ``"phone:no_decision"``; None if not a known heading."""
    norm = re.sub(r"[^a-z0-9:]+", "_", heading.casefold()).strip("_")
    norm = re.sub(r"_*:_*", ":", norm)
    if norm in CHANNELS:
        return norm
    if norm.startswith("phone:"):
        answer = norm.split(":", 1)[1]
        for key, label in CALL_ANSWERS.items():
            label_norm = re.sub(r"[^a-z0-9]+", "_", label.casefold()).strip("_")
            if answer in (key, label_norm):
                return f"phone:{key}"
    return None


def _split_body(body: str, path: Path) -> tuple[str, dict[str, str]]:
    parts = _HEADING.split(body)
    notes, texts = parts[0].strip(), {}
    for heading, text in zip(parts[1::2], parts[2::2], strict=True):
        key = _heading_key(heading)
        if key is None:
            raise ScriptFileError(
                path,
                f"## {heading}",
                "unknown section; use a channel "
                f"({', '.join(CHANNELS)}) or 'phone: <answer>' with an answer from "
                f"{list(CALL_ANSWERS.values())}.",
            )
        if key in texts:
            raise ScriptFileError(path, f"## {heading}", "this section appears twice.")
        if not text.strip():
            raise ScriptFileError(path, f"## {heading}", "the section is empty.")
        texts[key] = text.strip()
    return notes, texts


def parse_script(text: str, path: str | Path = "<text>", *, source: str = "coach") -> Script:
    """Read one script file's text; raise :class:`ScriptFileError` naming the bad field."""
    path = Path(path)
    m = _FRONT.match(text)
    if not m:
        raise ScriptFileError(
            path, "front matter", "the file must start with TOML between two '+++' lines."
        )
    try:
        meta_ = tomllib.loads(m.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise ScriptFileError(path, "front matter", f"not valid TOML ({exc}).") from None
    unknown = sorted(set(meta_) - _TOP_KEYS)
    if unknown:
        raise ScriptFileError(path, unknown[0], f"unknown key; known keys: {sorted(_TOP_KEYS)}.")
    sid = meta_.get("id")
    if not isinstance(sid, str) or not _SLUG.match(sid):
        raise ScriptFileError(
            path, "id", f"got {sid!r}; want lower-case letters, digits and _ (e.g. my_script)."
        )
    version = meta_.get("version")
    if isinstance(version, bool) or not isinstance(version, str | int | float) or not str(version):
        raise ScriptFileError(path, "version", f'got {version!r}; want e.g. "1.0".')
    version = str(version)
    if len(version) > 20:
        raise ScriptFileError(path, "version", "keep it to 20 characters or fewer.")
    title = meta_.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ScriptFileError(path, "title", "missing; give the scenario a short title.")
    summary = meta_.get("summary", "")
    if not isinstance(summary, str):
        raise ScriptFileError(path, "summary", "should be text.")
    priority = meta_.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ScriptFileError(path, "priority", f"got {priority!r}; want a whole number.")

    when_raw = meta_.get("when", {})
    if not isinstance(when_raw, dict):
        raise ScriptFileError(path, "when", "should be a [when] table.")
    bad_keys = sorted(set(when_raw) - _WHEN_KEYS)
    if bad_keys:
        raise ScriptFileError(
            path, f"when.{bad_keys[0]}", f"unknown key; use {sorted(_WHEN_KEYS)}."
        )
    when = When(
        steps=_str_list(when_raw, "steps", STEPS, path, "when"),
        statuses=_str_list(when_raw, "statuses", CHOICES["status"], path, "when"),
        routes=_str_list(when_raw, "routes", CHOICES["contact_route"], path, "when"),
        rounds=_str_list(when_raw, "rounds", CHOICES["round"], path, "when"),
        requires=_str_list(when_raw, "requires", FLAGS, path, "when"),
        favours=_str_list(when_raw, "favours", FLAGS, path, "when"),
    )

    donts_raw = meta_.get("dont", [])
    if not isinstance(donts_raw, list) or len(donts_raw) < 2:
        raise ScriptFileError(
            path, "dont", "give at least two [[dont]] examples, each with text and why."
        )
    donts = []
    for i, d in enumerate(donts_raw, 1):
        if not isinstance(d, dict) or not all(
            isinstance(d.get(k), str) and d.get(k).strip() for k in ("text", "why")
        ):
            raise ScriptFileError(path, f"dont #{i}", 'needs both text = "..." and why = "...".')
        donts.append(Dont(d["text"].strip(), d["why"].strip()))

    holders = meta_.get("placeholders", {})
    if not isinstance(holders, dict) or not all(isinstance(v, str) for v in holders.values()):
        raise ScriptFileError(path, "placeholders", "should map names to hint text.")

    notes, texts = _split_body(text[m.end() :], path)
    if not any(k in CHANNELS for k in texts):
        raise ScriptFileError(
            path,
            "channels",
            f"no DO text; add a section such as '## email' ({', '.join(CHANNELS)}).",
        )
    if "phone" in texts:
        for key, label in CALL_ANSWERS.items():
            if key == "voicemail" and "voicemail" in texts:
                continue
            if f"phone:{key}" not in texts:
                raise ScriptFileError(
                    path,
                    f"## phone: {label.lower()}",
                    "a phone script needs lines for this answer.",
                )
    elif any(k.startswith("phone:") for k in texts):
        raise ScriptFileError(path, "## phone", "answer sections need the call opener first.")
    for key, body in texts.items():
        try:
            _check_template(body)
        except TemplateError as exc:
            raise ScriptFileError(path, f"## {key}", str(exc)) from None
    return Script(
        id=sid,
        version=version,
        title=title.strip(),
        summary=summary.strip(),
        when=when,
        texts=texts,
        donts=tuple(donts),
        placeholders=dict(holders),
        priority=priority,
        notes=notes,
        source=source,
        path=str(path),
    )


def _read_dir(directory: Path, source: str) -> tuple[dict[str, Script], list[ScriptFileError]]:
    found: dict[str, Script] = {}
    errors: list[ScriptFileError] = []
    for path in sorted(directory.glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(ScriptFileError(path, "file", f"could not be read ({exc})."))
            continue
        try:
            script = parse_script(text, path, source=source)
        except ScriptFileError as exc:
            errors.append(exc)
            continue
        if script.id in found:
            errors.append(
                ScriptFileError(
                    path, "id", f"{script.id!r} is already used by {found[script.id].path}."
                )
            )
            continue
        found[script.id] = script
    return found, errors


@cache
def _builtin() -> tuple[dict[str, Script], tuple[ScriptFileError, ...]]:
    found, errors = _read_dir(_BUILTIN_DIR, "built-in")
    return found, tuple(errors)


def _coach_dir(extra_dir: Any) -> Path | None:
    if extra_dir is None:
        return None
    if hasattr(extra_dir, "data_dir"):  # a Workbook: its coach scripts live in data/scripts
        return Path(extra_dir.data_dir) / "scripts"
    return Path(extra_dir)


def load_scripts(
    extra_dir: Any = None, *, errors: str = "collect"
) -> tuple[dict[str, Script], list[ScriptFileError]]:
    """Load the built-in scripts and a coach's folder of overrides.

    Parameters
    ----------
    extra_dir
        A folder of ``*.md`` script files (or a Workbook, meaning ``wb.data_dir / "scripts"``).
        A file whose id matches a built-in script replaces it; a new id adds a scenario.
    errors
        ``"collect"`` (default): a broken file is skipped and its error returned, every
        other script still loads. ``"raise"``: the first broken file raises.

    Returns
    -------
    (scripts, problems)
        Scripts by id, and one :class:`ScriptFileError` per broken file.
    """
    if errors not in ("collect", "raise"):
        raise ValueError(f"errors should be 'collect' or 'raise', got {errors!r}")
    base, base_errors = _builtin()
    library, problems = dict(base), list(base_errors)
    folder = _coach_dir(extra_dir)
    if folder is not None and folder.is_dir():
        coach, coach_errors = _read_dir(folder, "coach")
        library.update(coach)
        problems += coach_errors
    if problems and errors == "raise":
        raise problems[0]
    return library, problems


def get_script(script_id: str, extra_dir: Any = None) -> Script:
    """The script with this id (a coach's override wins over the built-in one)."""
    library, _ = load_scripts(extra_dir)
    try:
        return library[script_id]
    except KeyError:
        raise TemplateError(
            f"There is no script {script_id!r}; known ids: {', '.join(sorted(library))}."
        ) from None


def speaking_time(text: str, *, words_per_minute: float = 150.0) -> int:
    """Seconds it takes to say ``text`` aloud at about 150 words a minute.

    Examples
    --------
    >>> speaking_time("word " * 150)
    60
    """
    words = len(_WORD.findall(text or ""))
    return int(round(words * 60.0 / words_per_minute))


def _spoken_text(script: Script) -> str:
    """What the client would say aloud: the call opener, else voicemail, else the first text."""
    for key in ("phone", "voicemail", *script.channels):
        if key in script.texts:
            return script.texts[key]
    return ""


def scripts(extra_dir: Any = None) -> pd.DataFrame:
    """Every script as a table: id, version, title, when it fits, channels, speaking time.

    Broken coach files are listed in ``frame.attrs["errors"]`` (ScriptFileError objects),
    so a notebook can show them while every other script is still listed.
    """
    library, problems = load_scripts(extra_dir)
    rows = []
    for s in sorted(library.values(), key=lambda s: s.id):
        rows.append(
            {
                "id": s.id,
                "version": s.version,
                "title": s.title,
                "steps": ", ".join(s.when.steps) or "any",
                "statuses": ", ".join(s.when.statuses) or "any",
                "routes": ", ".join(s.when.routes) or "any",
                "channels": ", ".join(s.channels),
                "phone_branches": len(s.branches()) if s.is_phone else 0,
                "donts": len(s.donts),
                "speaking_seconds": speaking_time(
                    _render(_spoken_text(s), {}, s.hints(), strict=False)
                ),
                "source": s.source,
                "summary": s.summary,
            }
        )
    frame = pd.DataFrame(rows)
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].astype("string")
    frame.attrs["errors"] = problems
    return frame


# --------------------------------------------------------------------------- suggesting
def _flags(
    *,
    status: str | None,
    contact_route: str | None,
    round: str | None,
    decision_passed: bool,
    rejected: bool,
    reposted: bool,
    panel: bool,
    agency: bool,
    other_offer: bool,
) -> frozenset[str]:
    on = {
        "decision_passed": decision_passed,
        "rejected": rejected or status == "rejected",
        "reposted": reposted,
        "panel": panel or round == "panel",
        "agency": agency or contact_route == "agency",
        "hr": contact_route == "hr",
        "shortlisted": status == "next_round",
        "other_offer": other_offer,
    }
    return frozenset(k for k, v in on.items() if v)


def _score(
    s: Script,
    step: str | None,
    status: str | None,
    route: str | None,
    round_: str | None,
    flags: frozenset[str],
) -> tuple[int, bool, list[str]] | None:
    """(score, step matches, reasons) for one script in one situation; None if it does not fit."""
    w = s.when
    missing = [f for f in w.requires if f not in flags]
    if missing:
        return None
    score, reasons = s.priority, []
    step_ok = step is not None and step in w.steps
    if step is not None:
        if step_ok:
            score += 3
            reasons.append(f"made for the {CHOICES['step'][step].lower()} step")
        elif w.steps:
            score -= 3
    if status is not None and w.statuses:
        if status not in w.statuses:
            return None
        score += 1
    if route is not None and w.routes and route not in w.routes:
        return None
    if round_ is not None and w.rounds and round_ not in w.rounds:
        return None
    for f in dict.fromkeys((*w.requires, *w.favours)):
        if f in flags:
            score += 2
            reasons.append(FLAGS[f])
    return score, step_ok, reasons


def _ranked(
    library: Mapping[str, Script],
    step: str | None,
    status: str | None,
    route: str | None,
    round_: str | None,
    flags: frozenset[str],
) -> list[tuple[int, bool, list[str], Script]]:
    out = []
    for s in library.values():
        got = _score(s, step, status, route, round_, flags)
        if got is not None:
            out.append((*got, s))
    # Scripts made for the step come first; "any step" scripts follow, by score.
    out.sort(key=lambda r: (not r[1], -r[0], -r[3].priority, r[3].id))
    return out


def _check_choice(name: str, value: str | None, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise ValueError(f"{name} should be one of {allowed} (or None), got {value!r}")


def suggest_scripts(
    *,
    step: str | None = None,
    status: str | None = None,
    contact_route: str | None = None,
    round: str | None = None,  # noqa: A002 - the schema's field name
    decision_passed: bool = False,
    rejected: bool = False,
    reposted: bool = False,
    panel: bool = False,
    agency: bool = False,
    other_offer: bool = False,
    extra_dir: Any = None,
) -> pd.DataFrame:
    """Rank the scripts for a situation, best first, each with a reason in plain words.

    Parameters
    ----------
    step
        The plan step (one of ``followup_kit.STEPS``), or None for any.
    status, contact_route, round
        The interview's status, route and round as stored (None: not known).
    decision_passed, rejected, reposted, panel, agency, other_offer
        What has happened: the promised decision date passed, a rejection came, the role
        was re-posted, it was a panel, the client came through an agency, the client holds
        another offer.
    extra_dir
        A coach's script folder (or a Workbook).

    Returns
    -------
    DataFrame
        Columns id, title, version, score, fits_step, channels, reason. Scripts that do
        not fit the situation (or, when ``step`` is given, were made for another step)
        are left out; scripts for any step stay, ranked below those made for it.

    Examples
    --------
    >>> suggest_scripts(step="thank_you", round="panel")["id"].iloc[0]
    'panel_thank_you'
    """
    _check_choice("step", step, STEPS)
    _check_choice("status", status, CHOICES["status"])
    _check_choice("contact_route", contact_route, CHOICES["contact_route"])
    _check_choice("round", round, CHOICES["round"])
    library, _ = load_scripts(extra_dir)
    flags = _flags(
        status=status,
        contact_route=contact_route,
        round=round,
        decision_passed=decision_passed,
        rejected=rejected,
        reposted=reposted,
        panel=panel,
        agency=agency,
        other_offer=other_offer,
    )
    rows = []
    for score, step_ok, reasons, s in _ranked(library, step, status, contact_route, round, flags):
        if step is not None and not step_ok and s.when.steps:
            continue  # made for another step of the plan
        reason = "; ".join(reasons).capitalize() if reasons else "A general script for this stage"
        if s.summary:
            reason = f"{reason}. {s.summary}"
        rows.append(
            {
                "id": s.id,
                "title": s.title,
                "version": s.version,
                "score": score,
                "fits_step": step_ok,
                "channels": ", ".join(s.channels),
                "reason": reason,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["id", "title", "version", "score", "fits_step", "channels", "reason"]
    )
    return frame.astype(
        {
            "id": "string",
            "title": "string",
            "version": "string",
            "channels": "string",
            "reason": "string",
            "score": "int64",
            "fits_step": "bool",
        }
    )


def _best_id(
    library: Mapping[str, Script],
    step: str | None,
    route: str | None,
    round_: str | None,
    status: str | None,
    passed: bool,
) -> Any:
    step, route, round_, status = (
        None if v is None else str(v) for v in (step, route, round_, status)
    )
    if step is None:
        return pd.NA
    flags = _flags(
        status=status,
        contact_route=route,
        round=round_,
        decision_passed=passed,
        rejected=False,
        reposted=False,
        panel=False,
        agency=False,
        other_offer=False,
    )
    for _, step_ok, _, s in _ranked(library, step, status, route, round_, flags):
        return s.id if step_ok else pd.NA
    return pd.NA


_STEP_COLUMNS = ("step", "contact_route", "round", "status", "decision_passed")
_DEFAULTS = {
    "contact_route": "direct",
    "round": "first",
    "status": "open",
    "decision_passed": False,
}


def suggest_for_steps(frame: pd.DataFrame, *, extra_dir: Any = None) -> pd.Series:
    """The best script id for each plan row, vectorised over many rows.

    Parameters
    ----------
    frame
        Columns ``step`` (one of ``followup_kit.STEPS``), ``contact_route``, ``round``,
        ``status`` and ``decision_passed`` (bool). Missing optional columns take the
        defaults direct / first / open / False.
    extra_dir
        A coach's script folder (or a Workbook).

    Returns
    -------
    Series
        Script ids (string dtype) on the frame's index, named ``script_id``. Rows with no
        fitting script (the "close as ghosted" step sends nothing) hold ``<NA>``.

    Notes
    -----
    The ranking runs once per distinct combination of the five columns (a few hundred at
    most), then the answers are mapped back to the rows.
    """
    if "step" not in frame.columns:
        raise ValueError("suggest_for_steps needs a 'step' column")
    library, _ = load_scripts(extra_dir)
    if len(frame) == 0:
        return pd.Series([], index=frame.index, dtype="string", name="script_id")
    # One integer key per row from each column's codes (mixed radix), so finding the
    # distinct combinations is a single hash pass over ints instead of over tuples.
    key = np.zeros(len(frame), dtype=np.int64)
    levels = []
    for col in _STEP_COLUMNS:
        if col in frame.columns:
            codes, uniques = pd.factorize(frame[col], use_na_sentinel=True)
            values = [None if _is_blank(v) else v for v in uniques]
        else:
            codes, values = np.zeros(len(frame), dtype=np.intp), [_DEFAULTS[col]]
        codes = np.where(codes < 0, len(values), codes)  # NA gets its own level
        values.append(None)
        key = key * len(values) + codes
        levels.append(values)
    combo_codes, combos = pd.factorize(key)
    answers = []
    for combo in combos:
        picked = []
        for values in reversed(levels):
            combo, i = divmod(int(combo), len(values))
            picked.append(values[i])
        step, route, round_, status, passed = reversed(picked)
        answers.append(_best_id(library, step, route, round_, status, bool(passed)))
    values = pd.array(answers, dtype="string")
    return pd.Series(values.take(combo_codes), index=frame.index, name="script_id")


# --------------------------------------------------------------------------- rendering
class _BlankText(str):
    """A filled-in blank: prints as "[hint]" but counts as empty in ``{% if %}``."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False


class _Blank(Undefined):
    """A missing placeholder renders as a visible blank; unsafe access still raises."""

    __slots__ = ()
    hints: Mapping[str, str] = PLACEHOLDERS

    def _unsafe(self) -> bool:
        return isinstance(self._undefined_exception, type) and issubclass(
            self._undefined_exception, SecurityError
        )

    def __str__(self) -> str:
        if self._unsafe():
            self._fail_with_undefined_error()
        name = self._undefined_name or "missing"
        return f"[{self.hints.get(name, name.replace('_', ' '))}]"

    def __iter__(self):  # type: ignore[override]
        if self._unsafe():
            self._fail_with_undefined_error()
        return iter(())

    def __bool__(self) -> bool:
        if self._unsafe():
            self._fail_with_undefined_error()
        return False

    def __len__(self) -> int:
        if self._unsafe():
            self._fail_with_undefined_error()
        return 0


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with no globals and limits on string/number blow-ups."""

    intercepted_binops = frozenset({"*", "**"})
    _LIMIT = 20_000

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("that power is too large for a script")
            return operator.pow(left, right)
        if isinstance(left, int | float) and isinstance(right, int | float):
            return left * right
        size = len(left) if hasattr(left, "__len__") else 1
        count = right if isinstance(right, int) else (left if isinstance(left, int) else 1)
        if isinstance(left, int) and hasattr(right, "__len__"):
            size = len(right)
        if size * abs(count) > self._LIMIT:
            raise SecurityError("that repetition makes the text too long")
        return left * right


def _finalize(value: Any) -> Any:
    return "[missing]" if value is None else value


@cache
def _env() -> _Sandbox:
    env = _Sandbox(autoescape=False, undefined=_Blank, finalize=_finalize)
    env.globals.clear()  # no range, cycler, joiner, namespace, lipsum, dict
    return env


# Names and filters a script never needs: Jinja's globals (cycler, joiner, namespace ...)
# and the filters that reach attributes by a name given as text.
_FORBIDDEN_NAMES = frozenset(
    "cycler joiner namespace lipsum range dict self config request os sys builtins import "
    "open eval exec globals locals vars getattr setattr type object super varargs kwargs "
    "caller".split()
)
_FORBIDDEN_FILTERS = frozenset(
    "attr xmlattr map selectattr rejectattr groupby sort unique min max sum indent pprint".split()
)


def _check_template(text: str) -> nodes.Template:
    """Parse a template and refuse anything beyond plain placeholders, ifs, loops and filters."""
    env = _env()
    try:
        tree = env.parse(text)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None
    for node in tree.find_all(
        (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block)
    ):
        kind = type(node).__name__.lower()
        raise TemplateError(
            f"a script cannot {kind} other files or templates (line {node.lineno})."
        )
    for node in tree.find_all(nodes.Name):
        if node.name.startswith("_") or node.name in _FORBIDDEN_NAMES:
            raise TemplateError(
                f"the name {node.name!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all(nodes.Getattr):
        if node.attr.startswith("_"):
            raise TemplateError(
                f"reaching {node.attr!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all(nodes.Getitem):
        if (
            isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and (node.arg.value.startswith("_"))
        ):
            raise TemplateError(
                f"reaching {node.arg.value!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Filter) and node.name in _FORBIDDEN_FILTERS:
            raise TemplateError(
                f"the filter {node.name!r} is not allowed in a script (line {node.lineno})."
            )
    for node in tree.find_all(nodes.Const):
        if isinstance(node.value, str) and "__" in node.value:
            raise TemplateError(
                f"text containing '__' is not allowed inside template code (line {node.lineno})."
            )
    return tree


def _is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _render(
    text: str, context: Mapping[str, Any], hints: Mapping[str, str], *, strict: bool
) -> str:
    tree = _check_template(text)
    names = meta.find_undeclared_variables(tree)
    ctx = {k: v for k, v in context.items() if isinstance(k, str) and not k.startswith("_")}
    for name in names:
        if _is_blank(ctx.get(name)):
            if strict:
                raise TemplateError(
                    f"the placeholder {{{{ {name} }}}} has no value; fill in "
                    f"{hints.get(name, name.replace('_', ' '))!r} first."
                )
            ctx[name] = _BlankText(f"[{hints.get(name, name.replace('_', ' '))}]")
    try:
        rendered = _env().from_string(tree).render(ctx)
    except TemplateError:
        raise
    except (SecurityError, UndefinedError) as exc:
        raise TemplateError(f"the script tried something not allowed: {exc}") from None
    except TemplateNotFound as exc:
        raise TemplateError(f"a script cannot read other files ({exc}).") from None
    except (
        TypeError,
        ValueError,
        ArithmeticError,
        AttributeError,
        KeyError,
        IndexError,
        RecursionError,
        OverflowError,
    ) as exc:
        raise TemplateError(f"the script could not be filled in: {exc}") from None
    return rendered.strip()


def render_script_text(
    template_text: str, context: Mapping[str, Any], *, strict: bool = False
) -> str:
    """Fill a script template in a sandbox.

    Parameters
    ----------
    template_text
        Jinja2 text using placeholders such as ``{{ interviewer }}``. Only placeholders,
        ``if``/``for`` and simple filters are allowed; reaching Python internals
        (``__class__``, ``__globals__`` ...), other files or globals such as ``cycler``
        raises :class:`followup_kit.TemplateError`.
    context
        Placeholder values, e.g. from :func:`context_for`.
    strict
        If True, a placeholder without a value raises TemplateError naming it; otherwise
        it shows as a visible blank such as ``[one thing you discussed]``.

    Examples
    --------
    >>> render_script_text("Thanks, {{ interviewer }}!", {})
    "Thanks, [interviewer's name]!"
    """
    if not isinstance(template_text, str):
        raise TemplateError(f"a template should be text, got {type(template_text).__name__}.")
    return _render(template_text, context or {}, PLACEHOLDERS, strict=strict)


def render_script(
    script: Script | str,
    channel: str,
    context: Mapping[str, Any],
    *,
    strict: bool = False,
    extra_dir: Any = None,
) -> str:
    """Fill one channel of a script (``"email"``, ``"phone"``, ``"phone:no_decision"`` ...).

    Examples
    --------
    >>> text = render_script("thank_you_note", "email", {"interviewer": "Dana"})
    >>> "Dana" in text and "None" not in text
    True
    """
    if isinstance(script, str):
        script = get_script(script, extra_dir)
    return _render(script.text(channel), context or {}, script.hints(), strict=strict)


# --------------------------------------------------------------------------- context
def _date_words(value: Any) -> str | None:
    if _is_blank(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        value = value.date()
    if not isinstance(value, date):
        return str(value)
    return f"{value:%A} {value.day} {value:%B}"


def context_for(
    wb: Any,
    interview_id: int,
    *,
    interviewer: str | None = None,
    specific_point: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Placeholder values for one logged interview.

    Parameters
    ----------
    wb
        An open Workbook.
    interview_id
        The interview the follow-up is about.
    interviewer
        Whom the message is to; defaults to the first interviewer logged for it.
    specific_point
        One thing from the conversation, typed by the client.
    **extra
        Any further placeholder values (``new_point``, ``recruiter`` ...).

    Returns
    -------
    dict
        client_name, client_first_name, interviewer, interviewer_title, company, role,
        round, interview_date ("Tuesday 4 March"), interview_day, decision_date,
        specific_point, and the extras. Unknown values are None (they render as blanks).
    """
    interviews = wb.interviews()
    row = interviews.loc[interviews["id"] == interview_id]
    if row.empty:
        raise NotFoundError("interviews", interview_id)
    iv = row.iloc[0]
    clients = wb.clients()
    crow = clients.loc[clients["id"] == iv["client_id"]]
    name = None if crow.empty else crow.iloc[0]["name"]
    name = None if _is_blank(name) else str(name)
    title = None
    if interviewer is None:
        people = wb.interviewers(int(iv["client_id"]))
        people = people.loc[people["interview_id"] == interview_id]
        if not people.empty:
            interviewer = str(people.iloc[0]["name"])
            t = people.iloc[0].get("title")
            title = None if _is_blank(t) else str(t)
    day = iv["interview_date"]
    out = {
        "client_name": name,
        "client_first_name": name.split()[0] if name else None,
        "interviewer": interviewer,
        "interviewer_title": title,
        "company": None if _is_blank(iv["company"]) else str(iv["company"]),
        "role": None if _is_blank(iv["role"]) else str(iv["role"]),
        "round": None if _is_blank(iv["round"]) else CHOICES["round"].get(str(iv["round"])),
        "interview_date": _date_words(day),
        "interview_day": None if _is_blank(day) else f"{pd.Timestamp(day):%A}",
        "decision_date": _date_words(iv.get("decision_expected")),
        "specific_point": specific_point or None,
    }
    out.update(extra)
    return out
