"""The analysis frame: one row per interview with what the client did and what came back.

:func:`analysis_frame` turns the workbook's tables into the derived columns (delays in
calendar and business days, timing buckets, scripts used, reply, pending) that
:mod:`~followup_kit.analytics` and :mod:`~followup_kit.evidence` measure. All work is
vectorised (numpy, pandas groupby); nothing loops over interviews, so a million
interviews take about a second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from . import schema
from ._beside import beside
from .business_days import CountsByCountry
from .exceptions import AnalyticsError

__all__ = ["THANK_YOU_BUCKETS", "STATUS_CHECK_BUCKETS", "analysis_frame"]

THANK_YOU_BUCKETS: tuple[str, ...] = (
    "same day",
    "1 day",
    "2-3 days",
    "4-7 days",
    "8+ days",
    "none",
)
#: Buckets of days from the interview to the first status check, in display order.
STATUS_CHECK_BUCKETS: tuple[str, ...] = ("0-3 days", "4-7 days", "8-14 days", "15+ days", "none")

# Upper edges (inclusive, in days) of the buckets above, "none" excepted.
_THANK_YOU_EDGES = (0, 1, 3, 7)
_STATUS_CHECK_EDGES = (3, 7, 14)
BUCKET_COLUMNS = {
    "thank_you_timing": ("thank_you_delay_days", _THANK_YOU_EDGES, THANK_YOU_BUCKETS),
    "status_check_timing": ("status_check_delay_days", _STATUS_CHECK_EDGES, STATUS_CHECK_BUCKETS),
}
_GOOD_RESULTS = ("next_round", "offer")


# -- small helpers (as_day, day_numbers, dates_from_numbers, bucket and empty_table are
# package-internal: analytics and evidence use them too) ------------------------------


def as_day(today: object) -> date:
    """A date from ``today`` (date, datetime, Timestamp, ISO text); None is the real today."""
    try:
        day = schema.as_date(today)
    except ValueError:
        raise AnalyticsError(
            f"today: {today!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-04."
        ) from None
    return day if day is not None else date.today()


#: The longest window a reply may take to count (ten years is already no window at all).
_MAX_WINDOW = 3650


def _window(window_days: object) -> int:
    """``window_days`` as a whole number of days from 1 to :data:`_MAX_WINDOW`."""
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer):
        raise AnalyticsError(
            f"window_days must be a whole number of days such as 30, not {window_days!r}."
        )
    if not 1 <= window_days <= _MAX_WINDOW:
        raise AnalyticsError(
            f"window_days must be between 1 and {_MAX_WINDOW} days; got {window_days}."
        )
    return int(window_days)


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970 as float (NaN where the date is missing), for quick arithmetic."""
    arr = np.asarray(values, dtype="datetime64[D]")
    out = arr.astype("int64").astype("float64")
    out[np.isnat(arr)] = np.nan
    return out


