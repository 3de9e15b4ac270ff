"""Coach analytics: what clients did after interviews, what came back, measured honestly.

Everything starts from :func:`analysis_frame`, one row per interview with the derived
columns (delays, reply, pending). The other functions turn it into small tables:
response rates with Wilson intervals, two-group comparisons with a plain-words reading,
Kaplan-Meier time to reply, a funnel, per-client and per-script views, each timing
rule beside what the coach's own data says about it, and anonymised workshop tables.

All work is vectorised (numpy, pandas groupby); nothing loops over interviews, so a
million interviews take about a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .business_days import CountsByCountry
from .exceptions import AnalyticsError
from .rules import Rule, channel_rule, load_rules

__all__ = [
    "THANK_YOU_BUCKETS",
    "STATUS_CHECK_BUCKETS",
    "FUNNEL_STAGES",
    "PRIVATE_COLUMNS",
    "TOO_FEW",
    "Comparison",
    "analysis_frame",
    "response_rates",
    "compare",
    "time_to_response",
    "response_curves",
    "funnel",
    "by_client",
    "by_script",
    "client_timeline",
    "rule_evidence",
    "workshop_table",
    "workshop_funnel",
    "workshop_curves",
    "filter_frame",
    "dashboard_tables",
]

#: Buckets of days from the interview to the first thank-you, in display order.
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
#: The funnel's stages, top to bottom.
FUNNEL_STAGES: tuple[str, ...] = (
    "Interviews",
    "Thank-you sent",
    "Status check sent",
    "Reply received",
    "Next round or offer",
)
#: Columns that identify a person or an employer: never grouped or shown in a workshop.
PRIVATE_COLUMNS: frozenset[str] = frozenset(
    {"client", "client_id", "company", "role", "interview_id", "notes", "username"}
)

# Upper edges (inclusive, in days) of the buckets above, "none" excepted.
_THANK_YOU_EDGES = (0, 1, 3, 7)
_STATUS_CHECK_EDGES = (3, 7, 14)
_BUCKET_COLUMNS = {
    "thank_you_timing": ("thank_you_delay_days", _THANK_YOU_EDGES, THANK_YOU_BUCKETS),
    "status_check_timing": ("status_check_delay_days", _STATUS_CHECK_EDGES, STATUS_CHECK_BUCKETS),
}
# Groupings that explode a multi-valued column (an interview may use several scripts).
_MULTI_COLUMNS = {"script_id": "scripts_before_reply", "script_version": "versions_before_reply"}
_NONE = "none"
_GOOD_RESULTS = ("next_round", "offer")

_OBSERVATIONAL = (
    "This is observational: clients chose what they did, and those who follow a habit "
    "may differ in other ways (keener, better prepared, applying for different roles), "
    "so it shows an association, not proof that the habit caused the replies."
)


# -- small helpers ---------------------------------------------------------------------


def _as_day(today: object) -> date:
    """A date from ``today`` (date, datetime, Timestamp, ISO text); None is the real today."""
    day = schema.as_date(today)
    return day if day is not None else date.today()


def _day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
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


def _dates_from_numbers(days: np.ndarray) -> np.ndarray:
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


def _bucket(delay: np.ndarray, edges: tuple[int, ...], labels: tuple[str, ...]) -> pd.Categorical:
    """Days -> bucket label; the last edge's right side is the open bucket, NaN is "none"."""
    codes = np.searchsorted(np.asarray(edges, dtype=float), delay, side="left")
    codes = np.where(np.isnan(delay), len(labels) - 1, codes)
    return pd.Categorical.from_codes(codes, categories=list(labels), ordered=True)


