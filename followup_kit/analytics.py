"""Coach analytics: reply rates, comparisons, time to reply and other views, measured honestly.

Everything starts from :func:`~followup_kit.analysis.analysis_frame`, one row per
interview with the derived columns (delays, reply, pending). The functions here turn it
into small tables: response rates with Wilson intervals, two-group comparisons with a
plain-words reading, Kaplan-Meier time to reply, a funnel, per-client and per-script
views. Each timing rule beside the data is in :mod:`~followup_kit.evidence`; the
anonymised views for a group are in :mod:`~followup_kit.workshop`.

All work is vectorised (numpy, pandas groupby); nothing loops over interviews.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
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

__all__ = [
    "FUNNEL_STAGES",
    "Comparison",
    "response_rates",
    "compare",
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

_OBSERVATIONAL = (
    "This is observational: clients chose what they did, and those who follow a habit "
    "may differ in other ways (keener, better prepared, applying for different roles), "
    "so it shows an association, not proof that the habit caused the replies."
)

# -- rates ------------------------------------------------------------------------------


def wilson_interval(responded: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    per_combo = _counts(frame, grouping(frame, MULTI_COLUMNS[by]))
    names = pd.Series(per_combo.index, index=per_combo.index).astype(str).str.split(", ")
    long = per_combo.assign(**{by: names.to_numpy()}).explode(by)
    table = long.groupby(by, sort=True)[["n", "responded", "pending"]].sum()
    order = [g for g in table.index if g != NONE_GROUP] + (
        [NONE_GROUP] if NONE_GROUP in table.index else []
    )
    return table.loc[order]


def _rate_table(counts: pd.DataFrame, min_n: int) -> pd.DataFrame:
    n = counts["n"].to_numpy(dtype="int64")
    r = counts["responded"].to_numpy(dtype="int64")
    lo, hi = wilson_interval(r, n)
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
        From :func:`~followup_kit.analysis.analysis_frame` (filtered as you like).
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
    was due; :func:`~followup_kit.evidence.rule_evidence` compares only interviews still waiting.
    """
    if by in MULTI_COLUMNS:
        counts = _exploded_counts(frame, by)
    else:
        counts = _counts(frame, grouping(frame, by))
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
    if by in BUCKET_COLUMNS:
        when = " or ".join(_WHEN_WORDS.get(str(g), f"after {g}") for g in parts)
        what = "the thank-you" if by == "thank_you_timing" else "the first status check"
        if parts == ["none"]:
            return f"where {what} was never sent"
        return f"where {what} went out {when}"
    return f"where {by.replace('_', ' ')} was {_describe(group)}"


def compare_counts(
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
        From :func:`~followup_kit.analysis.analysis_frame`.
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
        if unknown and by in BUCKET_COLUMNS:
            raise AnalyticsError(
                f"{by} has no group {unknown[0]!r}; choose from {', '.join(table.index)}."
            )
        rows = table.reindex([g for g in wanted if g in table.index])
        return int(rows["responded"].sum()), int(rows["n"].sum())

    ra, na = pooled(a)
    rb, nb = pooled(b)
    return compare_counts(
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
    counts = _counts(frame.iloc[np.flatnonzero(ok)] if not ok.all() else frame, g)
    rates = _rate_table(counts, min_n)
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
