"""The record form: what you sent and what came back for one interview, with a reflection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import actions, schema
from ..exceptions import TABLE_NOUNS, FollowupKitError, Problem
from ..formatting import escape_html, is_blank, script_title
from ..library import load_scripts
from ..schema import format_day
from ._kit import INPUT_WIDTH, Shown, full_choice, heading, label, log, note, note_html, page, py
from .clients import ClientPicker
from .entries import EntryForm, EntryList
from .fields import LabelledField, ReflectionField
from .plan import interview_choices

__all__ = ["RecordForm", "record_form"]


class _InterviewChild(EntryForm):
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
        layout = widgets.Layout(width=INPUT_WIDTH)
        self.scripts = _script_library(parent.wb)
        script_options = [("No script", None)] + [
            (title, sid) for sid, (title, _) in sorted(self.scripts.items(), key=lambda x: x[1][0])
        ]
        fields = {name: LabelledField(spec[name]) for name in ("channel", "notes")}
        # The store has no default kind (a call without one is refused); the form shows
        # its starting choice, so nothing is chosen for the person unseen.
        fields["kind"] = LabelledField(replace(spec["kind"], default="thank_you"))
        fields["sent_on"] = _today_field(spec["sent_on"], parent.wb.today)
        fields["interviewer_id"] = LabelledField(
            spec["interviewer_id"],
            widget=widgets.Dropdown(options=[("Everyone / not one person", None)], layout=layout),
        )
        fields["script_id"] = LabelledField(
            spec["script_id"], widget=widgets.Dropdown(options=script_options, layout=layout)
        )
        super().__init__(parent, {name: fields[name] for name in self._FIELDS})
        self._loaded_version: tuple[str | None, str | None] = (None, None)
        self._last: dict[str, Any] = {}
        self.show_choices()
        self.box = widgets.VBox(
            [*(f.box for f in self.fields.values()), self.buttons, self.status]
        ).add_class("ct-sent-form")

    def set_people(self, people: pd.DataFrame) -> None:
        """Offer the chosen interview's interviewers in "Sent to"."""
        options = [("Everyone / not one person", None)]
        for p in people.itertuples(index=False):
            title = f" ({p.title})" if not is_blank(p.title) else ""
            options.append((f"{p.name}{title}", int(p.id)))
        widget = self.fields["interviewer_id"].widget
        keep = widget.value if widget.value in [v for _, v in options] else None
        widget.options = options
        widget.value = keep
        self.show_choices()

    def show_choices(self) -> None:
        """Show "Everyone / not one person" and "No script" in words, never a blank box."""
        for name in ("interviewer_id", "script_id"):
            _choose(self.fields[name].widget, self.fields[name].widget.value)

    def _version(self, script_id: str | None) -> str | None:
        if script_id is None:
            return None
        if script_id == self._loaded_version[0]:
            return self._loaded_version[1]
        return self.scripts.get(script_id, ("", None))[1]

    def _create(self, record: dict[str, Any]) -> str:
        self._last = dict(record)
        actions.log_follow_up(
            self.wb,
            record["interview_id"],
            client_id=self.parent.picker.value,
            script_version=self._version(record["script_id"]),
            **{name: record[name] for name in self._FIELDS},
        )
        return "Saved: " + self._describe(record)

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        changes = {name: record[name] for name in self._FIELDS}
        changes["script_version"] = self._version(record["script_id"])
        self._last = dict(record)
        actions.change_follow_up(self.wb, entry_id, client_id=self.parent.picker.value, **changes)
        return "Changed: " + self._describe(record)

    def _describe(self, record: Mapping[str, Any]) -> str:
        widget = self.fields["interviewer_id"].widget
        names = {v: k for k, v in widget.options}
        to = record.get("interviewer_id")
        text = (
            f"{escape_html(schema.choice_label('kind', record['kind']))} by "
            f"{escape_html(schema.choice_label('channel', record['channel']).lower())}"
        )
        if to is not None and to in names:
            text += f" to {escape_html(names[to])}"
        text += (
            f" on {format_day(record['sent_on'])}, for the interview at "
            f"<b>{escape_html(self.parent.company)}</b>"
        )
        if record.get("script_id"):
            text += f", with the script <i>{escape_html(self.script_name(record['script_id']))}</i>"
        return text + "."

    def script_name(self, script_id: str) -> str:
        """A script's title, from the library the form offers (the coach's own included)."""
        known = self.scripts.get(str(script_id))
        return known[0] if known else script_title(script_id)

    def _saved(self) -> None:
        super()._saved()
        # What was just saved stays on show (kind, how, to whom, which script): the
        # status line says it was saved, and the next note often differs in one choice.
        for name in ("kind", "channel", "interviewer_id", "script_id"):
            if name in self._last:
                self.fields[name].value = self._last[name]
                _choose(self.fields[name].widget, self._last[name])
        self._last = {}
        self.check()

    def load(self, entry_id: int, values: Mapping[str, Any]) -> None:
        self._loaded_version = (py(values.get("script_id")), py(values.get("script_version")))
        super().load(entry_id, values)
        self.show_choices()

    def clear(self) -> None:
        self._loaded_version = (None, None)
        super().clear()
        self.show_choices()


