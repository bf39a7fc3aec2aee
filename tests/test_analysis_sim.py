"""Known-answer simulations (seeded): does each method find what was planted, and only that?

Noise is generated for all replications at once (scipy.signal.lfilter over a matrix); the
methods are then run once per replication. The heavier studies are marked slow (CI runs them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from toolkit import analysis as A


def ar1_noise(seed: int, n_days: int, phi: float, n_sims: int = 1) -> np.ndarray:
    """Stationary AR(1) noise with unit variance, shape (n_sims, n_days)."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(n_sims, n_days + 300))
    return lfilter([1.0], [1.0, -phi], e, axis=1)[:, 300:] * np.sqrt(1 - phi**2)


def days(n: int) -> pd.DatetimeIndex:
    return pd.date_range("2021-01-01", periods=n, freq="D")


# ---------------------------------------------------------------- segmented regression
def test_level_shift_in_ar1_noise_is_recovered():
    idx = days(730)
    y = pd.Series(10 + 0.8 * (idx >= idx[365]) + ar1_noise(11, 730, 0.5)[0], idx)
    lvl = A.segmented_regression(y, idx[365]).effects().query("kind == 'level'").iloc[0]
    assert lvl["ci_low"] <= 0.8 <= lvl["ci_high"]
    assert lvl["p_value"] < 0.05


