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


def change_points(data: pd.Series | pd.DataFrame, *, n_bkps: int | None = None,
                  penalty: float | str = "bic", min_size: int = 14, model: str = "l2",
                  missing: str = "raise", value: str = "value") -> pd.DataFrame:
    """Several change points in the mean, through ``ruptures`` (PELT or binary segmentation).

    With ``n_bkps=None`` PELT finds the number of change points that minimises
    cost + ``penalty`` × (number of change points); with ``n_bkps=k`` binary segmentation
    returns k, each then moved to its best position between its neighbours (for "l2"; binary
    segmentation alone is greedy and can misplace a break by weeks).
    ``penalty="bic"`` is ``2 σ̂² log(T)`` with σ̂ from the median absolute
    first difference (robust to the shifts themselves). Autocorrelated noise looks like many
    small shifts to this criterion: on daily GDELT indices prefer a fixed ``n_bkps``, a larger
    ``penalty`` or ``min_size``, and confirm each date with :func:`chow_test` or an ITS.

    Parameters
    ----------
    data : Series or DataFrame
        A daily index.
    n_bkps : int, optional
        Number of change points to return (binary segmentation); None lets PELT choose.
    penalty : float or "bic"
        Penalty per change point (index units squared) for PELT.
    min_size : int
        Shortest segment, in observed days.
    model : {"l2", "l1", "rbf"}
        ruptures cost: "l2" mean shifts, "l1" median shifts (robust), "rbf" distribution
        changes.
    missing, value
        As in :func:`toolkit.analysis.segmented_regression` (dropped days are left out).

    Returns
    -------
    DataFrame
        One row per segment: ``segment, start, end, n_days, mean, change`` where ``change`` is
        the mean's jump from the previous segment (NaN for the first); a segment's ``start``
        is a change date. ``attrs`` holds ``change_dates`` and the settings.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> y = pd.Series(np.r_[np.zeros(100), 2 * np.ones(100), np.zeros(100)]
    ...               + rng.normal(0, .5, 300), pd.date_range("2021-01-01", periods=300))
    >>> [f"{d:%m-%d}" for d in change_points(y).attrs["change_dates"]]
    ['04-11', '07-20']

    References
    ----------
    Killick, R., Fearnhead, P. and Eckley, I. A. (2012). Optimal detection of changepoints with
    a linear computational cost. *JASA* 107(500), 1590–1598. Truong, C., Oudre, L. and Vayatis,
    N. (2020). Selective review of offline change point detection methods. *Signal Processing*
    167, 107299.
    """
    import ruptures as rpt

    models = ("l2", "l1", "rbf")
    if model not in models:
        raise ValueError(f"Unknown model={model!r}; choose one of {', '.join(models)}")
    series, info = as_series(data, value=value, missing=missing)
    obs = series.dropna()
    y = obs.to_numpy()
    n = len(y)
    if n < 2 * min_size:
        raise ValueError(f"{n} observed days cannot hold two segments of min_size={min_size}")
    if n_bkps is not None:
        if not isinstance(n_bkps, int) or n_bkps < 1 or (n_bkps + 1) * min_size > n:
            raise ValueError(f"n_bkps={n_bkps!r}: give 1..{n // min_size - 1} (segments of at "
                             f"least min_size={min_size} days), or None to let PELT choose")
        ends = rpt.Binseg(model=model, min_size=min_size, jump=1).fit(y).predict(n_bkps=n_bkps)
        if model == "l2":
            ends = _refine_l2(y, ends, min_size)
        pen = None
    else:
        if penalty == "bic":
            sigma = np.median(np.abs(np.diff(y))) / (0.6745 * np.sqrt(2))
            pen = 2 * max(sigma, 1e-12) ** 2 * np.log(n)
        elif isinstance(penalty, int | float) and penalty > 0:
            pen = float(penalty)
        else:
            raise ValueError(f"penalty={penalty!r}: give 'bic' or a positive number")
        ends = rpt.Pelt(model=model, min_size=min_size, jump=1).fit(y).predict(pen=pen)
    starts = [0, *ends[:-1]]
    rows = []
    prev = np.nan
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        mean = float(np.mean(y[a:b]))
        rows.append({"segment": i + 1, "start": obs.index[a], "end": obs.index[b - 1],
                     "n_days": b - a, "mean": mean, "change": mean - prev})
        prev = mean
    out = pd.DataFrame(rows)
    out.attrs.update(result_attrs(series, info, method="change_points", model=model,
                                  n_bkps=n_bkps, penalty=pen, min_size=min_size))
    out.attrs["change_dates"] = list(out["start"].iloc[1:])
    return out


def _refine_l2(y: np.ndarray, ends: list[int], min_size: int, max_rounds: int = 20) -> list[int]:
    """Move each break to the least-squares best position between its neighbours, repeatedly
    (coordinate descent on the l2 cost; never worse than the greedy start)."""
    cs = np.r_[0.0, np.cumsum(y)]
    cs2 = np.r_[0.0, np.cumsum(y * y)]

    def cost(a, b):  # residual sum of squares of y[a:b] around its mean (vectorised in a/b)
        n = b - a
        s = cs[b] - cs[a]
        return (cs2[b] - cs2[a]) - s * s / n

    bk = list(ends[:-1])
    n = len(y)
    for _ in range(max_rounds):
        moved = False
        for i in range(len(bk)):
            left = bk[i - 1] if i > 0 else 0
            right = bk[i + 1] if i + 1 < len(bk) else n
            cand = np.arange(left + min_size, right - min_size + 1)
            if not len(cand):
                continue
            best = int(cand[np.argmin(cost(left, cand) + cost(cand, right))])
            if best != bk[i]:
                bk[i], moved = best, True
        if not moved:
            break
    return [*bk, n]
