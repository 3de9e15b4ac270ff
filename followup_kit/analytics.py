"""Coach analytics: reply rates, comparisons, time to reply and other views, measured honestly.

Everything starts from :func:`~followup_kit.analysis.analysis_frame`, one row per
interview with the derived columns (delays, reply, pending). The functions here turn it
into small tables: response rates with their intervals (:mod:`~followup_kit.intervals`),
Kaplan-Meier time to reply, a funnel, per-client and per-script views. Two-group
comparisons are in :mod:`~followup_kit.comparison`, each timing rule beside the data in
:mod:`~followup_kit.evidence`, and the anonymised views for a group in
:mod:`~followup_kit.workshop`.

All work is vectorised (numpy, pandas groupby); nothing loops over interviews.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .analysis import (
    BUCKET_COLUMNS,
    as_day,
    bucket,
    dates_from_numbers,
    day_numbers,
    empty_table,
)
from .exceptions import AnalyticsError
from .intervals import ClusterSums, cluster_interval, resolve_interval, wilson_interval

__all__ = [
    "FUNNEL_STAGES",
    "response_rates",
    "time_to_response",
    "response_curves",
    "funnel",
    "by_client",
    "by_script",
    "client_timeline",
    "filter_frame",
    "dashboard_tables",
]

#: The funnel's stages, top to bottom.
FUNNEL_STAGES: tuple[str, ...] = (
    "Interviews",
    "Thank-you sent",
    "Status check sent",
    "Reply received",
    "Next round or offer",
)

# Package-internal (workshop uses them): groupings that explode a multi-valued column (an
# interview may use several scripts), and the group of missing values.
MULTI_COLUMNS = {"script_id": "scripts_before_reply", "script_version": "versions_before_reply"}
NONE_GROUP = "none"

OBSERVATIONAL = (
    "This is observational: clients chose what they did, and those who follow a habit "
    "may differ in other ways (keener, better prepared, applying for different roles), "
    "so it shows an association, not proof that the habit caused the replies."
)


@dataclass(frozen=True)
class _Grouping:
    """Rows coded 0..len(labels)-1 by group; missing values form a last "none" group."""

    name: str
    codes: np.ndarray
    labels: list[Any]
    keep_empty: bool  # timing buckets list every bucket, even with no interviews


def grouping(frame: pd.DataFrame, by: str) -> _Grouping:
    """How ``frame`` splits for ``by``: a timing bucket or any column (see response_rates)."""
    if by in BUCKET_COLUMNS:
        if by in frame:
            col = frame[by]
            codes = col.cat.codes.to_numpy().astype(np.int64)
            return _Grouping(by, codes, list(col.cat.categories), True)
        source, edges, labels = BUCKET_COLUMNS[by]
        cat = bucket(frame[source].to_numpy(dtype="float64", na_value=np.nan), edges, labels)
        return _Grouping(by, cat.codes.astype(np.int64), list(labels), True)
    if by not in frame:
        known = ", ".join([*BUCKET_COLUMNS, *MULTI_COLUMNS])
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
        labels = [*labels, NONE_GROUP]
    return _Grouping(by, codes, labels, False)


def client_codes(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Each row's client as 0..C-1, C where unknown, and C.

    Store ids are small whole numbers, so they serve as codes as they are (no hashing);
    anything else is factorised.
    """
    col = frame["client_id"]
    if not len(col):
        return np.zeros(0, dtype=np.int64), 1
    try:
        ids = col.to_numpy(dtype="int64", na_value=-1)
    except (TypeError, ValueError):
        ids = None
    if ids is not None:
        low, top = int(ids.min()), int(ids.max())
        if low >= -1 and top < 4 * len(ids) + 1024:
            c = top + 1
            return (np.where(ids < 0, c, ids) if low < 0 else ids), c
    codes, uniques = pd.factorize(col)
    c = len(uniques)
    return np.where(codes < 0, c, codes).astype(np.int64), c


def reply_status(frame: pd.DataFrame) -> np.ndarray:
    """0 = still waiting, 1 = settled with no reply in the window, 2 = settled with one."""
    pending = frame["pending"].to_numpy(dtype=bool)
    responded = frame["responded"].to_numpy(dtype=bool) & ~pending
    return (~pending).view(np.int8) + responded.view(np.int8)