@pytest.mark.slow
def test_its_ci_coverage_over_200_simulations():
    # AR(1) errors with rho = 0.5, two years of days, milestone in the middle, true level
    # shift 0.5 SD; full default model (trend, slope change, day of week, prewhitened HAC).
    n, shift = 730, 0.5
    idx = days(n)
    step = idx >= idx[n // 2]
    noise = ar1_noise(2026, n, 0.5, 200)
    covered = 0
    for u in noise:
        lvl = A.segmented_regression(pd.Series(3 + shift * step + u, idx), idx[n // 2]
                                     ).effects().query("kind == 'level'").iloc[0]
        covered += lvl["ci_low"] <= shift <= lvl["ci_high"]
    coverage = covered / len(noise)
    assert 0.90 <= coverage <= 0.99, coverage


@pytest.mark.slow
def test_its_false_positive_rate_without_shift_over_200_simulations():
    n = 730
    idx = days(n)
    noise = ar1_noise(7, n, 0.3, 200)
    rejections = sum(
        A.segmented_regression(pd.Series(3 + u, idx), idx[n // 2]).effects()
        .query("kind == 'level'")["p_value"].iloc[0] < 0.05
        for u in noise)
    rate = rejections / len(noise)
    assert 0.02 <= rate <= 0.09, rate


# ---------------------------------------------------------------- count model
def _count_data(seed: int, n: int, rate_ratio: float, *, overdispersed: bool):
    """A one-dyad cube and daily totals: totals grow 30 % and have a weekly cycle; the dyad's
    expected count is 1e-4 × total, times ``rate_ratio`` from the milestone on."""
    rng = np.random.default_rng(seed)
    idx = days(n)
    weekly = np.where(idx.day_of_week >= 5, 0.7, 1.0)
    totals = np.round(150_000 * np.linspace(1, 1.3, n) * weekly).astype(np.int64)
    mu = 1e-4 * totals * np.where(idx >= idx[n // 2], rate_ratio, 1.0)
    if overdispersed:
        mu = mu * rng.gamma(4.0, 1 / 4.0, n)  # gamma–Poisson: negative binomial, alpha 0.25
    events = rng.poisson(mu)
    cube = pd.DataFrame({"date": idx, "source": "RUS", "target": "KOR", "root_code": "13",
                         "events": events})
    tot = pd.DataFrame({"date": idx, "total_events": totals})
    return cube, tot, idx[n // 2]


def test_count_model_recovers_known_rate_ratio_with_offset():
    cube, totals, m = _count_data(3, 600, 1.8, overdispersed=True)
    res = A.count_model(cube, totals, "RUS", "KOR", {"m": m}, cov="nonrobust")
    nb = res.table.query("model == 'negbin' and kind == 'level'").iloc[0]
    pois = res.table.query("model == 'poisson' and kind == 'level'").iloc[0]
    assert nb["irr_low"] <= 1.8 <= nb["irr_high"]
    assert nb["irr"] == pytest.approx(1.8, rel=0.15)
    assert pois["irr"] == pytest.approx(1.8, rel=0.15)  # the point estimate is fine ...
    assert pois["std_err"] < 0.8 * nb["std_err"]  # ... its overdispersed SE is too small
    disp = res.dispersion.iloc[0]
    assert not disp["poisson_adequate"] and "inadequate" in disp["verdict"]
    assert disp["nb_alpha"] == pytest.approx(0.25, abs=0.12)


def test_dispersion_check_accepts_poisson_data():
    cube, totals, m = _count_data(4, 600, 1.5, overdispersed=False)
    res = A.count_model(cube, totals, "RUS", "KOR", m, family="poisson", cov="nonrobust")
    disp = res.dispersion.iloc[0]
    assert disp["poisson_adequate"], disp["verdict"]
    assert disp["pearson_dispersion"] == pytest.approx(1.0, abs=0.15)


@pytest.mark.slow
def test_negbin_rate_ratio_ci_coverage():
    covered = 0
    n_sims = 60
    for seed in range(n_sims):
        cube, totals, m = _count_data(100 + seed, 400, 1.8, overdispersed=True)
        res = A.count_model(cube, totals, "RUS", "KOR", m, family="negbin", cov="nonrobust")
        row = res.table.query("kind == 'level'").iloc[0]
        covered += row["irr_low"] <= 1.8 <= row["irr_high"]
    assert covered / n_sims >= 0.87, covered / n_sims


# ---------------------------------------------------------------- structural breaks
def test_break_search_finds_planted_break_within_a_few_days():
    n, at = 500, 313
    idx = days(n)
    y = pd.Series(1.0 * (np.arange(n) >= at) + ar1_noise(5, n, 0.3)[0], idx)
    res = A.break_search(y)
    row = res.table.set_index("test").loc["sup_f"]
    assert abs((row["break_date"] - idx[at]).days) <= 3
    assert row["p_value"] < 0.01 and row["statistic"] > row["crit_5pct"]
    chow = A.chow_test(y, idx[at]).iloc[0]
    assert chow["p_value"] < 0.001


@pytest.mark.slow
def test_break_search_date_accuracy_over_simulations():
    # shift 1.5 SD in AR(1) noise (rho 0.3) at a random day: the least-squares break date is
    # usually exact and rarely more than a week off (its error has heavy tails with AR noise)
    n, n_sims = 400, 40
    idx = days(n)
    rng = np.random.default_rng(9)
    noise = ar1_noise(10, n, 0.3, n_sims)
    errors = []
    for u in noise:
        at = int(rng.integers(100, 300))
        res = A.break_search(pd.Series(1.5 * (np.arange(n) >= at) + u, idx))
        errors.append(abs((res.table.loc[0, "break_date"] - idx[at]).days))
    errors = np.array(errors)
    assert np.median(errors) <= 2, errors
    assert np.mean(errors <= 7) >= 0.9, errors


def test_change_points_find_two_planted_shifts():
    n = 600
    idx = days(n)
    t = np.arange(n)
    level = 1.5 * ((t >= 200) & (t < 420))
    # iid noise: PELT with the BIC penalty chooses the number itself
    y = pd.Series(level + np.random.default_rng(8).normal(size=n), idx)
    found = A.change_points(y).attrs["change_dates"]
    assert len(found) == 2
    assert all(abs((f - idx[k]).days) <= 3 for f, k in zip(found, (200, 420), strict=True))
    # AR(1) noise: fix the number of change points (PELT would over-segment)
    y2 = pd.Series(level + ar1_noise(12, n, 0.3)[0], idx)
    seg = A.change_points(y2, n_bkps=2)
    assert all(abs((f - idx[k]).days) <= 7
               for f, k in zip(seg.attrs["change_dates"], (200, 420), strict=True))
    assert seg["change"].iloc[1] == pytest.approx(1.5, abs=0.4)
    with pytest.raises(ValueError, match="n_bkps"):
        A.change_points(y, n_bkps=100)


# ---------------------------------------------------------------- lead–lag
def _lead_pair(seed: int, n: int = 600, strength: float = 0.5):
    """x leads y by 2 days with ``strength``; y does not lead x."""
    rng = np.random.default_rng(seed)
    x = lfilter([1.0], [1.0, -0.4], rng.normal(size=n))
    y = 0.3 * rng.normal(size=n)
    y[2:] += strength * x[:-2]
    y = lfilter([1.0], [1.0, -0.3], y)
    idx = days(n)
    return {"x": pd.Series(x, idx), "y": pd.Series(y, idx)}


def test_granger_detects_planted_lead_and_not_absent_one():
    res = A.granger(_lead_pair(1), "x", "y")
    t = res.table.set_index("cause")
    assert t.loc["x", "p_value"] < 0.001
    assert t.loc["y", "p_value"] > 0.05
    assert res.info["differences"] == {"x": 0, "y": 0}  # stationary: nothing differenced


@pytest.mark.slow
def test_granger_power_and_size_over_simulations():
    n_sims = 60
    detect = false_pos = 0
    for seed in range(n_sims):
        t = A.granger(_lead_pair(1000 + seed, n=400, strength=0.3), "x", "y",
                      difference=0, maxlags=7).table.set_index("cause")
        detect += t.loc["x", "p_value"] < 0.05
        false_pos += t.loc["y", "p_value"] < 0.05
    assert detect / n_sims >= 0.9, detect / n_sims
    assert false_pos / n_sims <= 0.12, false_pos / n_sims


# ---------------------------------------------------------------- event study
def test_event_study_detects_planted_pulse_at_chosen_milestones():
    n = 1500
    idx = days(n)
    y = 5 + ar1_noise(21, n, 0.4)[0]
    ms = [idx[300], idx[800], idx[1200]]
    for m in ms:
        y[idx.get_loc(m):idx.get_loc(m) + 3] += 2.5
    res = A.event_study(pd.Series(y, idx), ms, n_placebo=999, seed=1)
    assert res.summary["p_value"].iloc[0] <= 0.002
    path = res.path.set_index("rel_day")
    assert path.loc[1, "estimate"] > path.loc[1, "null_high"]
    assert path.loc[-8, "null_low"] < path.loc[-8, "estimate"] < path.loc[-8, "null_high"]


@pytest.mark.slow
def test_event_study_placebo_p_values_are_calibrated_without_effect():
    # no effect anywhere: the placebo p-value of a random "milestone" is roughly uniform
    n, n_sims = 900, 300
    idx = days(n)
    noise = ar1_noise(77, n, 0.4, n_sims)
    rng = np.random.default_rng(78)
    p = np.empty(n_sims)
    for i, u in enumerate(noise):
        m = idx[int(rng.integers(100, 850))]
        p[i] = A.event_study(pd.Series(u, idx), m, n_placebo=199, seed=int(rng.integers(1e6))
                             ).summary["p_value"].iloc[0]
    assert 0.02 <= np.mean(p < 0.05) <= 0.09, np.mean(p < 0.05)
    assert 0.40 <= np.mean(p < 0.5) <= 0.60, np.mean(p < 0.5)
