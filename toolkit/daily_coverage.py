"""Per-day coverage of a source, and the ONE missing-data policy of the analyses.

Coverage
--------
GDELT publishes events in files: one per day (GDELT 1.0) or one per 15 minutes (GDELT 2.0, 96
a day). :func:`coverage` says, for every day of a range, how many files the product should
have (``files_expected``), how many the local cache ingested (``files_ingested``), and so the
day's ``status``:

``complete``     every expected file was ingested;
``partial``      some but not all (GDELT 2.0 gaps inside a day: a 404, or a slot the master
                 file list does not name). Counts from 60 of 96 files are biased low;
``missing``      none (a GDELT outage, e.g. the 404 of 2025-06-18): NOT a quiet day, an
                 unknown one;
``not_fetched``  the cache was never asked for this day.

Days are *publication* days (the day the files were published, which is the ``dateadded``
basis). The local cache's manifests know this; the synthetic demo is complete on every day of
its range; a BigQuery cube is complete on the days it holds (BigQuery has no files).

Missing-data policy
-------------------
One rule, applied by :func:`exclude_incomplete` before any test and stated with every result:

* a **missing** day has no denominator: every index is already NaN there (never 0);
* a **partial** day is set to NaN too: its counts are biased low and its ratios rest on part
  of the day's news;
* per method, the NaN days are then

  - **left out** (``missing="drop"``) by the event study (means over the observed days of each
    window), the interrupted time series, Chow / sup-F / CUSUM, change points and the count
    models (a day without its total has no offset);
  - **interpolated, and counted as imputed** (``missing="interpolate"``) only where the method
    needs every day: STL and the VAR / Granger tests;

* a day the dyad had no event but GDELT was complete is a quiet day: volume and threat rate 0,
  shares and means undefined (NaN) — see :mod:`toolkit.indices`.

The analysis functions refuse NaN days unless told ``missing=...``, so nothing is filled
silently; :func:`describe` gives the sentence the notebooks print.
"""

from __future__ import annotations

import os
from collections import defaultdict

import numpy as np
import pandas as pd

from . import config, store
from .cube import resolve_source
from .dates import parse_range

STATUSES = ("complete", "partial", "missing", "not_fetched")
#: Columns of :func:`coverage`.
COLUMNS = ["date", "files_expected", "files_ingested", "files_missing", "status"]
#: How each analysis method treats the days :func:`exclude_incomplete` set to NaN.
METHOD_POLICY: dict[str, str] = {
    "event_study": "drop", "segmented_regression": "drop", "chow_test": "drop",
    "break_search": "drop", "cusum": "drop", "change_points": "drop", "count_model": "drop",
    "stl_decompose": "interpolate", "granger": "interpolate",
}


def _in_ranges(days: pd.DatetimeIndex, ranges: list[dict]) -> np.ndarray:
    """Which of ``days`` lie in one of ``ranges`` (``{"start", "end"}``, inclusive)."""
    inside = np.zeros(len(days), bool)
    for r in ranges:
        inside |= (days >= pd.Timestamp(r["start"])) & (days <= pd.Timestamp(r["end"]))
    return inside


