"""Lead–lag between dyads: stationarity checks, Granger causality, a VAR and impulse responses.

Steps (each reported, none silently assumed):

1. :func:`stationarity` runs ADF (H0: unit root) and KPSS (H0: stationary) on each series.
   A series is called stationary when ADF rejects at 5 % and KPSS does not.
2. :func:`granger` differences each series as many times as it needs to pass both tests
   (``difference="auto"``, at most twice; a series that is already stationary is left in
   levels, because over-differencing distorts the VAR's tests), or all series a fixed number of
   times; fits a VAR whose lag order is chosen by an information criterion (AIC by default);
   and runs F tests of Granger causality in both directions.
3. :func:`impulse_responses` returns the VAR's impulse responses with asymptotic confidence
   bands as a tidy frame (:func:`toolkit.charts.plot_irf` draws them).

Granger causality is predictive precedence, not causation: a common driver (e.g. a news event
covered in both dyads a day apart) produces it too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tools.sm_exceptions import InterpolationWarning
from statsmodels.tsa.api import VAR
from statsmodels.tsa.stattools import adfuller, kpss

from ._checks import as_series

ICS = ("aic", "bic", "hqic", "fpe")


@dataclass
class GrangerResult:
    """Result of :func:`granger`.

    Attributes
    ----------
    table : DataFrame
        ``cause, effect, lag_order, differences, f_stat, df_num, df_den, p_value``, both
        directions (``differences`` as "cause,effect", e.g. "0,1").
    stationarity : DataFrame
        ADF/KPSS results for the levels and for the series as analysed.
    var : statsmodels VARResults
        The fitted VAR (on the differenced series when differencing was needed).
    data : DataFrame
        The wide frame analysed (after differencing).
    info : dict
        Lag order, differences, range, and the missing days: ``missing`` (the policy),
        ``n_missing_by_series`` (days each series had no value and got by that policy, i.e.
        imputed with "interpolate" or "zero") and ``n_missing`` (the larger of the two).
    """

    table: pd.DataFrame
    stationarity: pd.DataFrame
    var: object = field(repr=False)
    data: pd.DataFrame = field(repr=False)
    info: dict = field(default_factory=dict)


def as_wide(data, *, column: str = "dyad", value: str = "value",
            missing: str = "raise") -> pd.DataFrame:
    """Several daily series as one wide frame on a common calendar (one column per series).

    ``data`` is a wide DataFrame indexed by date, a dict ``{name: Series}``, or a tidy long frame
    with ``date``, ``column`` (e.g. ``dyad``) and ``value``. Days missing in any series follow
    ``missing`` (VAR needs complete rows: "drop" is refused).
    """
    if missing == "drop":
        raise ValueError("A VAR needs every day: use missing='interpolate' or 'zero' "
                         "instead of 'drop'")
    if isinstance(data, dict):
        parts = dict(data)
    elif isinstance(data, pd.DataFrame) and {"date", value, column} <= set(data.columns):
        parts = {str(k): g for k, g in data.groupby(column, sort=True)}
        parts = {k: g[["date", value]].rename(columns={value: "value"})
                 for k, g in parts.items()}
        for g in parts.values():
            g.attrs.update(data.attrs)
    elif isinstance(data, pd.DataFrame) and isinstance(data.index, pd.DatetimeIndex):
        parts = {str(c): data[c] for c in data.columns}
    else:
        raise ValueError("Expected a wide frame indexed by date, a dict of series, or a tidy "
                         f"frame with columns 'date', {column!r}, {value!r}")
    if len(parts) < 2:
        raise ValueError(f"Need at least two series; got {len(parts)}")
    cols = {}
    attrs = {}
    filled: dict[str, int] = {}
    for name, s in parts.items():
        try:
            ser, inf = as_series(s, missing=missing)
        except ValueError as exc:
            raise ValueError(f"Series {name!r}: {exc}") from None
        cols[name] = ser
        filled[name] = inf.n_missing
        attrs = attrs or dict(ser.attrs)
    wide = pd.DataFrame(cols).dropna()  # common days only
    if len(wide) < 30:
        raise ValueError(f"The series share only {len(wide)} days; at least 30 are needed")
    wide.attrs.update({k: v for k, v in attrs.items() if k in ("source", "synthetic", "note")})
    # days each series had no value and got by ``missing`` (imputed): reported with results
    wide.attrs.update({"missing": missing, "n_missing_by_series": filled})
    return wide


def stationarity(data, *, value: str = "value", missing: str = "raise",
                 alpha: float = 0.05) -> pd.DataFrame:
    """ADF and KPSS tests for one series or each column of a wide frame.

    Returns
    -------
    DataFrame
        ``series, adf_stat, adf_p, kpss_stat, kpss_p, stationary`` where ``stationary`` means
        ADF rejects a unit root and KPSS does not reject stationarity at ``alpha``. KPSS
        p-values are bounded to [0.01, 0.10] by statsmodels' table.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> walk = pd.Series(rng.normal(size=400).cumsum(), pd.date_range("2020-01-01", periods=400))
    >>> bool(stationarity(walk)["stationary"].iloc[0])
    False
    """
    if isinstance(data, pd.DataFrame) and isinstance(data.index, pd.DatetimeIndex):
        items = {str(c): data[c] for c in data.columns}
    else:
        s, _ = as_series(data, value=value, missing=missing)
        if s.isna().any():
            raise ValueError("ADF/KPSS need every day; use missing='interpolate' or 'zero'")
        items = {str(s.attrs.get("dyad", s.name)): s}
    rows = []
    for name, s in items.items():
        x = np.asarray(s, dtype=float)
        with warnings.catch_warnings():
            # statsmodels 0.15 announces a change of return type (FutureWarning); KPSS warns
            # when its p-value lies outside its table (it is then reported as the bound).
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", InterpolationWarning)
            adf = adfuller(x, autolag="AIC")
            kp = kpss(x, regression="c", nlags="auto")
        rows.append({"series": name, "adf_stat": adf[0], "adf_p": adf[1], "kpss_stat": kp[0],
                     "kpss_p": kp[1], "stationary": bool(adf[1] < alpha and kp[1] > alpha)})
    return pd.DataFrame(rows)


def granger(data, cause: str, effect: str, *, maxlags: int = 14, ic: str = "aic",
            difference: int | str = "auto", column: str = "dyad", value: str = "value",
            missing: str = "raise", deseasonalise: bool = False) -> GrangerResult:
    """Granger causality between two series through a VAR, both directions.

    Parameters
    ----------
    data : wide DataFrame, dict of Series, or tidy long frame
        The series (see :func:`as_wide`); for a tidy frame, ``column`` names the series.
    cause, effect : str
        Names of the two series (columns).
    maxlags : int
        Largest lag (days) the information criterion considers.
    ic : {"aic", "bic", "hqic", "fpe"}
        Criterion choosing the VAR lag order (at least 1).
    difference : "auto" or int
        "auto": difference each series until ADF/KPSS call it stationary (at most twice);
        an integer differences every series that many times.
    deseasonalise : bool
        Remove each series' weekly STL component first.

    Returns
    -------
    GrangerResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=500)
    >>> y = np.r_[0, 0.8 * x[:-1]] + rng.normal(size=500)
    >>> days = pd.date_range("2020-01-01", periods=500)
    >>> res = granger({"x": pd.Series(x, days), "y": pd.Series(y, days)}, "x", "y")
    >>> bool(res.table.query("cause == 'x'")["p_value"].iloc[0] < 0.001)
    True

    References
    ----------
    Granger, C. W. J. (1969). Investigating causal relations by econometric models and
    cross-spectral methods. *Econometrica* 37(3), 424–438. Lütkepohl, H. (2005). *New
    Introduction to Multiple Time Series Analysis*. Springer.
    """
    if ic not in ICS:
        raise ValueError(f"Unknown ic={ic!r}; choose one of {', '.join(ICS)}")
    wide = as_wide(data, column=column, value=value, missing=missing)
    filled = dict(wide.attrs["n_missing_by_series"])
    for name in (cause, effect):
        if name not in wide.columns:
            raise ValueError(f"No series named {name!r}; choose from {', '.join(wide.columns)}")
    if cause == effect:
        raise ValueError("cause and effect must be different series")
    wide = wide[[cause, effect]]
    if deseasonalise:
        from .seasonal import deseasonalise as _deseason

        attrs = dict(wide.attrs)
        wide = pd.DataFrame({c: _deseason(wide[c]) for c in wide.columns})
        wide.attrs.update(attrs)
    report = [stationarity(wide).assign(differences=0)]
    if difference == "auto":
        orders = {}
        for c in wide.columns:
            d = 0
            ok = bool(report[0].set_index("series").loc[c, "stationary"])
            while not ok and d < 2:
                d += 1
                st = stationarity(wide[[c]].diff(d).dropna()).assign(differences=d)
                report.append(st)
                ok = bool(st["stationary"].iloc[0])
            orders[c] = d
    elif isinstance(difference, int) and 0 <= difference <= 2:
        orders = dict.fromkeys(wide.columns, difference)
        if difference:
            report.append(stationarity(wide.diff(difference).dropna())
                          .assign(differences=difference))
    else:
        raise ValueError(f"difference={difference!r}: give 'auto' or 0, 1, 2")
    x = pd.DataFrame({c: wide[c].diff(d) if d else wide[c] for c, d in orders.items()})
    x = x.dropna().asfreq("D")
    for c in x.columns:
        if np.nanstd(x[c].to_numpy()) == 0:
            raise ValueError(f"Series {c!r} is constant after {orders[c]} difference(s)")
    model = VAR(x)
    maxlags = int(min(maxlags, max(1, len(x) // 10)))
    order = model.select_order(maxlags=maxlags)
    p = max(1, int(order.selected_orders[ic]))
    res = model.fit(p)
    rows = []
    for c, e in ((cause, effect), (effect, cause)):
        t = res.test_causality(e, [c], kind="f")
        # statsmodels' VAR test uses system degrees of freedom (neqs·df_resid); the classical
        # single-equation Granger F test (as grangercausalitytests) uses the equation's own.
        df_num, df_den = int(t.df[0]), int(res.df_resid)
        f = float(t.test_statistic)
        rows.append({"cause": c, "effect": e, "lag_order": p,
                     "differences": f"{orders[c]},{orders[e]}",
                     "f_stat": f, "df_num": df_num, "df_den": df_den,
                     "p_value": float(stats.f.sf(f, df_num, df_den))})
    table = pd.DataFrame(rows)
    info = {"ic": ic, "maxlags": maxlags, "lag_order": p, "differences": orders,
            "start": f"{wide.index[0]:%Y-%m-%d}", "end": f"{wide.index[-1]:%Y-%m-%d}",
            "n_obs": int(res.nobs), "deseasonalised": deseasonalise,
            "n_days": len(wide), "missing": missing,
            "n_missing": max(filled[cause], filled[effect]),
            "n_missing_by_series": {cause: filled[cause], effect: filled[effect]},
            **{k: wide.attrs[k] for k in ("source", "synthetic") if k in wide.attrs}}
    table.attrs.update(info)
    return GrangerResult(table=table, stationarity=pd.concat(report, ignore_index=True),
                         var=res, data=x, info=info)


def impulse_responses(result: GrangerResult | object, *, periods: int = 14,
                      orthogonalised: bool = True, alpha: float = 0.05) -> pd.DataFrame:
    """Impulse responses of a fitted VAR as a tidy frame with asymptotic confidence bands.

    Parameters
    ----------
    result : GrangerResult or statsmodels VARResults
    periods : int
        Horizon in days.
    orthogonalised : bool
        Cholesky-orthogonalised shocks of one standard deviation (ordering = column order),
        or unit shocks to the reduced-form errors.
    alpha : float
        1 − confidence level.

    Returns
    -------
    DataFrame
        ``horizon, impulse, response, estimate, std_err, ci_low, ci_high`` (response units:
        the analysed, possibly differenced, index).
    """
    var = result.var if isinstance(result, GrangerResult) else result
    irf = var.irf(periods)
    vals = irf.orth_irfs if orthogonalised else irf.irfs
    se = irf.stderr(orth=orthogonalised)
    z = stats.norm.ppf(1 - alpha / 2)
    names = list(var.names)
    rows = []
    for h in range(periods + 1):
        for i, resp in enumerate(names):
            for j, imp in enumerate(names):
                est, s = float(vals[h, i, j]), float(se[h, i, j])
                rows.append({"horizon": h, "impulse": imp, "response": resp, "estimate": est,
                             "std_err": s, "ci_low": est - z * s, "ci_high": est + z * s})
    out = pd.DataFrame(rows)
    if isinstance(result, GrangerResult):
        out.attrs.update(result.info)
    out.attrs["orthogonalised"] = orthogonalised
    return out
