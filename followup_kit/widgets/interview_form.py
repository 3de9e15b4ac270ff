"""The interview form: who you are, the interview, the people who ran it; your interviews."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import actions, schema
from ..exceptions import FollowupKitError, Problem
from ..formatting import escape_html, is_blank
from ..schema import format_day
from ._kit import and_, heading, message_html, note, note_html, page
from .clients import ClientPicker
from .entries import EntryForm, EntryList
from .fields import LabelledField, goes_with

__all__ = ["InterviewForm", "interview_form"]


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


class InterviewForm(EntryForm):
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
        self.entry_list = EntryList()
        self.entries, self.entries_status = self.entry_list.box, self.entry_list.status
        self.add_interviewer()
        f = self.fields
        self.box = widgets.VBox(
            [
                self.picker.box,
                heading("The interview"),
                *(f[n].box for n in ("company", "role", "interview_date", "round", "format")),
                *(f[n].box for n in ("contact_route", "decision_expected", "status", "notes")),
                heading("Who interviewed you"),
                note("One row per person: each of them gets their own thank-you note."),
                self._rows_box,
                widgets.HBox([self._add_row]),  # in a row, so it keeps its own width
                self.buttons,
                self.status,
                heading("Your interviews"),
                self.entries_status,
                self.entries,
            ]
        ).add_class("ct-interview-form")
        page(self.box)  # the client pages' stylesheet: on a phone, rows stack
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
            row.message.value = message_html(text) if row.touched else ""
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
                people[i].message.value = message_html(f"{label}: {problem.message}")
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
        actions.log_interview(
            self.wb,
            client_id=record["client_id"],
            interviewers=[{k: (v.strip() or None) for k, v in p.items()} for p in people],
            **{name: record[name] for name in self._FIELDS},
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
        actions.change_interview(
            self.wb, entry_id, client_id=self.picker.value, interviewers=people, **changes
        )
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
            text += ", with " + escape_html(and_(names))
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
                *("" if is_blank(x) else str(x) for x in (p.name, p.title, p.email)), id=int(p.id)
            )
        if not self.interviewers:
            self.add_interviewer()
        self.load(interview_id, {name: row[name] for name in self._FIELDS})
        self.picker.dropdown.disabled = True  # an interview stays with its client
        self.status.value = note_html(
            f"Editing the interview at <b>{escape_html(row['company'])}</b>: change what you "
            "need, then press <i>Save changes</i>."
        )

    def delete(self, interview_id: int) -> dict[str, int]:
        """Delete an interview with everything attached; report what went."""
        try:
            removed = actions.delete_interview(self.wb, interview_id, client_id=self.picker.value)
        except FollowupKitError as err:
            self.entry_list.failed(err)
            return {}
        if self.editing == interview_id:
            self.clear()
        self.entry_list.deleted(removed)
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
        cid = self.picker.value
        if cid is None:
            self.entry_list.show([], "Choose your name to see your interviews.")
            return
        frames = self.wb.tables(cid)
        interviews = frames["interviews"].sort_values(
            ["interview_date", "id"], ascending=False, na_position="last"
        )
        rows = [
            self._entry_row(int(iv.id), iv, _attached(frames, int(iv.id)))
            for iv in interviews.itertuples(index=False)
        ]
        self.entry_list.show(rows, "No interviews logged yet.")

    def _entry_row(self, iid: int, iv: Any, attached: dict[str, Any]) -> widgets.HBox:
        people = attached.pop("_names", [])
        who = f" · with {escape_html(and_(people))}" if people else ""
        return self.entry_list.row(
            f"<b>{format_day(iv.interview_date)}</b> · {escape_html(iv.company)} · "
            f"{escape_html(iv.role)} · {escape_html(schema.choice_label('round', iv.round))} · "
            f"{escape_html(schema.choice_label('status', iv.status))}{who}",
            on_edit=lambda: self.edit(iid),
            what=f"the interview at {iv.company} on {format_day(iv.interview_date)}",
            goes_with=goes_with(attached),
            on_delete=lambda: self.delete(iid),
        )


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
    >>> from datetime import date
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
