"""Client forms and coach widgets (ipywidgets 8): log an interview, record what happened, start.

Every form takes its fields, labels, allowed values and rules from
:mod:`followup_kit.schema`, checks each change with :func:`~followup_kit.schema.validate_record`
and keeps Save switched off until the entry is valid. Handlers stay thin: they call the
:class:`~followup_kit.store.Workbook` and report into an HTML widget. Every string a person
typed is escaped before it is shown as HTML. Each form object shows its ``box`` (a VBox)
when displayed in a notebook; CSS classes ``ct-*`` give tests stable hooks.
"""

from __future__ import annotations

import html
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from . import demo, schema
from .exceptions import BadFileError, FollowupKitError, Problem, ValidationError
from .library import load_scripts
from .schema import format_day

__all__ = [
    "ClientPicker",
    "DemoLoader",
    "InterviewForm",
    "LabelledField",
    "RecordForm",
    "SpreadsheetImport",
    "client_picker",
    "confirm_delete",
    "demo_loader",
    "escape_html",
    "interview_form",
    "record_form",
    "spreadsheet_import",
    "start_here",
    "store_summary",
]

log = logging.getLogger(__name__)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RED = "#b3261e"
_GREEN = "#1b5e20"
_LABEL_WIDTH = "14em"
_INPUT_WIDTH = "24em"
#: Fields typed as free text long enough to want a multi-line box.
_LONG_TEXT = ("notes", "feedback", "reflection")
#: Plain words for a table's rows, singular and plural.
_NOUNS = {
    "clients": ("client", "clients"),
    "interviews": ("interview", "interviews"),
    "interviewers": ("interviewer", "interviewers"),
    "follow_ups": ("follow-up", "follow-ups"),
    "responses": ("reply", "replies"),
    "skipped_steps": ("skipped step", "skipped steps"),
    "recordings": ("recording", "recordings"),
}


# --------------------------------------------------------------------------- small helpers
def escape_html(value: object) -> str:
    """Text safe to put inside HTML: ``<``, ``>``, ``&`` and quotes escaped; blank for NA.

    Examples
    --------
    >>> escape_html("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if _is_blank(value):
        return ""
    return html.escape(str(value), quote=True)


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _message_html(message: str | None) -> str:
    if not message:
        return ""
    return f'<span class="ct-error" style="color:{_RED}">{escape_html(_sentence(message))}</span>'


def _ok_html(text_html: str) -> str:
    return f'<div class="ct-ok" style="color:{_GREEN}">&#10003; {text_html}</div>'


def _error_html(text_html: str) -> str:
    return f'<div class="ct-error" style="color:{_RED}">{text_html}</div>'


def _label_html(label: str, required: bool) -> str:
    mark = (
        f' <span class="ct-required" title="required" style="color:{_RED}">*</span>'
        if required
        else ""
    )
    return f"<b>{escape_html(label)}</b>{mark}"


def _counted(counts: Mapping[str, int]) -> str:
    """``{"interviews": 1, "follow_ups": 2}`` -> ``"1 interview and 2 follow-ups"``."""
    parts = []
    order = [
        *(t for t in schema.WRITE_ORDER if t in counts),
        *(t for t in counts if t not in schema.WRITE_ORDER),
    ]
    for table in order:
        n = counts[table]
        one, many = _NOUNS.get(table, (table, table))
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return _and(parts) or "nothing"


def _and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _py(value: object) -> Any:
    """A frame cell as a plain Python value for a widget (NA -> None, Timestamp -> date)."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if hasattr(value, "item"):  # numpy and pandas scalars
        return value.item()
    return value


