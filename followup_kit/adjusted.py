"""Adjusted comparisons: a habit's reply rate, like for like on round, format and route.

A habit can look good because of who uses it: clients in final rounds may both thank
faster and hear back more often. :func:`adjusted_compare` fits a logistic model of "got
a reply within the window" on the habit and the interview's round, format and contact
route, allowing for clients with several interviews, and reports the difference the
habit makes with those held equal, beside the raw difference.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .analytics import client_codes
from .comparison import Comparison, compare, group_mask
from .exceptions import AnalyticsError

__all__ = ["COVARIATES", "AdjustedComparison", "adjusted_compare"]

#: What the adjusted comparison holds equal by default.
COVARIATES: tuple[str, ...] = ("round", "format", "contact_route")

_WORDS = {"round": "round", "format": "format", "contact_route": "contact route"}


@dataclass(frozen=True)
class AdjustedComparison:
    """The raw comparison and the adjusted one, in percentage points, with a reading."""

    raw: Comparison
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    covariates: tuple[str, ...]
    interviews: int
    clients: int
    pooled: dict[str, list[str]]
    reading: str

    def __str__(self) -> str:
        return self.reading

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (the raw comparison as a nested dict)."""
        return asdict(self)


def _pool_rare(values: pd.Series, min_rows: int) -> tuple[pd.Series, list[str], str]:
    """Levels with fewer than ``min_rows`` interviews counted with the most common one.

    Returns the values, the rare levels and the level they joined. A rare level carries
    little information, and one whose few interviews all went one way would otherwise
    leave the model without a finite answer.
    """
    counts = values.value_counts()
    common = str(counts.index[0]) if len(counts) else ""
    rare = sorted(str(v) for v in counts.index[counts < min_rows] if str(v) != common)
    if rare:
        values = values.where(~values.isin(rare), common)
    return values, rare, common


def _label(column: str, value: object) -> str:
    return schema.choice_label(column, value).lower()


