"""The coach's start page: where the data lives, the demo cohort, importing a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import actions, schema
from ..exceptions import BadFileError, FollowupKitError, Problem, ValidationError
from ..formatting import escape_html
from ._kit import NOUNS, Shown, counted, error_html, heading, note, note_html, ok_html, sentence

__all__ = [
    "DemoLoader",
    "SpreadsheetImport",
    "StartHere",
    "demo_loader",
    "spreadsheet_import",
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


class SpreadsheetImport(Shown):
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
            self.status.value = note_html(
                f"Ready to import <b>{escape_html(chosen[0])}</b>: press Import."
            )

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
            self.status.value = error_html(
                f"<b>{escape_html(name)}</b> is not a spreadsheet I can read: choose a "
                ".csv or .xlsx file."
            )
            return {}
        try:
            added = actions.import_file(self.wb, name, data)
        except BadFileError as err:
            self.status.value = error_html(
                f"Could not read <b>{escape_html(name)}</b>: {escape_html(err.reason)} "
                "Nothing was imported."
            )
            return {}
        except ValidationError as err:
            self._show_problems(name, err.problems)
            return {}
        except FollowupKitError as err:
            self.status.value = error_html(escape_html(err))
            return {}
        self.status.value = ok_html(
            f"Imported <b>{escape_html(name)}</b>: {escape_html(counted(added))}."
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
        self.status.value = error_html(
            f"Nothing was imported from <b>{escape_html(name)}</b>: {len(problems)} "
            f"problem(s) in {len(rows)} row(s){which if rows else ''}. Fix them in the "
            "spreadsheet and upload it again."
        )
        body = "".join(
            f"<tr><td>{'' if p.row is None else p.row}</td>"
            f"<td>{escape_html(_column_label(p.field))}</td>"
            f"<td>{escape_html(sentence(p.message))}</td></tr>"
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


class StartHere(Shown):
    """The coach's start page: where the data lives, the demo button, spreadsheet import.

    Attributes
    ----------
    summary
        Holds the :func:`store_summary`; it is rebuilt after a load or an import.
    demo, upload
        The :class:`DemoLoader` and the :class:`SpreadsheetImport`.
    """

    def __init__(self, wb) -> None:
        self.wb = wb
        self.summary = widgets.VBox([store_summary(wb)])
        self.demo = DemoLoader(wb, on_loaded=self.refresh)
        self.upload = SpreadsheetImport(wb, on_imported=self.refresh)
        columns = ", ".join(f"<code>{c}</code>" for c in schema.FLAT.columns)
        self.box = widgets.VBox(
            [
                heading("Where the data lives"),
                self.summary,
                heading("Try it with the demo cohort"),
                self.demo.box,
                heading("Or import your own spreadsheet"),
                note(
                    "One row per interview. Columns: " + columns + ". Only client, company, "
                    "role and interview_date are required; dates as YYYY-MM-DD."
                ),
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
