"""Intervals for reply rates: Wilson's for independent interviews, cluster-robust by client.

A client logs many interviews and their habits and luck go together, so a rate's
interval that treats each interview as independent is too narrow when clients repeat.
:func:`cluster_interval` accounts for that; :func:`resolve_interval` picks the interval a
table shows (``"auto"``: the cluster one whenever a client has more than one interview
in a group).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exceptions import AnalyticsError

__all__ = [
    "INTERVALS",
    "INTERVAL_WORDS",
    "ClusterSums",
    "cluster_interval",
    "resolve_interval",
    "wilson_interval",
]

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


def check_interval(interval: str) -> None:
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


def resolve_interval(interval: str, repeated: bool) -> str:
    """``"auto"`` -> ``"cluster"`` when a client has several interviews in a group."""
    check_interval(interval)
    if interval == "auto":
        return "cluster" if repeated else "wilson"
    return interval