def adjusted_compare(
    frame: pd.DataFrame,
    by: str,
    a: object,
    b: object,
    *,
    covariates: Sequence[str] = COVARIATES,
    min_clients: int = 10,
    min_n: int = 10,
    min_level: int = 20,
) -> AdjustedComparison:
    """Compare group ``a`` with group ``b`` of a habit, holding round, format and route equal.

    Parameters
    ----------
    frame
        From :func:`~followup_kit.analysis.analysis_frame`.
    by, a, b
        As for :func:`~followup_kit.comparison.compare` (for example
        ``"thank_you_timing", ["same day", "1 day"], ["2-3 days", "4-7 days", "8+ days", "none"]``).
    covariates
        Columns of the frame held equal (default: round, format, contact route).
    min_clients
        Fewer clients than this in the comparison: refused (the robust errors need many
        clients to be trusted).
    min_n
        Fewer settled interviews than this on either side: refused.
    min_level
        A value of a covariate with fewer interviews than this is counted with the most
        common value (``pooled`` lists them, last the value they joined).

    Returns
    -------
    AdjustedComparison
        ``raw`` (the :class:`~followup_kit.comparison.Comparison` with the cluster
        interval), ``difference`` (adjusted, as a share: 0.05 is 5 percentage points)
        with ``ci_low``, ``ci_high`` and ``p_value``, the clients and interviews used,
        and ``reading``, a paragraph in plain words.

    Raises
    ------
    AnalyticsError
        When the data cannot support the model: too few clients or interviews, a
        covariate with one value only, or a group where every interview went the same
        way (perfect separation: the model would have no finite answer).

    Notes
    -----
    The model is a logistic regression fitted by generalised estimating equations
    (statsmodels GEE, binomial family, independence working correlation) grouped by
    client, with robust (sandwich) errors and the Mancl-DeRouen small-sample correction.
    The independence working correlation gives the same estimates as an ordinary
    logistic regression, so a client with many interviews cannot pull them through a
    correlation guess, while the robust errors still allow for a client's interviews
    going together. The adjusted difference is the average marginal effect: each
    settled interview's predicted chance of a reply with the habit minus without it,
    averaged, with a delta-method interval on clients - 1 degrees of freedom. It is
    still observational: it holds equal only what the model sees.
    """
    with_habit = group_mask(frame, by, a)
    without = group_mask(frame, by, b) & ~with_habit
    raw = compare(frame, by, a, b, min_n=min_n, interval="cluster")
    rows = (with_habit | without) & frame["settled"].to_numpy(dtype=bool)
    data = frame.loc[rows]
    habit = with_habit[rows].astype(float)
    y = data["responded"].to_numpy(dtype=float)
    clients, _ = client_codes(data)
    n_clients = len(np.unique(clients))
    if raw.n_a < min_n or raw.n_b < min_n:
        raise AnalyticsError(
            f"Too few interviews to adjust: {raw.n_a} settled on one side and {raw.n_b} "
            f"on the other; at least {min_n} on each side are needed."
        )
    if n_clients < min_clients:
        raise AnalyticsError(
            f"Too few clients to adjust: {n_clients} (at least {min_clients} are needed "
            "for the model's intervals to be trusted)."
        )
    if y.min() == y.max():
        what = "got a reply" if y[0] else "went without a reply"
        raise AnalyticsError(f"Every interview compared {what}: there is no difference to explain.")
    design = {"habit": habit}
    pooled: dict[str, list[str]] = {}
    for column in covariates:
        if column not in data:
            raise AnalyticsError(f"Cannot hold {column!r} equal: no such column.")
        values = data[column].astype(object).fillna("not recorded").astype(str)
        values, rare, common = _pool_rare(values, min_level)
        if rare:
            pooled[column] = [_label(column, v) for v in rare] + [_label(column, common)]
        levels = sorted(values.unique())
        if len(levels) < 2:
            only = _label(column, levels[0]) if levels else "nothing"
            raise AnalyticsError(
                f"Every interview compared has the same {_WORDS.get(column, column)} "
                f"({only}), so it cannot be held equal: leave it out with "
                f"covariates=[...] without {column!r}."
            )
        for level in levels:  # separation: a level where every interview went one way
            inside = (values == level).to_numpy()
            if y[inside].min() == y[inside].max():
                outcome = "got a reply" if y[inside][0] else "went without a reply"
                raise AnalyticsError(
                    f"Every interview with {_WORDS.get(column, column)} "
                    f"{_label(column, level)} {outcome}, so the model has no finite answer "
                    f"(perfect separation). Leave {column!r} out, or wait for more data."
                )
        for level in levels[1:]:
            design[f"{column}={level}"] = (values == level).to_numpy(dtype=float)
    for side, mask in (("with the habit", habit == 1), ("without it", habit == 0)):
        if y[mask].min() == y[mask].max():
            outcome = "got a reply" if y[mask][0] else "went without a reply"
            raise AnalyticsError(
                f"Every interview {side} {outcome}, so the model has no finite answer "
                "(perfect separation)."
            )
    x = _independent_columns(np.column_stack([np.ones(len(y)), *design.values()]))
    beta, cov = _fit(y, x, clients)
    with_x, without_x = x.copy(), x.copy()
    with_x[:, 1], without_x[:, 1] = 1.0, 0.0
    p1, p0 = _expit(with_x @ beta), _expit(without_x @ beta)
    ame = float(np.mean(p1 - p0))
    grad = ((p1 * (1 - p1))[:, None] * with_x - (p0 * (1 - p0))[:, None] * without_x).mean(0)
    se = math.sqrt(max(float(grad @ cov @ grad), 0.0))
    from scipy import stats

    df = max(n_clients - 1, 1)
    half = float(stats.t.ppf(0.975, df)) * se
    p = float(2 * stats.t.sf(abs(ame) / se, df)) if se > 0 else math.nan
    lo, hi = max(ame - half, -1.0), min(ame + half, 1.0)
    return AdjustedComparison(
        raw=raw,
        difference=ame,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        covariates=tuple(covariates),
        interviews=len(y),
        clients=n_clients,
        pooled=pooled,
        reading=_reading(raw, ame, lo, hi, tuple(covariates), len(y), n_clients, pooled),
    )


