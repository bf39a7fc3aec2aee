"""Structural breaks: a Chow test at a known date, and a search for an unknown break.

Model: ``y_t = a + b·trend_t (+ day-of-week) + u_t``; under the alternative the intercept (and
the trend, if included) change at the break, the day-of-week pattern stays common.

* :func:`chow_test` — the classical Chow F test at a given date (F(q, n − k − q)).
* :func:`break_search` — the sup-F (Quandt likelihood ratio) statistic over every candidate
  date in the middle ``1 − 2·trim`` of the sample; the estimated break date is the one that
  minimises the residual sum of squares (Bai 1997). Its p-value comes from Andrews' (1993)
  asymptotic distribution, simulated once per (q, trim) with a fixed seed. The OLS-residual
  CUSUM test (Ploberger & Krämer 1992, via statsmodels) is reported beside it.

Both F tests assume serially uncorrelated errors; daily GDELT indices are autocorrelated, which
makes p-values too small. Treat them as screening tools and confirm a break with
:func:`toolkit.analysis.segmented_regression` (HAC standard errors) or an event study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.diagnostic import breaks_cusumolsresid

from ._checks import as_milestones, as_series, check_milestones, result_attrs


@dataclass
class BreakResult:
    """Result of :func:`break_search`.

    Attributes
    ----------
    table : DataFrame
        ``test, break_date, statistic, p_value, crit_5pct`` for sup-F and CUSUM.
    f_path : DataFrame
        ``date, f_stat``: the Chow F statistic at every candidate date.
    """

    table: pd.DataFrame
    f_path: pd.DataFrame
    info: dict = field(default_factory=dict)


def _base_design(index: pd.DatetimeIndex, trend: bool, day_of_week: bool):
    days = np.asarray((index - index[0]).days, dtype=float) / 365.25
    breaking = [np.ones(len(index))] + ([days] if trend else [])
    common = []
    if day_of_week:
        dow = np.asarray(index.day_of_week)
        common = [(dow == i).astype(float) for i in range(1, 7)]
    z = np.column_stack(breaking)
    c = np.column_stack(common) if common else np.empty((len(index), 0))
    return z, c


def _ssr(y: np.ndarray, x: np.ndarray) -> float:
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    r = y - x @ beta
    return float(r @ r)


def chow_test(data: pd.Series | pd.DataFrame, date, *, trend: bool = True,
              day_of_week: bool = False, min_days: int = 14, missing: str = "raise",
              value: str = "value") -> pd.DataFrame:
    """Chow test for a break in level (and trend) at a known date.

    Parameters
    ----------
    data : Series or DataFrame
        A daily index.
    date : date
        The candidate break day (first day of the new regime).
    trend : bool
        Include a linear trend that may also break.
    day_of_week : bool
        Common day-of-week dummies.
    min_days, missing, value
        As in :func:`toolkit.analysis.segmented_regression`.

    Returns
    -------
    DataFrame
        One row: ``date, f_stat, df_num, df_den, p_value, ssr_restricted, ssr_unrestricted``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> y = pd.Series(np.r_[np.zeros(100), np.ones(100)] + rng.normal(0, .5, 200),
    ...               pd.date_range("2021-01-01", periods=200))
    >>> bool(chow_test(y, "2021-04-11")["p_value"].iloc[0] < 0.001)
    True

    References
    ----------
    Chow, G. C. (1960). Tests of equality between sets of coefficients in two linear
    regressions. *Econometrica* 28(3), 591–605.
    """
    series, info = as_series(data, value=value, missing=missing)
    ms = as_milestones([date])
    check_milestones(series, ms, min_before=min_days, min_after=min_days)
    keep = series.notna().to_numpy()
    z, c = _base_design(series.index, trend, day_of_week)
    y, z, c = series.to_numpy()[keep], z[keep], c[keep]
    d = (series.index[keep] >= ms["date"].iloc[0]).astype(float)[:, None]
    xr = np.column_stack([z, c])
    xu = np.column_stack([z, c, z * d])
    q = z.shape[1]
    n, k = xu.shape
    ssr_r, ssr_u = _ssr(y, xr), _ssr(y, xu)
    f = ((ssr_r - ssr_u) / q) / (ssr_u / (n - k))
    out = pd.DataFrame([{"date": ms["date"].iloc[0], "f_stat": f, "df_num": q, "df_den": n - k,
                         "p_value": float(stats.f.sf(f, q, n - k)), "ssr_restricted": ssr_r,
                         "ssr_unrestricted": ssr_u}])
    out.attrs.update(result_attrs(series, info, method="chow_test", trend=trend,
                                  day_of_week=day_of_week))
    return out


@lru_cache(maxsize=16)
def _supf_null(q: int, trim: float, reps: int = 4000, grid: int = 1000,
               seed: int = 19930701) -> np.ndarray:
    """Simulated Andrews (1993) null distribution of sup-F (F form: Wald / q)."""
    rng = np.random.default_rng(seed)
    pi = np.arange(1, grid + 1) / grid
    inside = (pi >= trim) & (pi <= 1 - trim)
    out = np.empty(reps)
    chunk = 500
    for s in range(0, reps, chunk):
        r = min(chunk, reps - s)
        stat = np.zeros((r, inside.sum()))
        for _ in range(q):
            b = np.cumsum(rng.normal(size=(r, grid)), axis=1) / np.sqrt(grid)
            bridge = b - pi[None, :] * b[:, -1:]
            stat += (bridge[:, inside] ** 2) / (pi[inside] * (1 - pi[inside]))[None, :]
        out[s:s + r] = stat.max(axis=1) / q
    return np.sort(out)


def supf_p_value(statistic: float, q: int, trim: float) -> float:
    """Asymptotic p-value of a sup-F statistic (Andrews 1993), by simulation."""
    null = _supf_null(int(q), round(float(trim), 4))
    return float((1 + np.sum(null >= statistic)) / (1 + len(null)))


def supf_critical_value(q: int, trim: float, level: float = 0.05) -> float:
    """Asymptotic critical value of sup-F (F form) at ``level`` (e.g. ≈ 8.7 for q=1, 15 %)."""
    return float(np.quantile(_supf_null(int(q), round(float(trim), 4)), 1 - level))


def break_search(data: pd.Series | pd.DataFrame, *, trim: float = 0.15, trend: bool = False,
                 day_of_week: bool = False, missing: str = "raise",
                 value: str = "value") -> BreakResult:
    """Search for one unknown break: sup-F (QLR) with trimming, plus CUSUM.

    Parameters
    ----------
    data : Series or DataFrame
        A daily index.
    trim : float
        Fraction of observations excluded at each end from the candidate dates (0.05–0.3).
    trend : bool
        Let a linear trend break as well as the level.
    day_of_week : bool
        Common day-of-week dummies.
    missing, value
        As in :func:`toolkit.analysis.segmented_regression`.

    Returns
    -------
    BreakResult
        ``.table`` with rows ``sup_f`` (estimated break date, statistic, asymptotic p-value,
        5 % critical value) and ``cusum`` (statistic and p-value; no date), ``.f_path``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> y = pd.Series(np.r_[np.zeros(150), np.ones(150)] + rng.normal(0, .5, 300),
    ...               pd.date_range("2021-01-01", periods=300))
    >>> brk = break_search(y).table.loc[0, "break_date"]  # true break: 2021-05-31
    >>> abs((brk - pd.Timestamp("2021-05-31")).days) <= 3
    True

    References
    ----------
    Andrews, D. W. K. (1993). Tests for parameter instability and structural change with unknown
    change point. *Econometrica* 61(4), 821–856. Bai, J. (1997). Estimation of a change point in
    multiple regression models. *Rev. Econ. Stat.* 79(4), 551–563. Ploberger, W. and Krämer, W.
    (1992). The CUSUM test with OLS residuals. *Econometrica* 60(2), 271–285.
    """
    if not 0.05 <= trim <= 0.3:
        raise ValueError(f"trim={trim!r}: choose a fraction between 0.05 and 0.3 (0.15 usual)")
    series, info = as_series(data, value=value, missing=missing)
    keep = series.notna().to_numpy()
    z, c = _base_design(series.index, trend, day_of_week)
    y, z, c = series.to_numpy()[keep], z[keep], c[keep]
    dates = series.index[keep]
    n = len(y)
    q = z.shape[1]
    lo, hi = int(np.floor(trim * n)), int(np.ceil((1 - trim) * n))
    if hi - lo < 3 or lo < 2 * (q + c.shape[1]):
        raise ValueError(f"{n} observed days are too few for a break search with trim={trim}")
    xr = np.column_stack([z, c])
    ssr_r = _ssr(y, xr)
    k = xr.shape[1] + q
    cand = np.arange(lo, hi)
    fvals = np.empty(len(cand))
    for i, b in enumerate(cand):
        d = np.zeros(n)
        d[b:] = 1.0
        ssr_u = _ssr(y, np.column_stack([xr, z * d[:, None]]))
        fvals[i] = ((ssr_r - ssr_u) / q) / (ssr_u / (n - k))
    best = int(np.argmax(fvals))
    sup_f = float(fvals[best])
    beta, *_ = np.linalg.lstsq(xr, y, rcond=None)
    cusum_stat, cusum_p, crit = breaks_cusumolsresid(y - xr @ beta, ddof=xr.shape[1])
    crit5 = {int(a): v for a, v in crit}.get(5, np.nan)  # keys are percent levels
    table = pd.DataFrame([
        {"test": "sup_f", "break_date": dates[cand[best]], "statistic": sup_f,
         "p_value": supf_p_value(sup_f, q, trim), "crit_5pct": supf_critical_value(q, trim)},
        {"test": "cusum", "break_date": pd.NaT, "statistic": float(cusum_stat),
         "p_value": float(cusum_p), "crit_5pct": float(crit5)},
    ])
    f_path = pd.DataFrame({"date": dates[cand], "f_stat": fvals})
    meta = result_attrs(series, info, method="break_search", trim=trim, trend=trend,
                        day_of_week=day_of_week, q=q)
    table.attrs.update(meta)
    f_path.attrs.update(meta)
    return BreakResult(table=table, f_path=f_path, info=meta)
