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
from ._kit import and_, error_html, heading, hidden, message_html, note, note_html, ok_html, page
from .clients import ClientPicker
from .entries import EntryForm, EntryList
from .fields import LabelledField, goes_with

__all__ = ["InterviewForm", "interview_form"]


#: How a greeting names an interviewer, in the words the row's dropdown shows.
_GREET_WORDS = {
    "first_name": "Greet by first name (Dear Dana)",
    "title_surname": "Greet by title and surname (Dear Dr Lee)",
}


class _InterviewerRow:
    """One interviewer: name, job title, email, how to greet them, Remove, and a message.

    ``default_greeting`` is the coach's setting: the dropdown starts on it, and a row
    left on it stores no choice of its own (so the coach's setting keeps deciding).
    """

    def __init__(
        self,
        on_change: Callable[[], Any],
        on_remove: Callable[[_InterviewerRow], Any],
        default_greeting: str = "first_name",
    ):
        spec = schema.TABLES["interviewers"]
        self.id: int | None = None
        self.default_greeting = default_greeting
        self.name = widgets.Text(placeholder=spec["name"].label + " *").add_class(
            "ct-interviewer-name"
        )
        self.title = widgets.Text(placeholder=spec["title"].label + " (optional)").add_class(
            "ct-interviewer-title"
        )
        self.email = widgets.Text(placeholder=spec["email"].label + " (optional)").add_class(
            "ct-interviewer-email"
        )
        self.greet_as = widgets.Dropdown(
            options=[(words, value) for value, words in _GREET_WORDS.items()],
            value=default_greeting,
            layout=widgets.Layout(width="21em"),
        ).add_class("ct-interviewer-greet-as")
        self.honorific = widgets.Text(
            placeholder="Their title: Dr, Ms, Mr ...", layout=widgets.Layout(width="14em")
        ).add_class("ct-interviewer-honorific")
        self.remove = widgets.Button(description="Remove", icon="minus", tooltip="Remove")
        self.remove.add_class("ct-remove-interviewer")
        self.message = widgets.HTML("").add_class("ct-message")
        self.touched = False
        for w in (self.name, self.title, self.email):
            w.layout = widgets.Layout(width="14em")
        for w in (self.name, self.title, self.email, self.honorific):
            w.observe(lambda _: self._changed(on_change), "value")
        self.greet_as.observe(lambda _: self._greeting_changed(on_change), "value")
        self.remove.on_click(lambda _: on_remove(self))
        self.box = widgets.VBox(
            [
                widgets.HBox([self.name, self.title, self.email, self.remove]),
                widgets.HBox([self.greet_as, self.honorific]),
                self.message,
            ]
        ).add_class("ct-interviewer")
        self._show_honorific()

    def _changed(self, on_change: Callable[[], Any]) -> None:
        self.touched = True
        on_change()

    def _greeting_changed(self, on_change: Callable[[], Any]) -> None:
        self._show_honorific()
        # Choosing a greeting alone does not make a blank row a person; for a named
        # person it does count as touched, so a missing title is shown at once.
        self.touched = self.touched or not self.blank
        on_change()

    def _show_honorific(self) -> None:
        hidden(self.honorific, self.greet_as.value != "title_surname")

    def set_greeting(self, greet_as: str | None, honorific: str) -> None:
        """Show a stored choice (none stored: the coach's setting)."""
        self.greet_as.value = greet_as if greet_as in _GREET_WORDS else self.default_greeting
        self.honorific.value = honorific

    def values(self) -> dict[str, Any]:
        """What the row holds, as the schema takes it (blank text is None)."""
        greet_as = self.greet_as.value
        honorific = self.honorific.value if greet_as == "title_surname" else ""
        return {
            "name": self.name.value.strip() or None,
            "title": self.title.value.strip() or None,
            "email": self.email.value.strip() or None,
            # Left on the coach's setting: no choice of its own, so the setting decides.
            "greet_as": None if greet_as == self.default_greeting else greet_as,
            "honorific": honorific.strip() or None,
        }

    @property
    def blank(self) -> bool:
        return all(not w.value.strip() for w in (self.name, self.title, self.email))

    def close(self) -> None:
        for w in (
            self.name,
            self.title,
            self.email,
            self.greet_as,
            self.honorific,
            self.remove,
            self.message,
            self.box,
        ):
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
        "posting_link",
        "hr_name",
        "hr_email",
        "hr_phone",
    )
    #: Shorter labels under the "HR or recruiter contact" heading.
    _CONTACT_LABELS = {"hr_name": "Name", "hr_email": "Email", "hr_phone": "Phone"}

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
        self._greeting = _coach_greeting(wb)
        super().__init__(
            wb,
            {
                name: LabelledField(spec[name], label=self._CONTACT_LABELS.get(name))
                for name in self._FIELDS
            },
        )
        self.phone = _PhoneField(wb, self.picker)
        self.entry_list = EntryList()
        self.entries, self.entries_status = self.entry_list.box, self.entry_list.status
        self.add_interviewer()
        f = self.fields
        self.box = widgets.VBox(
            [
                self.picker.box,
                self.phone.box,
                heading("The interview"),
                *(f[n].box for n in ("company", "role", "posting_link", "interview_date")),
                *(f[n].box for n in ("round", "format", "contact_route", "decision_expected")),
                *(f[n].box for n in ("status", "notes")),
                heading("HR or recruiter contact"),
                note(
                    "The person who arranged the interview, if there was one: the scripts "
                    "for following up through HR or an agency address them."
                ),
                *(f[n].box for n in ("hr_name", "hr_email", "hr_phone")),
                heading("Who interviewed you"),
                note(
                    "One row per person: each of them gets their own thank-you note. Most "
                    "people are greeted by first name; choose title and surname for anyone "
                    "who introduced themselves that way."
                ),
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
        self,
        name: str = "",
        title: str = "",
        email: str = "",
        id: int | None = None,
        greet_as: str | None = None,
        honorific: str = "",
    ) -> _InterviewerRow:
        """Add an interviewer row (filled in when editing) and return it."""
        row = _InterviewerRow(self.check, self.remove_interviewer, self._greeting)
        row.name.value, row.title.value, row.email.value = name, title, email
        row.set_greeting(greet_as, honorific)
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
        self._add_row.description = (
            "Add another interviewer" if self.interviewers else "Add an interviewer"
        )
        self.check()

    def _people(self) -> list[_InterviewerRow]:
        return list(self.interviewers)

    # the form's hooks
    def _context(self) -> dict[str, Any]:
        return {"client_id": self.picker.value}

    def _extra_problems(self) -> list[Problem]:
        problems = []
        for i, row in enumerate(getattr(self, "interviewers", []), start=1):
            if row.blank:
                # An empty row is never skipped silently: the person meant to name someone.
                row.message.value = (
                    message_html("give this interviewer's name, or press Remove.")
                    if row.touched
                    else ""
                )
                problems.append(
                    Problem(
                        f"interviewers[{i}].name",
                        "give this interviewer's name, or press Remove.",
                        check="required",
                    )
                )
                continue
            # Checked as shown: title and surname on screen needs the title, even when
            # it is the coach's setting (and so not stored as the row's own choice).
            shown = {**row.values(), "greet_as": row.greet_as.value, "interview_id": 1}
            _, found = schema.validate_record("interviewers", shown, today=self.wb.today)
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
        empty = [
            int(m.group(1))
            for p in problems
            if p.check == "required"
            and (m := re.fullmatch(r"interviewers\[(\d+)\]\.name", p.field))
            and self.interviewers[int(m.group(1)) - 1].blank
        ]
        if not empty:
            return super()._hint(problems)
        rest = [p for p in problems if not p.field.startswith("interviewers[")]
        rows = and_([f"interviewer {i}" for i in empty])
        text = f"To save, give the name of {rows}, or remove the empty row."
        if len(empty) == 1 and len(self.interviewers) == 1:
            text = "To save, give your interviewer's name (or press Remove if you do not know it)."
        base = super()._hint(rest) if rest else ""
        words = f"<span style='color:#555'>{escape_html(text)}</span>"
        return f"{base} {words}" if base else words

    def _create(self, record: dict[str, Any]) -> str:
        people = [r.values() for r in self._people()]
        actions.log_interview(
            self.wb,
            client_id=record["client_id"],
            interviewers=people,
            **{name: record[name] for name in self._FIELDS},
        )
        return (
            "Saved: "
            + self._describe(record, [p["name"] for p in people])
            + (" Next: log your thank-you note(s) in <i>Record what happened</i>.")
        )

    def _change(self, entry_id: int, record: dict[str, Any]) -> str:
        changes = {name: record[name] for name in self._FIELDS}
        people = [{**row.values(), "id": row.id} for row in self._people()]
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
            name, title, email, honorific = (
                "" if is_blank(x) else str(x) for x in (p.name, p.title, p.email, p.honorific)
            )
            greet_as = None if is_blank(p.greet_as) else str(p.greet_as)
            self.add_interviewer(
                name, title, email, id=int(p.id), greet_as=greet_as, honorific=honorific
            )
        # None logged: no empty row either (it would have to be filled or removed).
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
        self.phone.load()
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


def _coach_greeting(wb) -> str:
    """The coach's greeting setting; first name if their rules cannot be read."""
    try:
        return wb.rules.greeting
    except FollowupKitError:
        return "first_name"


class _PhoneField:
    """The chosen client's own phone number, saved to their profile as soon as it changes.

    It is the client's, not the interview's: it is kept when they press Save interview
    or not, and checked before it is saved (a bad number is named and nothing is saved).
    """

    def __init__(self, wb, picker: ClientPicker) -> None:
        self.wb, self.picker = wb, picker
        self.field = LabelledField(
            schema.TABLES["clients"]["phone"], hook="ct-client-phone", label="Your phone number"
        )
        self.field.widget.continuous_update = False  # saved when they leave the box
        self.status = widgets.HTML("").add_class("ct-client-phone-status")
        self.box = widgets.VBox([self.field.box, self.status]).add_class("ct-client-phone-box")
        self._loading = False
        self.field.widget.observe(lambda _: self.save(), "value")
        self.load()

    def load(self) -> None:
        """Show the chosen client's stored number (hidden until a client is chosen)."""
        cid = self.picker.value
        hidden(self.box, cid is None)
        phone = None
        if cid is not None:
            found = self.wb.clients(cid)
            if not found.empty:
                phone = found["phone"].iloc[0]
        self._loading = True
        try:
            self.field.value = None if is_blank(phone) else str(phone)
        finally:
            self._loading = False
        self.field.show(None)
        self.status.value = note_html(
            "For the scripts that leave your number; saved as soon as you change it."
        )

    def save(self) -> None:
        if self._loading or self.picker.value is None:
            return
        value = self.field.value
        _, problem = schema.clean_value(self.field.field, value, self.wb.today)
        if problem is not None:
            self.field.show(problem.message)
            self.status.value = error_html("Your phone number was not saved.")
            return
        try:
            actions.change_client_phone(
                self.wb, self.picker.value, value, client_id=self.picker.value
            )
        except FollowupKitError as err:
            self.status.value = error_html(escape_html(err))
            return
        self.field.show(None)
        saved = "Your phone number is saved." if value.strip() else "Your phone number is removed."
        self.status.value = ok_html(saved)


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
    >>> form.interviewers[0].name.value = "Dana Lee"
    >>> form.save.click()
    >>> len(wb.interviews())
    1
    """
    return InterviewForm(wb, client_id=client_id, username=username)
