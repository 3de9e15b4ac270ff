"""Practice widgets: pick and edit a script with a live tone check, walk a call, rehearse aloud."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .exceptions import FollowupKitError, ValidationError
from .forms import escape_html, format_day
from .library import (
    CALL_ANSWERS,
    Script,
    context_for,
    get_script,
    load_scripts,
    render_script,
    speaking_time,
    suggest_scripts,
)
from .schema import CHOICES, STEPS
from .tone import Finding, check_tone, highlight_findings

__all__ = [
    "CallCoach",
    "Debouncer",
    "Rehearsal",
    "ScriptEditor",
    "call_coach",
    "call_outcome",
    "kind_for_step",
    "log_call",
    "log_from_script",
    "next_follow_up_number",
    "rehearsal",
    "script_editor",
    "tone_panel_html",
]

_RED = "#b3261e"
_GREEN = "#1b5e20"
_MARK_CSS = (
    "<style>.fk-tone mark{background:#ffe08a;padding:0 2px;border-radius:2px}"
    ".fk-tone mark.tone-hostile{background:#ffc4bd}.fk-tone mark.tone-pushy{background:#ffd8a8}"
    ".fk-tone mark.tone-self_deprecating{background:#d9e7ff}</style>"
)
#: The follow-up kind logged for each plan step (the follow-ups table has no "second" kind).
_KIND_FOR_STEP = {
    "thank_you": "thank_you",
    "status_check": "status_check",
    "second_follow_up": "status_check",
    "feedback_request": "feedback_request",
    "close_as_ghosted": "other",
}
_GOT_IT_RESULTS = ("offer", "next_round")


# --------------------------------------------------------------------------- plain functions
def kind_for_step(step: str | None) -> str:
    """The follow-up ``kind`` to log for a plan step (``status_check`` when not known)."""
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
) -> int:
    """Log a follow-up sent from a script, recording the script's id and version.

    ``kind`` defaults to the one for ``step`` (see :func:`kind_for_step`); ``sent_on``
    defaults to ``wb.today``. Returns the new follow-up id.
    """
    s = _as_script(script, extra_dir if extra_dir is not None else wb)
    return wb.log_follow_up(
        interview_id,
        kind=kind or kind_for_step(step),
        channel=channel,
        sent_on=sent_on or wb.today,
        interviewer_id=interviewer_id,
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


def tone_panel_html(text: str, findings: list[Finding]) -> str:
    """The text with flagged words marked, and each finding's reason and suggestion.

    Everything the client typed is escaped; only the ``<mark>`` tags are added.
    """
    if not text.strip():
        return (
            "<div class='fk-tone' style='color:#555'>Type or pick a script to check its tone.</div>"
        )
    body = highlight_findings(text, findings)
    if not findings:
        verdict = (
            f"<div style='color:{_GREEN}'>&#10003; No wording flagged. Read it aloud once "
            "more: does it sound like you?</div>"
        )
    else:
        items = "".join(
            f"<li><mark class='tone-{html.escape(f.category)}'>{html.escape(f.words)}</mark> "
            f"<b>{html.escape(f.label)}.</b> {html.escape(f.why)}<br>"
            f"<i>Try instead:</i> {html.escape(f.suggestion)}</li>"
            for f in findings
        )
        n = len(findings)
        verdict = (
            f"<div style='color:{_RED}'>{n} thing{'s' if n != 1 else ''} to look at:</div>"
            f"<ul style='margin-top:0.2em'>{items}</ul>"
        )
    return (
        f"{_MARK_CSS}<div class='fk-tone'><div style='white-space:pre-wrap;border:1px solid #ddd;"
        f"padding:0.5em;border-radius:4px'>{body}</div>{verdict}</div>"
    )


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last :meth:`trigger`.

    Typing fires many change events; the tone check should run when the client pauses.
    ``timer`` is injectable (default :class:`threading.Timer`) so tests can run the
    pending call with :meth:`flush` instead of sleeping.
    """

    def __init__(
        self,
        delay: float,
        fn: Callable[..., Any],
        *,
        timer: Callable[[float, Callable[[], None]], Any] = threading.Timer,
    ) -> None:
        self.delay = delay
        self.fn = fn
        self._timer_factory = timer
        self._timer: Any = None
        self._pending: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self.calls = 0

    @property
    def pending(self) -> bool:
        """Whether a call is waiting to run."""
        return self._pending is not None

    def trigger(self, *args: Any, **kwargs: Any) -> None:
        """(Re)start the wait; only the last trigger's arguments are used."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._pending = (args, kwargs)
            self._timer = self._timer_factory(self.delay, self._fire)
            if hasattr(self._timer, "daemon"):
                self._timer.daemon = True
            self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            pending, self._pending, self._timer = self._pending, None, None
        if pending is not None:
            self.calls += 1
            args, kwargs = pending
            self.fn(*args, **kwargs)

    def flush(self) -> None:
        """Run the waiting call now (if any) and stop its timer."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self._fire()

    def cancel(self) -> None:
        """Drop the waiting call."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer, self._pending = None, None


# --------------------------------------------------------------------------- widget helpers
class _Shown:
    """Shows ``self.box`` when displayed, with a short stable text for plain-text outputs."""

    box: widgets.Box

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = f"<{type(self).__name__}>"
        return bundle


def _heading(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h3 style='margin:0.8em 0 0.2em'>{escape_html(text)}</h3>")


def _ok(text_html: str) -> str:
    return f"<div class='ct-ok' style='color:{_GREEN}'>&#10003; {text_html}</div>"


def _err(text_html: str) -> str:
    return f"<div class='ct-error' style='color:{_RED}'>{text_html}</div>"


def _error_words(err: Exception) -> str:
    if isinstance(err, ValidationError):
        return " ".join(escape_html(p.message[:1].upper() + p.message[1:]) for p in err.problems)
    return escape_html(str(err))


def _pre(text: str) -> str:
    return f"<div style='white-space:pre-wrap;line-height:1.4'>{escape_html(text)}</div>"


def _seconds_words(seconds: int) -> str:
    if seconds < 60:
        return f"about {seconds} seconds"
    minutes, rest = divmod(seconds, 60)
    return f"about {minutes} min {rest:02d} s"


def _interview_row(wb: Any, interview_id: int | None) -> pd.Series | None:
    if wb is None or interview_id is None:
        return None
    frame = wb.interviews()
    row = frame.loc[frame["id"] == interview_id]
    return None if row.empty else row.iloc[0]


def _decision_passed(row: pd.Series | None, today: date) -> bool:
    if row is None:
        return False
    expected = row.get("decision_expected")
    return bool(pd.notna(expected) and pd.Timestamp(expected).date() < today)


def _donts_html(script: Script) -> str:
    items = "".join(
        f"<li><s>{escape_html(d.text)}</s><br>"
        f"<span style='color:#555'>{escape_html(d.why)}</span></li>"
        for d in script.donts
    )
    n = len(script.donts)
    return f"<details><summary>What not to say ({n})</summary><ul>{items}</ul></details>"


def _choice_options(field: str, *, any_label: str | None = None) -> list[tuple[str, Any]]:
    options = [(label, value) for value, label in CHOICES[field].items()]
    return ([(any_label, None)] if any_label else []) + options


# --------------------------------------------------------------------------- script editor
class ScriptEditor(_Shown):
    """Pick a situation, see ranked scripts, fill one in, edit it with a live tone check.

    Attributes of interest to tests: ``step``, ``route``, ``round``, ``status``,
    ``decision_passed``, ``reposted``, ``other_offer`` (situation), ``suggestions``
    (HTML), ``script`` and ``channel`` (Dropdowns), ``interviewer`` and
    ``specific_point`` (Text), ``follow_up_number`` (IntText), ``text`` (Textarea),
    ``tone`` (HTML), ``timing`` (HTML), ``sent_on`` (DatePicker), ``log_button``,
    ``status_html``, ``debouncer``.
    """

    def __init__(
        self,
        wb: Any = None,
        *,
        interview_id: int | None = None,
        step: str | None = None,
        extra_dir: Any = None,
        delay: float = 0.4,
        timer: Callable[[float, Callable[[], None]], Any] = threading.Timer,
    ) -> None:
        self.wb = wb
        self.interview_id = interview_id
        self.extra_dir = extra_dir if extra_dir is not None else wb
        self.library, self.errors = load_scripts(self.extra_dir)
        row = _interview_row(wb, interview_id)
        self._context: dict[str, Any] = context_for(wb, interview_id) if row is not None else {}
        today = wb.today if wb is not None else date.today()

        style = {"description_width": "9em"}
        self.step = widgets.Dropdown(
            options=_choice_options("step", any_label="Any step"),
            value=step,
            description="Plan step",
            style=style,
        )
        self.route = widgets.Dropdown(
            options=_choice_options("contact_route"),
            value=None if row is None else str(row["contact_route"]),
            description="Dealt with",
            style=style,
        )
        self.round = widgets.Dropdown(
            options=_choice_options("round"),
            value=None if row is None else str(row["round"]),
            description="Round",
            style=style,
        )
        self.status = widgets.Dropdown(
            options=_choice_options("status"),
            value="open" if row is None else str(row["status"]),
            description="Status",
            style=style,
        )
        if row is None:
            self.route.value, self.round.value = "direct", "first"
        self.decision_passed = widgets.Checkbox(
            value=_decision_passed(row, today),
            description="Their decision date has passed",
            indent=False,
        )
        self.reposted = widgets.Checkbox(
            value=False, description="The role was posted again", indent=False
        )
        self.other_offer = widgets.Checkbox(
            value=False, description="I have another offer", indent=False
        )
        self.suggestions = widgets.HTML().add_class("ct-suggestions")
        self.script = widgets.Dropdown(
            description="Script", style=style, layout=widgets.Layout(width="36em")
        )
        self.channel = widgets.Dropdown(description="Channel", style=style)
        self.interviewer = widgets.Text(
            value=self._context.get("interviewer") or "",
            description="Interviewer",
            placeholder="their name",
            style=style,
        )
        self.specific_point = widgets.Text(
            description="Point to mention",
            placeholder="one thing you discussed",
            style=style,
            layout=widgets.Layout(width="36em"),
        )
        self.follow_up_number = widgets.BoundedIntText(
            value=next_follow_up_number(wb, interview_id) if row is not None else 1,
            min=1,
            max=20,
            description="Follow-up no.",
            style=style,
        )
        self.text = widgets.Textarea(
            continuous_update=True, layout=widgets.Layout(width="100%", height="16em")
        ).add_class("ct-script-text")
        self.tone = widgets.HTML().add_class("ct-tone")
        self.timing = widgets.HTML().add_class("ct-speaking-time")
        self.donts = widgets.HTML()
        self.sent_on = widgets.DatePicker(value=today, description="Sent on", style=style)
        self.log_button = widgets.Button(
            description="Log as sent",
            icon="check",
            button_style="primary",
            disabled=row is None,
            tooltip="Record that you sent this, with the script's id and version",
        )
        self.status_html = widgets.HTML().add_class("ct-status")
        self.debouncer = Debouncer(delay, self.check_now, timer=timer)
        self._rendering = False

        for w in (
            self.step,
            self.route,
            self.round,
            self.status,
            self.decision_passed,
            self.reposted,
            self.other_offer,
        ):
            w.observe(self._situation_changed, names="value")
        self.script.observe(self._script_changed, names="value")
        for w in (self.channel, self.interviewer, self.specific_point):
            w.observe(lambda _c: self.render(), names="value")
        self.follow_up_number.observe(lambda _c: self.check_now(), names="value")
        self.text.observe(self._typed, names="value")
        self.log_button.on_click(self._log)

        hint = widgets.HTML(
            "<div style='color:#555'>Edit the text freely: the tone check runs when you "
            "pause typing. Changing the script, channel or names fills it in again.</div>"
        )
        if row is None:
            hint.value += (
                "<div style='color:#555'>Open this with an interview to log what you send.</div>"
            )
        errors = (
            _err(
                "Some coach script files could not be read: "
                + "; ".join(escape_html(str(e)) for e in self.errors)
            )
            if self.errors
            else ""
        )
        self.box = widgets.VBox(
            [
                _heading("1. Your situation"),
                widgets.HBox(
                    [widgets.VBox([self.step, self.status]), widgets.VBox([self.route, self.round])]
                ),
                widgets.HBox([self.decision_passed, self.reposted, self.other_offer]),
                _heading("2. Suggested scripts"),
                self.suggestions,
                widgets.HTML(errors),
                _heading("3. Fill it in"),
                self.script,
                widgets.HBox([self.channel, self.follow_up_number]),
                self.interviewer,
                self.specific_point,
                hint,
                self.text,
                self.timing,
                self.donts,
                _heading("4. Tone check"),
                self.tone,
                _heading("5. Log what you sent"),
                widgets.HBox([self.sent_on, self.log_button]),
                self.status_html,
            ]
        ).add_class("ct-script-editor")
        self._situation_changed()

    # -- behaviour ------------------------------------------------------------------
    def ranked(self) -> pd.DataFrame:
        """The scripts suggested for the situation currently chosen."""
        return suggest_scripts(
            step=self.step.value,
            status=self.status.value,
            contact_route=self.route.value,
            round=self.round.value,
            decision_passed=self.decision_passed.value,
            reposted=self.reposted.value,
            other_offer=self.other_offer.value,
            extra_dir=self.extra_dir,
        )

    def _situation_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        ranked = self.ranked()
        rows = "".join(
            f"<tr><td><b>{escape_html(r.title)}</b></td><td>{escape_html(r.reason)}</td></tr>"
            for r in ranked.head(5).itertuples()
        )
        self.suggestions.value = (
            f"<table class='ct-suggestion-table'>{rows}</table>"
            if rows
            else "<i>No script fits this exactly; pick any from the list below.</i>"
        )
        ids = list(ranked["id"]) + sorted(set(self.library) - set(ranked["id"]))
        options = [(f"{self.library[i].title} ({i})", i) for i in ids]
        keep = self.script.value if self.script.value in ids and ids else None
        self.script.options = options
        self.script.value = keep if keep is not None else (ids[0] if ids else None)

    def _script_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        s = self.current_script
        if s is None:
            return
        old = self.channel.value
        self._rendering = True  # one render after both options and value are set
        try:
            self.channel.options = [(CHOICES["channel"][c], c) for c in s.channels]
            self.channel.value = old if old in s.channels else s.channels[0]
        finally:
            self._rendering = False
        self.donts.value = _donts_html(s)
        self.render()

    @property
    def current_script(self) -> Script | None:
        return self.library.get(self.script.value) if self.script.value else None

    def context(self) -> dict[str, Any]:
        """Placeholder values: the interview's, plus what the client typed here."""
        ctx = dict(self._context)
        ctx["interviewer"] = self.interviewer.value.strip() or None
        ctx["specific_point"] = self.specific_point.value.strip() or None
        return ctx

    def render(self) -> None:
        """Fill the chosen script into the text box (replacing any edits) and check it."""
        s = self.current_script
        if self._rendering or s is None or self.channel.value is None:
            return
        try:
            self.text.value = render_script(s, self.channel.value, self.context())
        except FollowupKitError as err:
            self.text.value = ""
            self.status_html.value = _err(_error_words(err))
        self.debouncer.cancel()
        self.check_now()

    def _typed(self, _change: Mapping[str, Any]) -> None:
        self.debouncer.trigger()

    def check_now(self) -> list[Finding]:
        """Run the tone check on the text as it is now and show the findings."""
        text = self.text.value
        findings = check_tone(text, follow_up_number=int(self.follow_up_number.value))
        self.tone.value = tone_panel_html(text, findings)
        self.timing.value = (
            f"<span style='color:#555'>Takes {_seconds_words(speaking_time(text))} to say "
            "aloud.</span>"
        )
        return findings

    def _log(self, _button: widgets.Button | None = None) -> None:
        s = self.current_script
        if self.wb is None or self.interview_id is None or s is None:
            self.status_html.value = _err("Open this with an interview to log what you sent.")
            return
        try:
            fid = log_from_script(
                self.wb,
                self.interview_id,
                s,
                self.channel.value,
                sent_on=self.sent_on.value,
                step=self.step.value,
                extra_dir=self.extra_dir,
            )
        except FollowupKitError as err:
            self.status_html.value = _err(_error_words(err))
            return
        self.status_html.value = _ok(
            f"Logged: {escape_html(CHOICES['channel'][self.channel.value].lower())} sent on "
            f"{escape_html(format_day(self.sent_on.value or self.wb.today))}, from the script "
            f"&ldquo;{escape_html(s.title)}&rdquo; (version {escape_html(s.version)}). "
            f"Entry #{fid}."
        )


