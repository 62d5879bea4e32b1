"""SOQL date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, NEXT_FISCAL_YEAR…) → day ranges.

Ranges are half-open ``[start, end)`` in the org's time zone, which the embedded
org fixes at UTC. Weeks start on Sunday, as in the default en_US locale.
Quarters are calendar quarters; fiscal quarters and years start in the org's
fiscal start month (a standard fiscal year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Range = tuple[dt.date, dt.date]
Start = Callable[[dt.date, int], dt.date]  # (today, shift in units) → first day of the unit


def _months_from(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _week(today: dt.date, shift: int) -> dt.date:
    sunday = today - dt.timedelta(days=(today.weekday() + 1) % 7)
    return sunday + dt.timedelta(weeks=shift)


def _period(months: int, first_month: int) -> Start:
    """Periods of ``months`` months, one of which starts in ``first_month``."""

    def start(today: dt.date, shift: int) -> dt.date:
        back = (today.month - first_month) % months
        return _months_from(dt.date(today.year, today.month, 1), shift * months - back)

    return start


def units(fiscal_start_month: int = 1) -> dict[str, Start]:
    """The first day of each unit a literal can name, ``shift`` units away from today's."""
    return {
        "WEEK": _week,
        "MONTH": _period(1, 1),
        "QUARTER": _period(3, 1),
        "YEAR": _period(12, 1),
        "FISCAL_QUARTER": _period(3, fiscal_start_month),
        "FISCAL_YEAR": _period(12, fiscal_start_month),
    }


def date_range(name: str, n: int | None, today: dt.date, fiscal_start_month: int = 1) -> Range:
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
    count = n or 0
    if name == "LAST_N_DAYS":
        return today - count * day, today + day
    if name == "NEXT_N_DAYS":
        return today + day, today + (count + 1) * day
    if name == "N_DAYS_AGO":
        return today - count * day, today - (count - 1) * day
    for unit, start in units(fiscal_start_month).items():
        for when, shift in (("LAST", -1), ("THIS", 0), ("NEXT", 1)):
            if name == f"{when}_{unit}":
                return start(today, shift), start(today, shift + 1)
        if name == f"LAST_N_{unit}S":
            return start(today, -count), start(today, 0)
        if name == f"NEXT_N_{unit}S":
            return start(today, 1), start(today, count + 1)
        if name == f"N_{unit}S_AGO":
            return start(today, -count), start(today, 1 - count)
    raise ValueError(f"unknown date literal {name}")
