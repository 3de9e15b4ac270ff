"""What every widget module shares: showing a form, status lines, colours, headings, waits.

A form object shows its ``box`` when displayed (:class:`Shown`); :func:`hidden` hides or
shows one widget; :func:`page` marks a client page's box and gives it the one stylesheet
(:data:`PAGE_CSS`: stacked rows, full-width inputs and tables as cards on a phone); the
``*_html`` helpers build the green "done" and red "not done" lines
with the ``ct-ok`` / ``ct-error`` hooks the tests and the browser tests look for.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import schema
from ..exceptions import ValidationError, rows_words
from ..formatting import escape_html, is_blank

log = logging.getLogger("followup_kit.widgets")

RED = "#b3261e"
GREEN = "#1b5e20"
GREY = "#555"
LABEL_WIDTH = "14em"
INPUT_WIDTH = "24em"

#: Below this width (a phone held upright) rows stack and tables become cards.
PHONE_MAX_WIDTH = "640px"

#: The client pages' one stylesheet. ``fk-page`` marks a page's box (:func:`page`);
#: ``fk-cards`` marks a table whose rows become cards on a phone, each cell labelled
#: by its ``data-label``. ``!important`` beats the widths ipywidgets sets inline.
PAGE_CSS = f"""
.fk-page .jupyter-button {{ flex-shrink: 0; }}
.fk-page .widget-html-content {{ overflow-wrap: anywhere; }}
table.fk-cards {{ border-collapse: collapse; margin: 0.4em 0; line-height: 1.4; }}
.fk-page .fk-next-steps li {{ line-height: 1.4; margin-bottom: 0.3em; }}
table.fk-cards th, table.fk-cards td {{
  text-align: left !important; vertical-align: top; padding: 4px 8px;
}}
table.fk-cards thead th {{ border-bottom: 1px solid #999; }}
table.fk-cards td[data-label="From"], table.fk-cards td[data-label="Due by"],
table.fk-cards td[data-label="Interview"] {{ white-space: nowrap; }}
table.fk-cards tbody tr {{ border-bottom: 1px solid #ddd; }}
table.fk-plan tr.fk-state-overdue td[data-label="Status"] {{ color: {RED}; font-weight: 600; }}
table.fk-plan tr.fk-state-done, table.fk-plan tr.fk-state-skipped,
table.fk-plan tr.fk-state-missed {{ color: {GREY}; }}
/* Notebook 03: its parts sit in separate cells; rows wrap rather than run off. */
.ct-practice .widget-hbox {{ flex-wrap: wrap; max-width: 100%; }}
.ct-practice .widget-dropdown, .ct-practice-part .widget-dropdown,
.ct-practice-part .widget-text {{ max-width: calc(100% - 6px); }}
.ct-practice select, .ct-practice-part select {{ max-width: 100%; }}
.ct-practice-part .widget-hbox {{ flex-wrap: wrap; max-width: 100%; }}
.ct-practice-part .widget-html-content {{ white-space: normal; overflow-wrap: anywhere; }}
.ct-practice-part .widget-textarea, .ct-practice-part .widget-select {{ max-width: 100%; }}
.ct-practice-part .widget-select select {{ max-width: 100%; min-width: 0; }}
.ct-practice-part button.widget-button {{ width: auto; max-width: 100%; height: auto;
  min-height: var(--jp-widgets-inline-height); white-space: normal; align-self: flex-start; }}
.fk-full-choice {{ display: none !important; }}
/* ipywidgets writes an upload button's file count after its words; our pages clear it
   after each upload, so it would only ever say "(0)". Its words come from its title. */
.fk-upload {{ font-size: 0 !important; }}
.fk-upload > i {{ font-size: var(--jp-widgets-font-size, 13px); margin-right: 4px; }}
.fk-upload::after {{ content: attr(title); font-size: var(--jp-widgets-font-size, 13px); }}
@media (max-width: {PHONE_MAX_WIDTH}) {{
  .fk-full-choice {{ display: block !important; margin: -2px 0 6px; color: #444; }}
  .fk-full-choice .widget-html-content {{ line-height: 1.4; }}
  .fk-page .widget-hbox {{ flex-wrap: wrap; }}
  .fk-page .widget-hbox > .widget-html:first-child,
  .fk-page .widget-hbox > .widget-vbox,
  .fk-page .widget-text, .fk-page .widget-dropdown, .fk-page .widget-datepicker,
  .fk-page .widget-textarea, .fk-page .widget-select, .fk-page audio.jupyter-widgets {{
    width: 100% !important; min-width: 0 !important; max-width: 100% !important;
    margin-left: 0 !important; margin-right: 0 !important;
  }}
  .fk-page .widget-inline-hbox .widget-label {{ text-align: left; }}
  /* A described field puts its label above it, so a long choice gets the whole row. */
  .fk-page .widget-dropdown.widget-inline-hbox, .fk-page .widget-text.widget-inline-hbox,
  .fk-page .widget-datepicker.widget-inline-hbox,
  .fk-page .widget-select.widget-inline-hbox {{ flex-wrap: wrap; height: auto !important; }}
  .fk-page .widget-dropdown > .widget-label, .fk-page .widget-text > .widget-label,
  .fk-page .widget-datepicker > .widget-label, .fk-page .widget-select > .widget-label {{
    width: 100% !important; max-width: 100% !important; flex: 1 1 100%;
  }}
  .fk-page .widget-dropdown > select, .fk-page .widget-text > input,
  .fk-page .widget-datepicker > input, .fk-page .widget-select > select {{
    flex: 1 1 100%; min-width: 0;
  }}
  .fk-page .widget-dropdown > select, .fk-page .widget-text > input,
  .fk-page .widget-datepicker > input {{ min-height: var(--jp-widgets-inline-height, 28px); }}
  .fk-page .jupyter-button {{
    width: auto !important; min-width: 7em; max-width: 100%; height: auto !important;
    min-height: 36px; line-height: 1.3; padding: 6px 14px; white-space: normal;
    margin-bottom: 4px;
  }}
  .fk-page .ct-interviewer {{ border-left: 3px solid #ccc; padding-left: 6px; margin: 4px 0; }}
  .fk-page .fk-scroll {{ max-height: none !important; overflow: visible !important; }}
  table.fk-cards, table.fk-cards tbody, table.fk-cards tr, table.fk-cards td {{
    display: block; width: auto;
  }}
  table.fk-cards thead {{ display: none; }}
  table.fk-cards tbody tr {{
    border: 1px solid #ccc; border-radius: 6px; margin: 0 0 10px; padding: 6px 4px;
  }}
  table.fk-cards td {{ padding: 2px 6px; }}
  table.fk-cards td:empty {{ display: none; }}
  table.fk-cards td:first-child {{ font-weight: bold; font-size: 1.05em; }}
  table.fk-cards td[data-label]:not(:first-child)::before {{
    content: attr(data-label) ": "; font-weight: 600;
  }}
}}
"""

_STYLE: widgets.HTML | None = None


# --------------------------------------------------------------------------- showing
class Shown:
    """Shows ``self.box`` when displayed, with a short stable text for plain-text outputs."""

    box: widgets.Box

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = f"<{type(self).__name__}>"
        return bundle


def style_html() -> str:
    """:data:`PAGE_CSS` as a ``<style>`` element, for HTML shown outside a form."""
    return f"<style>{PAGE_CSS}</style>"


def stylesheet() -> widgets.HTML:
    """The widget that carries :data:`PAGE_CSS`: one per kernel, shared by every page."""
    global _STYLE
    if _STYLE is None or getattr(_STYLE, "comm", None) is None:  # none yet, or closed
        _STYLE = widgets.HTML(style_html()).add_class("fk-style")
    return _STYLE


def page(box: widgets.Box) -> widgets.Box:
    """Mark ``box`` as a client page (``fk-page``) and put the stylesheet in it; return it."""
    box.children = (stylesheet(), *box.children)
    return box.add_class("fk-page")


#: A phone's dropdown (about 360 px, less its arrow) shows about 26 em of text; a choice
#: estimated wider than this may be cut off, with room to spare for wider fonts.
PHONE_CHOICE_EM = 24.0
_NARROW = frozenset("ijlrtfI.,:;'!|()- ")
_WIDE = frozenset("mwMW")


def text_em(text: str) -> float:
    """About how wide ``text`` is in a sans-serif font, in em (Arial-like widths)."""
    return sum(
        0.3 if c in _NARROW else 0.85 if c in _WIDE else 0.68 if c.isupper() else 0.55 for c in text
    )


def full_choice(dropdown: widgets.Dropdown) -> widgets.VBox:
    """``dropdown`` with its choice written out beneath it, on a phone only.

    A phone's dropdown is one screen wide and cuts a long choice (a script's title, an
    interview with its company and date) at the edge; the line beneath shows it whole,
    and only when it is wide enough to be cut (:data:`PHONE_CHOICE_EM`).
    """
    line = widgets.HTML().add_class("fk-full-choice")

    def show(_change: object = None) -> None:
        chosen = dropdown.label or ""
        line.value = escape_html(chosen) if text_em(chosen) > PHONE_CHOICE_EM else ""

    dropdown.observe(show, names=["value", "options"])
    show()
    return widgets.VBox([dropdown, line])


def wide() -> widgets.Layout:
    """Full width on a phone, up to 44em on a laptop: room for a long script title.

    A new layout each time: layouts are shared objects.
    """
    return widgets.Layout(width="100%", max_width="44em")


def upload_button(words: str, accept: str, **layout: str) -> widgets.FileUpload:
    """A one-file upload button that says ``words`` (without ipywidgets' "(0)" count).

    Give ``layout`` widths in px or %, not em: the button's own font size is 0.
    """
    return widgets.FileUpload(
        accept=accept,
        multiple=False,
        description=words,
        tooltip=words,
        layout=widgets.Layout(**layout),
    ).add_class("fk-upload")


def hidden(widget: widgets.Widget, hide: bool = True) -> widgets.Widget:
    """Hide (or show again) ``widget``; return it, so it can wrap a new widget."""
    widget.layout.display = "none" if hide else None
    return widget


# --------------------------------------------------------------------------- words and lines
def sentence(message: str) -> str:
    """The message with a capital first letter."""
    return message[:1].upper() + message[1:]


def message_html(message: str | None) -> str:
    """A field's message in red (escaped here), or nothing."""
    if not message:
        return ""
    return f'<span class="ct-error" style="color:{RED}">{escape_html(sentence(message))}</span>'


def ok_html(text_html: str) -> str:
    """A green line with a tick: something was done (``text_html`` is already escaped)."""
    return f'<div class="ct-ok" style="color:{GREEN}">&#10003; {text_html}</div>'


def error_html(text_html: str) -> str:
    """A red line: something was not done (``text_html`` is already escaped)."""
    return f'<div class="ct-error" style="color:{RED}">{text_html}</div>'


def error_words(err: Exception) -> str:
    """An error in plain, escaped words (a refusal's messages, capitalised)."""
    if isinstance(err, ValidationError):
        return " ".join(escape_html(sentence(p.message)) for p in err.problems)
    return escape_html(str(err))


def label_html(label: str, required: bool) -> str:
    """A field's label, marked with a red ``*`` when required."""
    mark = (
        f' <span class="ct-required" title="required" style="color:{RED}">*</span>'
        if required
        else ""
    )
    return f"<b>{escape_html(label)}</b>{mark}"


def label(text: str, required: bool = True) -> widgets.HTML:
    """A label widget of the forms' label width."""
    return widgets.HTML(
        label_html(text, required),
        layout=widgets.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH),
    ).add_class("fk-label")


def heading(text: str) -> widgets.HTML:
    """A section heading."""
    return widgets.HTML(f"<h3 style='margin:0.8em 0 0.2em'>{escape_html(text)}</h3>")


def note_html(text_html: str) -> str:
    """A grey note (``text_html`` is already escaped)."""
    return f"<div style='color:{GREY}'>{text_html}</div>"


def note(text_html: str) -> widgets.HTML:
    """A grey note as a widget."""
    return widgets.HTML(note_html(text_html))


def pre(text: str) -> str:
    """Text kept with its line breaks, escaped."""
    return f"<div style='white-space:pre-wrap;line-height:1.4'>{escape_html(text)}</div>"


def and_(parts: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``"a, b and c"``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def counted(counts: Mapping[str, int]) -> str:
    """``{"interviews": 1, "follow_ups": 2}`` -> ``"1 interview and 2 follow-ups"``."""
    parts = []
    order = [
        *(t for t in schema.WRITE_ORDER if t in counts),
        *(t for t in counts if t not in schema.WRITE_ORDER),
    ]
    for table in order:
        if counts[table]:
            parts.append(rows_words(table, counts[table]))
    return and_(parts) or "nothing"


def seconds_words(seconds: int) -> str:
    """``75`` -> ``"about 1 min 15 s"``."""
    if seconds < 60:
        return f"about {seconds} seconds"
    minutes, rest = divmod(seconds, 60)
    return f"about {minutes} min {rest:02d} s"


def report_unexpected(err: Exception) -> str:
    """Plain words for an error nobody planned for; the details go to the log."""
    log.exception("unexpected error in a form", exc_info=err)
    return (
        "Something unexpected went wrong, so nothing was saved. What you typed is still "
        f"here; please tell your coach ({escape_html(type(err).__name__)})."
    )


# --------------------------------------------------------------------------- values
def py(value: object) -> Any:
    """A frame cell as a plain Python value for a widget (NA -> None, Timestamp -> date)."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if hasattr(value, "item"):  # numpy and pandas scalars
        return value.item()
    return value


def set_options(dropdown: widgets.Dropdown, options: list[tuple[str, Any]]) -> None:
    """Replace a dropdown's options and select the first (ipywidgets 8 leaves it empty)."""
    dropdown.options = options
    dropdown.index = 0 if options else None


def interview_row(wb: Any, interview_id: int | None) -> pd.Series | None:
    """One interview's row, or None when there is no such interview."""
    if wb is None or interview_id is None:
        return None
    frame = wb.interviews()
    row = frame.loc[frame["id"] == interview_id]
    return None if row.empty else row.iloc[0]


def decision_passed(row: pd.Series | None, today: date) -> bool:
    """Whether the interview's expected decision date lies before ``today``."""
    if row is None:
        return False
    expected = row.get("decision_expected")
    return bool(pd.notna(expected) and pd.Timestamp(expected).date() < today)


# --------------------------------------------------------------------------- waiting
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