def _combinations(pos: np.ndarray, codes: np.ndarray, labels: list[str], n: int) -> pd.Categorical:
    """For each of ``n`` interviews, the sorted set of labels it has, joined by ", ".

    ``pos`` (the interview of each row) must be sorted. Each set is a bit mask built by
    one ``bitwise_or.reduceat`` over the rows, so a million interviews need no Python
    loop; only the few distinct sets are turned into text.
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
    bits = np.left_shift(np.int64(1), bit_of[codes])
    starts = np.flatnonzero(np.r_[True, pos[1:] != pos[:-1]])
    mask = np.zeros(n, dtype=np.int64)
    mask[pos[starts]] = np.bitwise_or.reduceat(bits, starts)
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


def _empty_table(name: str) -> pd.DataFrame:
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
    if window_days < 0:
        raise AnalyticsError(f"window_days must be 0 or more; got {window_days!r}.")
    day = _as_day(today)
    today_n = float((np.datetime64(day, "D") - np.datetime64(0, "D")).astype("int64"))
    iv = tables["interviews"]
    clients = tables.get("clients")
    clients = _empty_table("clients") if clients is None else clients
    fu = tables.get("follow_ups")
    fu = _empty_table("follow_ups") if fu is None else fu
    rs = tables.get("responses")
    rs = _empty_table("responses") if rs is None else rs
    n = len(iv)
    iv_day = _day_numbers(iv["interview_date"])

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
    fu_day = _day_numbers(fu["sent_on"])
    keep = (fu_pos >= 0) & (fu_day <= today_n)
    fu = fu[keep] if not keep.all() else fu
    fu_pos, fu_day = fu_pos[keep], fu_day[keep]
    rs_pos = _positions(ids, rs["interview_id"])
    rs_day = _day_numbers(rs["received_on"])
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
    decision_day = _day_numbers(iv["decision_expected"])
    bd = CountsByCountry(ccodes, cnames, iv_day, fu_day, rs_day, decision_day)

    # Running business-day counts, looked up once per date and subtracted below.
    b_iv, b_ty, b_sc, b_sc2 = bd.at(iv_day), bd.at(ty_day), bd.at(sc_day), bd.at(sc2_day)
    b_resp, b_dec = bd.at(resp_day), bd.at(decision_day)
    ty_delay = ty_day - iv_day
    out["thank_you_date"] = _dates_from_numbers(ty_day)
    out["thank_you_delay_days"] = _int_array(ty_delay)
    out["thank_you_delay_bdays"] = _int_array(b_ty - b_iv)
    out["thank_you_channel"] = _take_categorical(channel, first_ty)
    out["thank_you_timing"] = _bucket(ty_delay, _THANK_YOU_EDGES, THANK_YOU_BUCKETS)

    sc_delay = sc_day - iv_day
    out["status_check_date"] = _dates_from_numbers(sc_day)
    out["status_check_delay_days"] = _int_array(sc_delay)
    out["status_check_delay_bdays"] = _int_array(b_sc - b_iv)
    out["status_check_channel"] = _take_categorical(channel, first_sc)
    out["status_check_timing"] = _bucket(sc_delay, _STATUS_CHECK_EDGES, STATUS_CHECK_BUCKETS)
    out["decision_bdays"] = _int_array(b_dec - b_iv)
    out["status_check_after_decision_bdays"] = _int_array(b_sc - b_dec)
    out["second_follow_up_date"] = _dates_from_numbers(sc2_day)
    out["second_follow_up_gap_bdays"] = _int_array(b_sc2 - b_sc)
    out["n_follow_ups"] = np.bincount(fu_pos, minlength=n)
    out["n_status_checks"] = np.bincount(fu_pos[is_sc], minlength=n)

    days_to = resp_day - iv_day
    out["first_response_date"] = _dates_from_numbers(resp_day)
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

    # Scripts: all used, and those sent before the first reply (what the script rates
    # count: a script sent after the reply, such as a gracious close, did not earn it).
    # The raw object arrays (NA as pd.NA) are read once: each NA scan of 2M strings costs.
    sid_all, sid_names = pd.factorize(np.asarray(fu["script_id"].array, dtype=object))
    has = sid_all >= 0
    labels = [str(x) for x in sid_names]
    # Sorted by interview once, so every set below is a single reduceat.
    order = np.argsort(fu_pos[has], kind="stable")
    s_pos = fu_pos[has][order]
    sid_codes = sid_all[has][order]
    out["script_ids"] = _combinations(s_pos, sid_codes, labels, n)
    before = ~(fu_day[has][order] >= resp_day[s_pos])  # True where no reply (NaN)
    out["scripts_before_reply"] = _combinations(s_pos[before], sid_codes[before], labels, n)
    versions = np.asarray(fu["script_version"].array, dtype=object)[has][order][before]
    ver_codes, ver_names = pd.factorize(versions)
    width = len(ver_names) + 1
    pair_codes, pairs = pd.factorize(sid_codes[before] * width + ver_codes + 1)
    vlabels = [_version_label(labels[p // width], [None, *ver_names][p % width]) for p in pairs]
    out["versions_before_reply"] = _combinations(s_pos[before], pair_codes, vlabels, n)

    frame = pd.DataFrame(out, copy=False)  # the arrays are ours: no need to copy them
    frame.attrs = {"today": day, "window_days": int(window_days)}
    return frame


# -- rates ------------------------------------------------------------------------------


def _wilson(responded: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.stats.proportion import proportion_confint

    lo = np.full(len(n), np.nan)
    hi = np.full(len(n), np.nan)
    ok = n > 0
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(responded[ok], n[ok], alpha=0.05, method="wilson")
    return lo, hi


@dataclass(frozen=True)
class _Grouping:
    """Rows coded 0..len(labels)-1 by group; missing values form a last "none" group."""

    name: str
    codes: np.ndarray
    labels: list[Any]
    keep_empty: bool  # timing buckets list every bucket, even with no interviews


def _grouping(frame: pd.DataFrame, by: str) -> _Grouping:
    """How ``frame`` splits for ``by``: a timing bucket or any column (see response_rates)."""
    if by in _BUCKET_COLUMNS:
        if by in frame:
            col = frame[by]
            codes = col.cat.codes.to_numpy().astype(np.int64)
            return _Grouping(by, codes, list(col.cat.categories), True)
        source, edges, labels = _BUCKET_COLUMNS[by]
        cat = _bucket(frame[source].to_numpy(dtype="float64", na_value=np.nan), edges, labels)
        return _Grouping(by, cat.codes.astype(np.int64), list(labels), True)
    if by not in frame:
        known = ", ".join([*_BUCKET_COLUMNS, *_MULTI_COLUMNS])
        raise AnalyticsError(
            f"Cannot group by {by!r}: no such column. Use {known}, or a column of the "
            f"analysis frame such as thank_you_channel, round or client."
        )
    col = frame[by]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy().astype(np.int64)
        labels = list(col.cat.categories)
    else:
        codes, uniques = pd.factorize(col, sort=True)
        codes = codes.astype(np.int64)
        labels = list(uniques)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels = [*labels, _NONE]
    return _Grouping(by, codes, labels, False)


def _counts(frame: pd.DataFrame, g: _Grouping) -> pd.DataFrame:
    """n (settled), responded and pending per group, in the grouping's order."""
    pending = frame["pending"].to_numpy(dtype=bool)
    responded = frame["responded"].to_numpy(dtype=bool) & ~pending
    m = len(g.labels)
    total = np.bincount(g.codes, minlength=m)
    waiting = np.bincount(g.codes[pending], minlength=m)
    got = np.bincount(g.codes[responded], minlength=m)
    table = pd.DataFrame(
        {"n": total - waiting, "responded": got, "pending": waiting},
        index=pd.Index(g.labels, name=g.name, dtype=object),
    ).astype("int64")
    return table if g.keep_empty else table[total > 0]