class _ReplyForm(_InterviewChild):
    table = "responses"
    save_label = "Save the reply"
    noun = "reply"
    _FIELDS = ("received_on", "channel", "result", "feedback", "reflection")

    def __init__(self, parent: RecordForm) -> None:
        spec = schema.TABLES["responses"]
        fields = {name: LabelledField(spec[name]) for name in self._FIELDS[:-1]}
        fields["received_on"] = _today_field(spec["received_on"], parent.wb.today)
        fields["reflection"] = ReflectionField(spec["reflection"])
        super().__init__(parent, fields)
        self.box = widgets.VBox(
            [*(f.box for f in self.fields.values()), self.buttons, self.status]
        ).add_class("ct-reply-form")

    def _create(self, record: dict[str, Any]) -> str:
        actions.log_response(
            self.wb,
            record["interview_id"],
            client_id=self.parent.picker.value,
            **{name: record[name] for name in self._FIELDS},
        )
        return "Saved: " + self._describe(record)

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        changes = {name: record[name] for name in self._FIELDS}
        actions.change_response(self.wb, entry_id, client_id=self.parent.picker.value, **changes)
        return "Changed: " + self._describe(record)

    def _describe(self, record: Mapping[str, Any]) -> str:
        return (
            f"the reply from <b>{escape_html(self.parent.company)}</b> on "
            f"{format_day(record['received_on'])}: "
            f"{escape_html(schema.choice_label('result', record['result']))}."
        )


def _today_field(field: schema.Field, today: date) -> LabelledField:
    """A date field that starts on (and goes back to) today: most entries are logged the day."""
    return LabelledField(
        replace(field, default=today),
        widget=widgets.DatePicker(value=today, layout=widgets.Layout(width=INPUT_WIDTH)),
    )


def _choose(dropdown: widgets.Dropdown, value: Any) -> None:
    """Select ``value``, showing its label even when it is ``None`` ("No script").

    ipywidgets 8 leaves a dropdown blank when its value is set to ``None``, though an
    option has that value; selecting by index shows the option's words.
    """
    values = [v for _, v in dropdown.options]
    if value in values:
        dropdown.index = values.index(value)


def _sentences(parts: list[str]) -> str:
    """Join bits of text as sentences: one full stop between them, never two."""
    out = ""
    for part in (p.strip() for p in parts if p and p.strip()):
        if out:
            out += " " if out[-1] in ".!?" else ". "
        out += part
    return out


def _script_library(wb) -> dict[str, tuple[str, str | None]]:
    """Script id -> (title, version) from the library, the coach's folder included."""
    try:
        library, _ = load_scripts(wb)
    except Exception as err:  # a broken library must not stop a client logging a note
        log.warning("script library unavailable: %s", err)
        return {}
    return {sid: (s.title, s.version) for sid, s in library.items()}


