"""Loading the dyad cube and daily totals from any source: ``demo``, ``local``, ``bigquery``.

Indices, statistics and charts never care where the cube came from; they read
``df.attrs["source"]`` only to print it in captions.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re

import pandas as pd

from . import schema as S
from . import store
from .actors import validate_actors
from .config import SOURCES

log = logging.getLogger("toolkit")

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


def _check_source(source: str) -> str:
    if not isinstance(source, str) or source.lower() not in SOURCES:
        raise ValueError(f"Unknown source {source!r}; choose one of {', '.join(SOURCES)}")
    return source.lower()


def resolve_source(source: str = "auto", start=None, end=None, *, data_dir=None) -> str:
    """Decide which concrete source ``"auto"`` means for [start, end].

    ``auto`` is ``local`` when the local cache (filled by ``toolkit fetch events``) holds the
    whole range, otherwise ``demo``. Other names are returned as they are (after checking).
    """
    source = _check_source(source)
    if source != "auto":
        return source
    s, e = parse_range(start, end)
    return "local" if store.covers(s, e, store="local", data_dir=data_dir) else "demo"


def _load(kind: str, start, end, source, actors, data_dir) -> pd.DataFrame:
    s, e = parse_range(start, end)
    acts = validate_actors(actors) if actors is not None else None
    requested = _check_source(source)
    chosen = resolve_source(requested, s, e, data_dir=data_dir)
    schema = S.CUBE if kind == "cube" else S.DAILY_TOTALS
    if chosen == "demo":
        from .sources import demo

        df = demo.read_cube(s, e) if kind == "cube" else demo.read_totals(s, e)
    elif chosen == "bigquery":
        from .sources import bigquery

        df = bigquery.load(kind, s, e, actors=acts, data_dir=data_dir)
    else:
        if not store.coverage(store="local", data_dir=data_dir):
            raise ValueError(
                "The local cache holds no GDELT data yet; fetch some first, e.g. "
                "`toolkit fetch events --start 2024-06-01 --end 2024-06-30`, or use "
                "source='demo'"
            )
        reader = store.read_cube if kind == "cube" else store.read_totals
        df = reader(store="local", data_dir=data_dir, start=s, end=e)
        df.attrs.update({"source": "local", "synthetic": False,
                         "note": "GDELT Events (local files)"})
    if acts is not None and kind == "cube":
        df = df[df["source"].isin(acts) & df["target"].isin(acts)].reset_index(drop=True)
    S.validate(df, schema, where=f"source={chosen}")
    attrs = dict(df.attrs)
    attrs.update({"requested_source": requested,
                  "start": None if s is None else f"{s:%Y-%m-%d}",
                  "end": None if e is None else f"{e:%Y-%m-%d}"})
    df.attrs = attrs
    if kind == "cube":
        why = " (auto: local cache covers the range)" if requested == "auto" and chosen == "local" \
            else " (auto: local cache does not cover the range)" if requested == "auto" else ""
        log.info("toolkit: dyad cube from source=%s%s, %d rows", chosen, why, len(df))
    return df


def load_cube(start=None, end=None, *, source: str = "auto", actors=None,
              data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the dyad cube for an inclusive day range.

    Parameters
    ----------
    start, end : str, date or None
        First and last day (``"YYYY-MM-DD"``); None means the source's full range.
    source : {"auto", "demo", "local", "bigquery"}
        ``demo`` is the embedded SYNTHETIC data; ``local`` the cache filled by
        :func:`toolkit.fetch_events`; ``bigquery`` the cache filled by ``toolkit fetch
        bigquery``; ``auto`` picks ``local`` when it holds the whole range, else ``demo``.
    actors : iterable of str, optional
        Keep only dyads whose source and target are both in this set of CAMEO codes.
    data_dir : path, optional
        Cache directory (default: ``TOOLKIT_DATA_DIR`` or ``data/cache``).

    Returns
    -------
    DataFrame
        Columns of :data:`toolkit.schema.CUBE` (one row per date, source, target, root_code,
        quad_class; sums). ``attrs`` holds ``source`` (the source used), ``synthetic``,
        ``note``, ``requested_source``, ``start``, ``end``.

    Raises
    ------
    ValueError
        Unknown source, malformed or reversed dates, unknown actor codes, empty local cache.

    Examples
    --------
    >>> cube = load_cube("2022-02-01", "2022-03-31", source="demo")
    >>> cube.attrs["source"], cube.attrs["synthetic"]
    ('demo', True)
    """
    return _load("cube", start, end, source, actors, data_dir)


def load_daily_totals(start=None, end=None, *, source: str = "auto",
                      data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the daily totals over ALL GDELT events (the normalisation denominator).

    Parameters and source selection as :func:`load_cube`. Columns of
    :data:`toolkit.schema.DAILY_TOTALS`: ``date``, ``total_events``, ``total_articles``.

    Examples
    --------
    >>> totals = load_daily_totals("2022-02-01", "2022-02-07", source="demo")
    >>> list(totals.columns)
    ['date', 'total_events', 'total_articles']
    """
    return _load("totals", start, end, source, None, data_dir)
