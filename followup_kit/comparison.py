"""Compare two groups of interviews (a habit followed or not) and say what it means.

:func:`compare` gives each side's rate, the difference with its interval (Wilson's, or
cluster-robust by client) and a test, with a reading in plain words that says how many
interviews and clients stand behind each side, and that the data is observational.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from .analysis import BUCKET_COLUMNS
from .analytics import (
    MULTI_COLUMNS,
    OBSERVATIONAL,
    client_codes,
    grouping,
    reply_status,
    split_combos,
)
from .exceptions import AnalyticsError
from .intervals import (
    ClusterSums,
    check_interval,
    cluster_interval,
    resolve_interval,
    wilson_interval,
)

__all__ = ["Comparison", "Sides", "compare", "compare_counts", "group_mask"]


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
        return cl * 9 + reply_status(frame), c  # 0 waiting, 1 no reply, 2 reply

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
        text += OBSERVATIONAL
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
        all_names, members = split_combos(g.labels)
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
    check_interval(interval)
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
