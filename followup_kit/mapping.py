"""Suggest how a coach's spreadsheet maps onto the workbook, and preview the import.

:func:`suggest_mapping` looks at a file's header and values and suggests, for each
column, the field it holds (or None: not stored), with their words for our statuses,
how to read dates like 03/04/2025, and a layout remembered for the same header;
:func:`preview_import` shows the first rows as they would be stored. The import itself
is :meth:`Workbook.import_table` with that ``mapping``. This module holds no widgets; the
guided import page lives in :mod:`followup_kit.widgets.importer`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import schema
from .dates import is_blank
from .exceptions import Problem
from .layouts import (
    DATE_FIELDS,
    FIELD_LABELS,
    KEYWORDS,
    NOTES_FIELD,
    SYNONYMS,
    WORDS,
    ColumnMapping,
    as_text,
    enum_key,
    hashable,
    header_hash,
    load_remembered,
    name_key,
    our_value,
    read_date,
    value_words,
    word_key,
)
from .spreadsheets import check_file, read_sheet

if TYPE_CHECKING:
    from .store import Workbook

__all__ = ["preview_import", "suggest_mapping"]


def suggest_mapping(
    path: str | os.PathLike, sheet: str | int | None = None, *, wb: Workbook | None = None
) -> ColumnMapping:
    """Suggest what each column of a CSV or Excel file holds.

    Exact names and plain words ("Interview date") come first, then common synonyms
    (Position -> role, Employer -> company, Contact -> interviewers, Follow-up Date ->
    status-check date, Outcome -> status...), then a look at the values where the name
    says little (a column of dates, of emails, of statuses). Two columns never get the
    same field: the better match wins, the other is left out (and, when it holds
    anything, suggested for the notes). Words in status, round, format and result
    columns get suggested meanings; words nobody knows are listed in ``unknown``.

    Parameters
    ----------
    path
        The spreadsheet (``.csv``, ``.tsv``, ``.txt``, ``.xlsx``).
    sheet
        The Excel sheet, by name or position; the first when None.
    wb
        A workbook: a mapping confirmed earlier for a file with the same header (kept
        in its data folder) is offered instead of a fresh guess.

    Returns
    -------
    ColumnMapping
        The suggestion; ``options()`` gives the keywords for ``import_table``.
    """

    raw, sheet_name, sheets = read_sheet(path, sheet)
    columns = list(raw.columns)
    cells = {c: [v for v in raw[c].tolist() if not is_blank(v)] for c in columns}
    numbers = Path(path).suffix.lower() in (".xlsx", ".xlsm")
    scored: dict[str, tuple[float, str | None, str]] = {}
    for i, c in enumerate(columns):
        scored[c] = _guess(c, cells[c], numbers, order=i)
    mapping, reasons = _settle(columns, scored)
    keep = [c for c in columns if mapping[c] is None and cells[c] and c not in _NOT_KEPT]
    suggestion = ColumnMapping(
        columns=columns,
        mapping=mapping,
        keep_in_notes=keep,
        samples={c: _samples(cells[c]) for c in columns},
        reasons=reasons,
        sheet=sheet_name,
        sheets=sheets,
        words={c: list(dict.fromkeys(str(v).strip() for v in cells[c]))[:200] for c in columns},
    )
    _suggest_values(suggestion, cells)
    _suggest_dayfirst(suggestion, cells, numbers)
    if wb is not None:
        _offer_remembered(suggestion, wb)
    return suggestion


_NOT_KEPT: frozenset[str] = frozenset()


def _guess(
    column: str, values: list[Any], numbers: bool, *, order: int
) -> tuple[float, str | None, str]:
    """(score, field, reason) for one column; a higher score wins a contested field."""
    key = name_key(column)
    if key.replace(" ", "_") in schema.FLAT.columns:
        found, score, reason = key.replace(" ", "_"), 4.0, "name"
    elif _label_field(key):
        found, score, reason = _label_field(key), 3.5, "name"
    elif key in SYNONYMS:
        found, score, reason = SYNONYMS[key], 3.0, "synonym"
    else:
        found = next(
            (f for words, f in KEYWORDS if all(any(w in t for t in key.split()) for w in words)),
            None,
        )
        score, reason = (2.0, "words") if found is not None else (0.0, "")
    looks = _looks(values, numbers)
    if found == NOTES_FIELD:
        return 0.0, None, "not stored"
    if found in DATE_FIELDS and values and looks != "date":
        if not any(_either_order(v, numbers) for v in values[:200]):
            return 0.0, None, "not dates"  # "Thank-you sent: yes" is no date
    if found == "interviewers" and looks == "email":
        return score, "interviewer_email", "values"
    if found == "status" and looks == "round":
        return score, "round", "values"
    if found is not None:
        return score, found, reason
    # The name says little: look at the values.
    by_values = {
        "date": "interview_date",
        "email": "interviewer_email",
        "status": "status",
        "round": "round",
        "format": "format",
    }.get(looks or "")
    if by_values:
        return 1.0, by_values, "values"
    return 0.0, None, "unknown"


def _label_field(key: str) -> str | None:
    for f in schema.FLAT.fields:
        if name_key(f.label) == key:
            return f.name
    return None


def _looks(values: list[Any], numbers: bool) -> str | None:
    """What most of a column's values are: "date", "email", "url", "status", "round"..."""
    if not values:
        return None
    sample = values[:200]

    def share(test) -> float:
        return sum(1 for v in sample if test(v)) / len(sample)

    if share(lambda v: _either_order(v, numbers) is not None) >= 0.6:
        return "date"
    text = [str(v).strip() for v in sample]
    if sum(bool(schema.EMAIL.match(t)) for t in text) / len(text) >= 0.6:
        return "email"
    if sum(t.startswith(("http://", "https://", "www.")) for t in text) / len(text) >= 0.6:
        return "url"
    distinct = {word_key(t) for t in text}
    if distinct and all(w in WORDS["round"] or our_value("round", w) for w in distinct):
        return "round"  # "Phone screen, Final": rounds, even under a "Stage" header
    for kind, key in (("status", "status"), ("round", "round"), ("format", "format")):
        ours = {w for w in distinct if w in WORDS[key] or our_value(key, w)}
        if distinct and len(ours) / len(distinct) >= 0.8:
            return kind
    return None


