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
    "INTERVALS",
    "Comparison",
    "cluster_interval",
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

#: The intervals a rate can carry: ``"wilson"`` treats every interview as independent;
#: ``"cluster"`` allows for clients with several interviews; ``"auto"`` picks ``"cluster"``
#: whenever a client has more than one settled interview in a group of the table.
INTERVALS: tuple[str, ...] = ("wilson", "cluster", "auto")

#: How each interval is named on a page, beside the table that shows it.
INTERVAL_WORDS: dict[str, str] = {
    "wilson": "95% interval (Wilson: each interview counted as independent)",
    "cluster": "95% interval allowing for clients with several interviews",
}

_Z95 = 1.959963984540054


def _check_interval(interval: str) -> None:
    if interval not in INTERVALS:
        raise AnalyticsError(f"interval must be one of {', '.join(INTERVALS)}; got {interval!r}.")


def _wilson(p: np.ndarray, n: np.ndarray, z: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score bounds for share ``p`` of ``n`` (n may be fractional), quantile ``z``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z2 = np.asarray(z, dtype=float) ** 2
        denom = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denom
        half = np.sqrt(z2) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def wilson_interval(responded: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from statsmodels.stats.proportion import proportion_confint

    lo = np.full(len(n), np.nan)
    hi = np.full(len(n), np.nan)
    ok = n > 0
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(responded[ok], n[ok], alpha=0.05, method="wilson")
    return lo, hi


@dataclass(frozen=True)
class ClusterSums:
    """Per group: the sums over clients that a cluster-robust variance needs.

    For client i of a group with ``n_i`` settled interviews and ``y_i`` replies:
    ``clients`` (how many clients have any), ``nn`` = sum n_i², ``yn`` = sum y_i n_i,
    ``yy`` = sum y_i², and ``repeated`` (some client has more than one).
    """

    clients: np.ndarray
    nn: np.ndarray
    yn: np.ndarray
    yy: np.ndarray
    repeated: bool


def cluster_interval(
    responded: np.ndarray, n: np.ndarray, sums: ClusterSums
) -> tuple[np.ndarray, np.ndarray]:
    """95% bounds for reply rates that allow for clients with several interviews.

    The rate is a ratio estimator (all replies over all interviews of the group's
    clients) with its cluster-robust (sandwich, linearisation) variance
    ``v = G/(G-1) * sum_i (y_i - p n_i)² / N²`` over the G clients. That variance gives
    an effective number of interviews ``p(1-p)/v`` (the interviews divided by the design
    effect, never more than the interviews themselves), and the bounds are Wilson's for
    that many, with Student's t quantile on G-1 degrees of freedom instead of 1.96
    (Korn and Graubard 1998). So the bounds stay inside 0-100%, widen when a group holds
    few clients, and match Wilson's closely when each client has one interview. When
    every interview of a group went the same way (0% or 100%), the data cannot show how
    alike a client's interviews are, so the worst case is assumed: every client's
    interviews all go together (effective number N²/sum n_i²). A group with one client
    gets 0 to 100%: one person's luck says nothing about anyone else.
    """
    from scipy import stats

    n = np.asarray(n, dtype=float)
    y = np.asarray(responded, dtype=float)
    g = np.asarray(sums.clients, dtype=float)
    lo = np.full(len(n), np.nan)
    hi = np.full(len(n), np.nan)
    ok = n > 0
    if not ok.any():
        return lo, hi
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(ok, y / np.maximum(n, 1), np.nan)
        spread = sums.yy - 2 * p * sums.yn + p * p * sums.nn
        v = g / (g - 1) * np.maximum(spread, 0) / (n * n)
        inner = (p > 0) & (p < 1)
        n_eff = np.where(inner, p * (1 - p) / v, n * n / sums.nn)
        n_eff = np.where(np.isfinite(n_eff), np.minimum(n_eff, n), n)
        z = stats.t.ppf(0.975, np.maximum(g - 1, 1))
    low, high = _wilson(p, n_eff, z)
    many = ok & (g >= 2)
    lo[many], hi[many] = low[many], high[many]
    one = ok & (g < 2)
    lo[one], hi[one] = 0.0, 1.0
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


def _status(frame: pd.DataFrame) -> np.ndarray:
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


_DENSE_LIMIT = 6_000_000  # cells of a group x client x status count (48 MB)


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


def _tally_of_pairs(
    g: np.ndarray, cl: np.ndarray, st: np.ndarray, cnt: np.ndarray, m: int, c: int
) -> _Tally:
    """From (group, client, status, count) rows, which may repeat."""

    def per_group(sel: np.ndarray) -> np.ndarray:
        return np.bincount(g[sel], weights=cnt[sel], minlength=m).astype(np.int64)

    pending, no, yes = per_group(st == 0), per_group(st == 1), per_group(st == 2)
    known = (cl < c) & (st > 0)
    width = c + 1
    key = g[known] * width + cl[known]
    uniq, inv = np.unique(key, return_inverse=True)
    per_n = np.bincount(inv, weights=cnt[known]).astype(float)
    per_y = np.bincount(inv, weights=cnt[known] * (st[known] == 2)).astype(float)
    gk = uniq // width
    sums = ClusterSums(
        clients=np.bincount(gk, weights=per_n > 0, minlength=m).astype(np.int64),
        nn=np.bincount(gk, weights=per_n * per_n, minlength=m),
        yn=np.bincount(gk, weights=per_y * per_n, minlength=m),
        yy=np.bincount(gk, weights=per_y * per_y, minlength=m),
        repeated=bool((per_n > 1).any()),
    )
    return _Tally(pending + no + yes, pending, no + yes, yes, sums)


def _tally(
    frame: pd.DataFrame, codes: np.ndarray, m: int, members: list[list[int]] | None = None
) -> _Tally:
    """Counts and cluster sums per group for rows coded 0..m-1.

    ``members[s]`` lists the codes that belong to group s (a combination of scripts
    counts once for each script in it); groups are then ``range(len(members))``.
    """
    st = _status(frame)
    cl, c = client_codes(frame)
    width = c + 1
    if m * width * 3 <= _DENSE_LIMIT:
        key = (codes * width + cl) * 3 + st
        cube = np.bincount(key, minlength=m * width * 3).reshape(m, width, 3)
        if members is not None:
            spread = np.zeros((len(members), width, 3), dtype=np.int64)
            for s, codes_in in enumerate(members):
                for j in codes_in:
                    spread[s] += cube[j]
            cube = spread
        return _tally_of_cube(cube, c)
    key = (codes * width + cl) * 3 + st
    uniq, cnt = np.unique(key, return_counts=True)
    g, rest = uniq // (width * 3), uniq % (width * 3)
    cl_k, st_k = rest // 3, rest % 3
    if members is not None:
        groups_of = [
            np.array([i for i, codes_in in enumerate(members) if j in codes_in], np.int64)
            for j in range(m)
        ]
        reps = np.array([len(x) for x in groups_of], dtype=np.int64)[g]
        flat = np.concatenate([*groups_of, np.zeros(0, np.int64)]).astype(np.int64)
        start = np.concatenate(([0], np.cumsum([len(x) for x in groups_of])[:-1]))
        which = np.repeat(np.arange(len(g)), reps)
        offset = np.arange(len(which)) - np.repeat(np.cumsum(reps) - reps, reps)
        g = flat[start[g][which] + offset]
        cl_k, st_k, cnt = cl_k[which], st_k[which], cnt[which]
        m = len(members)
    return _tally_of_pairs(g, cl_k, st_k, cnt.astype(float), m, c)


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


def _split_combos(labels: list[Any]) -> tuple[list[str], list[list[int]]]:
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
    names, parts = _split_combos(g.labels)
    members = [[j for j, part in enumerate(parts) if i in part] for i in range(len(names))]
    t = _tally(frame, g.codes, len(g.labels), members)
    used = np.flatnonzero(t.total > 0)
    t = t.take(used)
    return _table_of(t, [names[i] for i in used], by), t.sums


def resolve_interval(interval: str, repeated: bool) -> str:
    """``"auto"`` -> ``"cluster"`` when a client has several interviews in a group."""
    _check_interval(interval)
    if interval == "auto":
        return "cluster" if repeated else "wilson"
    return interval


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
    clients_a: int = 0
    clients_b: int = 0
    interval: str = "wilson"
    ci_low_a: float = math.nan
    ci_high_a: float = math.nan
    ci_low_b: float = math.nan
    ci_high_b: float = math.nan

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


@dataclass(frozen=True)
class Sides:
    """Two sets of settled interviews, per client: what a cluster-aware comparison needs.

    ``n_a[i]``, ``y_a[i]``: client i's settled interviews and replies on side a (same for
    b), over every client with any on either side.
    """

    n_a: np.ndarray
    y_a: np.ndarray
    n_b: np.ndarray
    y_b: np.ndarray

    @staticmethod
    def prepare(frame: pd.DataFrame) -> tuple[np.ndarray, int]:
        """What :meth:`of` needs from the frame for any masks: reuse it for many pairs."""
        cl, c = client_codes(frame)
        return cl * 9 + _status(frame), c  # 0 waiting, 1 no reply, 2 reply

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        a: np.ndarray,
        b: np.ndarray,
        prepared: tuple[np.ndarray, int] | None = None,
    ) -> Sides:
        """From row masks ``a`` and ``b`` (only settled rows count; a row in both is a's).

        ``prepared`` is :meth:`prepare` of the frame, when the caller has it already.
        """
        base, c = prepared if prepared is not None else cls.prepare(frame)
        a = np.asarray(a, dtype=bool)
        b = np.asarray(b, dtype=bool) & ~a
        side = 2 - 2 * a.view(np.int8) - b.view(np.int8)  # 0 a, 1 b, 2 neither
        cube = np.bincount(base + 3 * side, minlength=(c + 1) * 9)
        cube = cube.reshape(c + 1, 3, 3)[:c].astype(float)
        n_a, y_a = cube[:, 0, 1] + cube[:, 0, 2], cube[:, 0, 2]
        n_b, y_b = cube[:, 1, 1] + cube[:, 1, 2], cube[:, 1, 2]
        used = (n_a + n_b) > 0
        return cls(n_a[used], y_a[used], n_b[used], y_b[used])

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return (
            int(self.y_a.sum()), int(self.n_a.sum()), int(self.y_b.sum()), int(self.n_b.sum())
        )  # fmt: skip

    @property
    def clients(self) -> tuple[int, int]:
        return int((self.n_a > 0).sum()), int((self.n_b > 0).sum())

    @property
    def repeated(self) -> bool:
        return bool((self.n_a > 1).any() or (self.n_b > 1).any())

    def _sums(self, n: np.ndarray, y: np.ndarray) -> ClusterSums:
        used = n > 0
        return ClusterSums(
            np.array([used.sum()]),
            np.array([(n * n).sum()]),
            np.array([(y * n).sum()]),
            np.array([(y * y).sum()]),
            bool((n > 1).any()),
        )

    def intervals(self) -> tuple[float, float, float, float]:
        """Each side's cluster interval: (low a, high a, low b, high b)."""
        out = []
        for n, y in ((self.n_a, self.y_a), (self.n_b, self.y_b)):
            lo, hi = cluster_interval(np.array([y.sum()]), np.array([n.sum()]), self._sums(n, y))
            # (an empty side gives NaN bounds)
            out += [float(lo[0]), float(hi[0])]
        return out[0], out[1], out[2], out[3]

    def difference(self) -> tuple[float, float, float]:
        """Cluster-robust interval and p-value for rate a - rate b.

        Each side's bounds are its cluster interval; they are combined into bounds for
        the difference by the MOVER method (Newcombe's hybrid score interval, as
        :func:`compare` uses for Wilson), with the correlation between the two rates
        that clients on both sides bring (Zou and Donner 2008). The p-value is a
        cluster-robust Wald test on clients - 1 degrees of freedom ("no test possible"
        when every interview on both sides went the same way).
        """
        from scipy import stats

        ya, na, yb, nb = self.y_a.sum(), self.n_a.sum(), self.y_b.sum(), self.n_b.sum()
        pa, pb = ya / na, yb / nb
        la, ua, lb, ub = self.intervals()
        g = len(self.n_a)
        ea = (self.y_a - pa * self.n_a) / na  # each client's pull on each rate
        eb = (self.y_b - pb * self.n_b) / nb
        scale = g / (g - 1) if g > 1 else math.nan
        # plain sums, not BLAS dot products: those start threads, which a busy machine
        # makes slow
        va, vb = scale * float((ea * ea).sum()), scale * float((eb * eb).sum())
        cov = scale * float((ea * eb).sum())
        r = cov / math.sqrt(va * vb) if va > 0 and vb > 0 else 0.0
        r = min(max(r, -1.0), 1.0)
        d = pa - pb
        lo = d - math.sqrt(max((pa - la) ** 2 - 2 * r * (pa - la) * (ub - pb) + (ub - pb) ** 2, 0))
        hi = d + math.sqrt(max((ua - pa) ** 2 - 2 * r * (ua - pa) * (pb - lb) + (pb - lb) ** 2, 0))
        var = va + vb - 2 * cov
        if g > 1 and var > 0:
            p = float(2 * stats.t.sf(abs(d) / math.sqrt(var), g - 1))
        else:
            p = math.nan
        return max(lo, -1.0), min(hi, 1.0), p


_CLUSTER_TEST = "cluster-robust t-test"


def _side_words(n: int, clients: int | None) -> str:
    if clients is None:
        return f"{n}"
    return f"{n} settled interviews from {clients} client{'s' if clients != 1 else ''}"


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
    sides: Sides | None = None,
    interval: str = "wilson",
) -> Comparison:
    from statsmodels.stats.proportion import confint_proportions_2indep

    ra, na, rb, nb = counts
    name_a = label_a or _group_words(by, a)
    name_b = label_b or _group_words(by, b)
    rate_a = ra / na if na else math.nan
    rate_b = rb / nb if nb else math.nan
    diff = rate_a - rate_b
    kind = resolve_interval(interval, sides.repeated if sides is not None else False)
    if kind == "cluster" and sides is None:
        raise AnalyticsError("A cluster interval needs each client's interviews (sides).")
    ca, cb = sides.clients if sides is not None else (0, 0)
    lo = hi = math.nan
    if kind == "cluster":
        side_bounds = sides.intervals()  # type: ignore[union-attr]
    else:
        wl, wh = wilson_interval(np.array([ra, rb]), np.array([na, nb]))
        side_bounds = (float(wl[0]), float(wh[0]), float(wl[1]), float(wh[1]))
    if na and nb and kind == "cluster":
        lo, hi, p = sides.difference()  # type: ignore[union-attr]
        test = _CLUSTER_TEST
    else:
        if na and nb:
            lo, hi = (
                float(x)
                for x in confint_proportions_2indep(
                    ra, na, rb, nb, method="newcomb", compare="diff"
                )
            )
        p, test = _two_by_two(ra, na, rb, nb)
    small = min(na, nb) < min_n
    within = f"within {window_days} days" if window_days is not None else "within the window"
    with_clients = sides is not None
    if not na or not nb:
        empty = name_a if not na else name_b
        text = (
            f"There are no settled interviews {empty} yet, so there is nothing to "
            f"compare: too little data."
        )
    else:
        how = (
            "allowing for clients with several interviews"
            if kind == "cluster"
            else "counting each interview as independent"
        )
        side_a = _side_words(na, ca if with_clients else None)
        side_b = _side_words(nb, cb if with_clients else None)
        if not with_clients:
            side_a += " settled interviews"
        text = (
            f"Of {side_a} {name_a}, {ra} got a reply {within} "
            f"({_pct(rate_a)}); of {side_b} {name_b}, {rb} did ({_pct(rate_b)}). "
            f"The difference is {100 * diff:+.0f} percentage points (95% interval "
            f"{100 * lo:+.0f} to {100 * hi:+.0f}, {how}; {_p_text(p)}, {test}). "
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
        clients_a=int(ca),
        clients_b=int(cb),
        interval=kind,
        ci_low_a=side_bounds[0],
        ci_high_a=side_bounds[1],
        ci_low_b=side_bounds[2],
        ci_high_b=side_bounds[3],
    )


