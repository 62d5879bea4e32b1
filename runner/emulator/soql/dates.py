"""SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_MONTH…) → half-open day ranges.

Ranges are in the org's time zone, which the embedded org fixes at UTC. Weeks
start on Sunday, as in the default en_US locale.
"""

from __future__ import annotations

import datetime as dt

Range = tuple[dt.date, dt.date]


def _month_start(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def _week_start(day: dt.date, shift: int = 0) -> dt.date:
    sunday = day - dt.timedelta(days=(day.weekday() + 1) % 7)
    return sunday + dt.timedelta(weeks=shift)


def _year_start(day: dt.date, shift: int = 0) -> dt.date:
    return dt.date(day.year + shift, 1, 1)


def date_range(name: str, n: int | None, today: dt.date) -> Range:
    """[start, end) of a date literal, as dates; ``n`` is the number of the ``_N_`` forms."""
    day = dt.timedelta(days=1)
    fixed: dict[str, Range] = {
        "TODAY": (today, today + day),
        "YESTERDAY": (today - day, today),
        "TOMORROW": (today + day, today + 2 * day),
        "LAST_90_DAYS": (today - 90 * day, today + day),
        "NEXT_90_DAYS": (today + day, today + 91 * day),
    }
    if name in fixed:
        return fixed[name]
    units = {"WEEK": _week_start, "MONTH": _month_start, "YEAR": _year_start}
    for unit, start in units.items():
        if name.endswith(f"_{unit}") and name.split("_")[0] in ("LAST", "THIS", "NEXT"):
            shift = {"LAST": -1, "THIS": 0, "NEXT": 1}[name.split("_")[0]]
            return start(today, shift), start(today, shift + 1)
    count = n or 0
    if name == "LAST_N_DAYS":
        return today - count * day, today + day
    if name == "NEXT_N_DAYS":
        return today + day, today + (count + 1) * day
    if name == "N_DAYS_AGO":
        return today - count * day, today - (count - 1) * day
    for unit, start in units.items():
        if name == f"LAST_N_{unit}S":
            return start(today, -count), start(today)
        if name == f"NEXT_N_{unit}S":
            return start(today, 1), start(today, count + 1)
    raise ValueError(f"unknown date literal {name}")
