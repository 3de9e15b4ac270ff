"""The coach's start page: where the data lives, the demo cohort (in and out), importing a
spreadsheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .. import actions, demo
from ..dates import format_day
from ..exceptions import TABLE_PLURALS, FollowupKitError
from ..formatting import escape_html
from ..paths import is_demo_store
from ._kit import (
    RED,
    Shown,
    counted,
    error_html,
    heading,
    hidden,
    note,
    note_html,
    ok_html,
)
from .importer import GuidedImport

__all__ = [
    "DemoLoader",
    "StartHere",
    "demo_loader",
    "start_here",
    "store_summary",
]


def store_summary(wb) -> widgets.HTML:
    """Where the data lives and how many rows each table holds, in plain words; on the demo
    store, that it is the demo's and how to open your own."""
    counts = wb.counts()
    kind = "a SQLite file" if wb.is_sqlite else "a database server"
    where = wb.engine.url.render_as_string(hide_password=True)
    rows = "".join(
        f"<tr><td>{escape_html(TABLE_PLURALS.get(name, name).capitalize())}</td>"
        f"<td style='text-align:right'>{int(n)}</td></tr>"
        for name, n in counts.items()
    )
    demo_note = ""
    if is_demo_store(wb.db.file):
        demo_note = (
            "<p class='ct-demo-store'><b>This is the demo store</b>, kept apart from your "
            "own: invented clients to try everything on. For your own clients, stop "
            "JupyterLab and run <code>make lab STORE=live</code> (the live store, "
            "<code>data/workbook.sqlite</code>), or set <code>FOLLOWUP_DB_URL</code> to a "
            "SQLite file or a PostgreSQL address.</p>"
        )
    return widgets.HTML(
        f"<p>The workbook is {kind}: <code>{escape_html(where)}</code><br>"
        f"Your timing rules and your own scripts go in: <code>{escape_html(wb.data_dir)}</code>"
        f"</p>{demo_note}"
        f"<table class='ct-counts' cellpadding='3'><tr><th>What</th><th>How many</th></tr>"
        f"{rows}</table>"
    ).add_class("ct-summary")