@dataclass(frozen=True)
class _Tally:
    """Per group: all interviews, pending, settled (n), replies (y), and ClusterSums."""

    total: np.ndarray
    pending: np.ndarray
    n: np.ndarray
    y: np.ndarray
    sums: ClusterSums

    def take(self, rows: np.ndarray) -> _Tally:
        s = self.sums
        return _Tally(
            self.total[rows], self.pending[rows], self.n[rows], self.y[rows],
            ClusterSums(s.clients[rows], s.nn[rows], s.yn[rows], s.yy[rows], s.repeated),
        )  # fmt: skip

    @staticmethod
    def joined(parts: list[_Tally]) -> _Tally:
        """Tallies of consecutive groups, one after another."""
        if len(parts) == 1:
            return parts[0]

        def cat(name: str, of_sums: bool = False) -> np.ndarray:
            return np.concatenate([getattr(t.sums if of_sums else t, name) for t in parts])

        return _Tally(
            cat("total"), cat("pending"), cat("n"), cat("y"),
            ClusterSums(
                cat("clients", True), cat("nn", True), cat("yn", True), cat("yy", True),
                any(t.sums.repeated for t in parts),
            ),
        )  # fmt: skip


#: Cells of a (group, client, status) count counted at once (48 MB): more groups than
#: fit are counted a few at a time.
_DENSE_LIMIT = 6_000_000


def _tally_of_cube(cube: np.ndarray, c: int) -> _Tally:
    """From counts shaped (group, client (last = unknown), status)."""
    pending = cube[:, :, 0].sum(axis=1)
    n = cube[:, :, 1].sum(axis=1) + cube[:, :, 2].sum(axis=1)
    y = cube[:, :, 2].sum(axis=1)
    per_n = (cube[:, :c, 1] + cube[:, :c, 2]).astype(float)
    per_y = cube[:, :c, 2].astype(float)
    sums = ClusterSums(
        clients=(per_n > 0).sum(axis=1),
        nn=(per_n * per_n).sum(axis=1),
        yn=(per_y * per_n).sum(axis=1),
        yy=(per_y * per_y).sum(axis=1),
        repeated=bool((per_n > 1).any()),
    )
    return _Tally(pending + n, pending, n, y, sums)


def _exploded(codes: np.ndarray, m: int, members: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows repeated once for each group their code belongs to: (row, group) pairs."""
    groups_of = [[s for s, codes_in in enumerate(members) if j in codes_in] for j in range(m)]
    sizes = np.array([len(x) for x in groups_of], dtype=np.int64)
    flat = np.array([s for x in groups_of for s in x], dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    reps = sizes[codes]
    rows = np.repeat(np.arange(codes.size), reps)
    offset = np.arange(rows.size) - np.repeat(np.cumsum(reps) - reps, reps)
    return rows, flat[np.repeat(first[codes], reps) + offset]


def _tally(
    frame: pd.DataFrame, codes: np.ndarray, m: int, members: list[list[int]] | None = None
) -> _Tally:
    """Counts and cluster sums per group for rows coded 0..m-1.

    ``members[s]`` lists the codes that belong to group s (a combination of scripts
    counts once for each script in it); groups are then ``range(len(members))``. Each
    (group, client, status) is counted by one ``bincount``, a few groups at a time when
    they do not all fit in :data:`_DENSE_LIMIT` cells: no sort, whatever the order.
    """
    st = reply_status(frame)
    cl, c = client_codes(frame)
    if members is not None:
        rows, codes = _exploded(codes, m, members)
        st, cl, m = st[rows], cl[rows], len(members)
    width = c + 1
    step = max(1, _DENSE_LIMIT // (width * 3))
    parts = []
    for low in range(0, max(m, 1), step):
        high = min(m, low + step)
        g, k, s = codes, cl, st
        if low > 0 or high < m:
            chosen = (codes >= low) & (codes < high)
            g, k, s = codes[chosen] - low, cl[chosen], st[chosen]
        size = (high - low) * width * 3
        cube = np.bincount((g * width + k) * 3 + s, minlength=size).reshape(high - low, width, 3)
        parts.append(_tally_of_cube(cube, c))
    return _Tally.joined(parts)


def _counts(frame: pd.DataFrame, g: _Grouping) -> tuple[pd.DataFrame, ClusterSums]:
    """n (settled), responded, pending and clients per group, in the grouping's order."""
    t = _tally(frame, g.codes, len(g.labels))
    if not g.keep_empty:
        t = t.take(np.flatnonzero(t.total > 0))
        labels = [lab for lab, used in zip(g.labels, _used(g), strict=True) if used]
    else:
        labels = g.labels
    return _table_of(t, labels, g.name), t.sums


def _used(g: _Grouping) -> np.ndarray:
    return np.bincount(g.codes, minlength=len(g.labels)) > 0


def _table_of(t: _Tally, labels: list[Any], name: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"n": t.n, "responded": t.y, "pending": t.pending, "clients": t.sums.clients},
        index=pd.Index(labels, name=name, dtype=object),
    ).astype("int64")