class RecordForm(Shown):
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
            options=[("Choose the interview", None)],
            layout=widgets.Layout(width="36em", max_width="100%"),
        ).add_class("ct-interview")
        self.sent = _FollowUpForm(self)
        self.reply = _ReplyForm(self)
        self.overview = widgets.HTML("").add_class("ct-overview")
        self.entry_list = EntryList()
        self.entries, self.entries_status = self.entry_list.box, self.entry_list.status
        self.box = page(
            widgets.VBox(
                [
                    self.picker.box,
                    widgets.HBox([label("The interview"), full_choice(self.interview)]),
                    heading("What you sent"),
                    self.sent.box,
                    heading("What came back"),
                    note(
                        "Write your reflection while it is fresh: your coach reads it beside "
                        "the outcome."
                    ),
                    self.reply.box,
                    heading("Logged for this interview"),
                    self.entries_status,
                    self.entries,
                    heading("All your interviews"),
                    self.overview,
                ]
            ).add_class("ct-record-form")
        )
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
        return None if row is None else py(row["interview_date"])

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
        self.sent.show_choices()
        self._refresh_entries()
        self.sent.check()
        self.reply.check()

    def refresh(self, select: int | None = None, *, keep_status: bool = False) -> None:
        """Re-read the client's entries: the interview list, the overview, the entries."""
        cid = self.picker.value
        self._frames = self.wb.tables(cid) if cid is not None else {}
        options: list[tuple[str, int | None]] = [("Choose the interview", None)]
        if cid is not None:  # newest first, in the words of pages 02 and 03
            options += interview_choices(self._frames["interviews"])
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
            return note_html("Choose your name to see your interviews.")
        f = self._frames
        interviews = f["interviews"].sort_values(["interview_date", "id"], ascending=False)
        if interviews.empty:
            return note_html("No interviews logged yet: log one in <i>Log an interview</i> first.")
        sent = f["follow_ups"].groupby("interview_id").size()
        replies = f["responses"].sort_values(["received_on", "id"])
        last = replies.groupby("interview_id").tail(1).set_index("interview_id")
        heads = (  # the company first: on a phone it is the card's title
            "Company",
            "Role",
            "Interview",
            "Status",
            "Follow-ups sent",
            "Latest reply",
            "Your reflection",
        )
        head = "<tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"
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
            cells = (
                escape_html(iv.company),
                escape_html(iv.role),
                format_day(iv.interview_date),
                escape_html(schema.choice_label("status", iv.status)),
                str(int(sent.get(iv.id, 0))),
                reply,
                reflection,
            )
            tds = "".join(
                f"<td data-label='{h}'>{c}</td>" for h, c in zip(heads, cells, strict=True)
            )
            rows.append(f"<tr>{tds}</tr>")
        # "fk-cards": each interview becomes a card on a phone (the page's stylesheet).
        return (
            f"<div class='fk-scroll' style='max-height:24em;overflow-y:auto'>"
            f"<table class='ct-overview-table fk-cards'><thead>{head}</thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    # entries of the chosen interview
    def _refresh_entries(self) -> None:
        iid = self.interview.value
        if iid is None:
            self.entry_list.show([], "Choose an interview to see what you logged.")
            return
        f = self._frames
        people = f["interviewers"].set_index("id")["name"]
        rows: list[widgets.Widget] = []
        sent = f["follow_ups"][f["follow_ups"]["interview_id"] == iid].sort_values("sent_on")
        for fu in sent.itertuples(index=False):
            to = ""
            if not is_blank(fu.interviewer_id) and fu.interviewer_id in people.index:
                to = f" to {people.loc[fu.interviewer_id]}"
            text = (
                f"Sent: {schema.choice_label('kind', fu.kind)} by "
                f"{schema.choice_label('channel', fu.channel).lower()}{to}"
            )
            if not is_blank(fu.script_id):
                text += f", with the script \u201c{self.sent.script_name(fu.script_id)}\u201d"
            rows.append(self._entry_row("follow_ups", fu, text, fu.sent_on))
        got = f["responses"][f["responses"]["interview_id"] == iid].sort_values("received_on")
        for rs in got.itertuples(index=False):
            parts = [f"Reply: {schema.choice_label('result', rs.result)}"]
            if not is_blank(rs.feedback):
                parts.append(f"Their feedback: {rs.feedback}")
            if not is_blank(rs.reflection):
                parts.append(f"Your reflection: {rs.reflection}")
            rows.append(self._entry_row("responses", rs, _sentences(parts), rs.received_on))
        self.entry_list.show(rows, "Nothing logged for this interview yet.")

    def _entry_row(self, table: str, entry: Any, text: str, day: object) -> widgets.HBox:
        entry_id = int(entry.id)
        form = self.sent if table == "follow_ups" else self.reply
        values = {name: getattr(entry, name) for name in form.fields}
        if table == "follow_ups":
            values["script_version"] = entry.script_version
        return self.entry_list.row(
            f"<b>{format_day(day)}</b> · {escape_html(text)}",
            on_edit=lambda: self.edit(table, entry_id, values),
            what=f"the {TABLE_NOUNS[table]} of {format_day(day)} ({self.company})",
            goes_with="Only this entry goes.",
            on_delete=lambda: self.delete(table, entry_id),
        )

    def edit(self, table: str, entry_id: int, values: Mapping[str, Any]) -> None:
        """Load a follow-up (``"follow_ups"``) or reply (``"responses"``) for editing."""
        form = self.sent if table == "follow_ups" else self.reply
        form.clear()
        form.load(entry_id, values)
        form.status.value = note_html(
            "Editing this entry: change what you need, then press <i>Save changes</i>."
        )

    def delete(self, table: str, entry_id: int) -> dict[str, int]:
        """Delete one follow-up or reply and say so."""
        deleter = actions.delete_follow_up if table == "follow_ups" else actions.delete_response
        try:
            removed = deleter(self.wb, entry_id, client_id=self.picker.value)
        except FollowupKitError as err:
            self.entry_list.failed(err)
            return {}
        for form in (self.sent, self.reply):
            if form.table == table and form.editing == entry_id:
                form.clear()
        self.entry_list.deleted(removed)
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
