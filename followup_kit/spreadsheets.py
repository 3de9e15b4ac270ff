"""Spreadsheet import and export: whole files checked first, then all rows or none.

Two layouts are read:

* **The flat sheet** coaches already keep, one row per interview, with the columns of
  :data:`followup_kit.schema.FLAT`: ``client, cohort, country, company, role, round,
  interview_date, format, contact_route, decision_expected, status, hr_name, hr_email,
  hr_phone, posting_link, interviewers`` (names separated by ``;``), ``thank_you_date,
  thank_you_channel, status_check_date, status_check_channel, response_date,
  response_result, response_channel, notes``.
  Only ``client, company, role, interview_date`` are required; headers may use spaces
  and capitals ("Interview date"). Dates are written YYYY-MM-DD (or are real date
  cells in Excel). CSV may be UTF-8 (with or without a byte-order mark), UTF-16 or
  Windows-1252, separated by commas, semicolons or tabs.
* **An export** made by :meth:`Workbook.export`: a folder with one CSV per table, or an
  ``.xlsx`` file with one sheet per table.

Cells that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return) are written with a leading apostrophe (and a leading apostrophe is
doubled); import removes one again, so text survives the round trip unchanged and never
runs. In ``.xlsx`` files a carriage return is written ``_x000D_`` (and a literal
``_xHHHH_`` as ``_x005F_xHHHH_``), the escapes Excel itself uses, because XML turns
every ``\r\n`` into ``\n``; import reads them back, so ``\r\n`` survives too.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import schema
from ._db import TABLES, Database
from .dates import is_blank
from .exceptions import BadFileError, OutputFileError, Problem, ValidationError
from .layouts import (
    DATE_FIELDS,
    FIELD_LABELS,
    ColumnMapping,
    ImportResult,
    Prepared,
    enum_key,
    prepare,
    remember,
    twice,
)

__all__ = [
    "check_file",
    "export_frame",
    "export_tables",
    "import_file",
    "load_tables",
    "neutralise",
    "read_rows",
    "read_sheet",
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 5_000
_PROGRESS_FROM = 10_000


class Workbook(Protocol):
    """What import and export need of a :class:`~followup_kit.store.Workbook`."""

    db: Database

    @property
    def today(self) -> date: ...

    def tables(self) -> dict[str, pd.DataFrame]: ...


def neutralise(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe.

    Text that already starts with an apostrophe gets one more, so that importing the
    file again (which removes one) gives back exactly what was exported.
    """
    if isinstance(value, str) and value.startswith((*FORMULA_START, "'")):
        return "'" + value
    return value


def _restore(value: object) -> object:
    """Undo :func:`neutralise`."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in (*FORMULA_START, "'"):
        return value[1:]
    return value


def _header_key(name: object) -> str:
    text = str(name if name is not None else "").replace("\ufeff", "").strip().casefold()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return raw.decode("utf-32")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise BadFileError(
        path,
        "this is not a text file I can read; in Excel use Save As > 'CSV UTF-8'.",
        check="not_text",
    )


def _csv_grid(path: Path) -> pd.DataFrame:
    """Every cell of a CSV file as text, one row per record, blank records kept."""
    text = _decode(path.read_bytes(), path)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise BadFileError(path, "the file is empty.", check="empty_file")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        try:
            return _parse_csv(text, delimiter)
        except pd.errors.ParserError:
            # A row wider than the first: read again with room for it, so that the
            # stray separator is named by its row rather than stopping the parser.
            width = max(line.count(delimiter) for line in lines) + 1
            return _parse_csv(text, delimiter, width)
    except (pd.errors.ParserError, ValueError) as err:
        detail = str(err).strip().removeprefix("Error tokenizing data. C error: ")
        raise BadFileError(
            path,
            f"the CSV is malformed ({detail}); look for a stray separator or a quote left open.",
            check="malformed_csv",
        ) from err


def _parse_csv(text: str, delimiter: str, width: int | None = None) -> pd.DataFrame:
    """pandas' C parser, everything kept as text; ``width`` columns if given."""
    return pd.read_csv(
        io.StringIO(text),
        sep=delimiter,
        header=None,
        names=None if width is None else range(width),
        dtype=object,
        na_filter=False,  # "NA" and "null" are text here, not blanks
        skip_blank_lines=False,  # keeps the row numbers a spreadsheet shows
        engine="c",
    )