def split_combos(labels: list[Any]) -> tuple[list[str], list[list[int]]]:
    """Script names in table order, and for each combination the names it holds."""
    parts = [str(lab).split(", ") for lab in labels]
    names = sorted({p for part in parts for p in part} - {NONE_GROUP})
    if any(NONE_GROUP in part for part in parts):
        names.append(NONE_GROUP)
    index = {name: i for i, name in enumerate(names)}
    return names, [[index[p] for p in part] for part in parts]


def _exploded_counts(frame: pd.DataFrame, by: str) -> tuple[pd.DataFrame, ClusterSums]:
    """Counts per script (or script version): an interview counts once in each it used."""
    g = grouping(frame, MULTI_COLUMNS[by])
    names, parts = split_combos(g.labels)
    members = [[j for j, part in enumerate(parts) if i in part] for i in range(len(names))]
    t = _tally(frame, g.codes, len(g.labels), members)
    used = np.flatnonzero(t.total > 0)
    t = t.take(used)
    return _table_of(t, [names[i] for i in used], by), t.sums


def _rate_table(
    counts: pd.DataFrame, min_n: int, sums: ClusterSums, interval: str = "wilson"
) -> pd.DataFrame:
    n = counts["n"].to_numpy(dtype="int64")
    r = counts["responded"].to_numpy(dtype="int64")
    kind = resolve_interval(interval, sums.repeated)
    lo, hi = cluster_interval(r, n, sums) if kind == "cluster" else wilson_interval(r, n)
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
            "clients": counts["clients"].to_numpy(dtype="int64"),
        },
        index=counts.index,
    )
    table.attrs = {"interval": kind}
    return table


