"""Count models: Poisson and negative-binomial regression of a dyad's daily event counts.

Model, for day ``t``::

    log E[events_t] = log(total_events_t) + b0 + Σ_m step_m·1(t ≥ d_m) (+ trend) (+ day of week)

``log(total_events)`` (all GDELT events that day) is the offset, so coefficients are changes in
the dyad's *share* of GDELT's volume, not in raw counts that grow with GDELT itself.
``exp(step_m)`` is the incidence-rate ratio (IRR) of milestone ``m``: 2.0 means the dyad's
events per GDELT event doubled from that day on.

Poisson assumes variance = mean; GDELT counts are overdispersed (bursty news), which makes
Poisson standard errors too small. :func:`count_model` fits both and runs a dispersion check:
the Pearson χ²/df of the Poisson fit and the Cameron–Trivedi (1990) auxiliary-regression test
of H0: no overdispersion. The negative binomial (NB2, dispersion α estimated by maximum
likelihood) is the model to read when the check says Poisson is inadequate.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial

from ._checks import as_milestones, check_milestones
from ._hac import resolve_lags
from .its import design_matrix

FAMILIES = ("both", "poisson", "negbin")
COVS = ("hac", "nonrobust")


@dataclass
class CountResult:
    """Result of :func:`count_model`.

    Attributes
    ----------
    table : DataFrame
        ``model, term, kind, milestone, estimate, std_err, ci_low, ci_high, p_value, irr,
        irr_low, irr_high`` (estimate on the log scale; IRR = exp(estimate)).
    dispersion : DataFrame
        One row: ``pearson_dispersion, ct_alpha, ct_p_value, nb_alpha, poisson_adequate,
        verdict``.
    counts : DataFrame
        ``date, events, total_events``: the data modelled.
    models : dict
        The statsmodels results by model name.
    """

    table: pd.DataFrame
    dispersion: pd.DataFrame
    counts: pd.DataFrame
    models: dict = field(repr=False, default_factory=dict)
    info: dict = field(default_factory=dict)


def dyad_counts(cube: pd.DataFrame, totals: pd.DataFrame, source: str, target: str, *,
                root_code: str | list[str] | None = None,
                missing: str = "raise", speakers=None,
                speaker_groups=None) -> pd.DataFrame:
    """Daily event counts of one directed dyad beside GDELT's daily total.

    Days present in ``totals`` but absent from the cube have zero events for the dyad (the cube
    stores no empty rows). Days absent from ``totals`` have no denominator: they are refused
    (``missing="raise"``) or left out (``missing="drop"``).

    Parameters
    ----------
    cube, totals : DataFrame
        From :func:`toolkit.load_cube` and :func:`toolkit.load_daily_totals`.
    source, target : str
        CAMEO country codes, e.g. "RUS", "KOR".
    root_code : str or list of str, optional
        CAMEO root code(s) such as "13" (Threaten) or ["09", ..., "13"]; all events when None.
    missing : {"raise", "drop"}
    speakers : str or list of str, optional
        Count only these speakers' events: a group of :mod:`toolkit.speakers` ("official",
        "media", ...), groups and/or ``source_type`` codes; None: every speaker. The daily
        total (the offset) is unchanged.
    speaker_groups : dict, optional
        Extra or redefined speaker groups, name -> type codes.

    Returns
    -------
    DataFrame
        ``date, events, total_events`` on every day with a total (sorted); ``attrs["speakers"]``
        says whose events were counted.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2022-02-01", "2022-02-28", source="demo")
    >>> t = toolkit.load_daily_totals("2022-02-01", "2022-02-28", source="demo")
    >>> dyad_counts(c, t, "RUS", "KOR", root_code="13").columns.tolist()
    ['date', 'events', 'total_events']
    """
    if missing not in ("raise", "drop"):
        raise ValueError(f"missing={missing!r}: counts need the day's total as denominator; "
                         "choose 'raise' or 'drop'")
    pairs = set(zip(cube["source"].astype(str), cube["target"].astype(str), strict=True))
    if (source, target) not in pairs:
        valid = ", ".join(f"{s}→{t}" for s, t in sorted(pairs)) or "none"
        raise ValueError(f"No events for {source}→{target} in the cube; dyads present: {valid}")
    sel = (cube["source"] == source) & (cube["target"] == target)
    if root_code is not None:
        codes = [root_code] if isinstance(root_code, str | int) else list(root_code)
        codes = [str(c).zfill(2) for c in codes]
        valid_roots = [f"{i:02d}" for i in range(1, 21)]
        bad = [c for c in codes if c not in valid_roots]
        if bad or not codes:
            raise ValueError(f"Unknown root_code {bad or root_code!r}; choose from "
                             f"{', '.join(valid_roots)}")
        sel &= cube["root_code"].isin(codes)
        root_code = ",".join(codes)
    from .. import speakers as SP

    spk_codes = SP.resolve(speakers, speaker_groups)
    if spk_codes is not None:
        if "source_type" not in cube:
            raise ValueError("speakers= needs the cube's source_type column (load the cube "
                             "with toolkit.load_cube)")
        sel &= cube["source_type"].astype(str).isin(spk_codes)
    ev = cube.loc[sel].groupby("date")["events"].sum()
    tot = totals.set_index("date")["total_events"].sort_index()
    if tot.index.has_duplicates:
        raise ValueError("The daily totals hold a day more than once")
    full = pd.date_range(tot.index.min(), tot.index.max(), freq="D")
    gaps = full.difference(tot.index)
    if len(gaps) and missing == "raise":
        raise ValueError(f"{len(gaps)} days have no daily total (first: {gaps[0]:%Y-%m-%d}); "
                         "pass missing='drop' to leave them out")
    out = pd.DataFrame({"date": tot.index, "events": ev.reindex(tot.index, fill_value=0)
                        .to_numpy().astype(np.int64), "total_events": tot.to_numpy()})
    if (out["total_events"] <= 0).any():
        raise ValueError("Daily totals must be positive (they are the offset's denominator)")
    out.attrs.update({k: cube.attrs[k] for k in ("source", "synthetic", "note", "dataset",
                                                 "date_basis") if k in cube.attrs})
    out.attrs.update({"dyad": f"{source}→{target}", "root_code": root_code,
                      "n_missing_totals": len(gaps),
                      "speakers": SP.label(speakers, speaker_groups),
                      "speaker_codes": None if spk_codes is None else list(spk_codes)})
    return out


def _ct_test(y: np.ndarray, mu: np.ndarray) -> tuple[float, float]:
    # Cameron & Trivedi (1990): regress ((y-mu)^2 - y)/mu on mu without constant; H1: alpha > 0
    aux = ((y - mu) ** 2 - y) / mu
    fit = sm.OLS(aux, mu).fit()
    return float(fit.params[0]), float(stats.norm.sf(fit.tvalues[0]))


def count_model(cube: pd.DataFrame, totals: pd.DataFrame, source: str, target: str,
                milestones, *, root_code: str | list[str] | None = None,
                family: str = "both",
                day_of_week: bool = True, trend: bool = False, cov: str = "hac",
                hac_lags: int | str = "nw1994", alpha: float = 0.05, min_days: int = 14,
                duration: int | None = None, start=None, end=None,
                missing: str = "raise", speakers=None,
                speaker_groups=None) -> CountResult:
    """Poisson and negative-binomial models of a dyad's daily counts with a GDELT-volume offset.

    Parameters
    ----------
    cube, totals : DataFrame
        From :func:`toolkit.load_cube` and :func:`toolkit.load_daily_totals`.
    source, target : str
        The directed dyad, e.g. "RUS", "KOR".
    milestones : date, list, {name: date} or DataFrame
        Step dummies ``1(t ≥ d_m)`` (permanent shifts), or pulses with ``duration``.
    root_code : str or list of str, optional
        Model only these CAMEO roots, e.g. "13" (Threaten).
    family : {"both", "poisson", "negbin"}
    day_of_week : bool
        Day-of-week dummies (Monday reference).
    trend : bool
        A log-linear trend in the dyad's share (per year).
    cov : {"hac", "nonrobust"}
        Newey–West HAC standard errors (lag rule ``floor(4 (T/100)^(2/9))``) or model-based.
    hac_lags : "nw1994" or int
    alpha : float
        1 − confidence level.
    min_days : int
        Days needed on each side of every milestone.
    duration : int, optional
        Model each milestone as a pulse ``1(d_m ≤ t < d_m + duration)`` of this many days
        instead of a permanent step (the IRR is then the rate ratio during the pulse).
    start, end : date, optional
        Restrict the days modelled.
    missing : {"raise", "drop"}
        Days without a daily total.
    speakers : str or list of str, optional
        Model only these speakers' events (e.g. ``"official"``; see :func:`dyad_counts`);
        the offset stays GDELT's daily total. ``info["speakers"]`` names them.
    speaker_groups : dict, optional
        Extra or redefined speaker groups.

    Returns
    -------
    CountResult
        ``info["converged"]`` says per model whether the fit converged (the negative binomial
        tries BFGS, Newton, then Nelder–Mead); a model that did not converge reports NaN
        estimates. ``info["not_estimable"]`` lists the milestones whose window holds no event
        (or only events): their rate ratio has no finite estimate and is reported as NaN, never
        as a ratio of ~0 with a tiny interval.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2025-09-01", "2026-06-30", source="demo")
    >>> t = toolkit.load_daily_totals("2025-09-01", "2026-06-30", source="demo")
    >>> res = count_model(c, t, "RUS", "KOR", {"warning": "2026-02-21"}, root_code="13",
    ...                   family="negbin", duration=14)
    >>> res.table.query("kind == 'level'")[["irr", "irr_low", "irr_high"]].shape
    (1, 3)

    References
    ----------
    Cameron, A. C. and Trivedi, P. K. (1990). Regression-based tests for overdispersion in the
    Poisson model. *J. Econometrics* 46(3), 347–364. Cameron, A. C. and Trivedi, P. K. (2013).
    *Regression Analysis of Count Data*, 2nd ed. Cambridge University Press.
    """
    if family not in FAMILIES:
        raise ValueError(f"Unknown family={family!r}; choose one of {', '.join(FAMILIES)}")
    if cov not in COVS:
        raise ValueError(f"Unknown cov={cov!r}; choose one of {', '.join(COVS)}")
    from ..dates import parse_range

    s, e = parse_range(start, end)
    counts = dyad_counts(cube, totals, source, target, root_code=root_code, missing=missing,
                         speakers=speakers, speaker_groups=speaker_groups)
    if s is not None:
        counts = counts[counts["date"] >= s]
    if e is not None:
        counts = counts[counts["date"] <= e]
    counts = counts.reset_index(drop=True)
    if len(counts) < 2 * min_days:
        raise ValueError(f"Only {len(counts)} days to model; need at least {2 * min_days}")
    if counts["events"].sum() == 0:
        roots = f" of root(s) {counts.attrs['root_code']}" if root_code else ""
        who = f" by {counts.attrs['speakers']}" if speakers is not None else ""
        raise ValueError(f"{counts.attrs['dyad']} has no events{roots}{who} in this range; "
                         "nothing to model")
    idx = pd.DatetimeIndex(counts["date"])
    ms = as_milestones(milestones)
    check_milestones(pd.Series(1.0, index=idx), ms, min_before=min_days, min_after=min_days)
    x = design_matrix(idx, ms, trend=trend, slope_change=False, day_of_week=day_of_week)
    if duration is not None:
        if not isinstance(duration, int) or duration < 1:
            raise ValueError(f"duration={duration!r}: give a number of days >= 1, or None")
        for _, m in ms.iterrows():
            x[f"level: {m['milestone']}"] *= np.asarray(
                idx < m["date"] + pd.Timedelta(days=duration), dtype=float)
    y = counts["events"].to_numpy(dtype=float)
    offset = np.log(counts["total_events"].to_numpy(dtype=float))
    lags = resolve_lags(hac_lags, len(y))
    fit_kw = ({"cov_type": "HAC", "cov_kwds": {"maxlags": lags}} if cov == "hac" else {})

    models = {}
    pois = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(**fit_kw)
    if family in ("both", "poisson"):
        models["poisson"] = pois
    nb = None
    converged = {"poisson": bool(getattr(pois, "converged", True))}
    if family in ("both", "negbin"):
        nb, converged["negbin"] = _fit_negbin(y, x, offset, fit_kw)
        models["negbin"] = nb
    # A level term whose window holds no event (or only events) has no finite maximum
    # likelihood estimate: the optimiser stops somewhere towards -inf and reports a rate ratio
    # of ~0 with a tiny interval. Such terms are reported as not estimable (NaN), not as effects.
    inestimable = [t for t in x.columns if t.startswith("level: ")
                   and (y[x[t].to_numpy() != 0].sum() == 0 or y[x[t].to_numpy() == 0].sum() == 0)]

    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for name, res in models.items():
        params = np.asarray(res.params)[: x.shape[1]]
        bse = np.asarray(res.bse)[: x.shape[1]]
        pv = np.asarray(res.pvalues)[: x.shape[1]]
        if not converged.get(name, True):  # no estimate to report from a failed fit
            params, bse, pv = (np.full(x.shape[1], np.nan) for _ in range(3))
        for term, b, se_, p in zip(x.columns, params, bse, pv, strict=True):
            if term in inestimable:
                b = se_ = p = np.nan
            kind = ("level" if term.startswith("level: ") else
                    "day_of_week" if term.startswith("dow: ") else term)
            rows.append({"model": name, "term": term, "kind": kind,
                         "milestone": term.split(": ", 1)[1] if kind == "level" else "",
                         "estimate": b, "std_err": se_, "ci_low": b - z * se_,
                         "ci_high": b + z * se_, "p_value": p})
    table = pd.DataFrame(rows)
    table["irr"] = np.exp(table["estimate"])
    table["irr_low"] = np.exp(table["ci_low"])
    table["irr_high"] = np.exp(table["ci_high"])

    mu = np.asarray(pois.mu)
    pearson = float(np.sum((y - mu) ** 2 / mu) / pois.df_resid)
    ct_alpha, ct_p = _ct_test(y, mu)
    nb_alpha = float(np.asarray(nb.params)[-1]) if nb is not None else np.nan
    adequate = not (ct_p < 0.05 and pearson > 1.1)
    verdict = ("Poisson adequate: no evidence of overdispersion" if adequate else
               f"Poisson inadequate: overdispersed (Pearson χ²/df = {pearson:.2f}, "
               f"Cameron–Trivedi p = {ct_p:.2g}); read the negative-binomial rows")
    dispersion = pd.DataFrame([{"pearson_dispersion": pearson, "ct_alpha": ct_alpha,
                                "ct_p_value": ct_p, "nb_alpha": nb_alpha,
                                "poisson_adequate": adequate, "verdict": verdict}])
    info = {**counts.attrs, "method": "count_model", "cov": cov, "duration": duration,
            "converged": converged, "not_estimable": [t.split(": ", 1)[1] for t in inestimable],
            "hac_lags": lags if cov == "hac" else None, "n_obs": len(y),
            "start": f"{idx[0]:%Y-%m-%d}", "end": f"{idx[-1]:%Y-%m-%d}"}
    table.attrs.update(info)
    dispersion.attrs.update(info)
    return CountResult(table=table, dispersion=dispersion, counts=counts, models=models,
                       info=info)


def _fit_negbin(y: np.ndarray, x: pd.DataFrame, offset: np.ndarray, fit_kw: dict):
    """Fit the NB2 model, trying BFGS, then Newton, then Nelder–Mead; returns (result, converged).

    Sparse series (a speaker group with a handful of events) often stop BFGS short of the
    maximum. Convergence is checked here (``mle_retvals`` and finite estimates and standard
    errors) rather than left to a warning nobody reads in a notebook.
    """
    res = None
    for method, maxiter in (("bfgs", 300), ("newton", 100), ("nm", 20000)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = NegativeBinomial(y, x, loglike_method="nb2", offset=offset).fit(
                    method=method, disp=0, maxiter=maxiter, **fit_kw)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
            ok = (bool(res.mle_retvals.get("converged", False))
                  and np.all(np.isfinite(np.asarray(res.params)))
                  and np.all(np.isfinite(np.asarray(res.bse))))
        if ok:
            return res, True
    if res is None:
        raise ValueError("the negative-binomial model could not be fitted to these counts")
    return res, False