def _excel_grids(path: Path) -> dict[str, pd.DataFrame]:
    try:
        # keep_default_na=False: a company called "NA" or a note "N/A" is text, not blank.
        grids = pd.read_excel(
            path, sheet_name=None, header=None, dtype=object, keep_default_na=False, na_values=[]
        )
    except Exception as err:  # openpyxl raises many kinds for a damaged file
        raise BadFileError(
            path, f"this is not an Excel file I can read ({err}).", check="unreadable"
        ) from err
    # openpyxl leaves Excel's _xHHHH_ escapes in the text; a person never typed them.
    return {
        name: grid.apply(lambda col: schema.per_distinct(_xlsx_unescape, col.to_numpy(object)))
        if len(grid)
        else grid
        for name, grid in grids.items()
    }


_XLSX_ESCAPE = re.compile(r"\r|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_CODE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _xlsx_escape(value: object) -> object:
    """Text as an .xlsx cell keeps it: ``\r`` as ``_x000D_``, a literal ``_x0041_`` escaped.

    These are the escapes of the Office Open XML standard (Excel writes and reads them);
    without them XML would turn ``\r\n`` into ``\n``.
    """
    if isinstance(value, str) and ("\r" in value or "_x" in value):
        return _XLSX_ESCAPE.sub(lambda m: "_x000D_" if m[0] == "\r" else "_x005F_", value)
    return value


def _xlsx_unescape(value: object) -> object:
    """Undo :func:`_xlsx_escape` (and read the same escapes in any Excel file)."""
    if isinstance(value, str) and "_x" in value:
        return _XLSX_CODE.sub(lambda m: chr(int(m[1], 16)), value)
    return value


def read_rows(grid: pd.DataFrame, columns: list[str] | None, path: object) -> pd.DataFrame:
    """Turn a sheet's cells (header row first) into a frame indexed by spreadsheet row.

    Headers are matched loosely ("Interview date" is ``interview_date``); unknown or
    repeated headers and rows with extra cells are refused, naming them. With
    ``columns=None`` every header is accepted and kept as written (a blank one with
    cells below it becomes "Column 3").
    """
    # Numbered before blank rows go, so messages match the spreadsheet. Each distinct
    # cell of a column is looked at once.
    cells, filled = {}, {}
    for c in grid:
        codes, distinct = schema.distinct_values(grid[c].to_numpy(dtype=object))
        imported = [_cell(v) for v in distinct]
        cells[c] = np.fromiter(imported, dtype=object, count=len(imported))[codes]
        filled[c] = np.array([v is not None and str(v).strip() != "" for v in imported])[codes]
    numbers = pd.RangeIndex(1, len(grid) + 1)
    grid, filled = pd.DataFrame(cells, index=numbers), pd.DataFrame(filled, index=numbers)
    keep = filled.any(axis=1)
    grid, filled = grid[keep], filled[keep]
    if grid.empty:
        raise BadFileError(path, "the file is empty.", check="empty_file")
    header = [_header_key(h) for h in grid.iloc[0]]
    while header and not header[-1]:
        header.pop()
    written = [
        str(h).replace("\ufeff", "").strip() if key else f"Column {i + 1}"
        for i, (h, key) in enumerate(zip(grid.iloc[0], header, strict=False))
    ]
    seen: set[str] = set()
    for name in header:
        if name in seen and (name or columns is not None):
            raise BadFileError(
                path, f"the column {name!r} appears twice; keep one.", check="duplicate_column"
            )
        seen.add(name)
    unknown = [h or "(blank)" for h in header if columns is not None and h not in columns]
    if unknown:
        raise BadFileError(
            path,
            f"unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the columns I know are: {', '.join(columns)}.",
            check="unknown_column",
        )
    if len(grid) == 1:
        raise BadFileError(path, "it has a header row but no data rows.", check="empty_sheet")
    extra = filled.iloc[1:, len(header) :].sum(axis=1)
    problems = [
        Problem(
            "(row)",
            f"{len(header) + n} cells but {len(header)} columns; look for a stray separator.",
            int(row),
            check="extra_cells",
        )
        for row, n in extra[extra > 0].items()
    ]
    if problems:
        raise ValidationError(problems, what="file")
    body = grid.iloc[1:, : len(header)]
    body.columns = header if columns is not None else written
    return body


def _cell(value: object) -> object:
    """A cell as imported: blanks (None, NaN, NaT) as None, neutralised text restored."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return _restore(value)


def _is_export(path: Path) -> bool:
    if path.is_dir():
        return True
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook

            names = load_workbook(path, read_only=True).sheetnames
        except Exception:
            return False
        return "interviews" in names
    return False


def import_file(
    wb: Workbook,
    path: str | os.PathLike,
    *,
    mapping: Mapping[str, str | None] | None = None,
    values: Mapping[str, object] | None = None,
    dayfirst: bool | None = None,
    client: str | int | None = None,
    sheet: str | int | None = None,
    keep_in_notes: list[str] | None = None,
    progress: bool | None = None,
):
    """Import a flat sheet or an export into ``wb``; see the module docstring.

    With any of ``mapping, values, dayfirst, client, keep_in_notes`` the file is read as
    the coach's own spreadsheet (see :mod:`followup_kit.mapping`): their columns and
    words, dates such as 03/04/2025 or "4 Mar 2025", rows without an interview date
    skipped. Returns an :class:`~followup_kit.layouts.ImportResult`: the rows added per
    table (and the rows skipped). Nothing is written unless every row of the file is
    valid; :class:`ValidationError` lists each bad row and column.
    """
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise BadFileError(
            path,
            "no file was given; give the path of a CSV or Excel file, or of an export folder.",
            check="not_found",
        )
    path = Path(path)
    options = {
        "mapping": mapping,
        "values": values,
        "dayfirst": dayfirst,
        "client": client,
        "keep_in_notes": keep_in_notes,
    }
    guided = any(v is not None for v in options.values())
    if not path.exists():
        raise BadFileError(path, "there is no such file.", check="not_found")
    if path.is_dir():
        _refuse_folder_without_export(path)
    if not guided and sheet is None and _is_export(path):
        return load_tables(wb, _read_export(path), progress=progress)
    checked = check_file(wb, path, sheet=sheet, **options)
    if checked.problems:
        raise ValidationError(checked.problems, what="file")
    added = _write(wb, checked.tables, progress=progress, match_clients=True)
    if guided:
        remember(wb, checked.prepared.header, options)
    return ImportResult(added, skipped_rows=checked.prepared.skipped_rows)


@dataclass
class Checked:
    """A flat file read and checked whole: its clean rows, store tables and problems."""

    prepared: Prepared
    clean: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    problems: list[Problem]


def check_file(
    wb: Workbook, path: str | os.PathLike, *, sheet: str | int | None = None, **options: object
) -> Checked:
    """Read and check a flat sheet as :func:`import_file` does, writing nothing.

    ``options`` are ``mapping, values, dayfirst, client, keep_in_notes``; when none is
    given the columns must be ours (unknown ones are refused).
    """
    path = Path(path)
    if any(v is not None for v in options.values()):
        raw, _, _ = read_sheet(path, sheet)
        numbers = path.suffix.lower() in (".xlsx", ".xlsm")
        prepared = prepare(raw, wb, path, numbers=numbers, **options)  # type: ignore[arg-type]
    else:
        flat = read_rows(_grid(path, sheet), schema.FLAT.columns, path)
        missing = [c for c in ("client", "company", "role", "interview_date") if c not in flat]
        if missing:
            raise BadFileError(
                path, f"required column(s) missing: {', '.join(missing)}.", check="missing_column"
            )
        prepared = Prepared(flat)
    clean, problems = schema.validate_frame(schema.FLAT, prepared.flat, today=wb.today)
    tables, more = _tables_from_flat(clean, wb)
    return Checked(prepared, clean, tables, prepared.named(problems + more))


def _grid(path: Path, sheet: str | int | None) -> pd.DataFrame:
    """The cells of a CSV file, or of one sheet of an Excel file (the first by default)."""
    if not path.exists():
        raise BadFileError(path, "there is no such file.", check="not_found")
    if path.suffix.lower() == ".xls":
        raise BadFileError(
            path, "this is an old Excel file; save it as .xlsx or CSV first.", check="old_excel"
        )
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return _csv_grid(path)
    grids = _excel_grids(path)
    if sheet is None:
        return next(iter(grids.values()), pd.DataFrame())
    if isinstance(sheet, int) and 0 <= sheet < len(grids):
        return list(grids.values())[sheet]
    if sheet not in grids:
        raise BadFileError(
            path, f"there is no sheet {sheet!r}; it has: {', '.join(grids)}.", check="no_sheet"
        )
    return grids[sheet]  # type: ignore[index]


def read_sheet(
    path: str | os.PathLike, sheet: str | int | None = None
) -> tuple[pd.DataFrame, str | None, list[str]]:
    """A sheet's rows under the file's own headers, indexed by spreadsheet row.

    Returns the rows, the sheet's name (None for CSV) and every sheet's name.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_rows(_grid(path, sheet), None, path), None, []
    grids = _excel_grids(path)
    names = list(grids)
    if sheet is None:  # the first sheet with rows under its header, not a cover page
        filled = [n for n, g in grids.items() if (g.map(_cell).notna().any(axis=1)).sum() > 1]
        sheet = (filled or names or [0])[0]
    grid = _grid(path, sheet)
    name = names[sheet] if isinstance(sheet, int) and sheet < len(names) else sheet
    return read_rows(grid, None, path), name, names


#: The interview's HR or recruiter contact and job posting, as the flat sheet names them.
_CONTACTS = ("hr_name", "hr_email", "hr_phone", "posting_link")


def _tables_from_flat(flat: pd.DataFrame, wb: Workbook) -> tuple[dict, list[Problem]]:
    """Split clean flat rows into store tables; ids are the spreadsheet row numbers."""
    rows = flat.index
    client_key = schema.per_distinct(_casefold, flat["client"].to_numpy(dtype=object))
    firsts = flat.assign(_key=client_key).groupby("_key", sort=False)
    clients = firsts[["client", "cohort", "country"]].first().reset_index()
    clients = clients.rename(columns={"client": "name", "_key": "id"})
    interviews = flat[["company", "role", "round", "interview_date", "format"]].copy()
    for col in ("contact_route", "decision_expected", "status", "notes", *_CONTACTS):
        interviews[col] = flat[col]
    interviews.insert(0, "client_id", client_key)
    interviews.insert(0, "id", rows)

    names = schema.per_distinct(_names, flat["interviewers"].to_numpy(dtype=object))
    if "interviewer_email" in flat:  # a mapped "Contact Email" column: paired by position
        emails = schema.per_distinct(_names, flat["interviewer_email"].to_numpy(dtype=object))
        names = [_pairs(n, e) for n, e in zip(names, emails, strict=True)]
    people = pd.Series(names, index=rows).explode().dropna()
    interviewers = pd.DataFrame({"interview_id": people.index, "name": people.to_numpy()})
    if "interviewer_email" in flat:
        interviewers["email"] = [p[1] for p in interviewers["name"]]
        interviewers["name"] = [p[0] for p in interviewers["name"]]
    interviewers.index = people.index
    clean_people, problems = schema.validate_frame("interviewers", interviewers, today=wb.today)
    problems = [replace(p, field="interviewers") for p in problems + _repeated(clean_people)]
    interviewers.insert(0, "id", range(1, len(interviewers) + 1))

    parts = []
    for step, kind in (("thank_you", "thank_you"), ("status_check", "status_check")):
        sent = flat[f"{step}_date"].notna()
        parts.append(
            pd.DataFrame(
                {
                    "interview_id": rows[sent],
                    "kind": kind,
                    "channel": flat.loc[sent, f"{step}_channel"].fillna("email").to_numpy(),
                    "sent_on": flat.loc[sent, f"{step}_date"].to_numpy(),
                }
            )
        )
    follow_ups = pd.concat(parts, ignore_index=True)
    follow_ups.insert(0, "id", range(1, len(follow_ups) + 1))
    got = flat["response_date"].notna()
    responses = pd.DataFrame(
        {
            "interview_id": rows[got],
            "received_on": flat.loc[got, "response_date"].to_numpy(),
            "result": flat.loc[got, "response_result"].to_numpy(),
            "channel": flat.loc[got, "response_channel"].fillna("email").to_numpy(),
        }
    )
    responses.insert(0, "id", range(1, len(responses) + 1))
    tables = {
        "clients": clients,
        "interviews": interviews,
        "interviewers": interviewers,
        "follow_ups": follow_ups,
        "responses": responses,
    }
    return tables, problems


def _repeated(people: pd.DataFrame) -> list[Problem]:
    """The same interviewer twice at one interview (any case or spacing), by row.

    Two would give two identical thank-you steps, and two calendar events with one UID.
    """
    keys = schema.per_distinct(schema.person_key, people["name"].to_numpy(dtype=object))
    pairs = pd.DataFrame(
        {"interview": people["interview_id"].to_numpy(dtype=object), "key": keys},
        index=people.index,
    )
    twice = pairs["interview"].notna() & pairs["key"].notna() & pairs.duplicated()
    return [
        Problem(
            "name",
            f"{name} is listed twice for one interview; list each person once.",
            int(row),
            check="duplicate_name",
        )
        for row, name in people.loc[twice, "name"].items()
    ]


def _casefold(name: str | None) -> str | None:
    return name.casefold() if isinstance(name, str) else None


def _pairs(names: list[str], emails: list[str]) -> list[tuple[str, str | None]]:
    """(name, email) per interviewer; an email without a name stands for the name."""
    return [
        (n or e, e)
        for n, e in itertools.zip_longest(names, emails)  # type: ignore[misc]
    ]


def _names(cell: str | None) -> list[str]:
    """The interviewers in one cell: names separated by ";" or line breaks."""
    return [n.strip() for n in re.split(r"[;\n]", cell) if n.strip()] if cell else []


def _refuse_folder_without_export(path: Path) -> None:
    """A folder is imported only when it holds an export (one CSV per table)."""
    if any((path / f"{name}.csv").is_file() for name in schema.TABLES):
        return
    sheets = sorted(
        p.name for p in path.iterdir() if p.suffix.lower() in (".csv", ".xlsx", ".xlsm")
    )
    hint = (
        f"; to import {', '.join(sheets[:3])}, give the file's own path"
        if sheets
        else "; give the path of a CSV or Excel file, or of a folder made by export"
    )
    raise BadFileError(
        path, f"there is no workbook export or spreadsheet here{hint}.", check="nothing_to_import"
    )


def _read_export(path: Path) -> dict[str, pd.DataFrame]:
    if path.is_dir():
        sheets = {p.stem: _csv_grid(p) for p in sorted(path.glob("*.csv"))}
    else:
        sheets = _excel_grids(path)
    tables = {}
    for name, grid in sheets.items():
        if name not in schema.TABLES:
            continue
        try:
            tables[name] = read_rows(grid, schema.TABLES[name].columns, f"{path} [{name}]")
        except BadFileError as err:
            if err.check != "empty_sheet":
                raise
    return tables


def load_tables(
    wb: Workbook,
    tables: Mapping[str, pd.DataFrame],
    *,
    progress: bool | None = None,
    replacing_clients: Sequence[int] = (),
) -> dict[str, int]:
    """Validate whole tables (demo cohort, export) and add them in one transaction.

    The ``id`` columns only link the rows to each other: rows get new ids in the
    store. Every problem is named as ``table.field`` with the row's position. The
    clients in ``replacing_clients`` are deleted, with all their rows, in the same
    transaction (a fresh copy in place of an old one).
    """
    problems: list[Problem] = []
    clean: dict[str, pd.DataFrame] = {}
    known_ids: dict[str, set] = {}
    for name in schema.TABLES:
        if name not in tables or name == "recordings":
            continue
        frame = tables[name].reset_index(drop=True)
        frame.index = frame.index + 2  # the row number a spreadsheet would show
        spec = schema.TABLES[name]
        if "interview_id" in frame and "interviews" in clean:
            # One date per id: a repeated id is reported above, not a crash here.
            dates = clean["interviews"].drop_duplicates("id").set_index("id")["interview_date"]
            frame["interview_date"] = frame["interview_id"].map(_int_or_none).map(dates)
        result, found = schema.validate_frame(name, frame, today=wb.today)
        if name == "interviewers":
            found += _repeated(result)
        problems += [replace(p, field=f"{name}.{p.field}") for p in found]
        ids = frame["id"].map(_int_or_none)
        result["id"] = ids
        twins = ids.notna() & ids.duplicated(keep=False)
        problems += [
            Problem(
                f"{name}.id",
                "another row has this id too; each row needs its own.",
                int(r),
                check="duplicate_id",
            )
            for r in result.index[twins]
        ]
        for f in spec.fields:
            if f.kind == "ref" and f.ref in known_ids:
                dangling = result[f.name].notna() & ~result[f.name].isin(known_ids[f.ref])
                problems += [
                    Problem(
                        f"{name}.{f.name}",
                        f"refers to a missing {f.ref} row.",
                        int(r),
                        check="missing_parent",
                    )
                    for r in result.index[dangling]
                ]
        known_ids[name] = set(ids.dropna())
        clean[name] = result
    if problems:
        raise ValidationError(problems, what="import")
    return _write(wb, clean, progress=progress, match_clients=False, replacing=replacing_clients)


def _int_or_none(v: object) -> int | None:
    try:
        return int(v)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _write(
    wb: Workbook,
    tables: Mapping[str, pd.DataFrame],
    *,
    progress: bool | None,
    match_clients: bool,
    replacing: Sequence[int] = (),
) -> dict[str, int]:
    """Insert clean tables in one transaction, mapping their link ids to new ids (after
    deleting the clients ``replacing`` names, with their rows)."""
    total = sum(len(t) for t in tables.values())
    show = total >= _PROGRESS_FROM if progress is None else progress

    def work(conn: sa.Connection) -> dict[str, int]:
        from tqdm.auto import tqdm  # only when saving: a client's page never needs it

        if replacing:
            wb.db.delete_with_children(conn, "clients", list(replacing))
        bar = tqdm(total=total, desc="Saving", unit="row", disable=not show)
        # For each table, the new id of every old (link) id.
        new_ids: dict[str, pd.Series] = {}
        added: dict[str, int] = {}
        try:
            for name in schema.WRITE_ORDER:
                frame = tables.get(name)
                if frame is None or frame.empty:
                    continue
                cols = [c for c in schema.TABLES[name].columns if c != "id" and c in frame]
                records = frame[cols].copy()
                for f in schema.TABLES[name].fields:
                    if f.kind == "ref" and f.name in records:
                        linked = records[f.name].map(new_ids.get(f.ref or "", _NO_IDS))
                        records[f.name] = linked.astype("Int64")
                old = frame["id"]
                known = _NO_IDS
                if name == "clients":
                    if match_clients:
                        records, old, known = _skip_existing_clients(conn, records, old)
                    if "created" not in records:
                        records["created"] = wb.today
                ids: list[int] = []
                for start in range(0, len(records), _CHUNK):
                    chunk = records.iloc[start : start + _CHUNK]
                    ids += wb.db.bulk_insert(conn, name, chunk)
                    bar.update(len(chunk))
                fresh = pd.Series(ids, index=old.to_numpy(), dtype="int64")
                new_ids[name] = pd.concat([known, fresh]) if len(known) else fresh
                added[name] = len(ids)
        finally:
            bar.close()
        return added

    return wb.db.write(work)


_NO_IDS = pd.Series(dtype="int64")


def _skip_existing_clients(
    conn: sa.Connection, records: pd.DataFrame, old: pd.Series
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Clients already in the store (same name, any case) keep their id, not a twin.

    Returns the clients still to add, their old ids, and the store's ids of the others.
    """
    t = TABLES["clients"]
    existing = {name.casefold(): int(i) for i, name in conn.execute(sa.select(t.c.id, t.c.name))}
    keys = records["name"].str.casefold()
    found = keys.isin(existing).to_numpy()
    known = pd.Series(keys[found].map(existing).to_numpy(), index=old[found].to_numpy())
    return records[~found], old[~found], known.astype("int64")


def export_tables(wb: Workbook, path: str | os.PathLike, *, mapping=None) -> Path:
    """Write every table: a folder of CSVs, or one ``.xlsx`` with a sheet per table.

    Dates are written YYYY-MM-DD; formula-like text is neutralised. Recordings are
    not exported (they are audio; back up the store to keep them). With a ``mapping``
    (as for import) one sheet in the coach's own layout is written instead, see
    :func:`export_layout`.
    """
    if mapping is not None:
        return export_layout(wb, path, mapping)
    path = _output_path(path)
    tables = {name: export_frame(frame) for name, frame in wb.tables().items()}
    if path.suffix.lower() == ".xlsx":
        _refuse_existing(path)
        with _writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            with pd.ExcelWriter(path, engine="openpyxl") as writer:
                for name, frame in tables.items():
                    frame.map(_xlsx_escape).to_excel(writer, sheet_name=name, index=False)
        return path
    if path.exists() and not path.is_dir():
        raise OutputFileError(path, "a file is already there; give a new folder name.")
    there = [f"{name}.csv" for name in tables if (path / f"{name}.csv").exists()]
    if there:
        raise OutputFileError(
            path, f"it already holds {', '.join(there)}; export into a new folder."
        )
    with _writing(path):
        path.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            # CRLF line ends (RFC 4180) make the writer quote a lone \r inside text too.
            frame.to_csv(path / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\r\n")
    return path


def _output_path(path: object) -> Path:
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise OutputFileError(path, "give a file or folder name to export to.")
    return Path(path).expanduser()


def _refuse_existing(path: Path) -> None:
    """An export never overwrites: a file (or folder) already there is refused."""
    if path.exists():
        kind = "folder" if path.is_dir() else "file"
        raise OutputFileError(path, f"a {kind} is already there; choose a new name.")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn an OS error while writing (no permission, disk full) into a plain refusal."""
    try:
        yield
    except OSError as err:
        raise OutputFileError(path, err.strerror or str(err)) from err


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as it is written out: ISO dates, formula-like text neutralised."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            out[col] = out[col].map(neutralise, na_action="ignore")
    return out


# -- export in their layout -----------------------------------------------------------------


def flat_frame(wb: Workbook) -> pd.DataFrame:
    """One row per interview in the flat fields (the first thank-you, status check, reply)."""
    t = wb.tables()
    iv = t["interviews"].merge(
        t["clients"][["id", "name", "cohort", "country"]].rename(
            columns={"id": "client_id", "name": "client"}
        ),
        on="client_id",
        how="left",
    )
    people = t["interviewers"].sort_values("id").groupby("interview_id")
    iv["interviewers"] = iv["id"].map(people["name"].agg(lambda s: "; ".join(s)))
    iv["interviewer_email"] = iv["id"].map(
        people["email"].agg(lambda s: "; ".join("" if pd.isna(e) else str(e) for e in s))
    )
    iv["interviewer_email"] = iv["interviewer_email"].where(
        iv["interviewer_email"].str.strip("; ") != "", None
    )
    fu = t["follow_ups"].sort_values(["sent_on", "id"])
    for kind in ("thank_you", "status_check"):
        first = fu[fu["kind"] == kind].drop_duplicates("interview_id").set_index("interview_id")
        iv[f"{kind}_date"] = iv["id"].map(_days(first["sent_on"]))
        iv[f"{kind}_channel"] = iv["id"].map(first["channel"]).astype(object)
    rs = t["responses"].sort_values(["received_on", "id"]).drop_duplicates("interview_id")
    rs = rs.set_index("interview_id")
    iv["response_date"] = iv["id"].map(_days(rs["received_on"]))
    for f in ("interview_date", "decision_expected"):
        iv[f] = _days(iv[f])
    iv["response_result"] = iv["id"].map(rs["result"]).astype(object)
    iv["response_channel"] = iv["id"].map(rs["channel"]).astype(object)
    return iv.sort_values(["interview_date", "id"]).reset_index(drop=True)


def _days(column: pd.Series) -> pd.Series:
    """Datetimes as plain dates (None when blank), so maps over empty tables keep them."""
    return pd.Series(
        [None if pd.isna(v) else v.date() for v in column], index=column.index, dtype=object
    )


def export_layout(
    wb: Workbook,
    path: str | os.PathLike,
    mapping: ColumnMapping | Mapping[str, str | None],
    *,
    values: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Write the interviews in the coach's own columns (``mapping`` reversed).

    Mapped columns get their field (enum values in the coach's own words where
    ``values`` or the mapping's ``values`` give one, else our plain words); a column
    mapped to None gets back the "Column: value" line kept in the notes, if any. Dates
    are ISO text in a CSV, date cells in ``.xlsx``; formula-like text is neutralised.
    """

    if isinstance(mapping, ColumnMapping):
        values = values if values is not None else mapping.values
        mapping = mapping.mapping
    doubled = twice(dict(mapping))
    if doubled:
        raise ValidationError(
            [
                Problem(f, f"comes from {' and '.join(cs)}; choose one.")
                for f, cs in doubled.items()
            ],
            what="mapping",
        )
    flat = flat_frame(wb)
    out = pd.DataFrame(index=flat.index)
    notes = flat["notes"].map(lambda v: "" if is_blank(v) else str(v))
    kept = {c for c, f in mapping.items() if not f}
    lines = notes.map(lambda text: _split_notes(text, kept))
    for column, f in mapping.items():
        if f and f not in FIELD_LABELS:
            raise ValidationError([Problem(column, f"{f!r} is not a field.")], what="mapping")
        if not f:
            out[column] = lines.map(lambda parts, c=column: parts[1].get(c))
        elif f == "notes":
            out[column] = lines.map(lambda parts: parts[0] or None)
        elif f in DATE_FIELDS:
            out[column] = flat[f]
        elif enum_key(f):
            key = enum_key(f) or f
            words = {v: w for w, v in reversed(list((values or {}).get(column, {}).items())) if v}
            out[column] = flat[f].map(
                lambda v, key=key, words=words: (
                    None if is_blank(v) else words.get(v, schema.choice_label(key, v))
                )
            )
        else:
            out[column] = flat[f].astype(object)
    out = out.astype(object).where(out.notna(), None)
    for c in out.columns:
        out[c] = out[c].map(neutralise)
    target = _output_path(path)
    _refuse_existing(target)
    with _writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix.lower() in (".xlsx", ".xlsm"):
            out.map(_xlsx_escape).to_excel(target, sheet_name="Tracker", index=False)
        else:
            out = out.map(lambda v: v.isoformat() if isinstance(v, date) else v)
            out.to_csv(target, index=False, encoding="utf-8", lineterminator="\r\n")
    return target


def _split_notes(text: str, kept: set[str]) -> tuple[str, dict[str, str]]:
    """Notes -> (their own notes, {column: value}) for lines "Column: value" of kept columns."""
    own, found = [], {}
    for line in text.splitlines():
        name, sep, value = line.partition(": ")
        if sep and name in kept and name not in found:
            found[name] = value
        else:
            own.append(line)
    return "\n".join(own), found