def response_rates(
    frame: pd.DataFrame, by: str, *, min_n: int = 5, interval: str = "wilson"
) -> pd.DataFrame:
    """Share of settled interviews that got a reply within the window, per group.

    Parameters
    ----------
    frame
        From :func:`~followup_kit.analysis.analysis_frame` (filtered as you like).
    by
        ``"thank_you_timing"`` (same day, 1 day, 2-3 days, 4-7 days, 8+ days, none),
        ``"status_check_timing"`` (0-3, 4-7, 8-14, 15+ days, none), ``"script_id"`` or
        ``"script_version"`` (scripts sent before the first reply; an interview that used
        two scripts counts in both groups), or any column of the frame (such as
        ``thank_you_channel``, ``round``, ``client``). Missing values form a "none" group.
    min_n
        Groups with fewer settled interviews than this are flagged ``too_few``.
    interval
        ``"wilson"`` (the default): the Wilson score interval, which counts every
        interview as independent. ``"cluster"``: an interval that allows for clients
        with several interviews, whose habits and luck go together (see
        :func:`cluster_interval`: a closed-form cluster-robust variance, Wilson-shaped
        with an effective sample size and a t quantile on clients - 1 degrees of
        freedom). ``"auto"``: ``"cluster"`` when any client has more than one settled
        interview in a group, else ``"wilson"`` (what the dashboards use).

    Returns
    -------
    DataFrame
        Indexed by group (named ``by``) with ``n`` (settled interviews), ``responded``,
        ``rate``, ``ci_low``, ``ci_high`` (95%), ``pending`` (too early to judge, left
        out of ``n``), ``too_few`` and ``clients`` (distinct clients behind ``n``).
        ``table.attrs["interval"]`` says which interval it holds (``"wilson"`` or
        ``"cluster"``).

    Notes
    -----
    In the status-check buckets, "none" also holds interviews answered before any check
    was due; :func:`~followup_kit.evidence.rule_evidence` compares only interviews still
    waiting.

    Why a closed-form interval and not a bootstrap or a model per group: it is one pass
    of counts (a million interviews add a few tens of milliseconds), gives the same
    answer every time (a bootstrap's random draws would move the numbers between two
    looks at the same data), and behaves where a cluster bootstrap does not: with a
    handful of clients the bootstrap has few distinct resamples and is too narrow, and
    at 0% or 100% every resample agrees, giving a zero-width interval. The model-based
    (GEE) machinery is kept for :func:`~followup_kit.adjusted.adjusted_compare`.
    """
    if by in MULTI_COLUMNS:
        counts, sums = _exploded_counts(frame, by)
    else:
        counts, sums = _counts(frame, grouping(frame, by))
    counts.index.name = by
    table = _rate_table(counts, min_n, sums, interval)
    table.attrs = {
        "window_days": frame.attrs.get("window_days", 30),
        "by": by,
        "interval": table.attrs["interval"],
    }
    return table


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
    g = grouping(frame, by)
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
    sub = frame.iloc[np.flatnonzero(ok)] if not ok.all() else frame
    cube = np.bincount(g.codes * 3 + reply_status(sub), minlength=m * 3).reshape(m, 3)
    counts = pd.DataFrame(
        {"n": cube[:, 1] + cube[:, 2], "responded": cube[:, 2], "pending": cube[:, 0]},
        index=pd.Index(g.labels, name="client_id"),
    ).assign(clients=1)
    none = ClusterSums(np.ones(m, np.int64), *(np.zeros(m),) * 3, False)  # type: ignore[arg-type]
    rates = _rate_table(counts, min_n, none).drop(columns="clients")
    size = np.bincount(codes, minlength=m)
    first = np.full(m, -1)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # first row of each client
    sub = frame.iloc[np.flatnonzero(ok)] if not ok.all() else frame
    sent = sub["thank_you_date"].notna().to_numpy()
    delay = sub["thank_you_delay_days"].to_numpy(dtype="float64", na_value=np.nan)
    day = day_numbers(sub["interview_date"])
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
            "last_interview": dates_from_numbers(np.where(np.isfinite(last), last, np.nan)),
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


def by_script(
    frame: pd.DataFrame, *, versions: bool = True, min_n: int = 5, interval: str = "wilson"
) -> pd.DataFrame:
    """Reply rates by script (and version) sent before the first reply.

    An interview that used two scripts counts once in each; "none" holds interviews
    where no script was recorded. Same columns (and ``interval`` choices) as
    :func:`response_rates`. Scripts for a later step (a second follow-up) go out only
    when no reply came to an earlier message, so their rates start lower: compare
    scripts used at the same step (``followup_kit.dashboard_data`` marks them).
    """
    by = "script_version" if versions else "script_id"
    return response_rates(frame, by, min_n=min_n, interval=interval)


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
    day = pd.Timestamp(as_day(today))
    iv = tables["interviews"]
    iv = iv[iv["client_id"] == client_id]
    ids = iv["id"]
    fu = tables.get("follow_ups", empty_table("follow_ups"))
    rs = tables.get("responses", empty_table("responses"))
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


def dashboard_tables(
    frame: pd.DataFrame, *, min_n: int = 5, interval: str = "auto"
) -> dict[str, pd.DataFrame]:
    """Every table the coach dashboard shows, from one (filtered) analysis frame.

    Keys: ``thank_you_timing``, ``status_check_timing``, ``channel``, ``script``,
    ``round``, ``funnel``, ``time_to_response`` and ``curves`` (Kaplan-Meier by
    thank-you timing), ``clients``. Rates carry the ``interval`` asked for (by default
    the cluster interval whenever a client has several interviews in a group).
    """
    fits = _km_fits(frame, "thank_you_timing")  # one fit each for the summary and the curves

    def rates(by: str) -> pd.DataFrame:
        return response_rates(frame, by, min_n=min_n, interval=interval)

    return {
        "thank_you_timing": rates("thank_you_timing"),
        "status_check_timing": rates("status_check_timing"),
        "channel": rates("thank_you_channel"),
        "script": rates("script_id"),
        "round": rates("round"),
        "funnel": funnel(frame),
        "time_to_response": _km_summary(
            fits, "thank_you_timing", frame.attrs.get("window_days", 30)
        ),
        "curves": _km_curves(fits),
        "clients": by_client(frame, min_n=min_n),
    }
