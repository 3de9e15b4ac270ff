"""The script library: loading scenario files, ranking them for a situation, timing them.

Filling a script in (the Jinja2 sandbox, the blanks, the values for an interview) is in
:mod:`~followup_kit.templates`; :func:`render_script` here looks a script up and fills it.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ScriptFileError, TemplateError
from .schema import CHOICES, STEPS
from .templates import (
    PLACEHOLDERS,
    check_template,
    is_blank,
    render_template,
)

__all__ = [
    "CALL_ANSWERS",
    "Dont",
    "Guide",
    "Script",
    "When",
    "flow_paragraphs",
    "get_script",
    "guide",
    "guides",
    "load_scripts",
    "parse_script",
    "render_script",
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
_GUIDES_DIR = Path(__file__).with_name("guides")
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
            check_template(body)
        except TemplateError as exc:
            raise ScriptFileError(path, f"## {key}", str(exc)) from None
    _try_filling(texts, {**PLACEHOLDERS, **holders}, path)
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


def _try_filling(texts: Mapping[str, str], hints: Mapping[str, str], path: Path) -> None:
    """Fill every section once with sample values and once with blanks.

    A script can be well formed and still fail when filled in (``{{ 1 // 0 }}``, a text
    over the sandbox's limits); finding that out now keeps one bad file from breaking
    the script list, the editor and the rehearsal later.
    """
    samples = {name: hint for name, hint in hints.items()}
    for key, body in texts.items():
        for context in (samples, {}):
            try:
                render_template(body, context, hints, strict=False)
            except TemplateError as exc:
                filled = "sample values" if context else "blanks"
                raise ScriptFileError(
                    path, f"## {key}", f"could not be filled in with {filled}: {exc}"
                ) from None


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
                    render_template(_spoken_text(s), {}, s.hints(), strict=False)
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
            values = [None if is_blank(v) else v for v in uniques]
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


# --------------------------------------------------------------------------- flowing
# Script files are wrapped at about 88 characters so a coach can read and edit them; a
# message pasted into a mail, LinkedIn or a text must not break where the file did.
_SUBJECT = re.compile(r"^subject\s*:", re.I)
_BULLET = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+")
_GREETING = re.compile(
    r"^(?:dear|hello|hi|hey|good (?:morning|afternoon|evening)|greetings|to)\b[^.!?]*,$",
    re.I,
)
_SIGN_OFF = re.compile(
    r"^(?:best|kind|warm|warmest|with|many|thanks|thank you|yours|sincerely|regards|"
    r"cheers|all the best|respectfully|cordially|speak soon|take care)\b[^.!?]*,$",
    re.I,
)
_SHORT_LINE = 8  # words: a greeting or a sign-off line is never longer than this


def _is_short(line: str) -> bool:
    return len(line.split()) <= _SHORT_LINE


def _flow_block(lines: list[str]) -> list[str]:
    """One paragraph's lines: prose joined with spaces, deliberate breaks kept.

    A greeting counts only as a paragraph's first line, a sign-off only there or after
    a finished sentence, so a wrapped line that happens to end in a comma is still prose.
    """
    out: list[str] = []
    joining = False  # whether the next prose line continues the last one in ``out``
    signing = False  # inside a sign-off block: every line stays as it is
    for i, line in enumerate(lines):
        after_sentence = i == 0 or out[-1].endswith((".", "!", "?"))
        if signing:
            out.append(line)
        elif _SUBJECT.match(line) or (i == 0 and _GREETING.match(line) and _is_short(line)):
            out.append(line)
            joining = False
        elif after_sentence and _SIGN_OFF.match(line) and _is_short(line):
            out.append(line)
            signing = True
        elif _BULLET.match(line):
            out.append(line)
            joining = True  # a wrapped list item continues on the next line
        elif joining and out:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
            joining = True
    return out


def flow_paragraphs(text: str) -> str:
    r"""Join the lines of each prose paragraph, keeping the breaks people put on purpose.

    Lines inside a paragraph are joined with one space, so a message reads the same in
    any mail program or message box. Kept as they are: blank lines between paragraphs,
    a ``Subject:`` line, a greeting line ("Dear Dana,"), a sign-off block ("Best
    regards," and the lines after it: name, phone) and list items ("- ...", "1. ...").

    Examples
    --------
    >>> flow_paragraphs("Dear Dana,\n\nThank you for\nyour time.\n\nBest regards,\nAlex")
    'Dear Dana,\n\nThank you for your time.\n\nBest regards,\nAlex'
    """
    paragraphs: list[list[str]] = [[]]
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(_flow_block(p)) for p in paragraphs if p)


# --------------------------------------------------------------------------- rendering
# The sandbox is in templates; looking a script up by id is the library's job, so this
# stays here and templates imports nothing from the library.
def render_script(
    script: Script | str,
    channel: str,
    context: Mapping[str, Any],
    *,
    strict: bool = False,
    extra_dir: Any = None,
) -> str:
    """Fill one channel of a script (``"email"``, ``"phone"``, ``"phone:no_decision"`` ...).

    The result is ready to send: the file's wrapped lines are joined into paragraphs
    (:func:`flow_paragraphs`), and an empty placeholder shows as a visible blank such as
    ``[one thing you discussed]`` (or raises :class:`TemplateError` when ``strict``).

    Examples
    --------
    >>> text = render_script("thank_you_note", "email", {"interviewer": "Dana"})
    >>> "Dana" in text and "None" not in text
    True
    """
    if isinstance(script, str):
        script = get_script(script, extra_dir)
    text = render_template(script.text(channel), context or {}, script.hints(), strict=strict)
    return flow_paragraphs(text)


# --------------------------------------------------------------------------- guides
@dataclass(frozen=True, repr=False)
class Guide:
    """A short guide shipped with the package (Markdown), shown as an expandable section.

    ``text`` is the Markdown; in a notebook the guide shows as a closed section titled
    by its first heading, which opens on a click.
    """

    name: str
    title: str
    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Guide {self.name!r}: {self.title} (open it to read)"

    def html(self, *, open_: bool = False) -> str:
        """The guide as an HTML ``<details>`` section (closed unless ``open_``)."""
        text = self.text.split("\n", 1)[1] if self.text.startswith("# ") else self.text
        body = _markdown_html(text)  # the title is the summary line
        state = " open" if open_ else ""
        return (
            f"<details class='fk-guide'{state}><summary><b>{html.escape(self.title)}</b>"
            f"</summary>{body}</details>"
        )

    def _repr_html_(self) -> str:
        return self.html()


_INLINE_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+")


def _inline(text: str) -> str:
    return _INLINE_BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def _markdown_html(text: str) -> str:
    """The little Markdown the guides use: headings, paragraphs, lists and bold."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("#"):
            level = min(len(lines[0]) - len(lines[0].lstrip("#")) + 2, 6)
            out.append(f"<h{level}>{_inline(lines[0].lstrip('#').strip())}</h{level}>")
            lines = lines[1:]
            if not lines:
                continue
        if _ITEM.match(lines[0]):
            tag = "ol" if lines[0][0].isdigit() else "ul"
            items: list[str] = []
            for line in lines:
                if _ITEM.match(line):
                    items.append(_ITEM.sub("", line))
                else:
                    items[-1] += " " + line
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{tag}>")
        else:
            out.append(f"<p>{_inline(' '.join(lines))}</p>")
    return "".join(out)


def guides() -> list[str]:
    """The names of the guides shipped with the package (``["military"]``)."""
    return sorted(p.stem for p in _GUIDES_DIR.glob("*.md"))


def guide(name: str = "military") -> Guide:
    """A guide shipped with the package, such as ``"military"``.

    In a notebook it shows as a closed section the reader opens; ``str(guide(...))`` is
    its Markdown text.

    Examples
    --------
    >>> guide("military").title
    'Coming from the military: following up is part of the job'
    """
    known = guides()
    if name not in known:
        raise TemplateError(f"There is no guide {name!r}; the guides are: {', '.join(known)}.")
    text = (_GUIDES_DIR / f"{name}.md").read_text(encoding="utf-8").strip()
    first = text.splitlines()[0] if text else ""
    title = first.lstrip("#").strip() if first.startswith("#") else name.capitalize()
    return Guide(name=name, title=title, text=text)
