"""Interrupted time series: segmented regression of a daily index on milestone dates.

Model (OLS), for day ``t`` and milestones ``m`` at dates ``d_m``::

    y_t = b0 + b1·trend_t + Σ_m [ level_m·1(t ≥ d_m) + slope_m·(t − d_m)/365.25·1(t ≥ d_m) ]
          + Σ_dow γ_dow + u_t

``trend_t`` is years since the first day; ``level_m`` is the jump in the index at the milestone
(index units), ``slope_m`` the change in its trend (index units per year). Day-of-week dummies
(Monday = reference) absorb GDELT's weekly cycle. Standard errors are Newey–West HAC with the
documented lag rule in :mod:`toolkit.analysis._hac` (prewhitened by default); confidence
intervals and p-values use Student t with the residual degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ._checks import as_milestones, as_series, check_milestones, coef_frame, result_attrs
from ._hac import hac_cov, resolve_lags

_DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class ITSResult:
    """Result of :func:`segmented_regression`.

    Attributes
    ----------
    table : DataFrame
        ``term, kind, milestone, date, estimate, std_err, ci_low, ci_high, p_value``; ``kind`` is
        one of const, trend, level, slope, day_of_week.
    series : DataFrame
        ``date, observed, fitted, counterfactual, effect``: the counterfactual is the fitted
        model with every milestone's level and slope change set to zero.
    model : statsmodels RegressionResults
        The OLS fit (its own standard errors are the classical ones; use ``table``).
    info : dict
        Provenance, HAC lags, prewhitening, number of observations, R².
    """

    table: pd.DataFrame
    series: pd.DataFrame
    model: object = field(repr=False)
    info: dict = field(default_factory=dict)

    def effects(self) -> pd.DataFrame:
        """Only the level and slope rows of :attr:`table`."""
        return self.table[self.table["kind"].isin(["level", "slope"])].reset_index(drop=True)


def design_matrix(index: pd.DatetimeIndex, milestones: pd.DataFrame, *, trend: bool = True,
                  slope_change: bool = True, day_of_week: bool = True) -> pd.DataFrame:
    """Regressors of the segmented regression (columns named as the table's ``term``)."""
    days = np.asarray((index - index[0]).days, dtype=float)
    cols: dict[str, np.ndarray] = {"const": np.ones(len(index))}
    if trend:
        cols["trend"] = days / 365.25
    for _, m in milestones.iterrows():
        on = np.asarray(index >= m["date"], dtype=float)
        cols[f"level: {m['milestone']}"] = on
        if slope_change:
            since = np.asarray((index - m["date"]).days, dtype=float) / 365.25
            cols[f"slope: {m['milestone']}"] = on * since
    if day_of_week:
        dow = np.asarray(index.day_of_week)
        for i in range(1, 7):
            cols[f"dow: {_DOW[i]}"] = (dow == i).astype(float)
    return pd.DataFrame(cols, index=index)


def _kind(term: str) -> str:
    if term in ("const", "trend"):
        return term
    return {"level": "level", "slope": "slope", "dow": "day_of_week"}[term.split(":")[0]]


def segmented_regression(data: pd.Series | pd.DataFrame, milestones, *, trend: bool = True,
                         slope_change: bool = True, day_of_week: bool = True,
                         hac_lags: int | str = "nw1994", prewhiten: bool = True,
                         alpha: float = 0.05, missing: str = "raise", value: str = "value",
                         min_days: int = 14) -> ITSResult:
    """Segmented regression (interrupted time series) with HAC standard errors.

    Parameters
    ----------
    data : Series or DataFrame
        A daily index: a series indexed by days, or the tidy frame of
        :func:`toolkit.compute_index` filtered to one dyad and one index.
    milestones : date, list of dates, {name: date} or DataFrame
        One or more milestone dates inside the data range (a frame from
        :func:`toolkit.load_milestones` works; its ``title`` names the terms).
    trend : bool
        Include a linear time trend (index units per year).
    slope_change : bool
        Estimate a change of slope at each milestone besides the level change.
    day_of_week : bool
        Day-of-week dummies (Monday is the reference).
    hac_lags : "nw1994" or int
        Newey–West lag: the rule of thumb ``floor(4 (T/100)^(2/9))`` or a fixed number.
    prewhiten : bool
        AR(1) prewhitening of the HAC estimator (Andrews & Monahan 1992; better coverage with
        persistent errors). False gives statsmodels' ``cov_type="HAC"`` exactly.
    alpha : float
        1 − confidence level of the intervals.
    missing : {"raise", "drop", "zero", "interpolate"}
        Policy for missing days (see :func:`toolkit.analysis.as_series`); dropped days are left
        out of the regression.
    value : str
        Value column when ``data`` is a frame.
    min_days : int
        Observed days needed on each side of every milestone.

    Returns
    -------
    ITSResult
        ``.table`` (tidy coefficients), ``.series`` (fitted and counterfactual), ``.model``,
        ``.info``.

    Raises
    ------
    ValueError
        For a milestone outside the data or with fewer than ``min_days`` observed days on a
        side, missing days under ``missing="raise"``, a constant series, or too few
        observations for the number of terms.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2022-01-01", periods=120, freq="D")
    >>> y = pd.Series(np.r_[np.zeros(60), np.ones(60)] + 0.1 * np.sin(np.arange(120)), days)
    >>> res = segmented_regression(y, "2022-03-02", slope_change=False, day_of_week=False)
    >>> round(float(res.effects()["estimate"].iloc[0]), 1)
    1.0

    References
    ----------
    Bernal, J. L., Cummins, S. and Gasparrini, A. (2017). Interrupted time series regression for
    the evaluation of public health interventions: a tutorial. *Int. J. Epidemiology* 46(1).
    Newey, W. K. and West, K. D. (1994), *Rev. Econ. Stud.* 61(4), 631–653.
    """
    series, info = as_series(data, value=value, missing=missing)
    ms = as_milestones(milestones)
    check_milestones(series, ms, min_before=min_days, min_after=min_days)
    if ms["milestone"].duplicated().any():
        ms["milestone"] = ms["milestone"] + " (" + ms["date"].dt.strftime("%Y-%m-%d") + ")"
    x_full = design_matrix(series.index, ms, trend=trend, slope_change=slope_change,
                           day_of_week=day_of_week)
    keep = series.notna().to_numpy()
    y = series.to_numpy()[keep]
    x = x_full.to_numpy()[keep]
    n, k = x.shape
    if n <= k + 2:
        raise ValueError(f"{n} observed days cannot support {k} regression terms; use a longer "
                         "range, fewer milestones or day_of_week=False")
    if np.linalg.matrix_rank(x) < k:
        raise ValueError("The regressors are collinear (two milestones on the same day, or a "
                         "milestone on the first day); drop one or widen the range")
    ols = sm.OLS(y, x).fit()
    lags = resolve_lags(hac_lags, n)
    cov = hac_cov(x, ols.resid, lags, prewhiten=prewhiten)
    se = np.sqrt(np.diag(cov))
    df_resid = n - k
    tval = ols.params / se
    crit = stats.t.ppf(1 - alpha / 2, df_resid)
    terms = list(x_full.columns)
    table = coef_frame(terms, ols.params, se, ols.params - crit * se, ols.params + crit * se,
                       2 * stats.t.sf(np.abs(tval), df_resid))
    table.insert(1, "kind", [_kind(t) for t in terms])
    by_name = dict(zip(ms["milestone"], ms["date"].dt.strftime("%Y-%m-%d"), strict=True))
    table.insert(2, "milestone", [t.split(": ", 1)[1] if _kind(t) in ("level", "slope") else ""
                                  for t in terms])
    table.insert(3, "date", [by_name.get(m, "") for m in table["milestone"]])

    beta = pd.Series(ols.params, index=terms)
    fitted = x_full.to_numpy() @ beta.to_numpy()
    effect_cols = [t for t in terms if _kind(t) in ("level", "slope")]
    effect = x_full[effect_cols].to_numpy() @ beta[effect_cols].to_numpy()
    out_series = pd.DataFrame({"date": series.index, "observed": series.to_numpy(),
                               "fitted": fitted, "counterfactual": fitted - effect,
                               "effect": effect})
    meta = result_attrs(series, info, method="segmented_regression", hac_lags=lags,
                        prewhiten=prewhiten, n_obs=n, r_squared=float(ols.rsquared),
                        alpha=alpha, df_resid=df_resid)
    table.attrs.update(meta)
    out_series.attrs.update(meta)
    return ITSResult(table=table, series=out_series, model=ols, info=meta)
