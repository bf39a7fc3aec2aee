"""Rhetoric-intensity indices computed from the dyad cube and the daily totals.

All indices are computed from SUMS after resampling, so a weekly or monthly value equals the
index recomputed from the summed daily cube.
"""

from __future__ import annotations

import pandas as pd

from .actors import dyad_label

FREQS = {"D": "D", "day": "D", "W": "W-MON", "week": "W-MON", "M": "MS", "month": "MS"}
INDICES = ("volume",)


def _freq(freq: str) -> str:
    try:
        return FREQS[freq]
    except KeyError:
        raise ValueError(f"Unknown frequency {freq!r}; choose one of {', '.join(FREQS)}") from None


def compute_index(cube: pd.DataFrame, totals: pd.DataFrame, index: str = "volume", *,
                  freq: str = "D", rolling: int | None = None) -> pd.DataFrame:
    """Compute one index per directed dyad as a tidy long frame.

    ``volume``: events of the dyad per million GDELT events that period,
    ``1e6 * Σ events / Σ total_events`` (unit: events per million).

    Parameters
    ----------
    cube, totals : DataFrame
        From :func:`toolkit.load_cube` and :func:`toolkit.load_daily_totals`.
    index : str
        One of :data:`INDICES`.
    freq : {"D", "W", "M"}
        Day, week (starting Monday) or month.
    rolling : int, optional
        Trailing rolling mean over this many periods (e.g. 7 for a 7-day mean).

    Returns
    -------
    DataFrame
        Columns ``date, source, target, dyad, index, value``; ``attrs`` records ``freq``,
        ``rolling`` and the data source.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2022-02-01", "2022-02-28", source="demo")
    >>> t = toolkit.load_daily_totals("2022-02-01", "2022-02-28", source="demo")
    >>> compute_index(c, t, "volume").columns.tolist()
    ['date', 'source', 'target', 'dyad', 'index', 'value']
    """
    if index not in INDICES:
        raise ValueError(f"Unknown index {index!r}; choose one of {', '.join(INDICES)}")
    rule = _freq(freq)
    tot = totals.set_index("date")["total_events"].resample(rule).sum()
    ev = (cube.groupby(["source", "target", pd.Grouper(key="date", freq=rule)])["events"].sum())
    out = []
    for (s, t), g in ev.groupby(level=["source", "target"]):
        series = g.droplevel(["source", "target"]).reindex(tot.index, fill_value=0)
        value = 1e6 * series / tot
        if rolling:
            value = value.rolling(rolling, min_periods=1).mean()
        out.append(pd.DataFrame({"date": tot.index, "source": s, "target": t,
                                 "dyad": dyad_label(s, t), "index": index,
                                 "value": value.to_numpy()}))
    df = pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["date", "source", "target", "dyad", "index", "value"])
    df.attrs.update({k: cube.attrs.get(k) for k in ("source", "synthetic", "note")})
    df.attrs.update({"freq": freq, "rolling": rolling, "unit": "events per million"})
    return df
