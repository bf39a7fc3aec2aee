"""Days and day ranges: the vocabulary every layer shares (sources, cube, indices, charts).

GDELT days are UTC calendar days; the toolkit represents them as naive midnight
:class:`pandas.Timestamp` values. This module sits at the bottom of the package: it imports
nothing from the toolkit, so the sources and the cube can both use it.
"""

from __future__ import annotations

import datetime as _dt
import re

import pandas as pd

__all__ = ["parse_date", "parse_range"]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{8}$")


def parse_date(value, *, name: str = "date") -> pd.Timestamp | None:
    """Parse a day given as ``"YYYY-MM-DD"``, ``"YYYYMMDD"``, a date, datetime or Timestamp.

    Returns a naive midnight :class:`pandas.Timestamp` (days are UTC), or None for None.

    Raises
    ------
    ValueError
        For anything else, naming the parameter and the accepted forms.

    Examples
    --------
    >>> parse_date("2022-02-24")
    Timestamp('2022-02-24 00:00:00')
    """
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date):
        ts = pd.Timestamp(value)
    elif isinstance(value, str) and _DATE_RE.match(value.strip()):
        try:
            ts = pd.Timestamp(value.strip())
        except ValueError as exc:
            raise ValueError(f"{name}={value!r} is not a valid calendar day: {exc}") from None
    else:
        raise ValueError(
            f"{name}={value!r} is not a date; give 'YYYY-MM-DD' (e.g. '2022-02-24'), "
            "'YYYYMMDD', or a datetime.date"
        )
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.normalize()


def parse_range(start, end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Parse and check an inclusive day range; raises ValueError when ``start > end``."""
    s, e = parse_date(start, name="start"), parse_date(end, name="end")
    if s is not None and e is not None and s > e:
        raise ValueError(
            f"start {s.date()} is after end {e.date()}; swap them (ranges are inclusive)"
        )
    return s, e