def _independent_columns(x: np.ndarray) -> np.ndarray:
    """Drop columns another set already fixes (a phone screen is always by phone, say).

    The intercept and the habit (the first two columns) always stay.
    """
    keep = [0, 1]
    for j in range(2, x.shape[1]):
        if np.linalg.matrix_rank(x[:, [*keep, j]]) == len(keep) + 1:
            keep.append(j)
    return x[:, keep]


def _expit(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GEE logistic fit: coefficients and their robust covariance (refusing bad fits)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    model = sm.GEE(
        y, x, groups=groups, family=sm.families.Binomial(), cov_struct=sm.cov_struct.Independence()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            result = model.fit(maxiter=100, cov_type="bias_reduced")
        except (ConvergenceWarning, PerfectSeparationWarning, np.linalg.LinAlgError) as err:
            raise AnalyticsError(
                "The model could not be fitted to these interviews (some combination of "
                "round, format and route went all one way, or the groups are too small); "
                "compare without adjusting, or wait for more data."
            ) from err
    beta = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    if not (np.isfinite(beta).all() and np.isfinite(cov).all()) or np.abs(beta).max() > 15:
        raise AnalyticsError(
            "The model's answer runs off to certainty (near-perfect separation: some "
            "group of interviews went all one way), so it is not shown; compare without "
            "adjusting, or wait for more data."
        )
    return beta, cov


def _points(x: float) -> str:
    return f"{100 * x:+.0f}"


def _reading(
    raw: Comparison,
    ame: float,
    lo: float,
    hi: float,
    covariates: tuple[str, ...],
    interviews: int,
    clients: int,
    pooled: dict[str, list[str]],
) -> str:
    held = [_WORDS.get(c, c.replace("_", " ")) for c in covariates]
    held_text = ", ".join(held[:-1]) + f" and {held[-1]}" if len(held) > 1 else held[0]
    text = (
        f"Raw: {_points(raw.difference)} percentage points (95% interval "
        f"{_points(raw.ci_low)} to {_points(raw.ci_high)}), from {interviews} settled "
        f"interviews of {clients} clients. Holding {held_text} equal (a logistic model "
        f"that allows for clients with several interviews): {_points(ame)} percentage "
        f"points (95% interval {_points(lo)} to {_points(hi)}). "
    )
    for column, levels in pooled.items():
        *rare, common = levels
        text += (
            f"(Few interviews had {_WORDS.get(column, column)} {' or '.join(rare)}: they "
            f"are counted with {common}.) "
        )
    gap = raw.difference - ame
    if abs(gap) >= 0.02 and abs(raw.difference) > abs(ame):
        text += (
            f"About {abs(100 * gap):.0f} of the raw {abs(100 * raw.difference):.0f} points "
            f"went with who used the habit (their {held_text}), not with the habit itself. "
        )
    elif abs(gap) >= 0.02:
        text += (
            f"Holding {held_text} equal makes the gap larger: those who used the habit "
            "were, if anything, in interviews that get fewer replies. "
        )
    else:
        text += f"{held_text[0].upper() + held_text[1:]} explain little of the gap. "
    if lo > 0 or hi < 0:
        text += (
            "Even with them held equal, a gap this large would be unlikely if the habit "
            "made no difference. "
        )
    else:
        text += (
            "With them held equal, the interval includes zero: the data cannot tell the "
            "groups apart. "
        )
    text += (
        "This is still observational: the model holds equal only what it sees, and clients "
        "who follow a habit may differ in other ways (keener, better prepared)."
    )
    return text