def script_editor(
    wb: Any = None,
    *,
    interview_id: int | None = None,
    step: str | None = None,
    extra_dir: Any = None,
) -> ScriptEditor:
    """The script picker and editor with a live tone check; display it in a notebook.

    Parameters
    ----------
    wb
        An open Workbook (needed to fill in names and to log what was sent).
    interview_id
        The interview the message is about: fills in the situation and placeholders.
    step
        The plan step, e.g. ``"status_check"``.
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    """
    return ScriptEditor(wb, interview_id=interview_id, step=step, extra_dir=extra_dir)


# --------------------------------------------------------------------------- call coach
class CallCoach(_Shown):
    """Walk through a phone script one answer at a time, then log the call in one click.

    Attributes for tests: ``script`` (Dropdown), ``your_phone`` (Text), ``opener``
    (HTML), ``answer_buttons`` (dict answer -> Button), ``branch`` (HTML),
    ``got_it_result`` (ToggleButtons), ``called_on`` (DatePicker), ``log_button``,
    ``restart_button``, ``status_html``, ``answer`` (the chosen answer key) and
    ``logged`` (what the last click saved).
    """

    def __init__(
        self,
        wb: Any,
        interview_id: int,
        *,
        script_id: str | None = None,
        step: str | None = "status_check",
        extra_dir: Any = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.wb = wb
        self.interview_id = interview_id
        self.step = step
        self.extra_dir = extra_dir if extra_dir is not None else wb
        library, _ = load_scripts(self.extra_dir)
        self.library = {k: s for k, s in library.items() if s.is_phone}
        row = _interview_row(wb, interview_id)
        if row is None:
            raise FollowupKitError(f"There is no interview with id {interview_id!r}.")
        self._context = {**context_for(wb, interview_id), **(context or {})}
        if script_id is None:
            ranked = suggest_scripts(
                step=step,
                status=str(row["status"]),
                contact_route=str(row["contact_route"]),
                round=str(row["round"]),
                decision_passed=_decision_passed(row, wb.today),
                extra_dir=self.extra_dir,
            )
            phone = [i for i in ranked["id"] if i in self.library]
            script_id = phone[0] if phone else min(self.library)
        if script_id not in self.library:
            raise FollowupKitError(
                f"{script_id!r} is not a phone script; choose one of {sorted(self.library)}."
            )
        style = {"description_width": "9em"}
        self.script = widgets.Dropdown(
            options=[(f"{s.title} ({k})", k) for k, s in sorted(self.library.items())],
            value=script_id,
            description="Script",
            style=style,
            layout=widgets.Layout(width="36em"),
        )
        self.your_phone = widgets.Text(
            description="Your number", placeholder="for voicemail", style=style
        )
        self.opener = widgets.HTML().add_class("ct-opener")
        self.answer_buttons = {
            key: widgets.Button(description=label, tooltip=f"They said: {label}")
            for key, label in CALL_ANSWERS.items()
        }
        for key, button in self.answer_buttons.items():
            button.add_class(f"ct-answer-{key}")
            button.on_click(lambda _b, key=key: self.choose(key))
        self.branch = widgets.HTML().add_class("ct-branch")
        self.got_it_result = widgets.ToggleButtons(
            options=[("An offer", "offer"), ("The next round", "next_round")],
            value="offer",
            description="They offered",
        )
        self.called_on = widgets.DatePicker(value=wb.today, description="Called on", style=style)
        self.log_button = widgets.Button(
            description="Log this call", icon="check", button_style="primary", disabled=True
        )
        self.restart_button = widgets.Button(description="Start over", icon="undo")
        self.status_html = widgets.HTML().add_class("ct-status")
        self.answer: str | None = None
        self.logged: dict[str, Any] | None = None
        self._finish = widgets.VBox([self.got_it_result, self.called_on, self.log_button])

        self.script.observe(lambda _c: self.restart(), names="value")
        self.your_phone.observe(lambda _c: self._show(), names="value")
        self.log_button.on_click(self._log)
        self.restart_button.on_click(lambda _b: self.restart())

        self.box = widgets.VBox(
            [
                _heading("Call coach"),
                widgets.HTML(
                    "<div style='color:#555'>Read the opener, then click what they said. "
                    "The next lines appear; when the call is over, log it.</div>"
                ),
                self.script,
                self.your_phone,
                _heading("Open with"),
                self.opener,
                _heading("What did they say?"),
                widgets.HBox(list(self.answer_buttons.values())),
                self.branch,
                self._finish,
                self.restart_button,
                self.status_html,
            ]
        ).add_class("ct-call-coach")
        self.restart()

    @property
    def current_script(self) -> Script:
        return self.library[self.script.value]

    def context(self) -> dict[str, Any]:
        return {**self._context, "client_phone": self.your_phone.value.strip() or None}

    def restart(self) -> None:
        """Back to the opener; nothing is logged."""
        self.answer = None
        self.logged = None
        for b in self.answer_buttons.values():
            b.disabled = False
            b.button_style = ""
        self.log_button.disabled = True
        self._finish.layout.display = "none"
        self.status_html.value = ""
        self._show()

    def _show(self) -> None:
        s = self.current_script
        ctx = self.context()
        self.opener.value = _pre(render_script(s, "phone", ctx))
        if self.answer is None:
            self.branch.value = ""
            return
        label = CALL_ANSWERS[self.answer]
        lines = render_script(s, f"phone:{self.answer}", ctx)
        self.branch.value = f"<b>They said: {escape_html(label)}.</b> Then say:" + _pre(lines)

    def choose(self, answer: str) -> None:
        """Show the follow-up lines for ``answer`` and get ready to log the call."""
        if answer not in CALL_ANSWERS:
            raise ValueError(f"answer should be one of {list(CALL_ANSWERS)}, got {answer!r}")
        if self.logged is not None:
            return  # already logged: start over for a new call
        self.answer = answer
        for key, b in self.answer_buttons.items():
            b.button_style = "info" if key == answer else ""
        self._show()
        self.got_it_result.layout.display = None if answer == "you_got_it" else "none"
        self._finish.layout.display = None
        self.log_button.disabled = False
        channel, result = call_outcome(answer, got_it_result=self.got_it_result.value)
        what = "a voicemail" if channel == "voicemail" else "a phone call"
        after = (
            "and no answer yet"
            if result is None
            else "and their answer: " + CHOICES["result"][result].lower()
        )
        self.status_html.value = (
            f"<span style='color:#555'>Logging will save {what} {escape_html(after)}.</span>"
        )

    def _log(self, _button: widgets.Button | None = None) -> None:
        if self.answer is None or self.logged is not None:
            return
        s = self.current_script
        try:
            self.logged = log_call(
                self.wb,
                self.interview_id,
                s,
                self.answer,
                sent_on=self.called_on.value,
                step=self.step,
                got_it_result=self.got_it_result.value,
                extra_dir=self.extra_dir,
            )
        except (FollowupKitError, ValueError) as err:
            self.status_html.value = _err(_error_words(err))
            return
        self.log_button.disabled = True
        for b in self.answer_buttons.values():
            b.disabled = True
        result = self.logged["result"]
        answer = (
            "no answer from them yet"
            if result is None
            else f"their answer ({escape_html(CHOICES['result'][result].lower())})"
        )
        self.status_html.value = _ok(
            f"Logged the {escape_html(CHOICES['channel'][self.logged['channel']].lower())} on "
            f"{escape_html(format_day(self.called_on.value or self.wb.today))} with script "
            f"{escape_html(s.id)} v{escape_html(s.version)}, and {answer}."
        )


def call_coach(
    wb: Any,
    interview_id: int,
    *,
    script_id: str | None = None,
    step: str | None = "status_check",
    extra_dir: Any = None,
) -> CallCoach:
    """The call coach for one interview; display it in a notebook.

    Parameters
    ----------
    wb
        An open Workbook.
    interview_id
        The interview the call is about.
    script_id
        A phone script; default: the best phone script for the interview's situation.
    step
        The plan step the call belongs to (sets the logged kind; default status check).
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    """
    return CallCoach(wb, interview_id, script_id=script_id, step=step, extra_dir=extra_dir)


# --------------------------------------------------------------------------- rehearsal
def _first_rehearsal(ids: list[str]) -> str:
    # The seed's own scenario (asking whether a decision has been made) is the one to
    # practise first; fall back to the first phone script.
    return "decision_check_call" if "decision_check_call" in ids else ids[0]


def _spoken_first(script: Script) -> list[str]:
    spoken = [c for c in ("phone", "voicemail") if c in script.texts]
    return spoken + [c for c in script.channels if c not in spoken]


class Rehearsal(_Shown):
    """Read a script aloud, record yourself, upload it, play it back beside the script.

    Attributes for tests: ``script``, ``channel`` (Dropdowns), ``text`` (HTML),
    ``timing`` (HTML), ``upload`` (FileUpload), ``recordings`` (Select), ``audio``
    (Audio), ``delete_button``, ``confirm_button``, ``keep_button``, ``status_html``.
    """

    def __init__(
        self,
        wb: Any,
        client_id: int,
        *,
        interview_id: int | None = None,
        script_id: str | None = None,
        extra_dir: Any = None,
    ) -> None:
        self.wb = wb
        self.client_id = client_id
        self.extra_dir = extra_dir if extra_dir is not None else wb
        self.library, _ = load_scripts(self.extra_dir)
        self._context = context_for(wb, interview_id) if interview_id is not None else {}
        style = {"description_width": "7em"}
        ids = sorted(self.library, key=lambda i: (not self.library[i].is_phone, i))
        self.script = widgets.Dropdown(
            options=[(self._label(i), i) for i in ids],
            value=script_id if script_id in self.library else _first_rehearsal(ids),
            description="Script",
            style=style,
            layout=widgets.Layout(width="40em"),
        )
        self.channel = widgets.Dropdown(description="Part", style=style)
        self.text = widgets.HTML().add_class("ct-rehearsal-text")
        self.timing = widgets.HTML().add_class("ct-speaking-time")
        self.upload = widgets.FileUpload(
            accept="audio/*", multiple=False, description="Upload a recording"
        )
        self.recordings = widgets.Select(
            description="Recordings", style=style, layout=widgets.Layout(width="40em")
        )
        self.audio = widgets.Audio(autoplay=False, loop=False, controls=True)
        self.delete_button = widgets.Button(description="Delete", icon="trash", disabled=True)
        self.confirm_button = widgets.Button(description="Yes, delete", button_style="danger")
        self.keep_button = widgets.Button(description="Keep it")
        self._confirm = widgets.HBox(
            [
                widgets.HTML(f"<span style='color:{_RED}'>Delete this recording?</span>"),
                self.confirm_button,
                self.keep_button,
            ]
        )
        self._confirm.layout.display = "none"
        self.status_html = widgets.HTML().add_class("ct-status")

        self.script.observe(self._script_changed, names="value")
        self.channel.observe(lambda _c: self._show_text(), names="value")
        self.upload.observe(self._uploaded, names="value")
        self.recordings.observe(self._picked, names="value")
        self.delete_button.on_click(lambda _b: self._ask_delete(True))
        self.keep_button.on_click(lambda _b: self._ask_delete(False))
        self.confirm_button.on_click(self._delete)

        self.box = widgets.VBox(
            [
                _heading("Rehearse"),
                widgets.HTML(
                    "<div style='color:#555'>Say the script aloud and record it on your "
                    "phone or computer. Upload the recording, play it back, and rework any "
                    "line that sounds stiff. Recordings stay with your data and are never "
                    "shared.</div>"
                ),
                self.script,
                self.channel,
                self.timing,
                self.text,
                self.upload,
                self.recordings,
                self.audio,
                widgets.HBox([self.delete_button, self._confirm]),
                self.status_html,
            ]
        ).add_class("ct-rehearsal")
        self._script_changed()
        self.refresh()

    def _label(self, script_id: str) -> str:
        s = self.library[script_id]
        channel = _spoken_first(s)[0]
        seconds = speaking_time(render_script(s, channel, {}))
        return f"{s.title} ({_seconds_words(seconds)})"

    @property
    def current_script(self) -> Script:
        return self.library[self.script.value]

    def _script_changed(self, _change: Mapping[str, Any] | None = None) -> None:
        s = self.current_script
        parts = _spoken_first(s)
        options = [(CHOICES["channel"][c], c) for c in parts]
        if s.is_phone:
            options += [
                (f"Phone: if they say \u201c{label}\u201d", f"phone:{key}")
                for key, label in CALL_ANSWERS.items()
                if key in s.branches() and f"phone:{key}" in s.texts
            ]
        self.channel.options = options
        self.channel.value = parts[0]
        self._show_text()

    def _show_text(self) -> None:
        if self.channel.value is None:
            return
        text = render_script(self.current_script, self.channel.value, self._context)
        self.text.value = _pre(text)
        self.timing.value = f"<b>Speaking time: {_seconds_words(speaking_time(text))}</b>"

    def refresh(self, select: int | None = None) -> None:
        """Reload the client's recordings list."""
        frame = self.wb.recordings(self.client_id)
        options = []
        for r in frame.itertuples():
            script = "" if pd.isna(r.script_id) else f" · {r.script_id}"
            options.append((f"{format_day(r.created)} · {r.filename}{script}", int(r.id)))
        self.recordings.options = options
        if select is not None and any(v == select for _, v in options):
            self.recordings.value = select
        elif not options:
            self.audio.value = b""
        self.delete_button.disabled = self.recordings.value is None
        self._confirm.layout.display = "none"

    def _uploaded(self, change: Mapping[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        saved = None
        for f in files:
            name = str(f.get("name") or "recording")
            mime = str(f.get("type") or "audio/mpeg")
            if not mime.startswith("audio/"):
                self.status_html.value = _err(
                    f"{escape_html(name)} is not an audio file ({escape_html(mime)})."
                )
                continue
            try:
                saved = self.wb.add_recording(
                    self.client_id,
                    name,
                    bytes(f["content"]),
                    mime=mime,
                    script_id=self.script.value,
                )
            except FollowupKitError as err:
                self.status_html.value = _err(_error_words(err))
                continue
            self.status_html.value = _ok(f"Saved {escape_html(name)}. Press play to listen.")
        self.upload.value = ()  # ready for the next take
        self.refresh(select=saved)

    def _picked(self, change: Mapping[str, Any]) -> None:
        rid = change["new"]
        self.delete_button.disabled = rid is None
        self._confirm.layout.display = "none"
        if rid is None:
            self.audio.value = b""
            return
        frame = self.wb.recordings(self.client_id)
        row = frame.loc[frame["id"] == rid]
        mime = "audio/mpeg" if row.empty else str(row.iloc[0]["mime"])
        self.audio.format = mime.split("/", 1)[-1] or "mpeg"
        self.audio.value = self.wb.recording_data(rid)

    def _ask_delete(self, ask: bool) -> None:
        self._confirm.layout.display = None if ask and self.recordings.value else "none"

    def _delete(self, _button: widgets.Button | None = None) -> None:
        rid = self.recordings.value
        if rid is None:
            return
        self.wb.delete_recording(rid)
        self.status_html.value = _ok("Recording deleted.")
        self.refresh()


def rehearsal(
    wb: Any,
    client_id: int,
    *,
    interview_id: int | None = None,
    script_id: str | None = None,
    extra_dir: Any = None,
) -> Rehearsal:
    """The rehearsal panel for one client; display it in a notebook.

    Parameters
    ----------
    wb
        An open Workbook (recordings are stored in it, with the client's data).
    client_id
        Whose recordings to list and store.
    interview_id
        Fill the scripts in with this interview's names and dates.
    script_id
        The script to open first.
    extra_dir
        A coach's script folder; default ``wb.data_dir / "scripts"``.
    """
    return Rehearsal(
        wb, client_id, interview_id=interview_id, script_id=script_id, extra_dir=extra_dir
    )
