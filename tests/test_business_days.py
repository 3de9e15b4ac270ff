"""Business days: weekends and each country's public holidays left out."""

from __future__ import annotations

import functools
import warnings
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_kit import business_days
from followup_kit.business_days import business_day_after, business_days_after, is_business_day
from followup_kit.exceptions import ValidationError

D = date


@pytest.mark.parametrize(
    ("day", "n", "country", "expected"),
    [
        (D(2025, 3, 4), 1, "US", D(2025, 3, 5)),  # Tuesday
        (D(2025, 3, 7), 1, "US", D(2025, 3, 10)),  # Friday -> Monday
        (D(2025, 3, 8), 1, "US", D(2025, 3, 10)),  # Saturday -> Monday, not Tuesday
        (D(2025, 3, 9), 0, "US", D(2025, 3, 10)),  # Sunday itself rolls to Monday
        (D(2025, 3, 4), 0, "US", D(2025, 3, 4)),
        (D(2025, 5, 23), 1, "US", D(2025, 5, 27)),  # Memorial Day
        (D(2025, 5, 26), 1, "US", D(2025, 5, 27)),  # counted from the holiday itself
        (D(2020, 7, 2), 1, "US", D(2020, 7, 6)),  # 4 July on Saturday, observed Friday 3rd
        (D(2021, 7, 2), 1, "US", D(2021, 7, 6)),  # 4 July on Sunday, observed Monday 5th
        (D(2021, 12, 23), 1, "US", D(2021, 12, 27)),  # Christmas observed Friday 24th
        (D(2021, 12, 24), 1, "GB", D(2021, 12, 29)),  # substitutes on 27th and 28th
        (D(2022, 12, 23), 1, "GB", D(2022, 12, 28)),  # Boxing Day Mon, Christmas sub Tue
        (D(2021, 12, 23), 1, "GB", D(2021, 12, 24)),  # GB does not observe it on the 24th
        (D(2025, 3, 4), 5, "US", D(2025, 3, 11)),
        # Good Friday is UK-wide; Easter Monday is not (Scotland works), so country-wide
        # rules count it as a business day.
        (D(2025, 4, 17), 1, "GB", D(2025, 4, 21)),
        (D(2025, 4, 17), 1, "US", D(2025, 4, 18)),  # neither is a US federal holiday
    ],
)
def test_business_day_after(day, n, country, expected):
    assert business_day_after(day, n, country=country) == expected


def test_is_business_day_with_observed_and_substitute_days():
    assert not is_business_day(D(2021, 7, 5), "US")  # observed Independence Day
    assert not is_business_day(D(2020, 7, 3), "US")
    assert is_business_day(D(2021, 7, 5), "GB")
    assert not is_business_day(D(2021, 12, 27), "GB")  # Christmas substitute
    assert not is_business_day(D(2021, 12, 28), "GB")  # Boxing Day substitute
    assert not is_business_day(D(2025, 3, 8), "US")  # Saturday
    assert is_business_day("2025-03-04", "DE")


def test_business_day_input_errors():
    with pytest.raises(ValueError, match="negative"):
        business_day_after(D(2025, 3, 4), -1)
    with pytest.raises(ValidationError, match="country"):
        business_day_after(D(2025, 3, 4), 1, country="XX")
    with pytest.raises(ValueError):
        business_day_after(None, 1)


def test_vectorised_business_days_match_the_scalar_version():
    days = pd.date_range("2021-12-20", "2022-01-10").to_numpy()
    got = business_days_after(days, 2, country="GB")
    want = [
        business_day_after(d.astype("datetime64[D]").astype(date), 2, country="GB") for d in days
    ]
    assert [g.astype(date) for g in got] == want
    with_gap = business_days_after(np.array(["2025-03-07", "NaT"], dtype="datetime64[D]"), 1)
    assert with_gap[0] == np.datetime64("2025-03-10") and np.isnat(with_gap[1])


