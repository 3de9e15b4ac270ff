"""The coach dashboard's columns kept beside a SQLite store, brought up to date on each read.

Reading a million interviews' columns out of SQLite takes seconds, yet between two looks
at the dashboard only a few rows change. So the store notes which rows change
(:mod:`followup_kit.change_log`), and the dashboard's read keeps a copy of its columns
in a file beside the store (``<store>-snapshot.npz``, as private as the store):

- a read loads the copy, reads again only the rows noted since and the rows added since
  (above the highest id the copy holds), checks every table's row count against the
  store, and writes the copy again when it was missing or what had to be read again has
  grown;
- a copy of another store (its token), made under another schema or for other columns,
  newer than the store's log, or whose row counts do not match, is read past and made
  again; a restore deletes the copy.

The copy is only ever a shortcut: whatever is wrong with it (missing, damaged, stale,
unwritable folder), the read falls back to reading the store and the frames are the same.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import schema
from ._db import (
    _FAST_KINDS,
    _TEXT_KINDS,
    TABLES,
    _assemble,
    _CannotDecode,
    _fields,
    _sqlite_columns,
)

__all__ = ["read_frames", "snapshot_path"]

_FORMAT = 1
#: The copy is written again once this many rows had to be read again (or 1% of rows).
_REWRITE_ROWS = 5_000
_WORD_SEP = "\x1f"  # never inside a text the fast read carries
#: A column as the copy holds it: numbers in NumPy, texts as ``string`` arrays.
Column = np.ndarray | pd.api.extensions.ExtensionArray


def snapshot_path(store: str | os.PathLike) -> Path:
    """Where the copy of the dashboard's columns of the SQLite file ``store`` is kept."""
    return Path(f"{os.fspath(store)}-snapshot.npz")


@dataclass
class _Copy:
    seq: int
    arrays: dict[str, dict[str, Column]]