def _either_order(value: object, numbers: bool) -> date | None:
    """A date read day-first or month-first, whichever works (for guessing only)."""
    return (
        read_date(value, True, numbers=numbers).day or read_date(value, False, numbers=numbers).day
    )


def _settle(
    columns: list[str], scored: Mapping[str, tuple[float, str | None, str]]
) -> tuple[dict[str, str | None], dict[str, str]]:
    """One column per field: the best score wins, the first column on a tie."""
    best: dict[str, str] = {}
    for c in columns:
        score, f, _ = scored[c]
        if f is not None and (f not in best or score > scored[best[f]][0]):
            best[f] = c
    mapping = {c: (scored[c][1] if best.get(scored[c][1] or "") == c else None) for c in columns}
    reasons = {}
    for c in columns:
        score, f, reason = scored[c]
        if f is not None and mapping[c] is None:
            reasons[c] = f"{best[f]!r} holds {FIELD_LABELS[f].lower()}"
        else:
            reasons[c] = reason
    return mapping, reasons


def _samples(values: list[Any], n: int = 3) -> list[str]:
    out: list[str] = []
    for v in values:
        text = as_text(v)
        if text and text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


def _suggest_values(suggestion: ColumnMapping, cells: Mapping[str, list[Any]]) -> None:
    for c, f in suggestion.mapping.items():
        key = enum_key(f) if f else None
        if key is None:
            continue
        known, unknown = value_words(key, cells[c])
        if known:
            suggestion.values[c] = known
        if unknown:
            suggestion.unknown[c] = unknown


