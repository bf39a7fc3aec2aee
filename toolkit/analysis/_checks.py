"""Input handling shared by the analysis methods: one daily series, milestones, clear errors.

Every method accepts either a :class:`pandas.Series` indexed by days or the tidy long frame
``date, ..., value`` of :func:`toolkit.compute_index` filtered to one dyad and one index.
Missing days are never handled silently: ``missing`` says whether they are refused
(``"raise"``, the default), left out (``"drop"``), filled with zero (``"zero"``, right for
counts where a day absent from the cube means no events) or linearly interpolated
(``"interpolate"``). The choice and the number of days affected travel with the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING = ("raise", "drop", "zero", "interpolate")
_ATTR_KEYS = ("source", "synthetic", "note", "dataset", "date_basis", "unit", "index", "dyad")


@dataclass(frozen=True)
class SeriesInfo:
    """What :func:`as_series` did to the input (reported with every result)."""

    start: pd.Timestamp
    end: pd.Timestamp
    n_days: int
    n_missing: int
    missing: str

    def as_dict(self) -> dict:
        return {"start": f"{self.start:%Y-%m-%d}", "end": f"{self.end:%Y-%m-%d}",
                "n_days": self.n_days, "n_missing": self.n_missing, "missing": self.missing}


def _frame_to_series(frame: pd.DataFrame, value: str) -> pd.Series:
    if "date" not in frame.columns or value not in frame.columns:
        raise ValueError(
            f"Expected a tidy frame with columns 'date' and {value!r} (as from "
            f"toolkit.compute_index); got columns {list(frame.columns)}"
        )
    for col in ("dyad", "index", "source", "target", "query", "country"):
        if col in frame.columns:
            values = pd.unique(frame[col].astype(str))
            if len(values) > 1:
                shown = ", ".join(sorted(values)[:8])
                raise ValueError(
                    f"The frame holds {len(values)} values of {col!r} ({shown}); filter it to "
                    f"one series first, e.g. frame[frame[{col!r}] == {sorted(values)[0]!r}]"
                )
    s = pd.Series(frame[value].to_numpy(dtype=float), index=pd.DatetimeIndex(frame["date"]),
                  name=value)
    s.attrs.update({k: frame.attrs[k] for k in _ATTR_KEYS if k in frame.attrs})
    for col in ("dyad", "index"):
        if col in frame.columns and len(frame):
            s.attrs[col] = str(frame[col].iloc[0])
    return s


def as_series(data: pd.Series | pd.DataFrame, *, value: str = "value",
              missing: str = "raise", name: str | None = None) -> tuple[pd.Series, SeriesInfo]:
    """Turn input into one float series on a complete daily calendar.

    Parameters
    ----------
    data : Series or DataFrame
        A series indexed by days, or a tidy frame with ``date`` and ``value`` columns holding
        one dyad and one index.
    value : str
        Value column of a frame.
    missing : {"raise", "drop", "zero", "interpolate"}
        What to do with days absent between the first and last day, or NaN:
        refuse with an error, keep them as NaN so methods leave them out, fill with 0, or
        interpolate linearly in time.
    name : str, optional
        Name for the returned series.

    Returns
    -------
    series : Series
        Float values on a complete daily :class:`~pandas.DatetimeIndex` (NaN on missing days
        only when ``missing="drop"``); ``attrs`` keeps the frame's source labels.
    info : SeriesInfo
        Range, number of days and of missing days, and the policy applied.

    Raises
    ------
    ValueError
        Unknown ``missing``; not daily; duplicated days; fewer than 3 observed values;
        a constant series; missing days with ``missing="raise"``.
    """
    if missing not in MISSING:
        raise ValueError(f"Unknown missing={missing!r}; choose one of {', '.join(MISSING)}")
    if isinstance(data, pd.DataFrame):
        s = _frame_to_series(data, value)
    elif isinstance(data, pd.Series):
        if not isinstance(data.index, pd.DatetimeIndex):
            raise ValueError("The series must be indexed by dates (a pandas DatetimeIndex); "
                             "use series.index = pd.to_datetime(series.index)")
        s = data.astype(float)
        s.attrs.update(data.attrs)
    else:
        raise ValueError("Expected a pandas Series indexed by dates or a tidy DataFrame with "
                         f"'date' and 'value' columns; got {type(data).__name__}")
    attrs = dict(s.attrs)
    if s.index.tz is not None:
        s.index = s.index.tz_convert("UTC").tz_localize(None)
    if not (s.index == s.index.normalize()).all():
        raise ValueError("The series must be daily: its dates carry a time of day; aggregate "
                         "to days first (e.g. compute_index(..., freq='D'))")
    s = s.sort_index()
    if s.index.has_duplicates:
        dup = s.index[s.index.duplicated()][0]
        raise ValueError(f"Day {dup:%Y-%m-%d} appears more than once; one value per day is "
                         "needed (filter to one dyad and index, or aggregate)")
    if len(s) >= 3:
        step = pd.Series(s.index).diff().dt.days.median()
        if step > 1:
            raise ValueError(f"The series is not daily (median spacing {step:.0f} days); the "
                             "analysis methods need a daily series (freq='D')")
    full = pd.date_range(s.index.min(), s.index.max(), freq="D") if len(s) else s.index
    s = s.reindex(full)
    gaps = s.isna()
    n_missing = int(gaps.sum())
    if n_missing:
        if missing == "raise":
            first = ", ".join(f"{d:%Y-%m-%d}" for d in s.index[gaps][:5])
            raise ValueError(
                f"{n_missing} of {len(s)} days are missing or NaN (first: {first}). Choose "
                "how to handle them: missing='drop' (leave them out), missing='zero' (when a "
                "missing day means no events) or missing='interpolate' (linear in time)"
            )
        if missing == "zero":
            s = s.fillna(0.0)
        elif missing == "interpolate":
            s = s.interpolate(method="time", limit_direction="both")
    observed = s.dropna()
    if len(observed) < 3:
        raise ValueError(f"Only {len(observed)} observed days; the analysis needs more data")
    if np.nanstd(observed.to_numpy()) == 0:
        raise ValueError(f"The series is constant ({observed.iloc[0]:g} on every day): there "
                         "is no variation to analyse; check the dyad, index and date range")
    s.name = name or s.name or "value"
    s.attrs = attrs
    info = SeriesInfo(start=s.index[0], end=s.index[-1], n_days=len(s), n_missing=n_missing,
                      missing=missing)
    return s, info


def as_milestones(milestones) -> pd.DataFrame:
    """Normalise milestones to a frame ``milestone, date`` sorted by date.

    Accepts one date (str / Timestamp), a list of dates, a mapping ``{name: date}``, or a
    frame with a ``date`` column and optionally ``title`` or ``name``
    (e.g. :func:`toolkit.load_milestones`); the name is taken from the first of the columns
    ``name``, ``id``, ``short``, ``title`` that exists.
    """
    if isinstance(milestones, pd.DataFrame):
        if "date" not in milestones.columns:
            raise ValueError("A milestones frame needs a 'date' column (and optionally 'title')")
        names = next((milestones[c].astype(str) for c in ("name", "id", "short", "title")
                      if c in milestones.columns), None)
        dates = pd.to_datetime(milestones["date"])
        if names is None:
            names = dates.dt.strftime("%Y-%m-%d")
        out = pd.DataFrame({"milestone": names.to_numpy(), "date": dates.to_numpy()})
    elif isinstance(milestones, Mapping):
        out = pd.DataFrame({"milestone": [str(k) for k in milestones],
                            "date": [_to_day(v) for v in milestones.values()]})
    else:
        if isinstance(milestones, str | pd.Timestamp) or not isinstance(milestones, Iterable):
            milestones = [milestones]
        dates = [_to_day(v) for v in milestones]
        out = pd.DataFrame({"milestone": [f"{d:%Y-%m-%d}" for d in dates], "date": dates})
    if out.empty:
        raise ValueError("No milestones given; pass at least one date such as '2022-02-24'")
    out["date"] = pd.to_datetime(out["date"]).dt.normalize()
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def _to_day(value) -> pd.Timestamp:
    from ..dates import parse_date

    return parse_date(value, name="milestone")


def check_milestones(series: pd.Series, milestones: pd.DataFrame, *, min_before: int,
                     min_after: int) -> None:
    """Refuse milestones outside the series or with too few observed days either side."""
    start, end = series.index[0], series.index[-1]
    observed = series.notna()
    for _, m in milestones.iterrows():
        d = m["date"]
        if d < start or d > end:
            raise ValueError(
                f"Milestone {m['milestone']!r} ({d:%Y-%m-%d}) is outside the data range "
                f"{start:%Y-%m-%d} to {end:%Y-%m-%d}; widen the range or drop the milestone"
            )
        before = int(observed[series.index < d].sum())
        after = int(observed[series.index >= d].sum())
        if before < min_before or after < min_after:
            raise ValueError(
                f"Milestone {m['milestone']!r} ({d:%Y-%m-%d}) has {before} observed days "
                f"before and {after} from it on; at least {min_before} before and {min_after} "
                "after are needed. Widen the date range or drop the milestone"
            )


def result_attrs(series: pd.Series, info: SeriesInfo, **extra) -> dict:
    """Provenance for a result frame: the input's source labels plus how it was handled."""
    out = {k: series.attrs[k] for k in _ATTR_KEYS if k in series.attrs}
    out.update(info.as_dict())
    out.update(extra)
    return out


def coef_frame(terms, estimate, std_err, ci_low, ci_high, p_value, **cols) -> pd.DataFrame:
    """The tidy coefficient table every regression method returns."""
    df = pd.DataFrame({"term": list(terms), "estimate": np.asarray(estimate, float),
                       "std_err": np.asarray(std_err, float),
                       "ci_low": np.asarray(ci_low, float), "ci_high": np.asarray(ci_high, float),
                       "p_value": np.asarray(p_value, float)})
    for k, v in cols.items():
        df[k] = v
    return df