def _exploded_counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per script (or script version): an interview counts once in each it used."""
    per_combo = _counts(frame, _grouping(frame, _MULTI_COLUMNS[by]))
    names = pd.Series(per_combo.index, index=per_combo.index).astype(str).str.split(", ")
    long = per_combo.assign(**{by: names.to_numpy()}).explode(by)
    table = long.groupby(by, sort=True)[["n", "responded", "pending"]].sum()
    order = [g for g in table.index if g != _NONE] + ([_NONE] if _NONE in table.index else [])
    return table.loc[order]


def _rate_table(counts: pd.DataFrame, min_n: int) -> pd.DataFrame:
    n = counts["n"].to_numpy(dtype="int64")
    r = counts["responded"].to_numpy(dtype="int64")
    lo, hi = _wilson(r, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, r / np.maximum(n, 1), np.nan)
    table = pd.DataFrame(
        {
            "n": n,
            "responded": r,
            "rate": rate,
            "ci_low": lo,
            "ci_high": hi,
            "pending": counts["pending"].to_numpy(dtype="int64"),
            "too_few": n < min_n,
        },
        index=counts.index,
    )
    return table


def response_rates(frame: pd.DataFrame, by: str, *, min_n: int = 5) -> pd.DataFrame:
    """Share of settled interviews that got a reply within the window, per group.

    Parameters
    ----------
    frame
        From :func:`analysis_frame` (filtered as you like).
    by
        ``"thank_you_timing"`` (same day, 1 day, 2-3 days, 4-7 days, 8+ days, none),
        ``"status_check_timing"`` (0-3, 4-7, 8-14, 15+ days, none), ``"script_id"`` or
        ``"script_version"`` (scripts sent before the first reply; an interview that used
        two scripts counts in both groups), or any column of the frame (such as
        ``thank_you_channel``, ``round``, ``client``). Missing values form a "none" group.
    min_n
        Groups with fewer settled interviews than this are flagged ``too_few``.

    Returns
    -------
    DataFrame
        Indexed by group (named ``by``) with ``n`` (settled interviews), ``responded``,
        ``rate``, ``ci_low``, ``ci_high`` (95% Wilson interval), ``pending`` (too early to
        judge, left out of ``n``) and ``too_few``.

    Notes
    -----
    In the status-check buckets, "none" also holds interviews answered before any check
    was due; :func:`rule_evidence` compares only interviews still waiting.
    """
    if by in _MULTI_COLUMNS:
        counts = _exploded_counts(frame, by)
    else:
        counts = _counts(frame, _grouping(frame, by))
    counts.index.name = by
    table = _rate_table(counts, min_n)
    table.attrs = {"window_days": frame.attrs.get("window_days", 30), "by": by}
    return table


# -- comparing two groups ---------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two groups' reply rates side by side, their difference and a plain reading."""

    by: str
    a: str
    b: str
    n_a: int
    responded_a: int
    rate_a: float
    n_b: int
    responded_b: int
    rate_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    test: str
    too_little_data: bool
    reading: str

    def __str__(self) -> str:
        return self.reading

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for a table row)."""
        return asdict(self)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _p_text(p: float) -> str:
    if math.isnan(p):
        return "no test possible"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _two_by_two(ra: int, na: int, rb: int, nb: int) -> tuple[float, str]:
    """Fisher's exact test when any expected count is under 5, else Pearson's chi-square."""
    from scipy import stats

    table = np.array([[ra, na - ra], [rb, nb - rb]])
    if na == 0 or nb == 0 or table.sum(axis=0).min() == 0:
        return (1.0 if na and nb else math.nan), "Fisher's exact test"
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    if expected.min() < 5:
        return float(stats.fisher_exact(table)[1]), "Fisher's exact test"
    chi2 = stats.chi2_contingency(table, correction=False)
    return float(chi2.pvalue), "chi-square test"


def _describe(group: object) -> str:
    if isinstance(group, list | tuple):
        return " or ".join(str(g) for g in group)
    return str(group)


_WHEN_WORDS = {"same day": "the same day", "none": "never"}


def _group_words(by: str, group: object) -> str:
    """'where the thank-you went out the same day or after 1 day', and so on."""
    parts = list(group) if isinstance(group, list | tuple) else [group]
    if by in _BUCKET_COLUMNS:
        when = " or ".join(_WHEN_WORDS.get(str(g), f"after {g}") for g in parts)
        what = "the thank-you" if by == "thank_you_timing" else "the first status check"
        if parts == ["none"]:
            return f"where {what} was never sent"
        return f"where {what} went out {when}"
    return f"where {by.replace('_', ' ')} was {_describe(group)}"


def _comparison(
    by: str,
    a: object,
    b: object,
    counts: tuple[int, int, int, int],
    *,
    min_n: int,
    window_days: int | None,
    label_a: str | None = None,
    label_b: str | None = None,
) -> Comparison:
    from statsmodels.stats.proportion import confint_proportions_2indep

    ra, na, rb, nb = counts
    name_a = label_a or _group_words(by, a)
    name_b = label_b or _group_words(by, b)
    rate_a = ra / na if na else math.nan
    rate_b = rb / nb if nb else math.nan
    diff = rate_a - rate_b
    lo = hi = math.nan
    if na and nb:
        lo, hi = (
            float(x)
            for x in confint_proportions_2indep(ra, na, rb, nb, method="newcomb", compare="diff")
        )
    p, test = _two_by_two(ra, na, rb, nb)
    small = min(na, nb) < min_n
    within = f"within {window_days} days" if window_days is not None else "within the window"
    if not na or not nb:
        empty = name_a if not na else name_b
        text = (
            f"There are no settled interviews {empty} yet, so there is nothing to "
            f"compare: too little data."
        )
    else:
        text = (
            f"Of {na} settled interviews {name_a}, {ra} got a reply {within} "
            f"({_pct(rate_a)}); of {nb} {name_b}, {rb} did ({_pct(rate_b)}). The difference is "
            f"{100 * diff:+.0f} percentage points (95% interval {100 * lo:+.0f} to "
            f"{100 * hi:+.0f}; {_p_text(p)}, {test}). "
        )
        if small:
            text += (
                f"Too little data: fewer than {min_n} settled interviews in one group, so "
                f"this is a hint at most. "
            )
        elif lo > 0 or hi < 0:
            text += "A gap this large would be unlikely if the habit made no difference. "
        else:
            text += "The interval includes zero: the data cannot tell these groups apart. "
        text += _OBSERVATIONAL
    return Comparison(
        by=by,
        a=_describe(a),
        b=_describe(b),
        n_a=int(na),
        responded_a=int(ra),
        rate_a=rate_a,
        n_b=int(nb),
        responded_b=int(rb),
        rate_b=rate_b,
        difference=diff,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        test=test,
        too_little_data=bool(small),
        reading=text,
    )


def compare(
    frame: pd.DataFrame,
    by: str,
    a: object,
    b: object,
    *,
    min_n: int = 10,
) -> Comparison:
    """Compare the reply rate of group ``a`` with group ``b``.

    Parameters
    ----------
    frame
        From :func:`analysis_frame`.
    by
        A grouping accepted by :func:`response_rates` (a bucket, a column, script_id).
    a, b
        A group value each, or a list of values pooled together, e.g.
        ``compare(frame, "thank_you_timing", ["same day", "1 day"], ["2-3 days", "4-7 days"])``.
    min_n
        Below this many settled interviews in either group, the reading says there is
        too little data.

    Returns
    -------
    Comparison
        Rates, the difference ``rate_a - rate_b`` with its 95% Newcombe (Wilson-based)
        interval, a p-value (Fisher's exact test when any expected count is under 5,
        else chi-square) and ``reading``, a paragraph in plain words.
    """
    table = response_rates(frame, by, min_n=0)

    def pooled(group: object) -> tuple[int, int]:
        wanted = list(group) if isinstance(group, list | tuple) else [group]
        unknown = [g for g in wanted if g not in table.index]
        if unknown and by in _BUCKET_COLUMNS:
            raise AnalyticsError(
                f"{by} has no group {unknown[0]!r}; choose from {', '.join(table.index)}."
            )
        rows = table.reindex([g for g in wanted if g in table.index])
        return int(rows["responded"].sum()), int(rows["n"].sum())

    ra, na = pooled(a)
    rb, nb = pooled(b)
    return _comparison(
        by, a, b, (ra, na, rb, nb), min_n=min_n, window_days=frame.attrs.get("window_days")
    )


# -- time to reply ------------------------------------------------------------------------


def _durations(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days to first reply (event) or days waited so far (censored); future interviews out."""
    age = frame["age_days"].to_numpy(dtype="float64", na_value=np.nan)
    dtr = frame["days_to_response"].to_numpy(dtype="float64", na_value=np.nan)
    event = ~np.isnan(dtr)
    time = np.where(event, dtr, age)
    keep = ~np.isnan(time) & (time >= 0)
    return time, event.astype("int64"), keep