def _suggest_dayfirst(
    suggestion: ColumnMapping, cells: Mapping[str, list[Any]], numbers: bool
) -> None:
    """Ambiguous dates (03/04/2025) and what the unambiguous ones say about the order."""
    orders: set[str] = set()
    for c, f in suggestion.mapping.items():
        if f not in DATE_FIELDS:
            continue
        for v in dict.fromkeys(map(hashable, cells[c])):
            read = read_date(v, None, numbers=numbers)
            if read.order:
                orders.add(read.order)
            text = str(v).strip()
            if read.order == "ambiguous" and text not in suggestion.ambiguous_dates:
                suggestion.ambiguous_dates.append(text)
    if orders & {"dayfirst", "monthfirst"} == {"dayfirst"}:
        suggestion.dayfirst = True
    elif orders & {"dayfirst", "monthfirst"} == {"monthfirst"}:
        suggestion.dayfirst = False


def _offer_remembered(suggestion: ColumnMapping, wb: Workbook) -> None:
    entry = load_remembered(wb).get(header_hash(suggestion.columns))
    if not isinstance(entry, dict) or not isinstance(entry.get("mapping"), dict):
        return
    # Same header, perhaps spelled otherwise ("STATUS"): match by the normalised name.
    here = {name_key(c): c for c in suggestion.columns}
    saved = {here.get(name_key(c)): f for c, f in entry["mapping"].items()}
    for c in suggestion.columns:
        f = saved.get(c)
        suggestion.mapping[c] = f if f in FIELD_LABELS else None
        suggestion.reasons[c] = "remembered"
    kept = [here.get(name_key(c)) for c in entry.get("keep_in_notes", [])]
    suggestion.keep_in_notes = [c for c in kept if c]
    values = {here.get(name_key(c)): v for c, v in (entry.get("values") or {}).items()}
    for c, words in values.items():
        if isinstance(words, dict) and c in suggestion.columns:
            suggestion.values[c] = {**suggestion.values.get(c, {}), **words}
            left = [w for w in suggestion.unknown.get(c, []) if w not in words]
            suggestion.unknown[c] = left
    suggestion.unknown = {c: w for c, w in suggestion.unknown.items() if w}
    if entry.get("dayfirst") in (True, False):
        suggestion.dayfirst = entry["dayfirst"]
    suggestion.remembered = True


# -- preview ---------------------------------------------------------------------------------


@dataclass
class Preview:
    """The first rows as they would be stored (plain words), and every problem found."""

    rows: pd.DataFrame
    problems: list[Problem]
    total: int
    skipped_rows: list[int]


_PREVIEW_COLUMNS = {
    "client": "Client",
    "company": "Company",
    "role": "Role",
    "round": "Round",
    "interview_date": "Interview date",
    "status": "Status",
    "interviewers": "Interviewers",
    "thank_you_date": "Thank-you sent",
    "status_check_date": "Follow-up sent",
    "response_date": "Reply",
    "notes": "Notes",
}


def preview_import(wb: Workbook, path: str | os.PathLike, *, n: int = 5, **options: Any) -> Preview:
    """Check a file as :meth:`Workbook.import_table` would, and show its first rows.

    Nothing is written. ``options`` are the keywords of ``import_table``. Returns a
    :class:`Preview`: up to ``n`` rows in plain words (dates as "Tue 4 Mar 2025",
    blanks empty), every problem, the number of rows to import and those skipped.
    """

    checked = check_file(wb, path, **options)
    clean = checked.clean
    shown = pd.DataFrame(index=clean.index[:n])
    for f, label in _PREVIEW_COLUMNS.items():
        if f not in clean:
            continue
        cells = clean[f].iloc[:n]
        if f in DATE_FIELDS:
            shown[label] = [
                schema.format_day(v) if isinstance(v, date) else as_text(v) for v in cells
            ]
        elif enum_key(f):
            shown[label] = [
                "" if is_blank(v) else schema.choice_label(enum_key(f) or f, v) for v in cells
            ]
        else:
            shown[label] = [as_text(v) for v in cells]
    if "response_date" in clean and "Reply" in shown:
        results = clean["response_result"].iloc[:n]
        shown["Reply"] = [
            f"{d} ({schema.choice_label('result', r)})" if d and not is_blank(r) else d
            for d, r in zip(shown["Reply"], results, strict=True)
        ]
    # A column nothing fills (no thank-you in this file) only widens the table.
    shown = shown.loc[:, [(shown[c] != "").any() for c in shown.columns]]
    shown.index.name = "Row"
    return Preview(shown, checked.problems, len(clean), checked.prepared.skipped_rows)