def _heading(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h3 style='margin:0.8em 0 0.2em'>{escape_html(text)}</h3>")


def _note(text_html: str) -> widgets.HTML:
    return widgets.HTML(f"<div style='color:#555'>{text_html}</div>")


def _hidden(widget: widgets.Widget, hidden: bool = True) -> widgets.Widget:
    widget.layout.display = "none" if hidden else None
    return widget


class _Shown:
    """Shows ``self.box`` when displayed, with a short stable text for plain-text outputs."""

    box: widgets.Box

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.box._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = f"<{type(self).__name__}>"
        return bundle


def _report_unexpected(err: Exception) -> str:
    """Plain words for an error nobody planned for; the details go to the log."""
    log.exception("unexpected error in a form", exc_info=err)
    return (
        "Something unexpected went wrong, so nothing was saved. What you typed is still "
        f"here; please tell your coach ({escape_html(type(err).__name__)})."
    )


# --------------------------------------------------------------------------- one field
class LabelledField:
    """One input with its label (marked ``*`` when required) and its message beside it.

    Parameters
    ----------
    field
        The schema field; it gives the label, the widget kind and the allowed values.
    widget
        A ready widget to use instead of the one built from the field.
    label
        Words to show instead of the schema label.
    required
        Override the schema's required flag (for the marker only).
    hook
        CSS class for tests, default ``ct-`` + the field name with dashes.

    Attributes
    ----------
    widget, label, message, box
        The input, its label HTML, its message HTML and the row holding all three.
    touched
        Whether the person has changed this input (its "fill me in" message waits till then).
    """

    def __init__(
        self,
        field: schema.Field,
        *,
        widget: widgets.ValueWidget | None = None,
        label: str | None = None,
        required: bool | None = None,
        hook: str | None = None,
    ) -> None:
        self.field = field
        self.name = field.name
        self.required = field.required if required is None else required
        self.widget = widget if widget is not None else _widget_for(field)
        self.widget.add_class(hook or "ct-" + field.name.replace("_", "-"))
        self.label = widgets.HTML(
            _label_html(label or field.label, self.required),
            layout=widgets.Layout(width=_LABEL_WIDTH, min_width=_LABEL_WIDTH),
        )
        self.message = widgets.HTML("").add_class("ct-message")
        self.touched = False
        self.box = widgets.HBox([self.label, self.widget, self.message])
        self.widget.observe(self._touch, "value")

    def _touch(self, _change: Mapping[str, Any] | None = None) -> None:
        self.touched = True

    @property
    def value(self) -> Any:
        """The raw value, as the schema expects it (blank text counts as missing)."""
        return self.widget.value

    @value.setter
    def value(self, new: Any) -> None:
        self.widget.value = _for_widget(self.widget, self.field, new)

    def show(self, message: str | None) -> None:
        """Show ``message`` (plain text, escaped here) beside the input, or clear it."""
        self.message.value = _message_html(message)

    def reset(self) -> None:
        """Back to the field's default, untouched and without a message."""
        self.value = self.field.default
        self.touched = False
        self.show(None)


def _widget_for(field: schema.Field) -> widgets.ValueWidget:
    layout = widgets.Layout(width=_INPUT_WIDTH)
    if field.kind == "enum":
        options = [(label, value) for value, label in field.allowed().items()]
        if not field.required and field.default is None:
            options.insert(0, ("(not given)", None))
        return widgets.Dropdown(options=options, value=field.default, layout=layout)
    if field.kind == "date":
        return widgets.DatePicker(value=None, layout=layout)
    if field.name in _LONG_TEXT:
        return widgets.Textarea(value="", layout=widgets.Layout(width=_INPUT_WIDTH, height="5em"))
    placeholder = "name@example.com" if field.kind == "email" else ""
    value = field.default if isinstance(field.default, str) else ""
    return widgets.Text(value=value, placeholder=placeholder, layout=layout)


def _for_widget(widget: widgets.ValueWidget, field: schema.Field, value: Any) -> Any:
    """Convert a stored value to what ``widget`` accepts."""
    value = _py(value)
    if isinstance(widget, widgets.DatePicker):
        return schema.as_date(value)
    if isinstance(widget, widgets.Text | widgets.Textarea):
        return "" if value is None else str(value)
    if isinstance(widget, widgets.Dropdown) and value is not None:
        if value not in [v for _, v in widget.options]:
            # A value from an older script or a deleted person: keep it choosable.
            widget.options = [*widget.options, (str(value), value)]
    return value


# --------------------------------------------------------------------------- deleting
def confirm_delete(what: str, goes_with: str, on_confirm: Callable[[], Any]) -> widgets.HBox:
    """A Delete button that first asks, saying what else goes, then calls ``on_confirm``.

    Parameters
    ----------
    what
        Plain words for the entry, e.g. ``"the interview at Acme on Tue 4 Mar 2025"``.
    goes_with
        Plain words for what is deleted with it, e.g. ``"Its 2 interviewers go too."``.
    on_confirm
        Called with no arguments when the person confirms.

    Returns
    -------
    HBox
        The row: first the Delete button, then the question with "Yes, delete" and "Keep it".
    """
    delete = widgets.Button(description="Delete", icon="trash", tooltip=f"Delete {what}")
    delete.add_class("ct-delete")
    row = widgets.HBox([delete]).add_class("ct-delete-row")

    def ask(_: widgets.Button) -> None:
        question = widgets.HTML(
            f"<span style='color:{_RED}'>Delete {escape_html(what)}? {escape_html(goes_with)}"
            "</span>"
        ).add_class("ct-delete-question")
        yes = widgets.Button(description="Yes, delete", button_style="danger")
        yes.add_class("ct-confirm-delete")
        keep = widgets.Button(description="Keep it").add_class("ct-keep")
        yes.on_click(lambda _: on_confirm())
        keep.on_click(lambda _: setattr(row, "children", (delete,)))
        row.children = (question, yes, keep)

    delete.on_click(ask)
    return row


def _goes_with(counts: Mapping[str, int]) -> str:
    shown = {k: v for k, v in counts.items() if v}
    if not shown:
        return "Nothing else is attached to it."
    return f"Its {_counted(shown)} will be deleted with it."


# --------------------------------------------------------------------------- who is this
class ClientPicker(_Shown):
    """Who is filling in the form.

    With a JupyterHub user name (``username``, else ``JUPYTERHUB_USER``) the client whose
    ``username`` matches is selected and fixed, so only their entries show; a hub user
    not yet in the workbook is asked to add themselves. Otherwise the client chooses
    their name from a list or adds themselves.

    Attributes
    ----------
    dropdown
        The list of clients; its ``value`` is the chosen client's id (``None``: nobody yet).
    """

    def __init__(self, wb, *, client_id: int | None = None, username: str | None = None) -> None:
        self.wb = wb
        if username is None:
            username = os.environ.get("JUPYTERHUB_USER")
        self.username = username or None
        self.fixed = False  # True once a JupyterHub user is matched to their client
        self._handlers: list[Callable[[int | None], Any]] = []
        self._updating = False
        spec = schema.TABLES["clients"]
        self.dropdown = widgets.Dropdown(
            options=[("Choose your name", None)], layout=widgets.Layout(width=_INPUT_WIDTH)
        ).add_class("ct-client")
        self.label = widgets.HTML(
            _label_html("Your name", True),
            layout=widgets.Layout(width=_LABEL_WIDTH, min_width=_LABEL_WIDTH),
        )
        self.message = widgets.HTML("").add_class("ct-message")
        self.signed_in = widgets.HTML("").add_class("ct-signed-in")
        self.add_me = widgets.Button(
            description="I'm not on the list", icon="user-plus", layout=widgets.Layout(width="auto")
        )
        self.add_me.add_class("ct-add-me")
        self.new = {
            name: LabelledField(spec[name], hook=f"ct-new-client-{name}")
            for name in ("name", "cohort", "country")
        }
        self.add_save = widgets.Button(
            description="Add me", button_style="primary", icon="check", disabled=True
        ).add_class("ct-add-client-save")
        self.add_status = widgets.HTML("").add_class("ct-add-client-status")
        self.add_box = _hidden(
            widgets.VBox([*(f.box for f in self.new.values()), self.add_save, self.add_status])
        ).add_class("ct-add-client")
        for f in self.new.values():
            f.widget.observe(lambda _: self._check_new(), "value")
        self.dropdown.observe(self._changed, "value")
        self.add_me.on_click(lambda _: self._open_add(True))
        self.add_save.on_click(self._on_add)
        self.box = widgets.VBox(
            [
                widgets.HBox([self.label, self.dropdown, self.add_me, self.message]),
                self.signed_in,
                self.add_box,
            ]
        ).add_class("ct-client-picker")
        self.refresh(select=client_id)

    # the value and its changes
    @property
    def value(self) -> int | None:
        """The chosen client's id, or ``None``."""
        return self.dropdown.value

    def observe(self, handler: Callable[[int | None], Any]) -> None:
        """Call ``handler(client_id)`` whenever the chosen client changes."""
        self._handlers.append(handler)

    def _changed(self, _change: Mapping[str, Any] | None = None) -> None:
        if not self._updating:
            for handler in self._handlers:
                handler(self.value)

    def show(self, message: str | None) -> None:
        self.message.value = _message_html(message)

    def refresh(self, select: int | None = None) -> None:
        """Reload the list of clients, keeping (or setting) the selection."""
        before = self.value
        self._updating = True
        try:
            self._reload(select)
        finally:
            self._updating = False
        if self.value != before:
            self._changed()

    def _reload(self, select: int | None) -> None:
        clients = self.wb.clients()
        if self.username:
            own = self.wb.client_for_user(self.username)
            if own is not None:
                name = clients.loc[clients["id"] == own, "name"].iloc[0]
                self.dropdown.options = [(str(name), own)]
                self.dropdown.value = own
                self.dropdown.disabled = self.fixed = True
                _hidden(self.add_me)
                _hidden(self.add_box)
                self.signed_in.value = (
                    f"Signed in as <b>{escape_html(self.username)}</b>: you see and add only "
                    "your own entries."
                )
                return
            self.signed_in.value = (
                f"Welcome, <b>{escape_html(self.username)}</b>. You are not in the workbook "
                "yet: add your name below to start."
            )
            self._open_add(True)
        current = select if select is not None else self.dropdown.value
        clients = clients.sort_values(["name", "id"])
        options: list[tuple[str, int | None]] = [("Choose your name", None)]
        for row in clients.itertuples(index=False):
            cohort = f" ({row.cohort})" if not _is_blank(row.cohort) else ""
            options.append((f"{row.name}{cohort}", int(row.id)))
        self.dropdown.options = options
        ids = [v for _, v in options]
        self.dropdown.value = current if current in ids else None

    # adding oneself
    def _open_add(self, show: bool) -> None:
        _hidden(self.add_box, not show)
        self._check_new()

    def _new_values(self) -> dict[str, Any]:
        return {name: f.value for name, f in self.new.items()}

    def _check_new(self) -> list[Problem]:
        _, problems = schema.validate_record("clients", self._new_values(), today=self.wb.today)
        found = {}
        for p in problems:
            found.setdefault(p.field, p.message)
        for name, f in self.new.items():
            f.show(found.get(name) if f.touched or not _is_blank(f.value) else None)
        self.add_save.disabled = bool(problems)
        return problems

    def _on_add(self, _: widgets.Button | None = None) -> None:
        if self._check_new():
            return
        values = self._new_values()
        try:
            cid = self.wb.add_client(
                values["name"],
                cohort=values["cohort"] or None,
                country=values["country"],
                username=self.username,
            )
        except ValidationError as err:
            for name, message in err.by_field().items():
                if name in self.new:
                    self.new[name].show(message)
            self.add_status.value = _error_html(escape_html(str(err)))
            return
        except FollowupKitError as err:
            self.add_status.value = _error_html(escape_html(str(err)))
            return
        except Exception as err:  # keep what was typed; never a traceback for a client
            self.add_status.value = _error_html(_report_unexpected(err))
            return
        for f in self.new.values():
            f.reset()
        _hidden(self.add_box)
        self.add_status.value = ""
        self.refresh(select=cid)
        self.signed_in.value = _ok_html(f"Added {escape_html(values['name'])}. Welcome!")


def client_picker(wb, *, client_id: int | None = None, username: str | None = None):
    """A :class:`ClientPicker` for ``wb`` (display it, read ``.value``)."""
    return ClientPicker(wb, client_id=client_id, username=username)


# --------------------------------------------------------------------------- a form base
class _Form(_Shown):
    """Fields of one schema table, checked on every change; Save stays off until valid."""

    table = ""
    save_label = "Save"

    def __init__(self, wb, fields: Mapping[str, LabelledField]) -> None:
        self.wb = wb
        self.fields = dict(fields)
        self.editing: int | None = None
        self.save = widgets.Button(
            description=self.save_label, button_style="primary", icon="check", disabled=True
        ).add_class("ct-save")
        self.cancel = _hidden(widgets.Button(description="Cancel editing", icon="times"))
        self.cancel.add_class("ct-cancel")
        self.hint = widgets.HTML("").add_class("ct-hint")
        self.status = widgets.HTML("").add_class("ct-report")
        for f in self.fields.values():
            f.widget.observe(lambda _: self.check(), "value")
        self.save.on_click(self._on_save)
        self.cancel.on_click(lambda _: self.clear())
        self.buttons = widgets.HBox([self.save, self.cancel, self.hint])

    # what the subclass supplies
    def _context(self) -> dict[str, Any]:
        """Values the rules need that are not fields (interview date, parent id)."""
        return {}

    def _extra_problems(self) -> list[Problem]:
        return []

    def _show_context_problem(self, problem: Problem) -> bool:
        """Show a problem about a context value; return whether it was shown."""
        return False

    def _create(self, record: dict[str, Any]) -> str:
        raise NotImplementedError

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        raise NotImplementedError

    def _saved(self) -> None:
        """Called after a save (refresh lists)."""

    # checking
    def values(self) -> dict[str, Any]:
        """What is in the form now, by field name, plus the context the rules need."""
        return {**{name: f.value for name, f in self.fields.items()}, **self._context()}

    def check(self) -> tuple[dict[str, Any], list[Problem]]:
        """Validate through the schema, show each message beside its field, set Save."""
        record, problems = schema.validate_record(self.table, self.values(), today=self.wb.today)
        found: dict[str, str] = {}
        for p in problems:
            found.setdefault(p.field, p.message)
        for name, f in self.fields.items():
            # A blank, untouched field waits quietly: the hint below says it is needed.
            quiet = not f.touched and _is_blank(f.value)
            f.show(None if quiet else found.get(name))
        for p in problems:
            if p.field not in self.fields:
                self._show_context_problem(p)
        problems += self._extra_problems()  # these show themselves
        self.save.disabled = bool(problems)
        self.hint.value = self._hint(problems)
        return record, problems

    def _hint(self, problems: list[Problem]) -> str:
        if not problems:
            return ""
        needed = [
            self.fields[p.field].field.label
            for p in problems
            if p.field in self.fields and p.message.startswith("please fill in")
        ]
        text = "To save, fix what is marked in red."
        if needed and len(needed) == len(problems):
            text = f"To save, fill in: {', '.join(needed)}."
        return f"<span style='color:#555'>{escape_html(text)}</span>"

    # saving
    def _on_save(self, _: widgets.Button | None = None) -> None:
        record, problems = self.check()
        if problems:
            return
        try:
            if self.editing is None:
                message = self._create(record)
            else:
                message = self._change(self.editing, record)
        except ValidationError as err:
            self._show_refusal(err)
            return
        except FollowupKitError as err:  # busy, read-only, full disk, gone: plain words
            self.status.value = _error_html(
                f"{escape_html(err)} What you typed is still in the form."
            )
            return
        except Exception as err:  # keep what was typed; never a traceback for a client
            self.status.value = _error_html(_report_unexpected(err))
            return
        self.clear()
        self.status.value = _ok_html(message)
        self._saved()

    def _show_refusal(self, err: ValidationError) -> None:
        lines = []
        for p in err.problems:
            if p.field in self.fields:
                self.fields[p.field].show(p.message)
                self.fields[p.field].touched = True
            elif not self._show_context_problem(p):
                lines.append(f"<li>{escape_html(p.field)}: {escape_html(p.message)}</li>")
        extra = f"<ul>{''.join(lines)}</ul>" if lines else ""
        self.status.value = _error_html(
            "Not saved: please fix what is marked in red. What you typed is still here." + extra
        )
        self.save.disabled = True

    # clearing and editing
    def clear(self) -> None:
        """Empty the form for the next entry (and leave edit mode)."""
        for f in self.fields.values():
            f.reset()
        self.editing = None
        self.save.description = self.save_label
        _hidden(self.cancel)
        self.status.value = ""
        self.check()

    def load(self, entry_id: int, values: Mapping[str, Any]) -> None:
        """Put a stored entry into the form for editing; Save then changes it."""
        for name, f in self.fields.items():
            if name in values:
                f.value = values[name]
            f.touched = True
        self.editing = int(entry_id)
        self.save.description = "Save changes"
        _hidden(self.cancel, False)
        self.check()


# --------------------------------------------------------------------------- interviews
class _InterviewerRow:
    """One interviewer: name, job title, email, a Remove button and the row's message."""

    def __init__(self, on_change: Callable[[], Any], on_remove: Callable[[_InterviewerRow], Any]):
        spec = schema.TABLES["interviewers"]
        self.id: int | None = None
        self.name = widgets.Text(placeholder=spec["name"].label + " *").add_class(
            "ct-interviewer-name"
        )
        self.title = widgets.Text(placeholder=spec["title"].label + " (optional)").add_class(
            "ct-interviewer-title"
        )
        self.email = widgets.Text(placeholder=spec["email"].label + " (optional)").add_class(
            "ct-interviewer-email"
        )
        self.remove = widgets.Button(description="Remove", icon="minus", tooltip="Remove")
        self.remove.add_class("ct-remove-interviewer")
        self.message = widgets.HTML("").add_class("ct-message")
        self.touched = False
        for w in (self.name, self.title, self.email):
            w.layout = widgets.Layout(width="14em")
            w.observe(lambda _: self._changed(on_change), "value")
        self.remove.on_click(lambda _: on_remove(self))
        self.box = widgets.VBox(
            [widgets.HBox([self.name, self.title, self.email, self.remove]), self.message]
        ).add_class("ct-interviewer")

    def _changed(self, on_change: Callable[[], Any]) -> None:
        self.touched = True
        on_change()

    def values(self) -> dict[str, str]:
        return {"name": self.name.value, "title": self.title.value, "email": self.email.value}

    @property
    def blank(self) -> bool:
        return all(not v.strip() for v in self.values().values())

    def close(self) -> None:
        for w in (self.name, self.title, self.email, self.remove, self.message, self.box):
            w.close()


class InterviewForm(_Form):
    """The interview form: who you are, the interview, the people who ran it; your list.

    Build it with :func:`interview_form`. Save logs the interview (with its interviewers)
    and clears the form; each interview in the list below can be edited or deleted.

    Attributes
    ----------
    picker
        The :class:`ClientPicker`.
    fields
        :class:`LabelledField` by schema field name (company, role, interview_date ...).
    interviewers
        The interviewer rows; :meth:`add_interviewer` adds one.
    save, cancel, hint, status
        Save button, cancel-editing button, what is still needed, what happened.
    entries
        The client's interviews, each with Edit and Delete.
    """

    table = "interviews"
    save_label = "Save interview"
    _FIELDS = (
        "company",
        "role",
        "interview_date",
        "round",
        "format",
        "contact_route",
        "decision_expected",
        "status",
        "notes",
    )

    def __init__(self, wb, *, client_id: int | None = None, username: str | None = None):
        spec = schema.TABLES["interviews"]
        self.picker = ClientPicker(wb, client_id=client_id, username=username)
        self.interviewers: list[_InterviewerRow] = []
        self._rows_box = widgets.VBox([]).add_class("ct-interviewers")
        self._add_row = widgets.Button(
            description="Add another interviewer", icon="plus", layout=widgets.Layout(width="auto")
        )
        self._add_row.add_class("ct-add-interviewer")
        self._add_row.on_click(lambda _: self.add_interviewer())
        super().__init__(wb, {name: LabelledField(spec[name]) for name in self._FIELDS})
        self.entries = widgets.VBox([]).add_class("ct-entries")
        self.entries_status = widgets.HTML("").add_class("ct-entries-status")
        self.add_interviewer()
        f = self.fields
        self.box = widgets.VBox(
            [
                self.picker.box,
                _heading("The interview"),
                *(f[n].box for n in ("company", "role", "interview_date", "round", "format")),
                *(f[n].box for n in ("contact_route", "decision_expected", "status", "notes")),
                _heading("Who interviewed you"),
                _note("One row per person: each of them gets their own thank-you note."),
                self._rows_box,
                widgets.HBox([self._add_row]),  # in a row, so it keeps its own width
                self.buttons,
                self.status,
                _heading("Your interviews"),
                self.entries_status,
                self.entries,
            ]
        ).add_class("ct-interview-form")
        self.picker.observe(lambda _: self._client_changed())
        self._client_changed()

    # interviewer rows
    def add_interviewer(
        self, name: str = "", title: str = "", email: str = "", id: int | None = None
    ) -> _InterviewerRow:
        """Add an interviewer row (filled in when editing) and return it."""
        row = _InterviewerRow(self.check, self.remove_interviewer)
        row.name.value, row.title.value, row.email.value = name, title, email
        row.id, row.touched = id, not row.blank
        self.interviewers.append(row)
        self._rows_box.children = [r.box for r in self.interviewers]
        self.check()
        return row

    def remove_interviewer(self, row: _InterviewerRow) -> None:
        """Remove one interviewer row (on save, a stored interviewer is deleted)."""
        self.interviewers.remove(row)
        self._rows_box.children = [r.box for r in self.interviewers]
        row.close()
        self.check()

    def _people(self) -> list[_InterviewerRow]:
        return [r for r in self.interviewers if not r.blank]

    # the form's hooks
    def _context(self) -> dict[str, Any]:
        return {"client_id": self.picker.value}

    def _extra_problems(self) -> list[Problem]:
        problems = []
        for i, row in enumerate(getattr(self, "interviewers", []), start=1):
            if row.blank:
                row.message.value = ""
                continue
            _, found = schema.validate_record(
                "interviewers", {**row.values(), "interview_id": 1}, today=self.wb.today
            )
            spec = schema.TABLES["interviewers"]
            text = "; ".join(f"{spec[p.field].label}: {p.message}" for p in found)
            row.message.value = _message_html(text) if row.touched else ""
            problems += [Problem(f"interviewers[{i}].{p.field}", p.message) for p in found]
        return problems

    def _show_context_problem(self, problem: Problem) -> bool:
        if problem.field == "client_id":
            touched = any(f.touched for f in self.fields.values())
            self.picker.show("choose your name first." if touched else None)
            return True
        match = re.fullmatch(r"interviewers\[(\d+)\]\.(\w+)", problem.field)
        if match:
            i = int(match.group(1)) - 1
            people = self.interviewers
            if 0 <= i < len(people):
                label = schema.TABLES["interviewers"][match.group(2)].label
                people[i].message.value = _message_html(f"{label}: {problem.message}")
                return True
        return False

    def check(self) -> tuple[dict[str, Any], list[Problem]]:
        if self.picker.value is not None:
            self.picker.show(None)
        return super().check()

    def _hint(self, problems: list[Problem]) -> str:
        if any(p.field == "client_id" for p in problems):
            text = "To save, choose your name at the top first."
            return f"<span style='color:#555'>{escape_html(text)}</span>"
        return super()._hint(problems)

    def _create(self, record: dict[str, Any]) -> str:
        people = [r.values() for r in self._people()]
        self.wb.log_interview(
            record["client_id"],
            record["company"],
            record["role"],
            record["interview_date"],
            round=record["round"],
            format=record["format"],
            contact_route=record["contact_route"],
            decision_expected=record["decision_expected"],
            status=record["status"],
            notes=record["notes"],
            interviewers=[{k: (v.strip() or None) for k, v in p.items()} for p in people],
        )
        return (
            "Saved: "
            + self._describe(record, [p["name"] for p in people])
            + (" Next: log your thank-you note(s) in <i>Record what happened</i>.")
        )

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        changes = {name: record[name] for name in self._FIELDS}
        people = [
            {**{k: (x.strip() or None) for k, x in row.values().items()}, "id": row.id}
            for row in self._people()
        ]
        # One transaction: the interview and its interviewers change together or not at all.
        self.wb.update_interview(entry_id, interviewers=people, **changes)
        names = [r.name.value.strip() for r in self._people()]
        return "Changed: " + self._describe(record, names)

    @staticmethod
    def _describe(record: Mapping[str, Any], names: list[str]) -> str:
        text = (
            f"{schema.choice_label('round', record['round'])} at "
            f"<b>{escape_html(record['company'])}</b> for the role "
            f"<b>{escape_html(record['role'])}</b> on {format_day(record['interview_date'])}"
        )
        if names:
            text += ", with " + escape_html(_and(names))
        return text + "."

    def clear(self) -> None:
        for row in list(getattr(self, "interviewers", [])):
            self.interviewers.remove(row)
            row.close()
        super().clear()
        if hasattr(self, "entries"):
            self.add_interviewer()
            self.picker.dropdown.disabled = self.picker.fixed

    def _saved(self) -> None:
        self.refresh_entries()

    # editing and the list
    def edit(self, interview_id: int) -> None:
        """Load a stored interview (with its interviewers) into the form."""
        frames = self.wb.tables(self.picker.value)
        row = frames["interviews"].set_index("id").loc[interview_id]
        self.clear()
        for r in list(self.interviewers):
            self.remove_interviewer(r)
        people = frames["interviewers"]
        for p in people[people["interview_id"] == interview_id].itertuples(index=False):
            self.add_interviewer(
                *("" if _is_blank(x) else str(x) for x in (p.name, p.title, p.email)), id=int(p.id)
            )
        if not self.interviewers:
            self.add_interviewer()
        self.load(interview_id, {name: row[name] for name in self._FIELDS})
        self.picker.dropdown.disabled = True  # an interview stays with its client
        self.status.value = _note(
            f"Editing the interview at <b>{escape_html(row['company'])}</b>: change what you "
            "need, then press <i>Save changes</i>."
        ).value

    def delete(self, interview_id: int) -> dict[str, int]:
        """Delete an interview with everything attached; report what went."""
        try:
            removed = self.wb.delete_interview(interview_id)
        except FollowupKitError as err:
            self.entries_status.value = _error_html(escape_html(err))
            return {}
        if self.editing == interview_id:
            self.clear()
        self.entries_status.value = _ok_html(f"Deleted {escape_html(_counted(removed))}.")
        self.refresh_entries()
        return removed

    def _client_changed(self) -> None:
        if self.editing is not None:
            self.clear()
        self.status.value = ""
        self.entries_status.value = ""
        self.refresh_entries()
        self.check()

    def refresh_entries(self) -> None:
        """Rebuild the list of the chosen client's interviews."""
        for child in self.entries.children:
            child.close()
        cid = self.picker.value
        if cid is None:
            self.entries.children = [_note("Choose your name to see your interviews.")]
            return
        frames = self.wb.tables(cid)
        interviews = frames["interviews"].sort_values(
            ["interview_date", "id"], ascending=False, na_position="last"
        )
        if interviews.empty:
            self.entries.children = [_note("No interviews logged yet.")]
            return
        rows = []
        for iv in interviews.itertuples(index=False):
            iid = int(iv.id)
            rows.append(self._entry_row(iid, iv, _attached(frames, iid)))
        self.entries.children = rows

    def _entry_row(self, iid: int, iv: Any, attached: dict[str, int]) -> widgets.HBox:
        people = attached.pop("_names", [])
        who = f" · with {escape_html(_and(people))}" if people else ""
        summary = widgets.HTML(
            f"<b>{format_day(iv.interview_date)}</b> · {escape_html(iv.company)} · "
            f"{escape_html(iv.role)} · {escape_html(schema.choice_label('round', iv.round))} · "
            f"{escape_html(schema.choice_label('status', iv.status))}{who}",
            layout=widgets.Layout(width="40em"),
        ).add_class("ct-entry")
        edit = widgets.Button(description="Edit", icon="pencil").add_class("ct-edit")
        edit.on_click(lambda _: self.edit(iid))
        what = f"the interview at {iv.company} on {format_day(iv.interview_date)}"
        delete = confirm_delete(what, _goes_with(attached), lambda: self.delete(iid))
        return widgets.HBox([summary, edit, delete])


def _attached(frames: Mapping[str, pd.DataFrame], interview_id: int) -> dict[str, Any]:
    """What belongs to one interview: counts per table, and the interviewers' names."""
    out: dict[str, Any] = {}
    for table in ("interviewers", "follow_ups", "responses", "skipped_steps"):
        frame = frames[table]
        mine = frame[frame["interview_id"] == interview_id]
        out[table] = len(mine)
        if table == "interviewers":
            out["_names"] = [str(n) for n in mine["name"]]
    return out


def interview_form(wb, *, client_id: int | None = None, username: str | None = None):
    """The interview form for ``wb``: display it in a notebook or a Voila app.

    Parameters
    ----------
    wb
        The open :class:`~followup_kit.store.Workbook`.
    client_id
        Preselect this client (ignored when a JupyterHub user is signed in).
    username
        A JupyterHub user name; default ``$JUPYTERHUB_USER``.

    Returns
    -------
    InterviewForm
        ``.box`` is the VBox shown; ``.fields``, ``.save`` and ``.status`` drive it from code.

    Examples
    --------
    >>> import followup_kit as fk
    >>> wb = fk.open_workbook(":memory:", today="2025-03-20")
    >>> cid = wb.add_client("Alex Rivera")
    >>> form = fk.interview_form(wb, client_id=cid)
    >>> form.fields["company"].value = "Acme"
    >>> form.fields["role"].value = "Analyst"
    >>> form.fields["interview_date"].value = date(2025, 3, 4)
    >>> form.save.click()
    >>> len(wb.interviews())
    1
    """
    return InterviewForm(wb, client_id=client_id, username=username)


# --------------------------------------------------------------------------- what happened
_WORKED = "What worked:"
_CHANGE = "What I'd change next time:"
_REFLECTION = re.compile(
    rf"^{re.escape(_WORKED)}\s*(?P<worked>.*?)\s*(?:\n{re.escape(_CHANGE)}\s*(?P<change>.*))?$",
    re.DOTALL,
)


class _ReflectionField(LabelledField):
    """The reflection as two prompts (what worked, what I'd change) kept in one text field."""

    def __init__(self, field: schema.Field) -> None:
        box_layout = widgets.Layout(width=_INPUT_WIDTH, height="4em")
        self.worked = widgets.Textarea(placeholder="What worked?", layout=box_layout)
        self.worked.add_class("ct-reflection-worked")
        self.change = widgets.Textarea(
            placeholder="What would you change next time?", layout=box_layout
        )
        self.change.add_class("ct-reflection-change")
        self._joined = widgets.Textarea()  # holds the stored text, so observers see one value
        super().__init__(field, widget=self._joined)
        self.box.children = (self.label, widgets.VBox([self.worked, self.change]), self.message)
        for w in (self.worked, self.change):
            w.observe(lambda _: self._sync(), "value")

    def _sync(self) -> None:
        self._joined.value = join_reflection(self.worked.value, self.change.value) or ""

    @property
    def value(self) -> Any:
        return self._joined.value

    @value.setter
    def value(self, new: Any) -> None:
        worked, change = split_reflection(None if _is_blank(new) else str(new))
        self.worked.value, self.change.value = worked, change
        self._sync()


def join_reflection(worked: str, change: str) -> str | None:
    """The two reflection prompts as one stored text (``None`` when both are blank)."""
    worked, change = worked.strip(), change.strip()
    if not worked and not change:
        return None
    return f"{_WORKED} {worked}\n{_CHANGE} {change}"


def split_reflection(text: str | None) -> tuple[str, str]:
    """Back from stored text to (what worked, what I'd change); free text goes first."""
    if not text:
        return "", ""
    match = _REFLECTION.match(text)
    if not match:
        return text, ""
    return match.group("worked") or "", match.group("change") or ""


class _InterviewChild(_Form):
    """A follow-up or reply form inside :class:`RecordForm` (the interview comes from it)."""

    noun = ""

    def __init__(self, parent: RecordForm, fields: Mapping[str, LabelledField]) -> None:
        self.parent = parent
        super().__init__(parent.wb, fields)

    def _context(self) -> dict[str, Any]:
        return {
            "interview_id": self.parent.interview.value,
            "interview_date": self.parent.interview_date,
        }

    def _show_context_problem(self, problem: Problem) -> bool:
        if problem.field == "interview_id":
            return True  # the hint says it; the interview list is empty or unchosen
        return False

    def _hint(self, problems: list[Problem]) -> str:
        if any(p.field == "interview_id" for p in problems):
            text = "To save, choose the interview at the top first."
            return f"<span style='color:#555'>{escape_html(text)}</span>"
        return super()._hint(problems)

    def _saved(self) -> None:
        self.parent.refresh(keep_status=True)


class _FollowUpForm(_InterviewChild):
    table = "follow_ups"
    save_label = "Save what I sent"
    noun = "follow-up"
    _FIELDS = ("kind", "channel", "sent_on", "interviewer_id", "script_id", "notes")

    def __init__(self, parent: RecordForm) -> None:
        spec = schema.TABLES["follow_ups"]
        layout = widgets.Layout(width=_INPUT_WIDTH)
        self.scripts = _script_library(parent.wb)
        script_options = [("No script", None)] + [
            (title, sid) for sid, (title, _) in sorted(self.scripts.items(), key=lambda x: x[1][0])
        ]
        fields = {
            name: LabelledField(spec[name]) for name in ("kind", "channel", "sent_on", "notes")
        }
        fields["interviewer_id"] = LabelledField(
            spec["interviewer_id"],
            widget=widgets.Dropdown(options=[("Everyone / not one person", None)], layout=layout),
        )
        fields["script_id"] = LabelledField(
            spec["script_id"], widget=widgets.Dropdown(options=script_options, layout=layout)
        )
        super().__init__(parent, {name: fields[name] for name in self._FIELDS})
        self._loaded_version: tuple[str | None, str | None] = (None, None)
        self.box = widgets.VBox(
            [*(f.box for f in self.fields.values()), self.buttons, self.status]
        ).add_class("ct-sent-form")

    def set_people(self, people: pd.DataFrame) -> None:
        """Offer the chosen interview's interviewers in "Sent to"."""
        options = [("Everyone / not one person", None)]
        for p in people.itertuples(index=False):
            title = f" ({p.title})" if not _is_blank(p.title) else ""
            options.append((f"{p.name}{title}", int(p.id)))
        widget = self.fields["interviewer_id"].widget
        keep = widget.value if widget.value in [v for _, v in options] else None
        widget.options = options
        widget.value = keep

    def _version(self, script_id: str | None) -> str | None:
        if script_id is None:
            return None
        if script_id == self._loaded_version[0]:
            return self._loaded_version[1]
        return self.scripts.get(script_id, ("", None))[1]

    def _create(self, record: dict[str, Any]) -> str:
        self.wb.log_follow_up(
            record["interview_id"],
            kind=record["kind"],
            channel=record["channel"],
            sent_on=record["sent_on"],
            interviewer_id=record["interviewer_id"],
            script_id=record["script_id"],
            script_version=self._version(record["script_id"]),
            notes=record["notes"],
        )
        return "Saved: " + self._describe(record)

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        changes = {name: record[name] for name in self._FIELDS}
        changes["script_version"] = self._version(record["script_id"])
        self.wb.update_follow_up(entry_id, **changes)
        return "Changed: " + self._describe(record)

    def _describe(self, record: Mapping[str, Any]) -> str:
        return (
            f"{escape_html(schema.choice_label('kind', record['kind']))} by "
            f"{escape_html(schema.choice_label('channel', record['channel']).lower())} on "
            f"{format_day(record['sent_on'])}, for the interview at "
            f"<b>{escape_html(self.parent.company)}</b>."
        )

    def load(self, entry_id: int, values: Mapping[str, Any]) -> None:
        self._loaded_version = (_py(values.get("script_id")), _py(values.get("script_version")))
        super().load(entry_id, values)

    def clear(self) -> None:
        self._loaded_version = (None, None)
        super().clear()


class _ReplyForm(_InterviewChild):
    table = "responses"
    save_label = "Save the reply"
    noun = "reply"
    _FIELDS = ("received_on", "channel", "result", "feedback", "reflection")

    def __init__(self, parent: RecordForm) -> None:
        spec = schema.TABLES["responses"]
        fields = {name: LabelledField(spec[name]) for name in self._FIELDS[:-1]}
        fields["reflection"] = _ReflectionField(spec["reflection"])
        super().__init__(parent, fields)
        self.box = widgets.VBox(
            [*(f.box for f in self.fields.values()), self.buttons, self.status]
        ).add_class("ct-reply-form")

    def _create(self, record: dict[str, Any]) -> str:
        self.wb.log_response(
            record["interview_id"],
            received_on=record["received_on"],
            result=record["result"],
            channel=record["channel"],
            feedback=record["feedback"],
            reflection=record["reflection"],
        )
        return "Saved: " + self._describe(record)

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        self.wb.update_response(entry_id, **{name: record[name] for name in self._FIELDS})
        return "Changed: " + self._describe(record)

    def _describe(self, record: Mapping[str, Any]) -> str:
        return (
            f"the reply from <b>{escape_html(self.parent.company)}</b> on "
            f"{format_day(record['received_on'])}: "
            f"{escape_html(schema.choice_label('result', record['result']))}."
        )


def _script_library(wb) -> dict[str, tuple[str, str | None]]:
    """Script id -> (title, version) from the library, the coach's folder included."""
    try:
        library, _ = load_scripts(wb)
    except Exception as err:  # a broken library must not stop a client logging a note
        log.warning("script library unavailable: %s", err)
        return {}
    return {sid: (s.title, s.version) for sid, s in library.items()}


class RecordForm(_Shown):
    """Log what you sent and what came back for one interview; edit or delete entries.

    Build it with :func:`record_form`. The reply form asks for a short reflection (what
    worked, what you would change next time) that the coach reads beside the outcome.

    Attributes
    ----------
    picker
        The :class:`ClientPicker`.
    interview
        Dropdown of the client's interviews (newest first); its value is the interview id.
    sent, reply
        The follow-up form and the reply form; each has ``fields``, ``save`` and ``status``.
    overview
        HTML table of the client's interviews: what was sent, what came back, reflections.
    entries
        The chosen interview's follow-ups and replies, each with Edit and Delete.
    """

    def __init__(
        self,
        wb,
        *,
        client_id: int | None = None,
        username: str | None = None,
        interview_id: int | None = None,
    ) -> None:
        self.wb = wb
        self._frames: dict[str, pd.DataFrame] = {}
        self._updating = False
        self.picker = ClientPicker(wb, client_id=client_id, username=username)
        self.interview = widgets.Dropdown(
            options=[("Choose the interview", None)], layout=widgets.Layout(width="36em")
        ).add_class("ct-interview")
        self.sent = _FollowUpForm(self)
        self.reply = _ReplyForm(self)
        self.overview = widgets.HTML("").add_class("ct-overview")
        self.entries = widgets.VBox([]).add_class("ct-entries")
        self.entries_status = widgets.HTML("").add_class("ct-entries-status")
        label = widgets.HTML(
            _label_html("The interview", True),
            layout=widgets.Layout(width=_LABEL_WIDTH, min_width=_LABEL_WIDTH),
        )
        self.box = widgets.VBox(
            [
                self.picker.box,
                widgets.HBox([label, self.interview]),
                _heading("What you sent"),
                self.sent.box,
                _heading("What came back"),
                _note(
                    "Write your reflection while it is fresh: your coach reads it beside "
                    "the outcome."
                ),
                self.reply.box,
                _heading("Logged for this interview"),
                self.entries_status,
                self.entries,
                _heading("All your interviews"),
                self.overview,
            ]
        ).add_class("ct-record-form")
        self.picker.observe(lambda _: self._client_changed())
        self.interview.observe(
            lambda _: None if self._updating else self._interview_changed(), "value"
        )
        self._client_changed(select=interview_id)

    # the chosen interview
    def _row(self) -> pd.Series | None:
        iid = self.interview.value
        frame = self._frames.get("interviews")
        if iid is None or frame is None:
            return None
        found = frame[frame["id"] == iid]
        return None if found.empty else found.iloc[0]

    @property
    def interview_date(self) -> date | None:
        row = self._row()
        return None if row is None else _py(row["interview_date"])

    @property
    def company(self) -> str:
        row = self._row()
        return "" if row is None else str(row["company"])

    def _client_changed(self, select: int | None = None) -> None:
        self.entries_status.value = ""
        self.refresh(select=select)

    def _interview_changed(self, keep_status: bool = False) -> None:
        for form in (self.sent, self.reply):
            if keep_status:
                continue
            if form.editing is not None:
                form.clear()
            form.status.value = ""
        self._fill_people()
        self._refresh_entries()
        self.sent.check()
        self.reply.check()

    def refresh(self, select: int | None = None, *, keep_status: bool = False) -> None:
        """Re-read the client's entries: the interview list, the overview, the entries."""
        cid = self.picker.value
        self._frames = self.wb.tables(cid) if cid is not None else {}
        options: list[tuple[str, int | None]] = [("Choose the interview", None)]
        if cid is not None:
            interviews = self._frames["interviews"].sort_values(
                ["interview_date", "id"], ascending=False
            )
            for iv in interviews.itertuples(index=False):
                round_ = schema.choice_label("round", iv.round)
                text = f"{iv.company} - {iv.role} ({round_}, {format_day(iv.interview_date)})"
                options.append((text, int(iv.id)))
        current = select if select is not None else self.interview.value
        ids = [v for _, v in options]
        if current is None or current not in ids:
            current = ids[1] if len(ids) > 1 else None  # the newest interview
        self._updating = True
        try:
            self.interview.options = options
            self.interview.value = current
        finally:
            self._updating = False
        self.overview.value = self._overview_html()
        self._interview_changed(keep_status)

    def _fill_people(self) -> None:
        people = self._frames.get("interviewers")
        if people is None:
            self.sent.set_people(pd.DataFrame(columns=["id", "name", "title"]))
            return
        self.sent.set_people(people[people["interview_id"] == self.interview.value])

    def _overview_html(self) -> str:
        if self.picker.value is None:
            return _note("Choose your name to see your interviews.").value
        f = self._frames
        interviews = f["interviews"].sort_values(["interview_date", "id"], ascending=False)
        if interviews.empty:
            return _note(
                "No interviews logged yet: log one in <i>Log an interview</i> first."
            ).value
        sent = f["follow_ups"].groupby("interview_id").size()
        replies = f["responses"].sort_values(["received_on", "id"])
        last = replies.groupby("interview_id").tail(1).set_index("interview_id")
        head = (
            "<tr><th>Interview</th><th>Company</th><th>Role</th><th>Status</th>"
            "<th>Sent</th><th>Latest reply</th><th>Your reflection</th></tr>"
        )
        rows = []
        for iv in interviews.itertuples(index=False):
            reply = reflection = ""
            if iv.id in last.index:
                r = last.loc[iv.id]
                reply = (
                    f"{escape_html(schema.choice_label('result', r['result']))}, "
                    f"{format_day(r['received_on'])}"
                )
                reflection = escape_html(r["reflection"]).replace("\n", "<br>")
            rows.append(
                f"<tr><td>{format_day(iv.interview_date)}</td><td>{escape_html(iv.company)}</td>"
                f"<td>{escape_html(iv.role)}</td>"
                f"<td>{escape_html(schema.choice_label('status', iv.status))}</td>"
                f"<td>{int(sent.get(iv.id, 0))}</td><td>{reply}</td><td>{reflection}</td></tr>"
            )
        style = "border-collapse:collapse"
        return (
            f"<div style='max-height:24em;overflow:auto'><table class='ct-overview-table' "
            f"style='{style}' cellpadding='4'>{head}{''.join(rows)}</table></div>"
        )

    # entries of the chosen interview
    def _refresh_entries(self) -> None:
        for child in self.entries.children:
            child.close()
        iid = self.interview.value
        if iid is None:
            self.entries.children = [_note("Choose an interview to see what you logged.")]
            return
        f = self._frames
        people = f["interviewers"].set_index("id")["name"]
        rows: list[widgets.Widget] = []
        sent = f["follow_ups"][f["follow_ups"]["interview_id"] == iid].sort_values("sent_on")
        for fu in sent.itertuples(index=False):
            to = ""
            if not _is_blank(fu.interviewer_id) and fu.interviewer_id in people.index:
                to = f" to {people.loc[fu.interviewer_id]}"
            text = (
                f"Sent: {schema.choice_label('kind', fu.kind)} by "
                f"{schema.choice_label('channel', fu.channel).lower()}{to}"
            )
            rows.append(self._entry_row("follow_ups", fu, text, fu.sent_on))
        got = f["responses"][f["responses"]["interview_id"] == iid].sort_values("received_on")
        for rs in got.itertuples(index=False):
            text = f"Reply: {schema.choice_label('result', rs.result)}"
            if not _is_blank(rs.feedback):
                text += f". Their feedback: {rs.feedback}"
            if not _is_blank(rs.reflection):
                text += f". Your reflection: {rs.reflection}"
            rows.append(self._entry_row("responses", rs, text, rs.received_on))
        self.entries.children = rows or [_note("Nothing logged for this interview yet.")]

    def _entry_row(self, table: str, entry: Any, text: str, day: object) -> widgets.HBox:
        entry_id = int(entry.id)
        summary = widgets.HTML(
            f"<b>{format_day(day)}</b> · {escape_html(text)}", layout=widgets.Layout(width="40em")
        ).add_class("ct-entry")
        form = self.sent if table == "follow_ups" else self.reply
        values = {name: getattr(entry, name) for name in form.fields}
        if table == "follow_ups":
            values["script_version"] = entry.script_version
        edit = widgets.Button(description="Edit", icon="pencil").add_class("ct-edit")
        edit.on_click(lambda _: self.edit(table, entry_id, values))
        noun = _NOUNS[table][0]
        what = f"the {noun} of {format_day(day)} ({self.company})"
        delete = confirm_delete(what, "Only this entry goes.", lambda: self.delete(table, entry_id))
        return widgets.HBox([summary, edit, delete])

    def edit(self, table: str, entry_id: int, values: Mapping[str, Any]) -> None:
        """Load a follow-up (``"follow_ups"``) or reply (``"responses"``) for editing."""
        form = self.sent if table == "follow_ups" else self.reply
        form.clear()
        form.load(entry_id, values)
        form.status.value = _note(
            "Editing this entry: change what you need, then press <i>Save changes</i>."
        ).value

    def delete(self, table: str, entry_id: int) -> dict[str, int]:
        """Delete one follow-up or reply and say so."""
        deleter = self.wb.delete_follow_up if table == "follow_ups" else self.wb.delete_response
        try:
            removed = deleter(entry_id)
        except FollowupKitError as err:
            self.entries_status.value = _error_html(escape_html(err))
            return {}
        for form in (self.sent, self.reply):
            if form.table == table and form.editing == entry_id:
                form.clear()
        self.entries_status.value = _ok_html(f"Deleted {escape_html(_counted(removed))}.")
        self.refresh(keep_status=True)
        return removed


def record_form(
    wb,
    *,
    client_id: int | None = None,
    username: str | None = None,
    interview_id: int | None = None,
):
    """The "record what happened" form for ``wb``: follow-ups sent, replies, reflections.

    Parameters
    ----------
    wb
        The open :class:`~followup_kit.store.Workbook`.
    client_id, username
        As for :func:`interview_form`.
    interview_id
        Preselect this interview (default: the client's newest).

    Returns
    -------
    RecordForm
        ``.sent`` and ``.reply`` are the two forms; ``.overview`` lists every interview.
    """
    return RecordForm(wb, client_id=client_id, username=username, interview_id=interview_id)


# --------------------------------------------------------------------------- start here
def store_summary(wb) -> widgets.HTML:
    """Where the data lives and how many rows each table holds, in plain words."""
    counts = wb.counts()
    kind = "a SQLite file" if wb.is_sqlite else "a database server"
    where = wb.engine.url.render_as_string(hide_password=True)
    rows = "".join(
        f"<tr><td>{escape_html(_NOUNS.get(name, (name, name))[1].capitalize())}</td>"
        f"<td style='text-align:right'>{int(n)}</td></tr>"
        for name, n in counts.items()
    )
    return widgets.HTML(
        f"<p>The workbook is {kind}: <code>{escape_html(where)}</code><br>"
        f"Your timing rules and your own scripts go in: <code>{escape_html(wb.data_dir)}</code>"
        "</p>"
        f"<table class='ct-counts' cellpadding='3'><tr><th>What</th><th>How many</th></tr>"
        f"{rows}</table>"
    ).add_class("ct-summary")


class DemoLoader(_Shown):
    """A button that loads the synthetic demo cohort, offered only while the store is empty."""

    def __init__(self, wb, *, on_loaded: Callable[[dict[str, int]], Any] | None = None):
        self.wb = wb
        self.on_loaded = on_loaded
        self.button = widgets.Button(description="Load the demo cohort", icon="users")
        self.button.add_class("ct-load-demo")
        self.status = widgets.HTML("").add_class("ct-report")
        self.button.on_click(self._on_click)
        self.box = widgets.VBox([self.button, self.status])
        self.refresh()

    def refresh(self) -> None:
        clients = int(self.wb.counts()["clients"])
        self.button.disabled = clients > 0
        if clients:
            self.status.value = _note(
                f"The workbook already holds {clients} client(s), so the demo is not offered: "
                "it only loads into an empty workbook."
            ).value

    def _on_click(self, _: widgets.Button | None = None) -> None:
        if int(self.wb.counts()["clients"]) > 0:
            self.refresh()
            return
        self.button.disabled = True
        try:
            # Nothing in the demo may lie after "today", or the schema would refuse it.
            added = self.wb.load_tables(demo.generate(end=min(demo.DEMO_END, self.wb.today)))
        except FollowupKitError as err:
            self.status.value = _error_html(escape_html(err))
            self.button.disabled = False
            return
        self.status.value = _ok_html(f"Loaded the demo cohort: {escape_html(_counted(added))}.")
        if self.on_loaded:
            self.on_loaded(added)


def demo_loader(wb) -> DemoLoader:
    """A :class:`DemoLoader` for ``wb``."""
    return DemoLoader(wb)


_IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_SHOWN_PROBLEMS = 100


class SpreadsheetImport(_Shown):
    """Upload a CSV or Excel sheet and import it: all rows or none, every bad row named.

    The columns are those of :data:`followup_kit.schema.FLAT` (or a workbook export).
    """

    def __init__(self, wb, *, on_imported: Callable[[dict[str, int]], Any] | None = None):
        self.wb = wb
        self.on_imported = on_imported
        self.upload = widgets.FileUpload(
            accept=",".join(_IMPORT_SUFFIXES), multiple=False, description="Choose a file"
        ).add_class("ct-upload")
        self.button = widgets.Button(
            description="Import", icon="upload", button_style="primary", disabled=True
        ).add_class("ct-import")
        self.status = widgets.HTML("").add_class("ct-report")
        self.problems = widgets.HTML("").add_class("ct-problems")
        self.upload.observe(self._chosen, "value")
        self.button.on_click(self._on_click)
        self.box = widgets.VBox(
            [widgets.HBox([self.upload, self.button]), self.status, self.problems]
        )

    def _file(self) -> tuple[str, bytes] | None:
        if not self.upload.value:
            return None
        item = self.upload.value[0]
        return str(item["name"]), bytes(item["content"])

    def _chosen(self, _: Any = None) -> None:
        chosen = self._file()
        self.button.disabled = chosen is None
        self.problems.value = ""
        if chosen:
            self.button.description = "Import"
            self.status.value = _note(
                f"Ready to import <b>{escape_html(chosen[0])}</b>: press Import."
            ).value

    def _on_click(self, _: widgets.Button | None = None) -> None:
        chosen = self._file()
        if chosen is None:
            return
        self.import_bytes(*chosen)

    def import_bytes(self, name: str, data: bytes) -> dict[str, int]:
        """Import a file's bytes as if read from ``name``; report into the widget.

        Returns the rows added per table (empty when nothing was imported).
        """
        self.problems.value = ""
        suffix = Path(name).suffix.lower()
        if suffix not in _IMPORT_SUFFIXES:
            self.status.value = _error_html(
                f"<b>{escape_html(name)}</b> is not a spreadsheet I can read: choose a "
                ".csv or .xlsx file."
            )
            return {}
        try:
            with tempfile.TemporaryDirectory(prefix="followup-import-") as folder:
                path = Path(folder) / f"upload{suffix}"
                path.write_bytes(data)
                added = self.wb.import_table(path)
        except BadFileError as err:
            self.status.value = _error_html(
                f"Could not read <b>{escape_html(name)}</b>: {escape_html(err.reason)} "
                "Nothing was imported."
            )
            return {}
        except ValidationError as err:
            self._show_problems(name, err.problems)
            return {}
        except FollowupKitError as err:
            self.status.value = _error_html(escape_html(err))
            return {}
        self.status.value = _ok_html(
            f"Imported <b>{escape_html(name)}</b>: {escape_html(_counted(added))}."
        )
        self.upload.value = ()
        self.button.disabled = True
        if self.on_imported:
            self.on_imported(added)
        return added

    def _show_problems(self, name: str, problems: Iterable[Problem]) -> None:
        problems = list(problems)
        rows = sorted({p.row for p in problems if p.row is not None})
        which = f" (rows {', '.join(map(str, rows[:20]))}{' ...' if len(rows) > 20 else ''})"
        self.status.value = _error_html(
            f"Nothing was imported from <b>{escape_html(name)}</b>: {len(problems)} "
            f"problem(s) in {len(rows)} row(s){which if rows else ''}. Fix them in the "
            "spreadsheet and upload it again."
        )
        body = "".join(
            f"<tr><td>{'' if p.row is None else p.row}</td>"
            f"<td>{escape_html(_column_label(p.field))}</td>"
            f"<td>{escape_html(_sentence(p.message))}</td></tr>"
            for p in problems[:_SHOWN_PROBLEMS]
        )
        more = len(problems) - _SHOWN_PROBLEMS
        tail = f"<p>... and {more} more.</p>" if more > 0 else ""
        self.problems.value = (
            "<div style='max-height:20em;overflow:auto'><table class='ct-problem-table' "
            "cellpadding='3'><tr><th>Row</th><th>Column</th><th>What to fix</th></tr>"
            f"{body}</table></div>{tail}"
        )


def _column_label(field: str) -> str:
    """``interview_date`` -> ``interview_date (Interview date)`` for the problem table."""
    name = field.split(".")[-1]
    for spec in (schema.FLAT, *schema.TABLES.values()):
        try:
            return f"{field} ({spec[name].label})"
        except KeyError:
            continue
    return field


def spreadsheet_import(wb) -> SpreadsheetImport:
    """A :class:`SpreadsheetImport` widget for ``wb``."""
    return SpreadsheetImport(wb)


def start_here(wb) -> widgets.VBox:
    """The coach's start page: where the data lives, the demo button, spreadsheet import.

    Returns
    -------
    VBox
        The three parts; the summary refreshes after a load or an import.
    """
    summary = widgets.VBox([store_summary(wb)])

    def refresh(_: Any = None) -> None:
        summary.children = [store_summary(wb)]
        demo.refresh()

    from .widgets.importer import GuidedImport  # the widgets package imports this module

    demo = DemoLoader(wb, on_loaded=refresh)
    upload = GuidedImport(wb, on_imported=refresh)
    return widgets.VBox(
        [
            _heading("Where the data lives"),
            summary,
            _heading("Try it with the demo cohort"),
            demo.box,
            _heading("Or import your own spreadsheet"),
            _note("One row per interview, with your own column names: check what each holds."),
            upload.box,
        ]
    ).add_class("ct-start-here")
