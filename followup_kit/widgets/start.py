"""The coach's start page: where the data lives, the demo cohort, importing a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .. import actions
from ..exceptions import FollowupKitError
from ..formatting import escape_html
from ._kit import NOUNS, Shown, counted, error_html, heading, note, note_html, ok_html
from .importer import GuidedImport

__all__ = [
    "DemoLoader",
    "StartHere",
    "demo_loader",
    "start_here",
    "store_summary",
]


def store_summary(wb) -> widgets.HTML:
    """Where the data lives and how many rows each table holds, in plain words."""
    counts = wb.counts()
    kind = "a SQLite file" if wb.is_sqlite else "a database server"
    where = wb.engine.url.render_as_string(hide_password=True)
    rows = "".join(
        f"<tr><td>{escape_html(NOUNS.get(name, (name, name))[1].capitalize())}</td>"
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


class DemoLoader(Shown):
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
            self.status.value = note_html(
                f"The workbook already holds {clients} client(s), so the demo is not offered: "
                "it only loads into an empty workbook."
            )

    def _on_click(self, _: widgets.Button | None = None) -> None:
        if int(self.wb.counts()["clients"]) > 0:
            self.refresh()
            return
        self.button.disabled = True
        try:
            added = actions.load_demo(self.wb)
        except FollowupKitError as err:
            self.status.value = error_html(escape_html(err))
            self.button.disabled = False
            return
        self.status.value = ok_html(f"Loaded the demo cohort: {escape_html(counted(added))}.")
        if self.on_loaded:
            self.on_loaded(added)


def demo_loader(wb) -> DemoLoader:
    """A :class:`DemoLoader` for ``wb``."""
    return DemoLoader(wb)


_IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
_SHOWN_PROBLEMS = 100


class StartHere(Shown):
    """The coach's start page: where the data lives, the demo button, spreadsheet import.

    Attributes
    ----------
    summary
        Holds the :func:`store_summary`; it is rebuilt after a load or an import.
    demo, upload
        The :class:`DemoLoader` and the :class:`~followup_kit.widgets.importer.GuidedImport`.
    """

    def __init__(self, wb) -> None:
        self.wb = wb
        self.summary = widgets.VBox([store_summary(wb)])
        self.demo = DemoLoader(wb, on_loaded=self.refresh)
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
        """Count the rows again and offer the demo only while the workbook is empty."""
        for child in self.summary.children:
            child.close()
        self.summary.children = [store_summary(self.wb)]
        self.demo.refresh()


def start_here(wb) -> StartHere:
    """The coach's start page for ``wb`` (a :class:`StartHere`; display it)."""
    return StartHere(wb)
