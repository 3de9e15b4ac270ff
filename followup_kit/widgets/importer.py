"""The guided import (notebook 00): the coach's own spreadsheet, column by column.

Choose the file (upload or a path), see what each column seems to hold with a few of
its values, correct what is wrong, say what their status words mean and how to read
03/04/2025, look at the first rows as they will be stored, then import: all rows or
none, every bad row named by row and column. The handlers only call
:mod:`followup_kit.mapping` and the :class:`~followup_kit.store.Workbook`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .. import schema
from ..exceptions import BadFileError, FollowupKitError, NotFoundError, Problem, ValidationError
from ..formatting import escape_html
from ..layouts import FIELD_LABELS, ColumnMapping, parse_date
from ..mapping import preview_import, suggest_mapping
from ._kit import Shown, counted, error_html, note, ok_html, sentence

__all__ = ["GuidedImport", "guided_import"]

_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
NOTES = "(notes)"
IGNORE = "(ignore)"
_CHOOSE = "(choose)"
_BLANK = "(blank)"
#: The Dropdown choices for a column, in the order a coach reads them.
_FIELD_CHOICES = [
    ("Keep in the notes", NOTES),
    ("Leave out", IGNORE),
    *((label, name) for name, label in FIELD_LABELS.items()),
]
_SHOWN_PROBLEMS = 100
#: Preview cells stay on one line (the table scrolls sideways); notes wrap.
_CELL_STYLE = {False: "white-space:nowrap", True: "min-width:12em"}
_WRAP = widgets.Layout(flex_flow="row wrap", align_items="center")


class GuidedImport(Shown):
    """Import a spreadsheet the coach keeps, in four short steps (see the module)."""

    def __init__(self, wb, *, on_imported: Callable[[dict[str, int]], Any] | None = None):
        self.wb = wb
        self.on_imported = on_imported
        self.suggestion: ColumnMapping | None = None
        self.path: Path | None = None
        self.name = ""
        self._folder: str | None = None
        self.choices: dict[str, widgets.Dropdown] = {}
        self.words: dict[str, dict[str, widgets.Dropdown]] = {}
        self._word_choices: dict[tuple[str, str, str], widgets.Dropdown] = {}

        self.upload = widgets.FileUpload(
            accept=",".join(_SUFFIXES), multiple=False, description="Upload a file"
        ).add_class("ct-upload")
        self.path_text = widgets.Text(
            placeholder="or type the file's path on this computer",
            layout=widgets.Layout(width="22em", max_width="100%"),
        ).add_class("ct-path")
        self.open_button = widgets.Button(description="Open", icon="folder-open")
        self.open_button.add_class("ct-open")
        self.sheet = widgets.Dropdown(description="Sheet").add_class("ct-sheet")
        self.file_status = widgets.HTML("").add_class("ct-file-status")
        self.columns = widgets.VBox([]).add_class("ct-columns")
        self.client = widgets.Combobox(
            placeholder="the client's name",
            ensure_option=False,
            layout=widgets.Layout(width="20em", max_width="100%"),
        ).add_class("ct-client-name")
        self.word_box = widgets.VBox([]).add_class("ct-words")
        self.dayfirst = widgets.RadioButtons(
            options=[], value=None, layout=widgets.Layout(width="auto", max_width="100%")
        ).add_class("ct-dayfirst")
        self.dayfirst_label = widgets.HTML("")
        self.summary = widgets.HTML("").add_class("ct-preview-summary")
        self.preview = widgets.HTML(
            "", layout=widgets.Layout(width="100%", overflow="auto")
        ).add_class("ct-preview")
        self.button = widgets.Button(
            description="Import", icon="upload", button_style="primary", disabled=True
        ).add_class("ct-import")
        self.hint = widgets.HTML("").add_class("ct-hint")
        self.status = widgets.HTML("").add_class("ct-report")
        self.problems = widgets.HTML("").add_class("ct-problems")

        self.upload.observe(self._uploaded, "value")
        self.open_button.on_click(self._open_typed)
        self.sheet.observe(self._sheet_chosen, "value")
        self.client.observe(self._changed, "value")
        self.dayfirst.observe(self._changed, "value")
        self.button.on_click(self._on_click)

        self.client_step = _shown(
            widgets.VBox(
                [
                    _step("Whose sheet is it?"),
                    note("The file has no client column: name the client it belongs to."),
                    self.client,
                ]
            ),
            False,
        )
        self.words_step = _shown(
            widgets.VBox([_step("What their words mean"), self.word_box]), False
        )
        self.dates_step = _shown(
            widgets.VBox([_step("How to read their dates"), self.dayfirst_label, self.dayfirst]),
            False,
        )
        self.steps = _shown(
            widgets.VBox(
                [
                    _step("2. What each column holds"),
                    note(
                        "Check the suggestion for each column and change what is wrong. "
                        "Columns we do not store can be kept as lines in the notes."
                    ),
                    self.columns,
                    self.client_step,
                    self.words_step,
                    self.dates_step,
                    _step("3. The first rows, as they will be stored"),
                    self.summary,
                    self.preview,
                    _step("4. Import"),
                    widgets.HBox([self.button, self.hint], layout=_WRAP),
                ]
            ),
            False,
        )
        self.box = widgets.VBox(
            [
                _step("1. Choose the file"),
                widgets.HBox([self.upload, self.path_text, self.open_button], layout=_WRAP),
                _shown(self.sheet, False),
                self.file_status,
                self.steps,
                self.status,
                self.problems,
            ]
        ).add_class("ct-guided-import")

    # -- choosing the file -----------------------------------------------------------------

    def _uploaded(self, _: Any = None) -> None:
        if not self.upload.value:
            return
        item = self.upload.value[0]
        self.load_bytes(str(item["name"]), bytes(item["content"]))

    def load_bytes(self, name: str, data: bytes) -> None:
        """Open an uploaded file's bytes (kept in a temporary folder until the next one)."""
        suffix = Path(name).suffix.lower()
        if suffix not in _SUFFIXES:
            self._refuse(
                f"<b>{escape_html(name)}</b> is not a spreadsheet I can read: choose a "
                ".csv or .xlsx file."
            )
            return
        self._forget_upload()
        self._folder = tempfile.mkdtemp(prefix="followup-import-")
        path = Path(self._folder) / f"upload{suffix}"
        path.write_bytes(data)
        self.open(path, name=name)

    def _open_typed(self, _: Any = None) -> None:
        text = self.path_text.value.strip().strip('"')
        if text:
            self.open(Path(text).expanduser())

    def open(self, path: str | Path, *, name: str | None = None, sheet: Any = None) -> None:
        """Read a file's header and values and show the suggested meaning of each column."""
        self.path, self.name = Path(path), name or Path(path).name
        self.status.value = self.problems.value = ""
        try:
            suggestion = suggest_mapping(self.path, sheet, wb=self.wb)
        except FollowupKitError as err:
            reason = err.reason if isinstance(err, BadFileError) else str(err)
            self._refuse(f"Could not read <b>{escape_html(self.name)}</b>: {escape_html(reason)}")
            return
        self.suggestion = suggestion
        self._show_sheets(suggestion)
        again = (
            " (the choices you confirmed last time for this header)"
            if suggestion.remembered
            else ""
        )
        self.file_status.value = ok_html(
            f"Opened <b>{escape_html(self.name)}</b>: {len(suggestion.columns)} columns{again}."
        )
        self._word_choices = {}
        self.choices = {c: self._column_choice(c, suggestion) for c in suggestion.columns}
        self.columns.children = [self._column_row(c, suggestion) for c in suggestion.columns]
        names = sorted(self.wb.clients()["name"].dropna().astype(str))
        self.client.options = tuple(names)
        self._show_dates(suggestion)
        _shown(self.steps, True)
        self._changed()

    def _refuse(self, message_html: str) -> None:
        self.suggestion = None
        _shown(self.steps, False)
        self.file_status.value = error_html(message_html + " Nothing was imported.")
        self.button.disabled = True

    def _forget_upload(self) -> None:
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def _show_sheets(self, suggestion: ColumnMapping) -> None:
        self.sheet.unobserve(self._sheet_chosen, "value")
        self.sheet.options = suggestion.sheets
        self.sheet.value = suggestion.sheet if suggestion.sheets else None
        self.sheet.observe(self._sheet_chosen, "value")
        _shown(self.sheet, len(suggestion.sheets) > 1)

    def _sheet_chosen(self, change: dict) -> None:
        if (
            self.path
            and change["new"]
            and self.suggestion
            and change["new"] != self.suggestion.sheet
        ):
            self.open(self.path, name=self.name, sheet=change["new"])

    # -- the columns ---------------------------------------------------------------------------

    def _column_choice(self, column: str, suggestion: ColumnMapping) -> widgets.Dropdown:
        f = suggestion.mapping.get(column)
        value = f or (NOTES if column in suggestion.keep_in_notes else IGNORE)
        choice = widgets.Dropdown(
            options=_FIELD_CHOICES, value=value, layout=widgets.Layout(width="20em")
        ).add_class("ct-column-field")
        choice.observe(self._changed, "value")
        return choice

    def _column_row(self, column: str, suggestion: ColumnMapping) -> widgets.HBox:
        samples = suggestion.samples.get(column) or []
        shown = ", ".join(escape_html(s) for s in samples) if samples else "<i>empty</i>"
        return widgets.HBox(
            [
                widgets.HTML(f"<b>{escape_html(column)}</b>", layout=widgets.Layout(width="11em")),
                self.choices[column],
                widgets.HTML(
                    f"<span style='color:#555'>e.g. {shown}</span>",
                    layout=widgets.Layout(max_width="24em"),
                ),
            ],
            layout=_WRAP,
        ).add_class("ct-column")

    def _show_words(self) -> None:
        """A Dropdown for every word of a status-like column that is not one of ours."""
        if self.suggestion is None:
            return
        rows, words = [], {}
        for column, choice in self.choices.items():
            meanings = self.suggestion.meanings(column, choice.value)
            if not meanings:
                continue
            allowed = schema.CHOICES[schema.FLAT[choice.value].choices or choice.value]
            options = [
                ("Choose what it means", _CHOOSE),
                *((label, value) for value, label in allowed.items()),
                ("Leave blank", _BLANK),
            ]
            words[column] = {}
            for word, meaning in meanings.items():
                key = (column, choice.value, word)
                dropdown = self._word_choices.get(key)
                if dropdown is None:
                    dropdown = widgets.Dropdown(
                        options=options,
                        value=meaning or _CHOOSE,
                        layout=widgets.Layout(width="18em"),
                    ).add_class("ct-word")
                    dropdown.observe(self._changed, "value")
                    self._word_choices[key] = dropdown
                words[column][word] = dropdown
                rows.append(
                    widgets.HBox(
                        [
                            widgets.HTML(
                                f"{escape_html(column)}: <b>{escape_html(word)}</b>",
                                layout=widgets.Layout(width="16em"),
                            ),
                            dropdown,
                        ],
                        layout=_WRAP,
                    )
                )
        self.words = words
        self.word_box.children = rows
        _shown(self.words_step, bool(rows))

    def _show_dates(self, suggestion: ColumnMapping) -> None:
        if not suggestion.ambiguous_dates:
            _shown(self.dates_step, False)
            return
        example = suggestion.ambiguous_dates[0]
        as_dmy = _read(example, True)
        as_mdy = _read(example, False)
        self.dayfirst.unobserve(self._changed, "value")
        self.dayfirst.options = [
            (f"{as_dmy} (day first)", True),
            (f"{as_mdy} (month first)", False),
        ]
        self.dayfirst.value = suggestion.dayfirst
        self.dayfirst.observe(self._changed, "value")
        examples = ", ".join(escape_html(d) for d in suggestion.ambiguous_dates[:3])
        self.dayfirst_label.value = (
            f"Dates such as {examples} can be read two ways. In this file, "
            f"<b>{escape_html(example)}</b> means:"
        )
        _shown(self.dates_step, True)

    # -- what the import will do -------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """The keywords for :meth:`Workbook.import_table`, as chosen on the page."""
        suggestion = self.suggestion
        if suggestion is None:
            return {}
        values = {
            column: {
                w: ("" if d.value == _BLANK else d.value)
                for w, d in words.items()
                if d.value != _CHOOSE
            }
            for column, words in self.words.items()
        }
        dayfirst = self.dayfirst.value if suggestion.ambiguous_dates else suggestion.dayfirst
        return {
            "mapping": {
                c: (d.value if d.value in FIELD_LABELS else None) for c, d in self.choices.items()
            },
            "keep_in_notes": [c for c, d in self.choices.items() if d.value == NOTES],
            "values": {c: v for c, v in values.items() if v},
            "dayfirst": dayfirst,
            "client": self.client.value.strip() or None,
            "sheet": suggestion.sheet,
        }

    def _waiting_for(self) -> list[str]:
        """What the coach still has to decide before Import can work."""
        if self.suggestion is None:
            return ["a file"]
        todo = []
        fields = [d.value for d in self.choices.values()]
        if "client" not in fields and not self.client.value.strip():
            todo.append("whose sheet this is")
        unknown = [
            w for words in self.words.values() for w, d in words.items() if d.value == _CHOOSE
        ]
        if unknown:
            todo.append("what " + ", ".join(f"“{escape_html(w)}”" for w in unknown[:5]) + " means")
        if self.suggestion.ambiguous_dates and self.dayfirst.value is None:
            todo.append("how to read the dates")
        return todo

    def _changed(self, _: Any = None) -> None:
        if self.suggestion is None:
            return
        _shown(self.client_step, "client" not in [d.value for d in self.choices.values()])
        self._show_words()
        todo = self._waiting_for()
        self.button.disabled = bool(todo)
        self.hint.value = (
            f"<span style='color:#555'>Still to choose: {'; '.join(todo)}.</span>" if todo else ""
        )
        self.status.value = self.problems.value = ""
        self._show_preview()

    def _show_preview(self) -> None:
        try:
            preview = preview_import(self.wb, self.path, n=5, **self.options())
        except (BadFileError, ValidationError, NotFoundError) as err:
            self.summary.value = ""
            message = err.reason if isinstance(err, BadFileError) else _plain(err)
            self.preview.value = error_html(escape_html(sentence(message)))
            self.button.disabled = True
            return
        except FollowupKitError as err:
            self.summary.value = ""
            self.preview.value = error_html(escape_html(err))
            self.button.disabled = True
            return
        rows = preview.rows
        head = "".join(f"<th>{escape_html(c)}</th>" for c in ["Row", *rows.columns])
        body = "".join(
            f"<tr><td>{row}</td>"
            + "".join(
                f"<td style='{_CELL_STYLE[c == 'Notes']}'>{escape_html(_short(v))}</td>"
                for c, v in zip(rows.columns, cells, strict=True)
            )
            + "</tr>"
            for row, cells in zip(rows.index, rows.itertuples(index=False), strict=True)
        )
        skipped = ""
        if preview.skipped_rows:
            skipped = " " + _skippedsentence(preview.skipped_rows)
        problems = ""
        if preview.problems:
            problems = _problems_html(preview.problems, "Fix these first")
        self.summary.value = f"{preview.total} interview(s) to import.{escape_html(skipped)}"
        self.preview.value = (
            "<div style='overflow-x:auto;max-width:100%'><table class='ct-preview-table' "
            f"cellpadding='3' style='border-collapse:collapse'><tr>{head}</tr>{body}</table></div>"
            f"{problems}"
        )

    # -- importing ---------------------------------------------------------------------------------

    def _on_click(self, _: widgets.Button | None = None) -> None:
        self.run_import()

    def run_import(self) -> dict[str, int]:
        """Import the file with the choices on the page; report into the widget.

        Returns the rows added per table (empty when nothing was imported).
        """
        if self.suggestion is None or self.path is None:
            return {}
        self.status.value = self.problems.value = ""
        try:
            added = self.wb.import_table(self.path, **self.options())
        except ValidationError as err:
            rows = sorted({p.row for p in err.problems if p.row is not None})
            where = f" in row(s) {', '.join(map(str, rows[:20]))}" if rows else ""
            self.status.value = error_html(
                f"Nothing was imported from <b>{escape_html(self.name)}</b>: "
                f"{len(err.problems)} problem(s){where}. Fix them in the spreadsheet (or change "
                "a choice above) and import again."
            )
            self.problems.value = _problems_html(err.problems, "")
            return {}
        except FollowupKitError as err:
            reason = err.reason if isinstance(err, BadFileError) else str(err)
            self.status.value = error_html(f"Nothing was imported: {escape_html(reason)}")
            return {}
        skipped = getattr(added, "skipped_rows", ())
        tail = f" {_skippedsentence(skipped)}" if skipped else ""
        self.status.value = ok_html(
            f"Imported <b>{escape_html(self.name)}</b>: {escape_html(counted(added))}."
            f"{escape_html(tail)} Your choices are remembered for files with the same columns."
        )
        self.button.disabled = True
        self.hint.value = ""
        if self.on_imported:
            self.on_imported(added)
        return added