@functools.cache
def _holidays(country: str) -> frozenset[date]:
    """The package's country-wide holidays, straight from ``holidays`` (the reference)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return frozenset(holidays.country_holidays(country, years=range(2000, 2040)))


def _naive_bd(day: date, n: int, country: str) -> date:
    """Reference: walk day by day, skipping weekends and the package's holidays."""
    hol = _holidays(country)

    def works(x: date) -> bool:
        return x.weekday() < 5 and x not in hol

    if n == 0:
        while not works(day):
            day += timedelta(days=1)
        return day
    while n:
        day += timedelta(days=1)
        n -= works(day)
    return day


@pytest.mark.parametrize("country", business_days.SUPPORTED_COUNTRIES)
@settings(max_examples=25, deadline=None)
@given(day=st.dates(D(2001, 1, 1), D(2034, 6, 30)), n=st.integers(0, 12))
def test_business_day_after_matches_a_day_by_day_walk(country, day, n):
    assert business_day_after(day, n, country=country) == _naive_bd(day, n, country)


@pytest.mark.parametrize("country", ["US", "GB", "IN", "XX"])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 85, 260])
def test_the_counting_table_gives_numpys_business_days(country, n):
    rng = np.random.default_rng(n)
    days = (np.datetime64("2020-01-01") + rng.integers(-9000, 9000, 5000)).astype("datetime64[D]")
    days[::50] = np.datetime64("NaT")
    cal = business_days._calendar_for(country, days[:100])  # most days lie beyond its years
    roll = "forward" if n == 0 else "backward"
    expected = np.busday_offset(days, n, roll=roll, busdaycal=cal.busdaycal)
    inside = days[(days >= np.datetime64("2001-01-01")) & (days < np.datetime64("2040-01-01"))]
    for some in (days, inside):
        got = cal.offset(some, n)
        want = np.busday_offset(some, n, roll=roll, busdaycal=cal.busdaycal)
        assert ((got == want) | (np.isnat(got) & np.isnat(want))).all()
    assert np.isnat(cal.offset(days, n)[::50]).all() and np.isnat(expected[::50]).all()


_PROBE = """
import json, sys
from followup_kit import business_days, schema
days = business_days.holiday_dates("GB", 2024, 2026)
print(json.dumps({
    "days": [str(d) for d in days],
    "known": "GB" in business_days.known_countries(),
    "name": schema.country_names()["GB"],
    "imported": "holidays" in sys.modules,
}))
"""


def _probe(cache_home) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.mark.slow  # fresh interpreters
def test_holiday_lists_are_kept_on_disk_so_later_pages_skip_the_package(tmp_path):
    first = _probe(tmp_path)
    assert first["imported"]  # nothing kept yet: the package was asked
    (cache,) = (tmp_path / "followup_kit").glob("holidays-*.json")
    assert holidays.__version__ in cache.name  # a new release of the package starts afresh
    second = _probe(tmp_path)
    assert not second["imported"]
    assert second == {**first, "imported": False}
    expected = holidays.country_holidays("GB", years=range(2024, 2027))
    assert second["days"] == [d.isoformat() for d in sorted(expected)]
    assert second["name"] == "United Kingdom" and second["known"]

    cache.write_text("{ half a file")  # damaged: ignored, then written anew
    assert _probe(tmp_path) == first
    assert not _probe(tmp_path)["imported"]


@pytest.mark.slow
def test_a_cache_folder_that_cannot_be_written_changes_nothing(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    assert _probe(blocked) == {**_probe(tmp_path / "fresh"), "imported": True}


def test_the_holiday_cache_takes_lists_from_several_threads_at_once(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = business_days._HolidayCache()
    keys = [f"XX {year}-{year}" for year in range(1900, 2100)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: cache.put(key, [key] * 50), keys))
    saved = business_days._HolidayCache()
    assert all(saved.get(key) == [key] * 50 for key in keys)
    assert [p.name for p in cache.path().parent.iterdir()] == [cache.path().name]
