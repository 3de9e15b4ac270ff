"""Workshop views: reply rates, funnel and curves for a group, anonymised.

No names, companies or ids can be grouped by, and groups with fewer than ``k`` distinct
clients are hidden (with one more when a single hidden group could be worked out from
the total), so a coach can show the results to the whole group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .analytics import MULTI_COLUMNS, NONE_GROUP, funnel, grouping, response_curves, response_rates
from .exceptions import AnalyticsError

__all__ = ["PRIVATE_COLUMNS", "TOO_FEW", "workshop_table", "workshop_funnel", "workshop_curves"]

#: Columns that identify a person or an employer: never grouped or shown in a workshop.
PRIVATE_COLUMNS: frozenset[str] = frozenset(
    {"client", "client_id", "company", "role", "interview_id", "notes", "username"}
)

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
    if by in MULTI_COLUMNS:
        combos = grouping(frame, MULTI_COLUMNS[by])
        parts = [str(c).split(", ") for c in combos.labels]
        names = sorted({p for part in parts for p in part} - {NONE_GROUP})
        names += [NONE_GROUP] if any(NONE_GROUP in part for part in parts) else []
        out = {}
        for name in names:
            holding = [i for i, part in enumerate(parts) if name in part]
            rows = np.isin(combos.codes, holding) & known
            out[name] = len(pd.unique(client_codes[rows]))
        return pd.Series(out, dtype="int64")
    g = grouping(frame, by)
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


def workshop_table(
    frame: pd.DataFrame, by: str, *, k: int = 5, min_n: int = 5, interval: str = "auto"
) -> pd.DataFrame:
    """Reply rates for showing a group: no names or companies, small groups hidden.

    Parameters
    ----------
    by
        A habit or setting (as in :func:`~followup_kit.analytics.response_rates`); names,
        companies and ids are refused with :class:`~followup_kit.exceptions.AnalyticsError`.
    k
        A group with fewer than ``k`` distinct clients is shown as "too few to show"
        with its numbers blanked. If that would leave exactly one hidden group, the next
        smallest is hidden too, so it cannot be worked out from the total.
    interval
        As for :func:`~followup_kit.analytics.response_rates`; the default ``"auto"``
        allows for clients with several interviews whenever any client has more than
        one in a group (``table.attrs["interval"]`` says which).

    Returns
    -------
    DataFrame
        Same columns as :func:`~followup_kit.analytics.response_rates` plus ``shown`` (bool)
        and ``note``.
    """
    _check_public(by)
    table = response_rates(frame, by, min_n=min_n, interval=interval)
    kind = table.attrs["interval"]
    clients = _clients_per_group(frame, by).reindex(table.index, fill_value=0)
    hide = _suppress(clients, k)
    counted = {"n": "Int64", "responded": "Int64", "pending": "Int64", "clients": "Int64"}
    table = table.astype(counted)
    table.loc[hide, list(counted)] = pd.NA
    table.loc[hide, ["rate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "too_few"] = True
    table["shown"] = ~hide
    table["note"] = np.where(hide, TOO_FEW, "")
    table.attrs = {
        "window_days": frame.attrs.get("window_days", 30),
        "by": by,
        "k": k,
        "interval": kind,
    }
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