def _int_array(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers with NaN shown as missing (pandas' nullable Int64)."""
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype("int64"), mask)


_US_PER_DAY = 86_400_000_000
_NAT = np.iinfo(np.int64).min  # how numpy stores NaT


def dates_from_numbers(days: np.ndarray) -> np.ndarray:
    """Day numbers (NaN = missing) back to datetime64[us] dates, in one pass."""
    with np.errstate(invalid="ignore"):
        micros = np.where(np.isnan(days), _NAT, days * _US_PER_DAY).astype(np.int64)
    micros[np.isnan(days)] = _NAT  # float rounding of the sentinel, made exact
    return micros.view("datetime64[us]")


_NO_ROW = np.iinfo(np.int64).max


def _first_rows(pos: np.ndarray, day: np.ndarray, n: int, skip: np.ndarray | None = None):
    """Row number of the earliest row for each of ``n`` interviews (-1 where none).

    Rows are ordered by day, then by their order in the table (the order they were
    logged). Day and row are packed into one int64 so a single ``minimum.at`` does it.
    ``skip`` marks rows to leave out (to find the second one).
    """
    rows = np.arange(len(pos), dtype=np.int64)
    if skip is not None:
        pos, day, rows = pos[~skip], day[~skip], rows[~skip]
    best = np.full(n, _NO_ROW, dtype=np.int64)
    if len(rows):
        offset = day.astype(np.int64) - int(day.min())
        np.minimum.at(best, pos, (offset << 32) | rows)
    return np.where(best == _NO_ROW, -1, best & 0xFFFFFFFF)


def _positions(ids: np.ndarray, wanted: pd.Series) -> np.ndarray:
    """Position of each wanted id in ``ids`` (-1 when absent or missing).

    Store ids usually run 1, 2, 3, ... so arithmetic does it; otherwise a hash lookup.
    """
    values = wanted.to_numpy(dtype="float64", na_value=np.nan)
    if len(ids) and ids[-1] - ids[0] == len(ids) - 1 and bool((np.diff(ids) == 1).all()):
        pos = values - ids[0]
        ok = (pos >= 0) & (pos < len(ids))  # NaN fails both
        return np.where(ok, np.nan_to_num(pos), -1).astype(np.int64)
    return pd.Index(ids).get_indexer(values)


def _take(values: np.ndarray, rows: np.ndarray, fill: float = np.nan) -> np.ndarray:
    """values[rows] with ``fill`` where rows is -1."""
    out = (
        np.asarray(values, dtype="float64")[np.maximum(rows, 0)]
        if len(values)
        else (np.full(len(rows), fill))
    )
    return np.where(rows >= 0, out, fill)


def _take_categorical(column: pd.Series, rows: np.ndarray) -> pd.Categorical:
    """column[rows] keeping the categories; -1 gives a missing value."""
    codes = column.cat.codes.to_numpy()
    taken = codes[np.maximum(rows, 0)] if len(codes) else np.full(len(rows), -1)
    return pd.Categorical.from_codes(np.where(rows >= 0, taken, -1), dtype=column.dtype)


def bucket(delay: np.ndarray, edges: tuple[int, ...], labels: tuple[str, ...]) -> pd.Categorical:
    """Days -> bucket label; the last edge's right side is the open bucket, NaN is "none"."""
    codes = np.searchsorted(np.asarray(edges, dtype=float), delay, side="left")
    codes = np.where(np.isnan(delay), len(labels) - 1, codes)
    return pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)


def _combinations(pos: np.ndarray, codes: np.ndarray, labels: list[str], n: int) -> pd.Categorical:
    """For each of ``n`` interviews, the sorted set of labels it has, joined by ", ".

    ``pos`` is the interview of each row, in any order. Each set is a bit mask: the rows
    are grouped by label (a radix sort of small codes), and each label sets its bit in
    its interviews' masks in one step, so a million interviews need one short loop over
    the labels; only the few distinct sets are turned into text.
    """
    if not len(pos) or not labels:
        return pd.Categorical.from_codes(np.full(n, -1), categories=[])
    order = sorted(range(len(labels)), key=lambda j: labels[j])
    if len(order) > 62:  # more labels than bits: slower, still correct
        pairs = pd.DataFrame({"p": pos, "t": np.asarray(labels, dtype=object)[codes]})
        pairs = pairs.drop_duplicates().sort_values(["p", "t"])
        joined = pairs.groupby("p")["t"].agg(", ".join)
        out = pd.Series(pd.NA, index=range(n), dtype=object)
        out[joined.index] = joined.to_numpy()
        return pd.Categorical(out.to_numpy())
    bit_of = np.empty(len(labels), dtype=np.int64)
    bit_of[order] = np.arange(len(order))  # alphabetical bit order = the joined text's order
    mask = np.zeros(n, dtype=np.int64)
    by_label = pos[np.argsort(codes.astype(np.int8), kind="stable")]
    ends = np.cumsum(np.bincount(codes, minlength=len(labels)))
    for code, (start, end) in enumerate(zip(np.r_[0, ends[:-1]], ends, strict=True)):
        mask[by_label[start:end]] |= np.int64(1) << bit_of[code]
    mask_codes, uniq = pd.factorize(mask)
    used = uniq != 0
    renumber = np.where(used, np.cumsum(used) - 1, -1)
    names = [
        ", ".join(labels[code] for bit, code in enumerate(order) if (int(m) >> bit) & 1)
        for m in uniq[used]
    ]
    return pd.Categorical.from_codes(renumber[mask_codes], categories=names)