def _short(text: str, limit: int = 60) -> str:
    """A cell for the preview: lines joined with " · ", long notes cut short."""
    one_line = " · ".join(line.strip() for line in str(text).splitlines() if line.strip())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def _step(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h4 style='margin:0.8em 0 0.2em'>{escape_html(text)}</h4>")


def _shown(widget: widgets.Widget, shown: bool = True) -> widgets.Widget:
    widget.layout.display = None if shown else "none"
    return widget


def _read(text: str, dayfirst: bool) -> str:

    return schema.format_day(parse_date(text, dayfirst=dayfirst))


def _skippedsentence(rows: Any) -> str:
    rows = list(rows)
    listed = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
    if len(rows) == 1:
        return f"1 row without an interview date was left out (row {listed})."
    return f"{len(rows)} rows without an interview date were left out (rows {listed})."


def _plain(err: ValidationError) -> str:
    return " ".join(f"{p.field}: {p.message}" for p in err.problems)


def _problems_html(problems: list[Problem], title: str) -> str:
    body = "".join(
        f"<tr><td>{'' if p.row is None else p.row}</td><td>{escape_html(p.field)}</td>"
        f"<td>{escape_html(sentence(p.message))}</td></tr>"
        for p in problems[:_SHOWN_PROBLEMS]
    )
    more = len(problems) - _SHOWN_PROBLEMS
    tail = f"<p>... and {more} more.</p>" if more > 0 else ""
    heading = (
        f"<div class='ct-error' style='color:#b3261e'>{escape_html(title)}:</div>" if title else ""
    )
    return (
        f"{heading}<div style='max-height:20em;overflow:auto'><table class='ct-problem-table' "
        "cellpadding='3'><tr><th>Row</th><th>Column</th><th>What to fix</th></tr>"
        f"{body}</table></div>{tail}"
    )


def guided_import(wb) -> GuidedImport:
    """A :class:`GuidedImport` for ``wb``: the coach's own spreadsheet, step by step."""
    return GuidedImport(wb)