def _groups(frame: pd.DataFrame, by: str | None) -> Iterable[tuple[object, np.ndarray]]:
    """(group name, row mask) for each group with rows; one "all" group when by is None."""
    if by is None:
        yield "all", np.ones(len(frame), dtype=bool)
        return
    g = _grouping(frame, by)
    for i in np.flatnonzero(np.bincount(g.codes, minlength=len(g.labels))):
        yield g.labels[i], g.codes == i


@dataclass(frozen=True)
class _Fit:
    """One group's Kaplan-Meier fit (``sf`` is None when nobody in it got a reply)."""

    name: object
    time: np.ndarray
    event: np.ndarray
    sf: Any


def _km_fits(frame: pd.DataFrame, by: str | None) -> list[_Fit]:
    """A statsmodels ``SurvfuncRight`` per group, for the summary and the curves to share."""
    from statsmodels.duration.survfunc import SurvfuncRight

    time, event, keep = _durations(frame)
    fits = []
    for name, members in _groups(frame, by):
        sel = members & keep
        if not sel.any():
            continue
        t, e = time[sel], event[sel]
        fits.append(_Fit(name, t, e, SurvfuncRight(t, e) if e.any() else None))
    return fits


def _km_summary(fits: list[_Fit], by: str | None, window: int) -> pd.DataFrame:
    rows = []
    for fit in fits:
        t, e, sf = fit.time, fit.event, fit.sf
        row: dict[str, Any] = {
            by or "group": fit.name,
            "n": len(t),
            "replies": int(e.sum()),
            "still_waiting": int(len(t) - e.sum()),
            "median_days": math.nan,
            "median_ci_low": math.nan,
            "median_ci_high": math.nan,
            "replied_by_window": 0.0,
            "median_days_if_replied": float(np.median(t[e == 1])) if e.any() else math.nan,
        }
        if sf is not None:
            row["median_days"] = float(sf.quantile(0.5))
            if not math.isnan(row["median_days"]):
                with np.errstate(divide="ignore", invalid="ignore"):  # S = 0 or 1 ends
                    lo, hi = sf.quantile_ci(0.5)
                row["median_ci_low"] = float(lo)
                row["median_ci_high"] = float(hi) if np.isfinite(hi) else math.nan
            at = np.searchsorted(sf.surv_times, window, side="right") - 1
            row["replied_by_window"] = float(1 - sf.surv_prob[at]) if at >= 0 else 0.0
        rows.append(row)
    cols = [
        by or "group", "n", "replies", "still_waiting", "median_days", "median_ci_low",
        "median_ci_high", "replied_by_window", "median_days_if_replied",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).set_index(by or "group")


