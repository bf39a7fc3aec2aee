"""Statistics for rhetoric around milestones, on statsmodels.

Every method takes one daily series (a Series indexed by days, or the tidy frame of
:func:`toolkit.compute_index` filtered to one dyad and index) and returns tidy DataFrames;
``missing=`` says how missing days are handled (refused by default). Which policy each method
takes, and why a partial GDELT day counts as missing, is stated in
:mod:`toolkit.daily_coverage` (docs/cube.md, *Missing data and coverage*).

- :func:`segmented_regression` — interrupted time series: level/slope change per milestone,
  day of week, trend, Newey–West HAC standard errors (prewhitened);
- :func:`count_model` — Poisson / negative binomial of daily counts with a
  log(total GDELT events) offset; incidence-rate ratios; dispersion check;
- :func:`event_study` — abnormal intensity around milestones vs placebo dates;
- :func:`chow_test`, :func:`break_search` — a break at a known / unknown date (sup-F, CUSUM);
  :func:`change_points` — several change points (ruptures: PELT or binary segmentation);
- :func:`granger`, :func:`impulse_responses`, :func:`stationarity` — lead–lag between dyads
  (ADF/KPSS, VAR, Granger F tests, impulse responses);
- :func:`stl_decompose`, :func:`deseasonalise` — weekly seasonality;
- :func:`adjust_pvalues` — Holm / Benjamini–Hochberg across many milestones.

The figures of these results (``plot_its``, ``plot_event_study``, ``plot_break_search``,
``plot_irf``, ``plot_stl``, ``plot_irr``) live in :mod:`toolkit.charts.statistics`
(``from toolkit.charts import plot_its``): the analysis layer does not import the charts.
``toolkit.analysis.plot_*`` still works, with a ``DeprecationWarning``.
"""

import importlib
import warnings
from typing import Any

from ._checks import MISSING, as_milestones, as_series
from ._hac import nw_lags
from .breaks import (
    BreakResult,
    break_search,
    change_points,
    chow_test,
    supf_critical_value,
    supf_p_value,
)
from .counts import CountResult, count_model, dyad_counts
from .event_study import EventStudyResult, event_study
from .its import ITSResult, segmented_regression
from .leadlag import GrangerResult, as_wide, granger, impulse_responses, stationarity
from .multiple import adjust_pvalues
from .seasonal import deseasonalise, stl_decompose

__all__ = [
    "MISSING", "as_milestones", "as_series", "nw_lags",
    "BreakResult", "break_search", "change_points", "chow_test", "supf_critical_value",
    "supf_p_value",
    "CountResult", "count_model", "dyad_counts",
    "EventStudyResult", "event_study",
    "ITSResult", "segmented_regression",
    "GrangerResult", "as_wide", "granger", "impulse_responses", "stationarity",
    "adjust_pvalues",
    "deseasonalise", "stl_decompose",
]

#: Figures that moved to :mod:`toolkit.charts.statistics` (old name -> still served, warning).
_MOVED_PLOTS = ("plot_its", "plot_event_study", "plot_break_search", "plot_irf", "plot_stl",
                "plot_irr")


def __getattr__(name: str) -> Any:
    # imported lazily: importing toolkit.analysis must not import toolkit.charts
    if name not in _MOVED_PLOTS:
        raise AttributeError(f"module 'toolkit.analysis' has no attribute {name!r}")
    warnings.warn(f"toolkit.analysis.{name} moved to toolkit.charts; use "
                  f"`from toolkit.charts import {name}`", DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module("toolkit.charts.statistics"), name)
