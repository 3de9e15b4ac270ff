"""What the interview form and the record form share: a checked entry form and an entry list.

:class:`EntryForm` holds the fields of one schema table, checks them on every change and
keeps Save off until the entry is valid; Save creates or changes the entry through the
subclass's ``_create``/``_change`` (which call :mod:`followup_kit.actions`).
:class:`EntryList` shows the saved entries, each with Edit and Delete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as widgets

from .. import schema
from ..exceptions import FollowupKitError, Problem, ValidationError
from ..formatting import escape_html, is_blank
from ._kit import Shown, counted, error_html, hidden, note, ok_html, report_unexpected
from .fields import LabelledField, confirm_delete

__all__ = ["EntryForm", "EntryList"]


class EntryForm(Shown):
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
        self.cancel = hidden(widgets.Button(description="Cancel editing", icon="times"))
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
            quiet = not f.touched and is_blank(f.value)
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
            self.status.value = error_html(
                f"{escape_html(err)} What you typed is still in the form."
            )
            return
        except Exception as err:  # keep what was typed; never a traceback for a client
            self.status.value = error_html(report_unexpected(err))
            return
        self.clear()
        self.status.value = ok_html(message)
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
        self.status.value = error_html(
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
        hidden(self.cancel)
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
        hidden(self.cancel, False)
        self.check()


class EntryList:
    """A client's saved entries, one row each (summary, Edit, Delete), and a status line.

    Attributes
    ----------
    box
        The rows (``ct-entries``).
    status
        What the last delete did (``ct-entries-status``).
    """

    def __init__(self) -> None:
        self.box = widgets.VBox([]).add_class("ct-entries")
        self.status = widgets.HTML("").add_class("ct-entries-status")

    def show(self, rows: Iterable[widgets.Widget], empty: str) -> None:
        """Replace the rows (closing the old ones); show the note ``empty`` when none."""
        for child in self.box.children:
            child.close()
        self.box.children = list(rows) or [note(empty)]

    def row(
        self,
        summary_html: str,
        *,
        on_edit: Callable[[], Any],
        what: str,
        goes_with: str,
        on_delete: Callable[[], Any],
    ) -> widgets.HBox:
        """One entry: its summary (already escaped), Edit, and a Delete that asks first."""
        summary = widgets.HTML(summary_html, layout=widgets.Layout(width="40em"))
        summary.add_class("ct-entry")
        edit = widgets.Button(description="Edit", icon="pencil").add_class("ct-edit")
        edit.on_click(lambda _: on_edit())
        return widgets.HBox([summary, edit, confirm_delete(what, goes_with, on_delete)])

    def deleted(self, removed: Mapping[str, int]) -> None:
        """Say what a delete removed."""
        self.status.value = ok_html(f"Deleted {escape_html(counted(removed))}.")

    def failed(self, err: FollowupKitError) -> None:
        """Say why a delete did not happen."""
        self.status.value = error_html(escape_html(err))
