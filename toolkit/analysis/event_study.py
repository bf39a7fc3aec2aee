"""Event study: abnormal intensity around milestones, tested against placebo dates.

For a milestone on day ``d`` the baseline is the pre-window ``[d + b0, d + b1]`` (default days
−60..−15, leaving a gap so that anticipation before the milestone does not leak into it).
The abnormal intensity on day ``d + r`` is ``(y[d + r] − μ_d) / σ_d`` (``standardise=True``:
in baseline standard deviations, comparable across years despite GDELT's volume growth) or
``y[d + r] − μ_d`` (index units). The effect of a milestone is the mean abnormal intensity over
the effect window (default days 0..+2); the effect of a set of milestones is the mean of
theirs.

Inference is by placebo dates: every day whose windows fit in the data and that lies more
than ``exclude_days`` from every real milestone is a candidate; ``n_placebo`` sets of as many
dates as there are milestones are drawn with a seed, and the empirical p-value is
``(1 + #{placebo effect ≥ observed}) / (1 + n_placebo)`` (one-sided, ``alternative="greater"``).
Each milestone also gets its own p-value against all single candidate dates. The spread of the
placebo average paths gives the standard error and the null band of the event-time path, so
autocorrelation and heavy tails are accounted for without a parametric model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from ._checks import as_milestones, as_series, result_attrs

ALTERNATIVES = ("greater", "less", "two-sided")


@dataclass
class EventStudyResult:
    """Result of :func:`event_study`.

    Attributes
    ----------
    path : DataFrame
        ``rel_day, estimate, std_err, ci_low, ci_high, null_low, null_high, n_milestones``:
        the mean abnormal intensity by day relative to the milestones, its placebo-based
        standard error and confidence band, and the band of placebo average paths (what "no
        effect" looks like).
    by_milestone : DataFrame
        ``milestone, date, rel_day, abnormal``: each milestone's path.
    effects : DataFrame
        ``milestone, date, baseline_mean, baseline_sd, effect, p_value, significant``: each
        milestone's effect and its p-value against all single placebo dates.
    summary : DataFrame
        One row: ``n_milestones, effect, placebo_mean, placebo_sd, p_value, n_placebo,
        n_candidates, alternative, unit``.
    placebo_effects : ndarray
        The effects of the placebo sets (for a histogram).
    candidates : DatetimeIndex
        The days placebo dates were drawn from.
    """

    path: pd.DataFrame
    by_milestone: pd.DataFrame
    effects: pd.DataFrame
    summary: pd.DataFrame
    placebo_effects: np.ndarray = field(repr=False)
    candidates: pd.DatetimeIndex = field(repr=False, default=None)
    info: dict = field(default_factory=dict)


def _window(w, name: str) -> tuple[int, int]:
    try:
        a, b = (int(w[0]), int(w[1]))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"{name}={w!r}: give a pair of day offsets such as (-60, -15)") from None
    if a > b:
        raise ValueError(f"{name}={w!r}: the first offset must not exceed the second")
    return a, b


def _p_value(null: np.ndarray, observed: float, alternative: str) -> float:
    null = null[np.isfinite(null)]
    if alternative == "greater":
        hits = np.sum(null >= observed)
    elif alternative == "less":
        hits = np.sum(null <= observed)
    else:
        centre = np.mean(null)
        hits = np.sum(np.abs(null - centre) >= abs(observed - centre))
    return float((1 + hits) / (1 + len(null)))


def event_study(data: pd.Series | pd.DataFrame, milestones, *,
                window: tuple[int, int] = (-10, 20), baseline: tuple[int, int] = (-60, -15),
                effect: tuple[int, int] = (0, 2), standardise: bool = True,
                n_placebo: int = 2000, seed: int = 0, exclude_days: int = 30, exclude=None,
                alternative: str = "greater", alpha: float = 0.05, min_baseline: int = 20,
                missing: str = "raise", value: str = "value",
                deseasonalise: bool = False, untestable: str = "raise") -> EventStudyResult:
    """Abnormal intensity around milestones, with placebo-date inference.

    Parameters
    ----------
    data : Series or DataFrame
        A daily index (series indexed by days, or a tidy frame for one dyad and index).
    milestones : date, list of dates, {name: date} or DataFrame
        The milestones to average over.
    window : (int, int)
        Days relative to the milestone shown in the path, e.g. (−10, 20).
    baseline : (int, int)
        Pre-window for the baseline mean and SD, e.g. (−60, −15).
    effect : (int, int)
        Days whose mean abnormal intensity is the milestone's effect, e.g. (0, 2).
    standardise : bool
        Abnormal intensity in baseline SDs (True) or index units (False).
    n_placebo : int
        Number of placebo sets.
    seed : int
        Seed for drawing the placebo sets (results are reproducible).
    exclude_days : int
        Placebo dates are at least this many days from every milestone (and from ``exclude``).
    exclude : dates, optional
        More dates to keep placebos away from (e.g. the whole milestone registry).
    alternative : {"greater", "less", "two-sided"}
        Direction of the test.
    alpha : float
        1 − confidence level of the bands; milestones with ``p_value < alpha`` are flagged.
    min_baseline : int
        Observed days needed in a baseline window.
    missing : {"raise", "drop", "zero", "interpolate"}
        Missing-day policy; with "drop" missing days are skipped in means.
    value : str
        Value column when ``data`` is a frame.
    deseasonalise : bool
        Remove the weekly STL component first (see :func:`toolkit.analysis.deseasonalise`).
    untestable : {"raise", "skip"}
        A milestone whose baseline has fewer than ``min_baseline`` observed days, or does not
        vary (a sparse dyad: 0 on every baseline day, so no SD to standardise by), is refused
        (``"raise"``) or kept in ``effects`` with NaN effect and p-value and the reason in
        ``note``, left out of the pooled test and listed in ``info["untestable"]``
        (``"skip"``). At least one milestone must be testable.

    Returns
    -------
    EventStudyResult

    Raises
    ------
    ValueError
        A milestone whose baseline or window falls outside the data or whose baseline has
        fewer than ``min_baseline`` observed days; too few placebo candidates; bad windows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> y = pd.Series(rng.normal(size=800), pd.date_range("2020-01-01", periods=800))
    >>> y["2021-01-10":"2021-01-12"] += 5
    >>> res = event_study(y, ["2021-01-10"], n_placebo=500)
    >>> bool(res.summary["p_value"].iloc[0] < 0.01)
    True

    References
    ----------
    MacKinlay, A. C. (1997). Event studies in economics and finance. *J. Econ. Literature*
    35(1), 13–39. Placebo (randomisation) inference: Abadie, Diamond and Hainmueller (2010),
    *JASA* 105(490), 493–505.
    """
    if alternative not in ALTERNATIVES:
        raise ValueError(f"Unknown alternative={alternative!r}; choose one of "
                         f"{', '.join(ALTERNATIVES)}")
    w0, w1 = _window(window, "window")
    b0, b1 = _window(baseline, "baseline")
    e0, e1 = _window(effect, "effect")
    if b1 >= 0:
        raise ValueError(f"baseline={baseline!r} must end before the milestone (negative days)")
    if e0 < w0 or e1 > w1:
        raise ValueError(f"effect={effect!r} must lie inside window={window!r}")
    if deseasonalise:
        from .seasonal import deseasonalise as _deseason

        series, info = as_series(data, value=value, missing=missing)
        gaps = series.isna()
        # STL needs every day: interpolate for the decomposition only, then put the dropped
        # days back as missing so that they stay out of the means.
        series = _deseason(series, missing="interpolate" if missing == "drop" else missing)
        series[gaps.to_numpy()] = np.nan
    else:
        series, info = as_series(data, value=value, missing=missing)
    ms = as_milestones(milestones)
    y = series.to_numpy(dtype=float)
    n = len(y)
    lo, hi = min(b0, w0), max(w1, e1)

    # Per-day baseline statistics and paths for every possible event day, vectorised.
    blen, wlen, elen = b1 - b0 + 1, w1 - w0 + 1, e1 - e0 + 1
    positions = np.arange(-lo, n - hi) if n - hi > -lo else np.arange(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows are handled below
        bwin = sliding_window_view(y, blen)[positions + b0]
        b_mean = np.nanmean(bwin, axis=1)
        b_sd = np.nanstd(bwin, axis=1, ddof=1)
        b_n = np.sum(np.isfinite(bwin), axis=1)
        paths = sliding_window_view(y, wlen)[positions + w0] - b_mean[:, None]
        if standardise:
            paths = paths / b_sd[:, None]
        eff = np.nanmean(paths[:, e0 - w0:e1 - w0 + 1], axis=1)
    del elen
    usable = (b_n >= min_baseline) & np.isfinite(eff) & (b_sd > 0)

    dates = series.index
    pos_of = {d: i for i, d in enumerate(dates[positions])} if len(positions) else {}
    if untestable not in ("raise", "skip"):
        raise ValueError(f"Unknown untestable={untestable!r}; choose 'raise' or 'skip'")
    rows = []
    skipped: dict[int, str] = {}  # position in ms -> why it cannot be tested
    for k, (_, m) in enumerate(ms.iterrows()):
        d = m["date"]
        if d not in pos_of:
            raise ValueError(
                f"Milestone {m['milestone']!r} ({d:%Y-%m-%d}) needs data from day {lo} to day "
                f"+{hi} around it ({d + pd.Timedelta(days=lo):%Y-%m-%d} to "
                f"{d + pd.Timedelta(days=hi):%Y-%m-%d}) but the series covers "
                f"{dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}; widen the range or shrink "
                "baseline/window"
            )
        j = pos_of[d]
        if not usable[j] and untestable == "skip":
            skipped[k] = (f"not testable: {int(b_n[j])} observed baseline days (need "
                          f"{min_baseline})" if b_n[j] < min_baseline else
                          "not testable: the baseline does not vary (no SD to standardise "
                          "by)" if not b_sd[j] > 0 else
                          "not testable: no observed day in the effect window")
            continue
        if not usable[j]:
            raise ValueError(
                f"Milestone {m['milestone']!r} ({d:%Y-%m-%d}): its baseline days {b0}..{b1} "
                f"hold {int(b_n[j])} observed days (need {min_baseline}) or do not vary; "
                "lower min_baseline, widen baseline or choose another missing-day policy"
            )
        rows.append(j)
    rows = np.array(rows, dtype=int)
    if not len(rows):
        raise ValueError("No milestone can be tested: " + "; ".join(
            f"{ms['milestone'].iloc[k]} ({why})" for k, why in skipped.items()))
    all_ms, ms = ms, ms.drop(index=ms.index[list(skipped)]).reset_index(drop=True)

    # Placebo candidates: usable days away from every milestone (and extra exclusions).
    away = all_ms["date"].tolist()  # untestable milestones stay out of the placebos too
    if exclude is not None:
        away += as_milestones(exclude)["date"].tolist()
    cand_dates = dates[positions]
    near = np.zeros(len(positions), dtype=bool)
    for d in away:
        near |= np.abs((cand_dates - d).days) <= exclude_days
    cand = np.flatnonzero(usable & ~near)
    m = len(rows)
    if len(cand) < max(30, 2 * m):
        raise ValueError(
            f"Only {len(cand)} placebo dates are available (need at least {max(30, 2 * m)}); "
            "use a longer series, a smaller exclude_days or shorter windows"
        )
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.choice(cand, size=m, replace=False) for _ in range(n_placebo)])
    placebo_eff = eff[draws].mean(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        placebo_paths = np.nanmean(paths[draws], axis=1)  # n_placebo × window
        obs_path = np.nanmean(paths[rows], axis=0)
    observed = float(np.mean(eff[rows]))

    z = stats.norm.ppf(1 - alpha / 2)
    se = np.nanstd(placebo_paths, axis=0, ddof=1)
    # nanquantile is per-column slow; use it only when gaps leave NaNs in the placebo paths
    quantile = np.quantile if np.isfinite(placebo_paths).all() else np.nanquantile
    rel = np.arange(w0, w1 + 1)
    path = pd.DataFrame({
        "rel_day": rel, "estimate": obs_path, "std_err": se,
        "ci_low": obs_path - z * se, "ci_high": obs_path + z * se,
        "null_low": quantile(placebo_paths, alpha / 2, axis=0),
        "null_high": quantile(placebo_paths, 1 - alpha / 2, axis=0),
        "n_milestones": np.sum(np.isfinite(paths[rows]), axis=0),
    })
    by_ms = pd.concat([pd.DataFrame({"milestone": name, "date": d, "rel_day": rel,
                                     "abnormal": paths[j]})
                       for name, d, j in zip(ms["milestone"], ms["date"], rows, strict=True)],
                      ignore_index=True)
    single_null = eff[cand]
    pvals = [_p_value(single_null, eff[j], alternative) for j in rows]
    effects = pd.DataFrame({"milestone": ms["milestone"], "date": ms["date"],
                            "baseline_mean": b_mean[rows], "baseline_sd": b_sd[rows],
                            "effect": eff[rows], "p_value": pvals})
    effects["significant"] = effects["p_value"] < alpha
    if skipped:
        effects["note"] = ""
        gone = pd.DataFrame({"milestone": all_ms["milestone"].iloc[list(skipped)].to_numpy(),
                             "date": all_ms["date"].iloc[list(skipped)].to_numpy(),
                             "significant": False, "note": list(skipped.values())})
        effects = (pd.concat([effects, gone], ignore_index=True)
                   .sort_values("date", kind="stable").reset_index(drop=True))
    unit = "baseline SDs" if standardise else "index units"
    summary = pd.DataFrame([{
        "n_milestones": m, "effect": observed, "placebo_mean": float(np.mean(placebo_eff)),
        "placebo_sd": float(np.std(placebo_eff, ddof=1)),
        "p_value": _p_value(placebo_eff, observed, alternative), "n_placebo": n_placebo,
        "n_candidates": len(cand), "alternative": alternative, "unit": unit}])
    meta = result_attrs(series, info, method="event_study", window=(w0, w1),
                        baseline=(b0, b1), effect=(e0, e1), standardise=standardise,
                        seed=seed, exclude_days=exclude_days, unit=unit,
                        deseasonalised=deseasonalise,
                        untestable={str(all_ms["milestone"].iloc[k]): why
                                    for k, why in skipped.items()})
    for frame in (path, by_ms, effects, summary):
        frame.attrs.update(meta)
    return EventStudyResult(path=path, by_milestone=by_ms, effects=effects, summary=summary,
                            placebo_effects=placebo_eff, candidates=cand_dates[cand],
                            info=meta)