def _km_curves(fits: list[_Fit]) -> pd.DataFrame:
    parts = []
    for fit in fits:
        days, surv, lo, hi, risk = [0.0], [1.0], [1.0], [1.0], [len(fit.time)]
        sf = fit.sf
        if sf is not None:
            s = np.asarray(sf.surv_prob, dtype=float)
            se = np.asarray(sf.surv_prob_se, dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                # log(-log S) interval keeps the bounds inside 0..1, as lifelines does.
                theta = np.log(-np.log(s))
                width = 1.959963984540054 * se / (s * np.abs(np.log(s)))
                s_lo = np.exp(-np.exp(theta + width))
                s_hi = np.exp(-np.exp(theta - width))
            s_lo = np.where(np.isfinite(s_lo), s_lo, np.where(s >= 1, 1.0, 0.0))
            s_hi = np.where(np.isfinite(s_hi), s_hi, np.where(s >= 1, 1.0, 0.0))
            # Always start at day 0 with nobody answered; a reply on the interview day
            # then shows as a drop at day 0.
            days += list(sf.surv_times)
            surv += list(s)
            lo += list(s_lo)
            hi += list(s_hi)
            risk += [int(x) for x in sf.n_risk]
        parts.append(
            pd.DataFrame(
                {
                    "group": fit.name,
                    "days": days,
                    "replied": 1 - np.asarray(surv),
                    "ci_low": 1 - np.asarray(hi),
                    "ci_high": 1 - np.asarray(lo),
                    "at_risk": risk,
                    "n": len(fit.time),
                }
            )
        )
    cols = ["group", "days", "replied", "ci_low", "ci_high", "at_risk", "n"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def time_to_response(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier summary of days from the interview to the first reply, by group.

    Interviews still waiting are censored at their age (they may yet get a reply), not
    counted as failures. Uses statsmodels' ``SurvfuncRight``.

    Returns
    -------
    DataFrame
        Indexed by group: ``n``, ``replies``, ``still_waiting`` (censored),
        ``median_days`` with ``median_ci_low`` / ``median_ci_high`` (95%; NaN where the
        curve never falls to half, i.e. fewer than half ever replied: "not reached"),
        ``replied_by_window`` (Kaplan-Meier share with a reply by ``window_days``) and
        ``median_days_if_replied`` (plain median among interviews that got a reply).
    """
    return _km_summary(_km_fits(frame, by), by, frame.attrs.get("window_days", 30))


def response_curves(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier curves: share of interviews with a reply by each day, per group.

    Returns
    -------
    DataFrame
        Long form, one row per group and day where a reply came (plus day 0):
        ``group, days, replied`` (1 - survival), ``ci_low, ci_high`` (95% pointwise,
        log-log transformed Greenwood interval), ``at_risk``, ``n``.
    """
    return _km_curves(_km_fits(frame, by))


# -- other views --------------------------------------------------------------------------


def funnel(frame: pd.DataFrame, *, settled_only: bool = True) -> pd.DataFrame:
    """How many interviews reached each step: interview, thank-you, status check, reply,
    next round or offer.

    Parameters
    ----------
    settled_only
        Count only interviews whose reply window has closed (the default), so young
        interviews do not drag the reply step down.

    Returns
    -------
    DataFrame
        Indexed by stage (:data:`FUNNEL_STAGES`) with ``count`` and ``share`` (of the
        first stage). Each step counts interviews where it happened; a reply can come
        without a status check, so the steps are not strictly nested.
    """
    keep = frame["settled"].to_numpy(dtype=bool) if settled_only else np.ones(len(frame), bool)
    counts = [
        int(keep.sum()),
        int((keep & frame["thank_you_date"].notna().to_numpy()).sum()),
        int((keep & frame["status_check_date"].notna().to_numpy()).sum()),
        int((keep & frame["responded"].to_numpy(dtype=bool)).sum()),
        int((keep & frame["reached_next_round_or_offer"].to_numpy(dtype=bool)).sum()),
    ]
    total = counts[0]
    share = [c / total if total else math.nan for c in counts]
    table = pd.DataFrame({"count": counts, "share": share}, index=list(FUNNEL_STAGES))
    table.index.name = "stage"
    return table


def by_client(frame: pd.DataFrame, *, min_n: int = 5) -> pd.DataFrame:
    """One row per client for the coach: interviews, replies, habits, outcomes.

    Returns
    -------
    DataFrame
        Indexed by ``client_id``: ``client``, ``cohort``, ``interviews``, ``n``
        (settled), ``responded``, ``rate``, ``ci_low``, ``ci_high``, ``pending``,
        ``too_few``, ``thank_you_sent`` (share of interviews with one),
        ``median_thank_you_days``, ``next_round_or_offer``, ``last_interview``.
    """
    codes, ids = pd.factorize(frame["client_id"], sort=True)
    ok = codes >= 0
    codes = codes[ok]
    rows = frame[["client", "cohort"]].iloc[np.flatnonzero(ok)]
    m = len(ids)
    g = _Grouping("client_id", codes.astype(np.int64), list(ids), True)
    counts = _counts(frame.iloc[np.flatnonzero(ok)] if not ok.all() else frame, g)
    rates = _rate_table(counts, min_n)
    size = np.bincount(codes, minlength=m)
    first = np.full(m, -1)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # first row of each client
    sub = frame.iloc[np.flatnonzero(ok)] if not ok.all() else frame
    sent = sub["thank_you_date"].notna().to_numpy()
    delay = sub["thank_you_delay_days"].to_numpy(dtype="float64", na_value=np.nan)
    day = _day_numbers(sub["interview_date"])
    last = np.full(m, -np.inf)
    np.fmax.at(last, codes, day)
    info = pd.DataFrame(
        {
            "client": rows["client"].array.take(first),
            "cohort": rows["cohort"].array.take(first),
            "interviews": size,
            "thank_you_sent": np.bincount(codes[sent], minlength=m) / np.maximum(size, 1),
            "median_thank_you_days": pd.Series(delay)
            .groupby(codes)
            .median()
            .reindex(range(m))
            .to_numpy(),
            "next_round_or_offer": np.bincount(
                codes[sub["reached_next_round_or_offer"].to_numpy(dtype=bool)], minlength=m
            ),
            "last_interview": _dates_from_numbers(np.where(np.isfinite(last), last, np.nan)),
        },
        index=pd.Index(ids, name="client_id"),
    )
    table = info.join(rates)
    cols = [
        "client", "cohort", "interviews", "n", "responded", "rate", "ci_low", "ci_high",
        "pending", "too_few", "thank_you_sent", "median_thank_you_days",
        "next_round_or_offer", "last_interview",
    ]  # fmt: skip
    return table[cols]


def by_script(frame: pd.DataFrame, *, versions: bool = True, min_n: int = 5) -> pd.DataFrame:
    """Reply rates by script (and version) sent before the first reply.

    An interview that used two scripts counts once in each; "none" holds interviews
    where no script was recorded. Same columns as :func:`response_rates`.
    """
    return response_rates(frame, "script_version" if versions else "script_id", min_n=min_n)


_EVENT_WORDS = {
    "interview": "Interview",
    "reply": "Reply",
    **{k: v for k, v in schema.CHOICES["kind"].items()},
}


def client_timeline(
    tables: Mapping[str, pd.DataFrame], client_id: int, *, today: object = None
) -> pd.DataFrame:
    """Everything that happened around one client's interviews, in date order.

    Returns
    -------
    DataFrame
        One row per event: ``interview_id, company, round, interview_date, date,
        day`` (days after the interview), ``event`` (interview, thank_you,
        status_check, ..., reply), ``what`` (plain words), ``channel``, ``script_id``,
        ``result`` (for replies). Events after ``today`` are left out.
    """
    day = pd.Timestamp(_as_day(today))
    iv = tables["interviews"]
    iv = iv[iv["client_id"] == client_id]
    ids = iv["id"]
    fu = tables.get("follow_ups", _empty_table("follow_ups"))
    rs = tables.get("responses", _empty_table("responses"))
    fu = fu[fu["interview_id"].isin(ids) & (fu["sent_on"] <= day)]
    rs = rs[rs["interview_id"].isin(ids) & (rs["received_on"] <= day)]
    base = pd.DataFrame(
        {
            "interview_id": iv["id"].to_numpy(),
            "date": iv["interview_date"].to_numpy(),
            "event": "interview",
            "channel": None,
            "script_id": None,
            "result": None,
        }
    )
    sent = pd.DataFrame(
        {
            "interview_id": fu["interview_id"].to_numpy(),
            "date": fu["sent_on"].to_numpy(),
            "event": fu["kind"].astype(str).to_numpy(),
            "channel": fu["channel"].astype(object).to_numpy(),
            "script_id": fu["script_id"].astype(object).to_numpy(),
            "result": None,
        }
    )
    got = pd.DataFrame(
        {
            "interview_id": rs["interview_id"].to_numpy(),
            "date": rs["received_on"].to_numpy(),
            "event": "reply",
            "channel": rs["channel"].astype(object).to_numpy(),
            "script_id": None,
            "result": rs["result"].astype(object).to_numpy(),
        }
    )
    parts = [p for p in (base, sent, got) if len(p)]
    events = pd.concat(parts, ignore_index=True) if parts else base
    info = iv.set_index("id")[["company", "round", "interview_date"]]
    events = events.join(info, on="interview_id")
    events["date"] = pd.to_datetime(events["date"]).astype("datetime64[us]")
    events["day"] = (events["date"] - events["interview_date"]).dt.days.astype("Int64")
    words = events["event"].map(_EVENT_WORDS).fillna(events["event"])
    result = events["result"].map(lambda r: schema.choice_label("result", r), na_action="ignore")
    events["what"] = words.where(result.isna(), words + ": " + result.fillna(""))
    order = {"interview": 0, "reply": 2}
    events["_o"] = events["event"].map(order).fillna(1)
    events = events.sort_values(["interview_date", "interview_id", "date", "_o"], kind="stable")
    cols = [
        "interview_id", "company", "round", "interview_date", "date", "day", "event",
        "what", "channel", "script_id", "result",
    ]  # fmt: skip
    return events[cols].reset_index(drop=True)


# -- evidence beside each rule --------------------------------------------------------------

Verdict = tuple[np.ndarray, np.ndarray]


def _f(frame: pd.DataFrame, col: str) -> np.ndarray:
    return frame[col].to_numpy(dtype="float64", na_value=np.nan)


def _still_waiting(frame: pd.DataFrame, opens_bdays: np.ndarray | float) -> np.ndarray:
    """No reply yet when the rule's window opened (a reply before it decides on its own)."""
    return ~(_f(frame, "bdays_to_response") < opens_bdays)


def _settled(frame: pd.DataFrame) -> np.ndarray:
    return frame["settled"].to_numpy(dtype=bool)


def _thank_you(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    return _settled(frame), _f(frame, "thank_you_delay_bdays") <= r["thank_you_due"]


def _status_check(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    start, due = r["status_check_start"], r["status_check_due"]
    delay = _f(frame, "status_check_delay_bdays")
    no_date = frame["decision_expected"].isna().to_numpy()
    eligible = _settled(frame) & no_date & _still_waiting(frame, start)
    return eligible, (delay >= start) & (delay <= due)


def _decision_check(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    start = r["status_check_after_decision_start"]
    due = r["status_check_after_decision_due"]
    after = _f(frame, "status_check_after_decision_bdays")
    opens = _f(frame, "decision_bdays") + start  # the window opens, counted from the interview
    eligible = _settled(frame) & ~np.isnan(opens) & _still_waiting(frame, opens)
    return eligible, (after >= start) & (after <= due)


def _second_follow_up(frame: pd.DataFrame, r: Mapping[str, int]) -> Verdict:
    gap = _f(frame, "second_follow_up_gap_bdays")
    second = _day_numbers(frame["second_follow_up_date"])
    reply = _day_numbers(frame["first_response_date"])
    eligible = _settled(frame) & ~np.isnan(gap) & ~(reply < second)
    return eligible, gap >= r["second_follow_up_start"]


def _thank_you_channel(frame: pd.DataFrame, r: Mapping[str, Any]) -> Verdict:
    channel = frame["thank_you_channel"].astype(object).to_numpy()
    eligible = _settled(frame) & frame["thank_you_date"].notna().to_numpy()
    return eligible, channel == r["channel"]


@dataclass(frozen=True)
class _Measure:
    """How one rule is checked against the data: who counts, and who followed it."""

    key: str  # the rule whose why and source are shown
    title: Callable[[Mapping[str, int]], str]
    who: str
    followed: str = ""
    not_followed: str = ""
    test: Callable[[pd.DataFrame, Mapping[str, int]], Verdict] | None = None


_CAUSE_NOTE = (
    "Not measured against replies: people send more follow-ups when no reply has come, "
    "so the data would mostly show that, not whether the rule helps."
)

_MEASURES: tuple[_Measure, ...] = (
    _Measure(
        "thank_you_due",
        lambda r: (
            f"Thank-you within {r['thank_you_due']} business "
            f"day{'s' if r['thank_you_due'] != 1 else ''} of the interview"
        ),
        "All settled interviews.",
        "sent in time",
        "sent later or not at all",
        _thank_you,
    ),
    _Measure(
        "status_check_start",
        lambda r: (
            f"First status check {r['status_check_start']}-{r['status_check_due']} business "
            "days after the interview (no decision date given)"
        ),
        "Settled interviews with no stated decision date, still waiting when the window opened.",
        "sent in the window",
        "sent earlier, later or not at all",
        _status_check,
    ),
    _Measure(
        "status_check_after_decision_start",
        lambda r: (
            f"First status check {r['status_check_after_decision_start']}-"
            f"{r['status_check_after_decision_due']} business days after the stated "
            "decision date"
        ),
        "Settled interviews with a stated decision date, still waiting when the window opened.",
        "sent in the window",
        "sent earlier, later or not at all",
        _decision_check,
    ),
    _Measure(
        "second_follow_up_start",
        lambda r: (
            f"Second follow-up at least {r['second_follow_up_start']} business days after the first"
        ),
        "Settled interviews with a second status check sent before any reply.",
        "waited long enough",
        "sent sooner",
        _second_follow_up,
    ),
    _Measure(
        "channel",
        lambda r: "Thank-you by email (the channel most employers accept)",
        "Settled interviews with a thank-you.",
        "sent by email",
        "sent another way",
        _thank_you_channel,
    ),
    _Measure(
        "max_status_checks",
        lambda r: f"At most {r['max_status_checks']} follow-ups after the thank-you",
        _CAUSE_NOTE,
    ),
    _Measure(
        "close_as_ghosted_after",
        lambda r: (
            f"Close as ghosted {r['close_as_ghosted_after']} business days after the last follow-up"
        ),
        "Not measured against replies: closing is about moving on, not about getting one.",
    ),
    _Measure(
        "feedback_request_start",
        lambda r: (
            f"Ask for feedback {r['feedback_request_start']}-{r['feedback_request_due']} "
            "business days after a rejection"
        ),
        "Not measured against replies: it comes after the employer has answered.",
    ),
)


def _rules_info(rules: object) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """The rule values ({key: days}) and each rule's why and source, from the timing rules.

    Accepts what :func:`~followup_kit.rules.load_rules` returns, a plain mapping of key to
    number, or ``None``; rules it does not give keep the defaults of ``rules.toml``. The
    channel rule (``values["channel"]``, e.g. "email") comes from ``rules.toml`` too.
    """
    defaults = load_rules()
    if rules is None:
        rules = defaults
    values: dict[str, Any] = dict(defaults)
    info = {key: _about(defaults.rule(key)) for key in defaults}
    channel = channel_rule()
    values["channel"], info["channel"] = channel.value, _about(channel)
    for key in rules:  # type: ignore[attr-defined]
        value = rules[key]  # type: ignore[index]
        if isinstance(value, Mapping):
            value = value.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            values[str(key)] = int(value)
        full = rules.rule(key) if hasattr(rules, "rule") else None
        if full is not None:
            info[str(key)] = _about(full)
        elif isinstance(rules[key], Mapping):  # type: ignore[index]
            raw = rules[key]  # type: ignore[index]
            info[str(key)] = {"why": str(raw.get("why", "")), "source": str(raw.get("source", ""))}
    return values, info


def _about(rule: Rule) -> dict[str, str]:
    return {"why": str(rule.why), "source": str(rule.source)}


def rule_evidence(frame: pd.DataFrame, rules: object = None, *, min_n: int = 10) -> pd.DataFrame:
    """Each timing rule beside what the coach's own clients' data says about it.

    Parameters
    ----------
    frame
        From :func:`analysis_frame`.
    rules
        The timing rules in force (``timing.load_rules(wb.data_dir)``); ``None`` uses
        the defaults. A plain ``{"thank_you_due": 2}`` mapping works too.
    min_n
        Fewer settled interviews than this on either side: "too little data".

    Returns
    -------
    DataFrame
        Indexed by ``rule`` (the timing rule's key): ``title``, ``why``, ``source``,
        ``who`` (which interviews count), ``followed`` / ``not_followed`` (what each side
        means), ``n_followed``, ``rate_followed``, ``ci_low_followed``,
        ``ci_high_followed`` (95% Wilson), the same with ``_not``, ``difference`` with
        ``diff_ci_low`` / ``diff_ci_high``, ``p_value``, ``verdict`` ("followed did
        better", "followed did worse", "no clear difference", "too little data" or "not
        measured"), ``reading`` (from :func:`compare`), and ``clients_followed`` /
        ``clients_not`` (distinct clients on each side, for the workshop's privacy check).

    Notes
    -----
    Timing is counted in business days (weekends and the client's country's public
    holidays left out), as the rules are written. For the status-check rules only
    interviews still waiting for a reply when the rule's window opened count, so a reply
    that came first cannot make skipping the step look good. Those who were still waiting
    but did not send in the window count as "not followed" even if a reply then came
    before they wrote, which if anything flatters not following the rule.
    """
    values, info = _rules_info(rules)
    window = frame.attrs.get("window_days")
    responded = frame["responded"].to_numpy(dtype=bool)
    client = pd.factorize(frame["client_id"])[0]
    has_client = client >= 0

    def distinct_clients(mask: np.ndarray) -> int:
        return int(np.count_nonzero(np.bincount(client[mask & has_client])))

    rows = []
    for m in _MEASURES:
        about = info.get(m.key, {})
        row: dict[str, Any] = {
            "rule": m.key,
            "title": m.title(values),
            "why": about.get("why", ""),
            "source": about.get("source", ""),
            "who": m.who,
            "followed": m.followed,
            "not_followed": m.not_followed,
        }
        if m.test is None:
            row.update(verdict="not measured", reading=m.who)
            rows.append(row)
            continue
        eligible, followed = m.test(frame, values)
        followed = followed & eligible
        others = eligible & ~followed
        counts = (
            int((responded & followed).sum()),
            int(followed.sum()),
            int((responded & others).sum()),
            int(others.sum()),
        )
        cmp = _comparison(
            m.key,
            True,
            False,
            counts,
            min_n=min_n,
            window_days=window,
            label_a=f"where it was {m.followed}",
            label_b=f"where it was {m.not_followed}",
        )
        lo, hi = _wilson(np.array([counts[0], counts[2]]), np.array([counts[1], counts[3]]))
        if cmp.too_little_data:
            verdict = "too little data"
        elif cmp.ci_low > 0:
            verdict = "followed did better"
        elif cmp.ci_high < 0:
            verdict = "followed did worse"
        else:
            verdict = "no clear difference"
        row.update(
            n_followed=counts[1],
            rate_followed=cmp.rate_a,
            ci_low_followed=lo[0],
            ci_high_followed=hi[0],
            n_not=counts[3],
            rate_not=cmp.rate_b,
            ci_low_not=lo[1],
            ci_high_not=hi[1],
            difference=cmp.difference,
            diff_ci_low=cmp.ci_low,
            diff_ci_high=cmp.ci_high,
            p_value=cmp.p_value,
            verdict=verdict,
            reading=cmp.reading,
            clients_followed=distinct_clients(followed),
            clients_not=distinct_clients(others),
        )
        rows.append(row)
    cols = [
        "rule", "title", "why", "source", "who", "followed", "not_followed", "n_followed",
        "rate_followed", "ci_low_followed", "ci_high_followed", "n_not", "rate_not",
        "ci_low_not", "ci_high_not", "difference", "diff_ci_low", "diff_ci_high", "p_value",
        "verdict", "reading", "clients_followed", "clients_not",
    ]  # fmt: skip
    table = pd.DataFrame(rows).reindex(columns=cols)
    for c in ("n_followed", "n_not", "clients_followed", "clients_not"):
        table[c] = table[c].astype("Int64")
    for c in cols[8:11] + cols[12:19]:
        table[c] = table[c].astype("float64")
    return table.set_index("rule")


# -- workshop (anonymised) ------------------------------------------------------------------

TOO_FEW = "too few to show"


def _check_public(by: str | None) -> None:
    if by is not None and by in PRIVATE_COLUMNS:
        raise AnalyticsError(
            f"The workshop view cannot group by {by!r}: it identifies a person or an "
            f"employer. Use a habit such as thank_you_timing, status_check_timing, "
            f"thank_you_channel, round or script_id."
        )


def _distinct_clients(codes: np.ndarray, clients: np.ndarray, m: int) -> np.ndarray:
    """Distinct clients in each of m groups (rows coded 0..m-1; client codes >= 0)."""
    pairs = pd.unique(codes * (int(clients.max(initial=0)) + 1) + clients)
    return np.bincount(pairs // (int(clients.max(initial=0)) + 1), minlength=m)


def _clients_per_group(frame: pd.DataFrame, by: str) -> pd.Series:
    """Distinct clients per group, including pending interviews (they are shown too)."""
    client_codes = pd.factorize(frame["client_id"])[0].astype(np.int64)
    known = client_codes >= 0
    if by in _MULTI_COLUMNS:
        combos = _grouping(frame, _MULTI_COLUMNS[by])
        parts = [str(c).split(", ") for c in combos.labels]
        names = sorted({p for part in parts for p in part} - {_NONE})
        names += [_NONE] if any(_NONE in part for part in parts) else []
        out = {}
        for name in names:
            holding = [i for i, part in enumerate(parts) if name in part]
            rows = np.isin(combos.codes, holding) & known
            out[name] = len(pd.unique(client_codes[rows]))
        return pd.Series(out, dtype="int64")
    g = _grouping(frame, by)
    counts = _distinct_clients(g.codes[known], client_codes[known], len(g.labels))
    return pd.Series(counts, index=pd.Index(g.labels, dtype=object), dtype="int64")


def _suppress(clients: pd.Series, k: int) -> np.ndarray:
    """Which groups to hide: those with 1 to k-1 clients, plus one more if only one is.

    Hiding a single group is not enough when the total is shown elsewhere: it could be
    worked out by subtraction, so the next smallest shown group is hidden too. Empty
    groups reveal nothing and stay shown (with n = 0).
    """
    counts = clients.to_numpy()
    hide = (counts > 0) & (counts < k)
    shown = np.flatnonzero(counts >= k)
    if hide.sum() == 1 and len(shown):
        hide[shown[np.argmin(counts[shown])]] = True
    return hide


def workshop_table(frame: pd.DataFrame, by: str, *, k: int = 5, min_n: int = 5) -> pd.DataFrame:
    """Reply rates for showing a group: no names or companies, small groups hidden.

    Parameters
    ----------
    by
        A habit or setting (as in :func:`response_rates`); names, companies and ids
        are refused with :class:`~followup_kit.exceptions.AnalyticsError`.
    k
        A group with fewer than ``k`` distinct clients is shown as "too few to show"
        with its numbers blanked. If that would leave exactly one hidden group, the next
        smallest is hidden too, so it cannot be worked out from the total.

    Returns
    -------
    DataFrame
        Same columns as :func:`response_rates` plus ``shown`` (bool) and ``note``.
    """
    _check_public(by)
    table = response_rates(frame, by, min_n=min_n)
    clients = _clients_per_group(frame, by).reindex(table.index, fill_value=0)
    hide = _suppress(clients, k)
    table = table.astype({"n": "Int64", "responded": "Int64", "pending": "Int64"})
    table.loc[hide, ["n", "responded", "pending"]] = pd.NA
    table.loc[hide, ["rate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "too_few"] = True
    table["shown"] = ~hide
    table["note"] = np.where(hide, TOO_FEW, "")
    table.attrs = {"window_days": frame.attrs.get("window_days", 30), "by": by, "k": k}
    return table


def workshop_funnel(frame: pd.DataFrame, *, k: int = 5) -> pd.DataFrame:
    """The funnel for a group, hidden entirely when it holds fewer than ``k`` clients."""
    table = funnel(frame)
    enough = frame.loc[frame["settled"], "client_id"].nunique() >= k
    table["shown"] = enough
    table["note"] = "" if enough else TOO_FEW
    if not enough:
        table["count"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["share"] = np.nan
    return table


def workshop_curves(frame: pd.DataFrame, by: str | None = None, *, k: int = 5) -> pd.DataFrame:
    """Kaplan-Meier curves for a group, leaving out groups with fewer than ``k`` clients."""
    _check_public(by)
    curves = response_curves(frame, by)
    if by is None:
        enough = frame["client_id"].nunique() >= k
        return curves if enough else curves.iloc[0:0]
    clients = _clients_per_group(frame, by)
    clients = clients[clients > 0]
    keep = clients.index[~_suppress(clients, k)]
    return curves[curves["group"].isin(keep)].reset_index(drop=True)


# -- filters and the dashboard's tables -----------------------------------------------------


def filter_frame(
    frame: pd.DataFrame,
    *,
    start: object = None,
    end: object = None,
    client_id: int | None = None,
    round: str | None = None,  # noqa: A002 - the schema's field name
    cohort: str | None = None,
) -> pd.DataFrame:
    """Interviews between ``start`` and ``end`` (inclusive), of one client, round, cohort.

    Any filter left as ``None`` keeps everything. The frame's ``attrs`` are kept.
    """
    keep = np.ones(len(frame), dtype=bool)
    dates = frame["interview_date"]
    if start is not None:
        keep &= (dates >= pd.Timestamp(schema.as_date(start))).to_numpy()
    if end is not None:
        keep &= (dates <= pd.Timestamp(schema.as_date(end))).to_numpy()
    if client_id is not None:
        keep &= (frame["client_id"] == client_id).fillna(False).to_numpy(dtype=bool)
    if round is not None:
        keep &= (frame["round"] == round).fillna(False).to_numpy(dtype=bool)
    if cohort is not None:
        keep &= (frame["cohort"] == cohort).fillna(False).to_numpy(dtype=bool)
    out = frame[keep]
    out.attrs = dict(frame.attrs)
    return out


def dashboard_tables(frame: pd.DataFrame, *, min_n: int = 5) -> dict[str, pd.DataFrame]:
    """Every table the coach dashboard shows, from one (filtered) analysis frame.

    Keys: ``thank_you_timing``, ``status_check_timing``, ``channel``, ``script``,
    ``round``, ``funnel``, ``time_to_response`` and ``curves`` (Kaplan-Meier by
    thank-you timing), ``clients``.
    """
    fits = _km_fits(frame, "thank_you_timing")  # one fit each for the summary and the curves
    return {
        "thank_you_timing": response_rates(frame, "thank_you_timing", min_n=min_n),
        "status_check_timing": response_rates(frame, "status_check_timing", min_n=min_n),
        "channel": response_rates(frame, "thank_you_channel", min_n=min_n),
        "script": response_rates(frame, "script_id", min_n=min_n),
        "round": response_rates(frame, "round", min_n=min_n),
        "funnel": funnel(frame),
        "time_to_response": _km_summary(
            fits, "thank_you_timing", frame.attrs.get("window_days", 30)
        ),
        "curves": _km_curves(fits),
        "clients": by_client(frame, min_n=min_n),
    }