def read_frames(
    conn: sa.Connection, store: str, columns: Mapping[str, Sequence[str]]
) -> dict[str, pd.DataFrame] | None:
    """Every table of ``columns`` (these columns and the id), as :meth:`Database.frame`
    reads them, inside ``conn``'s read transaction; ``None`` when the copy cannot serve
    (no change log, or a text the fast read cannot carry): read the store instead."""
    if not _has_log(conn):
        return None
    fields = {name: _fields(name, cols) for name, cols in columns.items()}
    path = snapshot_path(store)
    version = int(conn.exec_driver_sql("PRAGMA schema_version").scalar() or 0)
    seq = int(conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM row_changes").scalar())
    key = {
        "format": _FORMAT,
        "store": conn.exec_driver_sql("SELECT token FROM store_token").scalar(),
        "schema_version": version,
        "fields": {name: [f.name for f in fs] for name, fs in fields.items()},
    }
    copy = _load(path, key)
    if copy is not None and copy.seq > seq:  # the store is older than the copy
        copy = None
    try:
        found = None if copy is None else _apply_changes(conn, fields, copy)
        if found is None:  # no copy, or it did not add up: read everything
            arrays = {name: _read(conn, name, fs, None) for name, fs in fields.items()}
            rewrite = True
        else:
            arrays, again = found
            total = sum(len(a["id"]) for a in arrays.values())
            rewrite = again > max(_REWRITE_ROWS, total // 100)
    except _CannotDecode:
        return None
    if rewrite:
        _save(path, key, seq, arrays)
    return {name: _assemble(name, fields[name], arrays[name]) for name in fields}


def _has_log(conn: sa.Connection) -> bool:
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master "
        "WHERE type = 'table' AND name IN ('row_changes', 'store_token')"
    ).scalar()
    return found == 2


def _apply_changes(
    conn: sa.Connection, fields: Mapping[str, list[schema.Field]], copy: _Copy
) -> tuple[dict[str, dict[str, Column]], int] | None:
    """The copy's arrays with the rows changed and added since, and how many rows were
    read for it; ``None`` when a table's rows do not add up to the store's count."""
    out: dict[str, dict[str, Column]] = {}
    read = 0
    log = sa.table("row_changes", sa.column("seq"), sa.column("tbl"), sa.column("row_id"))
    for name, fs in fields.items():
        t = TABLES[name]
        kept = copy.arrays[name]
        top = int(kept["id"][-1]) if len(kept["id"]) else 0
        noted = sa.select(log.c.row_id).where(log.c.tbl == name, log.c.seq > copy.seq)
        changed = np.unique(np.array(conn.execute(noted).scalars().all(), dtype=np.int64))
        merged = kept
        if changed.size:
            again = _read(conn, name, fs, t.c.id.in_(noted) & (t.c.id <= top))
            merged = _put_back(kept, again, changed)
            read += len(again["id"])
        added = _read(conn, name, fs, t.c.id > top)
        if len(added["id"]):
            merged = {k: _joined([merged[k], added[k]]) for k in merged}
            read += len(added["id"])
        if conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() != merged["id"].size:
            return None
        out[name] = merged
    return out, read


def _put_back(
    kept: dict[str, Column], again: Mapping[str, Column], changed: np.ndarray
) -> dict[str, Column]:
    """The copy's rows with those noted as ``changed`` (sorted ids) as read ``again``.

    The copy's arrays are its own (fresh from the file), so rows still there are
    overwritten in place and only deleted ones cost a copy; a noted row the copy never
    had (put into a gap, then changed) is added and the rows sorted by id again.
    """
    ids = kept["id"]
    at = np.searchsorted(ids, changed)
    held = at < ids.size
    held[held] = ids[at[held]] == changed[held]
    where = np.searchsorted(ids, again["id"])
    inside = where < ids.size
    inside[inside] = ids[where[inside]] == again["id"][inside]
    for k, values in kept.items():
        values[where[inside]] = again[k][inside]
    gone = at[held & ~np.isin(changed, again["id"])]
    out = kept
    if gone.size:
        stays = np.ones(ids.size, dtype=bool)
        stays[gone] = False
        out = {k: v[stays] for k, v in kept.items()}
    if inside.all():
        return out
    out = {k: _joined([out[k], again[k][~inside]]) for k in out}
    order = np.argsort(out["id"], kind="stable")
    return {k: v[order] for k, v in out.items()}


def _read(
    conn: sa.Connection,
    name: str,
    fields: list[schema.Field],
    where: sa.ColumnElement[bool] | None,
) -> dict[str, Column]:
    data = _sqlite_columns(conn, name, fields, where)
    if data is None:
        if any(f.kind not in _FAST_KINDS for f in fields):
            raise _CannotDecode(f"{name} has columns the fast read does not carry")
        return _empty(fields)
    return {k: pd.array(v, dtype="string") if v.dtype == object else v for k, v in data.items()}


def _empty(fields: list[schema.Field]) -> dict[str, Column]:
    out: dict[str, Column] = {
        f.name: pd.array([], dtype="string") if f.kind in _TEXT_KINDS else np.empty(0, np.int64)
        for f in fields
        if f.kind != "enum"
    }
    if any(f.kind == "enum" for f in fields):
        out["choices"] = np.empty(0, dtype=np.int64)
    return out


def _joined(parts: Sequence[Column]) -> Column:
    """Columns one after another (texts stay ``string`` arrays, not copied to objects)."""
    if isinstance(parts[0], pd.api.extensions.ExtensionArray):
        return type(parts[0])._concat_same_type(parts)  # the ExtensionArray interface's
    return np.concatenate(parts)


def _load(path: Path, key: Mapping[str, object]) -> _Copy | None:
    """The copy at ``path`` if it was made for ``key``; ``None`` when missing or damaged."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            meta = json.loads(saved["meta"].tobytes().decode())
            if meta.get("key") != json.loads(json.dumps(key)):
                return None
            arrays: dict[str, dict[str, Column]] = {}
            for name, spec in meta["tables"].items():
                n = spec["rows"]
                table = arrays[name] = {}
                for column in spec["numbers"]:
                    table[column] = saved[f"{name}.{column}"].astype(np.int64)
                for column, count in spec["texts"].items():
                    codes = saved[f"{name}.{column}.codes"]
                    table[column] = _decode_texts(saved[f"{name}.{column}.words"], count, codes)
                if any(len(v) != n for v in table.values()):
                    return None
            return _Copy(seq=int(meta["seq"]), arrays=arrays)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        return None


def _decode_texts(blob: np.ndarray, count: int, codes: np.ndarray) -> Column:
    """The texts from their codes (-1: blank) and distinct words: only the words are
    checked and made ``string``; the rows are taken from them."""
    text = blob.tobytes().decode()
    words = pd.array(text.split(_WORD_SEP) if count else [], dtype="string")
    if len(words) != count:
        raise ValueError("the copy's words do not add up")
    if not count:
        return pd.array([pd.NA] * codes.size, dtype="string")
    return words.take(codes.astype(np.intp), allow_fill=True)


def _save(
    path: Path, key: Mapping[str, object], seq: int, arrays: Mapping[str, Mapping[str, Column]]
) -> None:
    """Write the copy whole, then put it in place; a folder that cannot be written (or a
    full disk) leaves the copy out, and the next read reads the store."""
    files: dict[str, np.ndarray] = {}
    tables: dict[str, dict[str, object]] = {}
    for name, table in arrays.items():
        numbers, texts = [], {}
        for column, values in table.items():
            if isinstance(values.dtype, pd.StringDtype):
                codes, words = pd.factorize(values, use_na_sentinel=True)
                files[f"{name}.{column}.codes"] = _small(codes.astype(np.int64))
                text = _WORD_SEP.join(words.tolist()).encode()
                files[f"{name}.{column}.words"] = np.frombuffer(text, dtype=np.uint8)
                texts[column] = len(words)
            else:
                files[f"{name}.{column}"] = _small(values)
                numbers.append(column)
        tables[name] = {"rows": len(table["id"]), "numbers": numbers, "texts": texts}
    meta = json.dumps({"key": key, "seq": seq, "tables": tables}).encode()
    files["meta"] = np.frombuffer(meta, dtype=np.uint8)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)  # private: 0600
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **files)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _small(values: np.ndarray) -> np.ndarray:
    """Integers in 32 bits when they fit (ids, choices, most days): half the file."""
    info = np.iinfo(np.int32)
    if values.size == 0 or (values.min() >= info.min and values.max() <= info.max):
        return values.astype(np.int32)
    return values
