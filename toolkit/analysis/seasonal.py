"""Seasonality: STL decomposition with a weekly period, and deseasonalised series.

GDELT volume has a strong weekly cycle (fewer events at weekends). STL (Cleveland et al. 1990)
splits a daily series into trend + seasonal (period 7 by default) + remainder; the
deseasonalised series is ``observed − seasonal``.
"""

from __future__ import annotations

import pandas as pd
from statsmodels.tsa.seasonal import STL

from ._checks import as_series, result_attrs


def stl_decompose(data: pd.Series | pd.DataFrame, *, period: int = 7, robust: bool = True,
                  missing: str = "raise", value: str = "value") -> pd.DataFrame:
    """STL decomposition of a daily series.

    Parameters
    ----------
    data : Series or DataFrame
        A daily index (series indexed by days, or a tidy frame for one dyad and index).
    period : int
        Seasonal period in days (7 = weekly).
    robust : bool
        Robust LOESS fitting, so that single extreme days (a summit) do not distort the
        seasonal pattern.
    missing : {"raise", "zero", "interpolate"}
        STL needs every day: missing days are refused, zero-filled or interpolated
        ("drop" is refused with a message).
    value : str
        Value column when ``data`` is a frame.

    Returns
    -------
    DataFrame
        ``date, observed, trend, seasonal, resid, deseasonalised`` (index units).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2022-01-03", periods=70, freq="D")
    >>> y = pd.Series(10 + np.tile([0, 0, 0, 0, 0, -3, -3], 10), days)
    >>> round(stl_decompose(y)["seasonal"].iloc[5] - stl_decompose(y)["seasonal"].iloc[0])
    -3

    References
    ----------
    Cleveland, R. B., Cleveland, W. S., McRae, J. E. and Terpenning, I. (1990). STL: a
    seasonal-trend decomposition procedure based on loess. *J. Official Statistics* 6(1), 3–73.
    """
    if missing == "drop":
        raise ValueError("STL needs a complete daily series: use missing='interpolate' or "
                         "missing='zero' instead of 'drop'")
    series, info = as_series(data, value=value, missing=missing)
    if len(series) < 2 * period + 1:
        raise ValueError(f"STL with period {period} needs at least {2 * period + 1} days; "
                         f"got {len(series)}")
    res = STL(series, period=period, robust=robust).fit()
    out = pd.DataFrame({"date": series.index, "observed": series.to_numpy(),
                        "trend": res.trend.to_numpy(), "seasonal": res.seasonal.to_numpy(),
                        "resid": res.resid.to_numpy()})
    out["deseasonalised"] = out["observed"] - out["seasonal"]
    out.attrs.update(result_attrs(series, info, method="stl", period=period, robust=robust))
    return out


def deseasonalise(data: pd.Series | pd.DataFrame, *, period: int = 7, robust: bool = True,
                  missing: str = "raise", value: str = "value") -> pd.Series:
    """The series minus its STL seasonal component (same index, same attrs).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2022-01-03", periods=70, freq="D")
    >>> y = pd.Series(10 + np.tile([0, 0, 0, 0, 0, -3, -3], 10), days)
    >>> float(deseasonalise(y).std()) < 0.5
    True
    """
    dec = stl_decompose(data, period=period, robust=robust, missing=missing, value=value)
    out = pd.Series(dec["deseasonalised"].to_numpy(), index=pd.DatetimeIndex(dec["date"]),
                    name="deseasonalised")
    out.attrs.update(dec.attrs)
    return out
