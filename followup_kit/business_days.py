"""Business days: Monday to Friday minus each country's public holidays, counted both ways.

Business days are Monday to Friday minus the country-wide public holidays (observed and
substitute days included) that the ``holidays`` package knows for the client's country.
The plans count forward from a day (:func:`business_day_after`, :class:`OffsetsByCountry`);
the analytics count the business days between two days (:class:`CountsByCountry`). Both
use the same holiday lists (:func:`holiday_dates`).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .dates import as_date
from .exceptions import Problem, ValidationError

__all__ = [
    "from_holiday_cache",
    "SUPPORTED_COUNTRIES",
    "CountsByCountry",
    "OffsetsByCountry",
    "business_day_after",
    "business_days_after",
    "country_code",
    "holiday_dates",
    "is_business_day",
    "known_countries",
]

#: Countries whose plans are property-tested. Any country the ``holidays`` package
#: knows works; these are the ones the workbook promises.
SUPPORTED_COUNTRIES: tuple[str, ...] = ("US", "GB", "CA", "AU", "DE", "FR", "IE", "NZ", "IN", "NL")

_BASE_YEARS = (2000, 2045)

T = TypeVar("T")


@cache
def known_countries() -> frozenset[str]:
    """The codes of every country the ``holidays`` package has a calendar for."""

    def build() -> list[str]:
        import holidays

        return sorted(holidays.list_supported_countries())

    return frozenset(from_holiday_cache("countries", build))


def country_code(code: object) -> str:
    """A country code as the calendars want it ("us " is "US"; blank is "US").

    Raises :class:`~followup_kit.exceptions.ValidationError` for a code no calendar knows.
    """
    text = "US" if code is None or code is pd.NA or code != code else str(code).strip().upper()
    if text not in known_countries():
        raise ValidationError(
            [
                Problem(
                    "country",
                    f"{code!r} is not a country code I know; use e.g. US, GB or DE.",
                    check="not_a_country",
                )
            ],
            what="plan",
        )
    return text


class _HolidayCache:
    """Holiday lists kept on disk between processes, one file per ``holidays`` release.

    Building one country's calendar makes the ``holidays`` package import every
    country it knows: about 12 MiB in each process, and each client page is a process
    of its own. The lists it gives are saved once in ``$XDG_CACHE_HOME/followup_kit``
    (else ``~/.cache/followup_kit``); later pages read them and never import it. A
    cache that cannot be read or written is simply not used. The dashboard plans on a
    second thread, so one lock guards the lists.
    """

    def __init__(self) -> None:
        self._entries: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def path() -> Path:
        from importlib.metadata import version

        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        return Path(base) / "followup_kit" / f"holidays-{version('holidays')}.json"

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            try:
                self._entries = dict(json.loads(self.path().read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                self._entries = {}
        return self._entries

    def get(self, key: str) -> Any:
        with self._lock:
            return self._load().get(key)

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            entries = self._load()
            entries[key] = value
            path = self.path()
            tmp = None
            try:  # written whole, then renamed: a reader never sees half a file
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".holidays-")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(entries, fh)
                os.replace(tmp, path)
                tmp = None
            except OSError:
                pass
            finally:
                if tmp is not None:  # a write that failed leaves nothing behind
                    Path(tmp).unlink(missing_ok=True)


_HOLIDAY_CACHE = _HolidayCache()


def from_holiday_cache(key: str, build: Callable[[], T]) -> T:
    """What the ``holidays`` package tells (``build()``, JSON-able), kept on disk by
    ``key`` so that later processes need not import it (see :class:`_HolidayCache`)."""
    value = _HOLIDAY_CACHE.get(key)
    if value is None:
        value = build()
        _HOLIDAY_CACHE.put(key, value)
    return value


@lru_cache(maxsize=128)
def holiday_dates(country: str, first_year: int, last_year: int) -> np.ndarray:
    """Country-wide public holidays (observed and substitute days included), datetime64[D].

    A country the ``holidays`` package does not know has none. Lists once built are
    read from a cache on disk (see :class:`_HolidayCache`).
    """
    days = from_holiday_cache(
        f"{country} {first_year}-{last_year}",
        lambda: _holidays_from_package(country, first_year, last_year),
    )
    return np.array(days, dtype="datetime64[D]")


def _holidays_from_package(country: str, first_year: int, last_year: int) -> list[str]:
    import holidays

    try:
        with warnings.catch_warnings():
            # Some countries only have data for a range of years; outside it, no holidays.
            warnings.simplefilter("ignore")
            days = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    except (KeyError, NotImplementedError):
        return []
    return [day.isoformat() for day in sorted(days)]


class _Calendar:
    """One country's business days over whole years, with a table to count along them.

    ``upto[i]`` is how many business days there are from the first day up to and
    including day ``i``, and ``days`` lists the business days: "the n-th business day
    after d" is then two lookups, several times quicker than ``np.busday_offset``.
    """

    def __init__(self, country: str, first_year: int, last_year: int) -> None:
        self.busdaycal = np.busdaycalendar(
            weekmask="1111100", holidays=holiday_dates(country, first_year, last_year)
        )
        span = np.arange(
            np.datetime64(f"{first_year}-01-01"), np.datetime64(f"{last_year + 1}-01-01")
        )
        self.first = int(span[0].astype(np.int64))
        is_busy = np.is_busday(span, busdaycal=self.busdaycal)
        self.upto = np.cumsum(is_busy)
        self.before = self.upto - is_busy  # business days strictly before each day
        self.days = span[is_busy]

    def offset(self, days: np.ndarray, n: int) -> np.ndarray:
        """The n-th business day after each day (NaT stays NaT).

        Rolling back first makes it right when a day is itself a weekend day or a
        holiday: bd(Saturday, 1) is Monday, not Tuesday; bd(d, 0) is d, or the next
        business day. Days beyond the table are counted by ``np.busday_offset``.
        """
        missing = np.isnat(days)
        at = np.where(missing, 0, days.astype(np.int64) - self.first)
        # n = 0: the day itself, else the next business day; otherwise n on from the day,
        # or from the last business day before it.
        index = self.before if n == 0 else self.upto + (n - 1)
        k = np.where(at >= 0, index[np.clip(at, 0, index.size - 1)], -1)
        inside = (at >= 0) & (at < self.upto.size) & (k >= 0) & (k < self.days.size)
        if not inside[~missing].all():  # beyond the table: numpy's own count
            roll = "forward" if n == 0 else "backward"
            return np.busday_offset(days, n, roll=roll, busdaycal=self.busdaycal)
        out = self.days[np.where(inside, k, 0)]
        out[missing] = np.datetime64("NaT")
        return out


@lru_cache(maxsize=128)
def _calendar(country: str, first_year: int, last_year: int) -> _Calendar:
    """Monday-Friday minus the country-wide public holidays (observed days included)."""
    return _Calendar(country, first_year, last_year)


def _calendar_for(country: str, days: np.ndarray) -> _Calendar:
    """A cached calendar wide enough for ``days`` plus a year or so of offsets."""
    lo, hi = _BASE_YEARS
    known = days[~np.isnat(days)]
    if known.size:
        years = known[[known.argmin(), known.argmax()]].astype("datetime64[Y]").astype(int)
        y0, y1 = int(years[0]) + 1970 - 1, int(years[1]) + 1970 + 3
        # Widen in decades so nearby requests share one cached calendar.
        lo = min(lo, y0 // 10 * 10)
        hi = max(hi, -(-y1 // 10) * 10)
    return _calendar(country, lo, hi)


def business_days_after(days: Any, n: int, *, country: str = "US") -> np.ndarray:
    """Vectorised :func:`business_day_after`: ``datetime64[D]`` in, ``datetime64[D]`` out.

    ``days`` is anything ``numpy``/``pandas`` can read as dates; NaT stays NaT.
    """
    if n < 0:
        raise ValueError(f"n counts business days after a date and cannot be negative, got {n}")
    arr = pd.to_datetime(pd.Series(np.atleast_1d(days))).to_numpy("datetime64[D]")
    code = country_code(country)
    return _calendar_for(code, arr).offset(arr, int(n))


def business_day_after(d: date | str, n: int, *, country: str = "US") -> date:
    """The n-th business day after ``d`` (``d`` itself not counted): ``bd(d, n)``.

    Parameters
    ----------
    d
        A date (or ISO string).
    n
        How many business days after ``d``. ``0`` means ``d`` itself when it is a
        business day, else the next business day.
    country
        Two-letter code; weekends and that country's public holidays (country-wide,
        observed and substitute days included) do not count.

    Examples
    --------
    >>> business_day_after(date(2025, 3, 7), 1)   # a Friday
    datetime.date(2025, 3, 10)
    >>> business_day_after(date(2021, 12, 24), 1, country="GB")   # Christmas substitutes
    datetime.date(2021, 12, 29)
    """
    day = as_date(d)
    if day is None:
        raise ValueError("business_day_after needs a date")
    out = business_days_after(np.datetime64(day, "D"), n, country=country)[0]
    return out.astype(date)


def is_business_day(d: date | str, country: str = "US") -> bool:
    """Whether ``d`` is a working day (Monday to Friday, not a public holiday) in ``country``.

    Examples
    --------
    >>> is_business_day(date(2021, 7, 5))   # the observed Independence Day
    False
    """
    day = as_date(d)
    if day is None:
        raise ValueError("is_business_day needs a date")
    arr = np.array([day], dtype="datetime64[D]")
    cal = _calendar_for(country_code(country), arr)
    return bool(np.is_busday(arr, busdaycal=cal.busdaycal)[0])


class OffsetsByCountry:
    """The n-th business day after each row's day, for rows of different countries.

    ``countries`` holds one code per row; ``span`` the days the offsets start from (the
    calendars are made wide enough for them).
    """

    def __init__(self, countries: np.ndarray, span: np.ndarray) -> None:
        codes, uniques = pd.factorize(countries)
        self.groups = [
            (codes == i, _calendar_for(country_code(c), span)) for i, c in enumerate(uniques)
        ]
        self.codes = codes

    def __call__(self, days: np.ndarray, n: int) -> np.ndarray:
        if len(self.groups) == 1:
            return self.groups[0][1].offset(days, n)
        out = np.empty_like(days)
        for mask, cal in self.groups:
            out[mask] = cal.offset(days[mask], n)
        return out

    def rows(self, positions: np.ndarray) -> OffsetsByCountry:
        """The same calendars for rows that point at these interview positions."""
        sub = object.__new__(OffsetsByCountry)
        sub.codes = self.codes[positions]
        sub.groups = [(mask[positions], cal) for mask, cal in self.groups]
        return sub


class CountsByCountry:
    """Counts business days between day numbers with one table lookup per value.

    ``cum[c, i]`` is the number of business days (weekends and country ``c``'s public
    holidays excluded) from the first day of the range up to day ``i``, so the count
    after ``start`` up to and including ``end`` is ``at(end) - at(start)``: same-day
    is 0, the next business day 1, and an end before the start gives a negative count.
    """

    def __init__(self, country_codes: np.ndarray, countries: list[str], *days: np.ndarray):
        self.codes = country_codes
        # fmin/fmax skip NaN (missing days) without copying or warning.
        lows = [np.fmin.reduce(d) for d in days if len(d)]
        highs = [np.fmax.reduce(d) for d in days if len(d)]
        lows = [x for x in lows if not np.isnan(x)]
        highs = [x for x in highs if not np.isnan(x)]
        self.lo = int(min(lows)) - 1 if lows else 0
        hi = int(max(highs)) + 1 if highs else 1
        span = np.arange(self.lo, hi + 1).astype("datetime64[D]")
        years = (span[0].astype(object).year, span[-1].astype(object).year)
        self.cum = np.zeros((max(len(countries), 1), len(span)), dtype=np.int64)
        for i, country in enumerate(countries):
            busy = np.is_busday(span, holidays=holiday_dates(str(country), *years))
            self.cum[i] = np.cumsum(busy)
        self._row = np.asarray(country_codes, dtype=np.int64) * len(span)

    def at(self, days: np.ndarray) -> np.ndarray:
        """Each row's running business-day count on its day (NaN for a missing day)."""
        missing = np.isnan(days)
        # One flat lookup per value: row offset of the country, minus the range start.
        # Missing days look up the first cell and are blanked after (no compress/expand).
        at = np.where(missing, self.lo, days).astype(np.int64) - self.lo
        found = self.cum.ravel()[self._row + at].astype(np.float64)
        found[missing] = np.nan
        return found