def _version_label(script_id: object, version: object) -> str:
    if version is None or version is pd.NA or (isinstance(version, float) and math.isnan(version)):
        return f"{script_id} (no version)"
    text = str(version)
    return f"{script_id} {text}" if text[:1] in "vV" else f"{script_id} v{text}"


def empty_table(name: str) -> pd.DataFrame:
    cols = schema.TABLES[name].columns
    return schema.to_frame_dtypes(name, pd.DataFrame({c: [] for c in cols}))


def _categorical(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """The column as the schema's Categorical (hand-made frames may hold plain text)."""
    dtype = schema.frame_dtypes(table)[column]
    col = frame[column]
    return col if col.dtype == dtype else col.astype(object).astype(dtype)


def _code_of(column: pd.Series, values: Iterable[str]) -> np.ndarray:
    """Boolean: which rows of a Categorical hold one of ``values``."""
    cats = list(column.cat.categories)
    codes = column.cat.codes.to_numpy()
    out = np.zeros(len(codes), dtype=bool)
    for v in values:
        if v in cats:
            out |= codes == cats.index(v)
    return out


# -- the analysis frame -----------------------------------------------------------------


def analysis_frame(
    tables: Mapping[str, pd.DataFrame], *, today: object = None, window_days: int = 30
) -> pd.DataFrame:
    """One row per interview with what the client did and what came back.

    Parameters
    ----------
    tables
        The workbook's tables (``wb.tables()`` or ``demo.generate()``): at least
        ``interviews``; ``clients``, ``follow_ups`` and ``responses`` when there are any.
    today
        The day the data is seen from (date or ISO text; ``None`` is the real today).
        Follow-ups and replies dated after it are ignored, so an analysis can be rerun
        "as of" an earlier day.
    window_days
        A reply counts as ``responded`` when the first one came within this many days
        of the interview (day 0 to day ``window_days``, inclusive).

    Returns
    -------
    DataFrame
        Columns: ``interview_id, client_id, client, cohort, country, company, role,
        round, format, contact_route, interview_date, decision_expected, status,
        age_days``; the first thank-you's ``thank_you_date, thank_you_delay_days``
        (calendar days), ``thank_you_delay_bdays`` (business days), ``thank_you_channel``,
        ``thank_you_timing`` (bucket); the first status check's
        ``status_check_date, status_check_delay_days, status_check_delay_bdays,
        status_check_channel, status_check_timing``, ``decision_bdays`` (business days
        from the interview to the stated decision date), ``status_check_after_decision_bdays``
        (business days after the stated decision date); ``second_follow_up_date`` and
        ``second_follow_up_gap_bdays`` (the second status check, counted from the first);
        ``n_follow_ups, n_status_checks``; ``script_ids`` (every script used),
        ``scripts_before_reply`` and ``versions_before_reply`` (scripts sent before the
        first reply: what the script analysis counts); ``first_response_date,
        days_to_response, bdays_to_response, first_result, responded, pending, settled,
        reached_next_round_or_offer``.

        ``pending`` is True when no reply has come yet and the window has not closed
        (``age_days <= window_days``): too early to judge, so rates leave it out.
        Business days leave out weekends and the client's country's public holidays.
        ``frame.attrs`` holds ``today`` and ``window_days``.

    Examples
    --------
    >>> from followup_kit import demo
    >>> frame = analysis_frame(demo.generate(n_clients=5, seed=1), today="2026-11-02")
    >>> bool((frame["responded"] & frame["pending"]).any())
    False
    """
    window_days = _window(window_days)
    day = as_day(today)
    today_n = float((np.datetime64(day, "D") - np.datetime64(0, "D")).astype("int64"))
    iv = tables["interviews"]
    clients = tables.get("clients")
    clients = empty_table("clients") if clients is None else clients
    fu = tables.get("follow_ups")
    fu = empty_table("follow_ups") if fu is None else fu
    rs = tables.get("responses")
    rs = empty_table("responses") if rs is None else rs
    n = len(iv)
    iv_day = day_numbers(iv["interview_date"])

    # Clients: one lookup, then positional takes.
    ids = iv["id"].to_numpy(dtype="int64")
    cpos = _positions(clients["id"].to_numpy(dtype="int64"), iv["client_id"])
    out = {
        "interview_id": iv["id"].array,
        "client_id": iv["client_id"].array,
    }
    for src, dst in (("name", "client"), ("cohort", "cohort")):
        col = (
            clients[src]
            if src in clients
            else pd.Series(pd.NA, index=clients.index, dtype="string")
        )
        out[dst] = col.array.take(cpos, allow_fill=True)
    # Countries are coded per client (few) and spread to interviews by position.
    client_country = clients["country"].fillna("US") if "country" in clients else None
    if client_country is None or not len(client_country):
        cnames = ["US"]
        ccodes = np.zeros(n, dtype=np.int64)
    else:
        codes, uniq = pd.factorize(client_country.to_numpy(dtype=object))
        cnames = [str(c) for c in uniq]
        if "US" not in cnames:
            cnames.append("US")
        ccodes = np.where(cpos >= 0, codes[np.maximum(cpos, 0)], cnames.index("US"))
    out["country"] = pd.Categorical.from_codes(ccodes, categories=cnames)
    for name in ("company", "role", "round", "format", "contact_route", "interview_date"):
        out[name] = iv[name].array
    out["decision_expected"] = iv["decision_expected"].array
    status = _categorical(iv, "status", "interviews")
    out["status"] = status.array
    out["age_days"] = _int_array(today_n - iv_day)

    # Follow-ups and replies as seen on ``today``, for interviews in this frame only.
    fu_pos = _positions(ids, fu["interview_id"])
    fu_day = day_numbers(fu["sent_on"])
    keep = (fu_pos >= 0) & (fu_day <= today_n)
    fu = fu[keep] if not keep.all() else fu
    fu_pos, fu_day = fu_pos[keep], fu_day[keep]
    rs_pos = _positions(ids, rs["interview_id"])
    rs_day = day_numbers(rs["received_on"])
    keep = (rs_pos >= 0) & (rs_day <= today_n)
    rs = rs[keep] if not keep.all() else rs
    rs_pos, rs_day = rs_pos[keep], rs_day[keep]

    kind = _categorical(fu, "kind", "follow_ups")
    channel = _categorical(fu, "channel", "follow_ups")
    is_ty = _code_of(kind, ["thank_you"])
    is_sc = _code_of(kind, ["status_check"])
    ty_rows = np.flatnonzero(is_ty)
    sc_rows = np.flatnonzero(is_sc)
    first_ty = _first_rows(fu_pos[is_ty], fu_day[is_ty], n)
    first_sc = _first_rows(fu_pos[is_sc], fu_day[is_sc], n)
    was_first = np.zeros(len(sc_rows), dtype=bool)
    was_first[first_sc[first_sc >= 0]] = True
    second_sc = _first_rows(fu_pos[is_sc], fu_day[is_sc], n, skip=was_first)
    # Back to row numbers of ``fu``.
    first_ty = (
        np.where(first_ty >= 0, ty_rows[np.maximum(first_ty, 0)], -1) if len(ty_rows) else first_ty
    )
    first_sc = (
        np.where(first_sc >= 0, sc_rows[np.maximum(first_sc, 0)], -1) if len(sc_rows) else first_sc
    )
    second_sc = (
        np.where(second_sc >= 0, sc_rows[np.maximum(second_sc, 0)], -1)
        if len(sc_rows)
        else second_sc
    )
    ty_day = _take(fu_day, first_ty)
    sc_day = _take(fu_day, first_sc)
    sc2_day = _take(fu_day, second_sc)

    first_rs = _first_rows(rs_pos, rs_day, n)
    resp_day = _take(rs_day, first_rs)
    # The scripts' columns need only these: worked out on a second thread meanwhile.
    scripts = beside(_script_columns, fu, fu_pos, fu_day, resp_day, n)
    decision_day = day_numbers(iv["decision_expected"])
    bd = CountsByCountry(ccodes, cnames, iv_day, fu_day, rs_day, decision_day)

    # Running business-day counts, looked up once per date and subtracted below.
    b_iv, b_ty, b_sc, b_sc2 = bd.at(iv_day), bd.at(ty_day), bd.at(sc_day), bd.at(sc2_day)
    b_resp, b_dec = bd.at(resp_day), bd.at(decision_day)
    ty_delay = ty_day - iv_day
    out["thank_you_date"] = dates_from_numbers(ty_day)
    out["thank_you_delay_days"] = _int_array(ty_delay)
    out["thank_you_delay_bdays"] = _int_array(b_ty - b_iv)
    out["thank_you_channel"] = _take_categorical(channel, first_ty)
    out["thank_you_timing"] = bucket(ty_delay, _THANK_YOU_EDGES, THANK_YOU_BUCKETS)

    sc_delay = sc_day - iv_day
    out["status_check_date"] = dates_from_numbers(sc_day)
    out["status_check_delay_days"] = _int_array(sc_delay)
    out["status_check_delay_bdays"] = _int_array(b_sc - b_iv)
    out["status_check_channel"] = _take_categorical(channel, first_sc)
    out["status_check_timing"] = bucket(sc_delay, _STATUS_CHECK_EDGES, STATUS_CHECK_BUCKETS)
    out["decision_bdays"] = _int_array(b_dec - b_iv)
    out["status_check_after_decision_bdays"] = _int_array(b_sc - b_dec)
    out["second_follow_up_date"] = dates_from_numbers(sc2_day)
    out["second_follow_up_gap_bdays"] = _int_array(b_sc2 - b_sc)
    out["n_follow_ups"] = np.bincount(fu_pos, minlength=n)
    out["n_status_checks"] = np.bincount(fu_pos[is_sc], minlength=n)

    days_to = resp_day - iv_day
    out["first_response_date"] = dates_from_numbers(resp_day)
    out["days_to_response"] = _int_array(days_to)
    out["bdays_to_response"] = _int_array(b_resp - b_iv)
    out["first_result"] = _take_categorical(_categorical(rs, "result", "responses"), first_rs)
    responded = days_to <= window_days  # NaN compares False
    pending = ~responded & ~(today_n - iv_day > window_days)
    out["responded"] = responded
    out["pending"] = pending
    out["settled"] = ~pending
    good = _code_of(_categorical(rs, "result", "responses"), _GOOD_RESULTS)
    reached = np.bincount(rs_pos[good], minlength=n) > 0
    out["reached_next_round_or_offer"] = reached | _code_of(status, _GOOD_RESULTS)

    out.update(scripts.result())
    frame = pd.DataFrame(out, copy=False)  # the arrays are ours: no need to copy them
    frame.attrs = {"today": day, "window_days": int(window_days)}
    return frame


def _script_columns(
    fu: pd.DataFrame, fu_pos: np.ndarray, fu_day: np.ndarray, resp_day: np.ndarray, n: int
) -> dict[str, pd.Categorical]:
    """Scripts: all used, and those sent before the first reply (what the script rates
    count: a script sent after the reply, such as a gracious close, did not earn it)."""
    out: dict[str, pd.Categorical] = {}
    # The raw object arrays (NA as pd.NA) are read once: each NA scan of 2M strings costs.
    sid_all, sid_names = pd.factorize(np.asarray(fu["script_id"].array, dtype=object))
    has = sid_all >= 0
    labels = [str(x) for x in sid_names]
    s_pos = fu_pos[has]
    sid_codes = sid_all[has]
    out["script_ids"] = _combinations(s_pos, sid_codes, labels, n)
    before = ~(fu_day[has] >= resp_day[s_pos])  # True where no reply (NaN)
    out["scripts_before_reply"] = _combinations(s_pos[before], sid_codes[before], labels, n)
    versions = np.asarray(fu["script_version"].array, dtype=object)[has][before]
    ver_codes, ver_names = pd.factorize(versions)
    width = len(ver_names) + 1
    pair_codes, pairs = pd.factorize(sid_codes[before] * width + ver_codes + 1)
    vlabels = [_version_label(labels[p // width], [None, *ver_names][p % width]) for p in pairs]
    out["versions_before_reply"] = _combinations(s_pos[before], pair_codes, vlabels, n)
    return out