class DemoLoader(Shown):
    """The demo cohort on the start page: load it (dated for today), or remove it.

    "Load the demo cohort" is offered on the demo store, or on an empty workbook, while it
    holds no demo or one dated for another day (loading again replaces that one). "Remove
    the demo clients" asks first, then takes them out with everything logged for them, in
    one transaction; other clients stay.

    Attributes
    ----------
    button, remove_button
        Load, and the first step of removing.
    confirm
        The row shown after ``remove_button``: ``question``, then ``yes`` and ``cancel``.
    state, status
        What the store holds now, and what the last click did.
    """

    def __init__(self, wb, *, on_changed: Callable[[dict[str, int]], Any] | None = None):
        self.wb = wb
        self.on_changed = on_changed
        self.button = widgets.Button(description="Load the demo cohort", icon="users")
        self.button.add_class("ct-load-demo")
        self.remove_button = widgets.Button(description="Remove the demo clients", icon="trash")
        self.remove_button.add_class("ct-remove-demo")
        self.question = widgets.HTML("").add_class("ct-remove-question")
        self.yes = widgets.Button(description="Yes, remove them", button_style="danger")
        self.yes.add_class("ct-confirm-remove")
        self.cancel = widgets.Button(description="Keep them").add_class("ct-keep")
        self.confirm = hidden(
            widgets.HBox([self.question, self.yes, self.cancel]).add_class("ct-remove-row")
        )
        self.state = widgets.HTML("").add_class("ct-demo-state")
        self.status = widgets.HTML("").add_class("ct-report")
        self.button.on_click(self._on_click)
        self.remove_button.on_click(self._ask)
        self.yes.on_click(self._remove)
        self.cancel.on_click(lambda _: hidden(self.confirm))
        self.box = widgets.VBox(
            [
                widgets.HBox([self.button, self.remove_button]),
                self.confirm,
                self.state,
                self.status,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """Offer what fits what the store holds now, and say what that is."""
        ids = demo.find(self.wb)
        others = int(self.wb.counts()["clients"]) - len(ids)
        end = demo.dated_to(self.wb)
        current = bool(ids) and end == demo.end_for(self.wb.today)
        here = is_demo_store(self.wb.db.file) or others == 0
        self.button.disabled = current or not here
        self.button.description = "Load it again for today" if ids else "Load the demo cohort"
        self.remove_button.disabled = not ids
        if current:
            text = (
                f"The demo cohort is here: {len(ids)} invented clients, dated for today "
                f"({format_day(self.wb.today)})."
            )
        elif ids and here:
            text = (
                f"The demo cohort here ends on {format_day(end)}, so its follow-ups are "
                "overdue. Load it again for today: what was logged for its clients goes "
                "with the old one."
            )
        elif ids:
            text = (
                f"The demo cohort is here beside your own {others} client(s): remove it. "
                "The demo has a store of its own, which <code>make lab</code> opens."
            )
        elif not here:
            text = (
                f"This workbook holds your own {others} client(s), so the demo is not "
                "loaded here: it has a store of its own, which <code>make lab</code> opens."
            )
        else:
            text = ""
        self.state.value = note_html(text) if text else ""

    def _on_click(self, _: widgets.Button | None = None) -> None:
        self.refresh()
        if self.button.disabled:
            return
        self.button.disabled = True
        try:
            added = actions.load_demo(self.wb)
        except FollowupKitError as err:
            self.status.value = error_html(escape_html(err))
            self.refresh()
            return
        self.status.value = ok_html(
            f"Loaded the demo cohort, dated for today: {escape_html(counted(added))}."
        )
        self.refresh()
        if self.on_changed:
            self.on_changed(added)

    def _ask(self, _: widgets.Button | None = None) -> None:
        n = len(demo.find(self.wb))
        if not n:
            self.refresh()
            return
        self.question.value = (
            f"<span style='color:{RED}'>Remove the {n} demo clients and everything logged "
            "for them? Your own clients stay.</span>"
        )
        hidden(self.confirm, False)

    def _remove(self, _: widgets.Button | None = None) -> None:
        hidden(self.confirm)
        try:
            removed = actions.remove_demo(self.wb)
        except FollowupKitError as err:
            self.status.value = error_html(f"Nothing was removed: {escape_html(err)}")
            return
        if removed:
            self.status.value = ok_html(
                f"Removed the demo cohort: {escape_html(counted(removed))}."
            )
        else:
            self.status.value = note_html("There were no demo clients to remove.")
        self.refresh()
        if self.on_changed:
            self.on_changed(removed)


def demo_loader(wb) -> DemoLoader:
    """A :class:`DemoLoader` for ``wb``."""
    return DemoLoader(wb)


_IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_SHOWN_PROBLEMS = 100


class StartHere(Shown):
    """The coach's start page: where the data lives, the demo buttons, spreadsheet import.

    Attributes
    ----------
    summary
        Holds the :func:`store_summary`; it is rebuilt after a load or an import.
    demo, upload
        The :class:`DemoLoader` (load or remove the demo) and the
        :class:`~followup_kit.widgets.importer.GuidedImport`.
    """

    def __init__(self, wb) -> None:
        self.wb = wb
        self.summary = widgets.VBox([store_summary(wb)])
        self.demo = DemoLoader(wb, on_changed=self.refresh)
        self.upload = GuidedImport(wb, on_imported=self.refresh)
        self.box = widgets.VBox(
            [
                heading("Where the data lives"),
                self.summary,
                heading("Try it with the demo cohort"),
                self.demo.box,
                heading("Or import your own spreadsheet"),
                note("One row per interview, with your own column names: check what each holds."),
                self.upload.box,
            ]
        ).add_class("ct-start-here")

    def refresh(self, _: Any = None) -> None:
        """Count the rows again and offer what fits the demo's state (see :class:`DemoLoader`)."""
        for child in self.summary.children:
            child.close()
        self.summary.children = [store_summary(self.wb)]
        self.demo.refresh()


def start_here(wb) -> StartHere:
    """The coach's start page for ``wb`` (a :class:`StartHere`; display it)."""
    return StartHere(wb)