def _local_days(start, end, ddir) -> pd.DataFrame:
    from .sources.events import cache as C
    from .sources.events.index import PRODUCTS, STREAMS

    state = C.read_state(ddir)
    streams = [STREAMS[s] for s in PRODUCTS.get(state.get("product", ""), ())]
    held = store.coverage(store="local", data_dir=ddir)
    ingested: dict[pd.Timestamp, int] = defaultdict(int)
    seen: set[pd.Timestamp] = set()
    lo = hi = None
    for st in streams:
        for name, m in C.manifest_entries(ddir, st.name):
            day = pd.Timestamp(f"{name[:4]}-{name[4:6]}-{name[6:8]}")
            seen.add(day)
            if m.get("status") == "ingested":
                ingested[day] += 1
    for r in held:
        seen.update(pd.date_range(r["start"], r["end"], freq="D"))
    if seen:
        lo, hi = min(seen), max(seen)
    s = start if start is not None else lo
    e = end if end is not None else hi
    if s is None or e is None:
        return pd.DataFrame(columns=COLUMNS)
    days = pd.date_range(s, e, freq="D")
    in_held = _in_ranges(days, held)
    expected = np.zeros(len(days), int)
    for st in streams:
        if st.index is None:  # GDELT 1.0: one file a day
            expected += (days >= st.first.normalize()).astype(int)
        else:  # GDELT 2.0: 96 a day from the stream's first slot on
            first = st.first
            per = np.where(days > first.normalize(), 96,
                           np.where(days == first.normalize(),
                                    96 - (first.hour * 4 + first.minute // 15), 0))
            expected += per
    got = np.array([ingested.get(d, 0) for d in days], int)
    fetched = in_held | np.array([d in seen for d in days])
    status = np.where(~fetched, "not_fetched",
                      np.where(got == 0, "missing",
                               np.where(got < expected, "partial", "complete")))
    return pd.DataFrame({"date": days, "files_expected": expected, "files_ingested": got,
                         "files_missing": np.maximum(expected - got, 0), "status": status})


def coverage(start=None, end=None, *, source: str = "auto",
             data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Per-day coverage of a source: files expected, files ingested, and the day's status.

    Parameters
    ----------
    start, end : str, date or None
        First and last day (``"YYYY-MM-DD"``, inclusive). None: the first / last day the
        source knows of.
    source : {"auto", "demo", "local", "bigquery"}
        As in :func:`toolkit.load_cube` (``auto`` resolves the same way).
    data_dir : path, optional
        Cache directory (default: ``TOOLKIT_DATA_DIR`` or ``data/cache``).

    Returns
    -------
    DataFrame
        One row per day: ``date``, ``files_expected`` (files the product publishes that day:
        1 for GDELT 1.0, 96 per stream for GDELT 2.0; 0 for the demo and BigQuery, which
        have no files), ``files_ingested``, ``files_missing`` (expected − ingested: 404s,
        unlisted slots, failures) and ``status`` (``complete``, ``partial``, ``missing``,
        ``not_fetched``; see the module docstring). ``attrs["source"]`` names the source.

    Examples
    --------
    >>> cov = coverage("2025-06-17", "2025-06-19", source="demo")
    >>> cov["status"].tolist()
    ['complete', 'complete', 'complete']
    """
    s, e = parse_range(start, end)
    chosen = resolve_source(source, s, e, data_dir=data_dir)
    if chosen == "local":
        out = _local_days(s, e, config.data_dir(data_dir))
    else:
        if chosen == "demo":
            from .sources.demo import cube as demo

            held = [{"start": demo.START, "end": demo.END}]
        else:
            held = store.coverage(store="bigquery", data_dir=data_dir)
        s = s if s is not None else (pd.Timestamp(held[0]["start"]) if held else None)
        e = e if e is not None else (pd.Timestamp(held[-1]["end"]) if held else None)
        days = pd.date_range(s, e, freq="D") if s is not None and e is not None \
            else pd.DatetimeIndex([])
        inside = _in_ranges(days, held)
        zeros = np.zeros(len(days), int)
        out = pd.DataFrame({"date": days, "files_expected": zeros, "files_ingested": zeros,
                            "files_missing": zeros,
                            "status": np.where(inside, "complete", "not_fetched")})
    out = out.reset_index(drop=True)
    out.attrs["source"] = chosen
    return out


def counts(cov: pd.DataFrame) -> dict[str, int]:
    """Days per status, e.g. ``{"days": 30, "complete": 28, "partial": 1, "missing": 1, ...}``."""
    vc = cov["status"].value_counts()
    return {"days": len(cov), **{k: int(vc.get(k, 0)) for k in STATUSES}}


def exclude_incomplete(frame: pd.DataFrame, cov: pd.DataFrame, *,
                       columns=("value", "raw")) -> pd.DataFrame:
    """Apply the missing-data policy: NaN on missing and partial days, counted in ``attrs``.

    Parameters
    ----------
    frame : DataFrame
        A daily tidy frame with a ``date`` column (e.g. :func:`toolkit.compute_indices` with
        ``freq="D"``).
    cov : DataFrame
        From :func:`coverage` over (at least) the frame's days.
    columns : tuple of str
        Value columns set to NaN (those present).

    Returns
    -------
    DataFrame
        A copy; ``attrs["coverage"]`` holds ``{"missing": [...], "partial": [...]}``, the
        ``YYYY-MM-DD`` days of the frame's range that were excluded.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"date": pd.date_range("2025-06-17", periods=3), "value": [1., 2, 3]})
    >>> cov = pd.DataFrame({"date": f["date"], "status": ["complete", "missing", "partial"]})
    >>> exclude_incomplete(f, cov)["value"].tolist()
    [1.0, nan, nan]
    """
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    dates = pd.DatetimeIndex(pd.to_datetime(out["date"]))
    lo, hi = (dates.min(), dates.max()) if len(dates) else (None, None)
    c = cov[(cov["date"] >= lo) & (cov["date"] <= hi)] if lo is not None else cov.iloc[:0]
    bad = {k: pd.DatetimeIndex(c.loc[c["status"] == k, "date"]) for k in ("missing", "partial")}
    drop = dates.isin(bad["missing"].union(bad["partial"]))
    for col in columns:
        if col in out.columns:
            out.loc[drop, col] = np.nan
    out.attrs["coverage"] = {k: [f"{d:%Y-%m-%d}" for d in v] for k, v in bad.items()}
    return out


def describe(cov: pd.DataFrame) -> str:
    """One sentence on the range's coverage and what the analyses do with incomplete days.

    Examples
    --------
    >>> import pandas as pd
    >>> cov = pd.DataFrame({"date": pd.date_range("2025-06-17", periods=3),
    ...                     "status": ["complete", "missing", "complete"]})
    >>> describe(cov)[:60]
    'Coverage 2025-06-17..2025-06-19: 3 days, 1 missing (no GDELT'
    """
    n = counts(cov)
    if not n["days"]:
        return "Coverage: no day in the range."
    lo, hi = cov["date"].min(), cov["date"].max()
    head = f"Coverage {lo:%Y-%m-%d}..{hi:%Y-%m-%d}: {n['days']} days"
    bad = cov[cov["status"].isin(["missing", "partial"])]
    if bad.empty and not n["not_fetched"]:
        return f"{head}, all complete: no day was excluded or imputed."
    parts = [f"{n['missing']} missing (no GDELT file: an outage, not a quiet day)",
             f"{n['partial']} partial (fewer files than GDELT publishes a day: counts biased "
             "low)"]
    if n["not_fetched"]:
        parts.append(f"{n['not_fetched']} not fetched")
    first = ", ".join(f"{d:%Y-%m-%d}" for d in bad["date"][:5])
    return (f"{head}, {', '.join(parts)}"
            + (f" (first: {first})" if first else "")
            + ". Missing and partial days are excluded (NaN) from every index the tests use; "
            "methods that need every day (STL, Granger) interpolate them and count them as "
            "imputed.")