def group_mask(frame: pd.DataFrame, by: str, group: object) -> np.ndarray:
    """Rows in ``group`` of ``by`` (a value or a list of values pooled together).

    For scripts, an interview is in the group when it used any of the scripts named.
    Unknown timing buckets are refused; other unknown values simply match nothing.
    """
    wanted = list(group) if isinstance(group, list | tuple) else [group]
    if by in MULTI_COLUMNS:
        g = grouping(frame, MULTI_COLUMNS[by])
        names = {str(w) for w in wanted}
        all_names, members = _split_combos(g.labels)
        hit = [i for i, x in enumerate(members) if names & {all_names[j] for j in x}]
        return np.isin(g.codes, hit)
    g = grouping(frame, by)
    unknown = [w for w in wanted if w not in g.labels]
    if unknown and by in BUCKET_COLUMNS:
        raise AnalyticsError(
            f"{by} has no group {unknown[0]!r}; choose from {', '.join(map(str, g.labels))}."
        )
    hit = [i for i, label in enumerate(g.labels) if label in wanted]
    return np.isin(g.codes, hit)


def compare(
    frame: pd.DataFrame,
    by: str,
    a: object,
    b: object,
    *,
    min_n: int = 10,
    interval: str = "wilson",
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
        For scripts, an interview that used any of the scripts listed counts once.
    min_n
        Below this many settled interviews in either group, the reading says there is
        too little data.
    interval
        ``"wilson"`` (default): the Newcombe interval and Fisher's or chi-square test,
        counting every interview as independent. ``"cluster"``: an interval and test
        that allow for clients with several interviews (see :class:`Sides`).
        ``"auto"``: ``"cluster"`` when any client has more than one interview on a side.

    Returns
    -------
    Comparison
        Rates (with each side's 95% interval), the difference ``rate_a - rate_b`` with
        its 95% interval, a p-value, the clients on each side (``clients_a``,
        ``clients_b``), which ``interval`` was used, and ``reading``: a paragraph in
        plain words that says how many interviews and clients stand behind each side.
    """
    _check_interval(interval)
    sides = Sides.of(frame, group_mask(frame, by, a), group_mask(frame, by, b))
    return compare_counts(
        by,
        a,
        b,
        sides.counts,
        min_n=min_n,
        window_days=frame.attrs.get("window_days"),
        sides=sides,
        interval=interval,
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
    sub = frame.iloc[np.flatnonzero(ok)] if not ok.all() else frame
    cube = np.bincount(g.codes * 3 + _status(sub), minlength=m * 3).reshape(m, 3)
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
