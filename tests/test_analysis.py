"""The analysis layer: input handling and errors, agreement with statsmodels, demo effects, plots.

Simulation studies (coverage, size, power) live in test_analysis_sim.py; the real-signal check
on GDELT pair scores in test_analysis_reference.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import statsmodels.api as sm
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.stattools import grangercausalitytests

import toolkit
from toolkit import analysis as A
from toolkit import charts
from toolkit.analysis._hac import nw_lags
from toolkit.analysis.its import design_matrix
from toolkit.sources.demo import cube as demo_data

DAYS = pd.date_range("2021-01-01", periods=400, freq="D")


def noisy(seed=0, n=400, shift=0.0, at=200, phi=0.3):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    u = np.empty(n)
    u[0] = e[0]
    for i in range(1, n):
        u[i] = phi * u[i - 1] + e[i]
    y = 5 + u + shift * (np.arange(n) >= at)
    return pd.Series(y, index=pd.date_range("2021-01-01", periods=n, freq="D"))


def tidy(series, dyad="RUS→KOR", index="volume"):
    df = pd.DataFrame({"date": series.index, "source": dyad[:3], "target": dyad[-3:],
                       "dyad": dyad, "index": index, "value": series.to_numpy()})
    df.attrs.update({"source": "demo", "synthetic": True})
    return df


@pytest.fixture(scope="module")
def demo():
    cube = toolkit.load_cube(source="demo")
    totals = toolkit.load_daily_totals(source="demo")
    vol = toolkit.compute_index(cube, totals, "volume")
    return cube, totals, vol


# ---------------------------------------------------------------- input handling and errors
def test_series_and_tidy_frame_give_the_same_answer():
    y = noisy(shift=1.0)
    a = A.segmented_regression(y, "2021-07-20")
    b = A.segmented_regression(tidy(y), "2021-07-20")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert b.info["source"] == "demo" and b.info["dyad"] == "RUS→KOR"


def test_frame_with_several_dyads_is_refused_with_advice():
    y = noisy()
    two = pd.concat([tidy(y, "RUS→KOR"), tidy(y, "PRK→KOR")])
    with pytest.raises(ValueError, match="filter it to one series"):
        A.segmented_regression(two, "2021-07-20")


def test_missing_days_refused_by_default_and_each_policy_says_what_it_did():
    y = noisy().drop(pd.to_datetime(["2021-03-01", "2021-03-02", "2021-05-05"]))
    with pytest.raises(ValueError, match=r"3 of 400 days are missing.*missing='drop'"):
        A.segmented_regression(y, "2021-07-20")
    s, info = A.as_series(y, missing="drop")
    assert len(s) == 400 and s.isna().sum() == 3 and info.n_missing == 3
    assert A.as_series(y, missing="zero")[0]["2021-03-01"] == 0
    interp = A.as_series(y, missing="interpolate")[0]
    assert interp.notna().all()
    assert interp["2021-03-01"] == pytest.approx(y["2021-02-28"] + (y["2021-03-03"]
                                                                   - y["2021-02-28"]) / 3)
    res = A.segmented_regression(y, "2021-07-20", missing="drop")
    assert res.info["n_obs"] == 397 and res.info["n_missing"] == 3
    assert res.info["missing"] == "drop"
    with pytest.raises(ValueError, match="choose one of raise, drop, zero, interpolate"):
        A.as_series(y, missing="ignore")


def test_milestone_outside_range_and_too_few_days_are_refused():
    y = noisy()
    with pytest.raises(ValueError, match="outside the data range 2021-01-01 to 2022-02-04"):
        A.segmented_regression(y, "2023-01-01")
    with pytest.raises(ValueError, match="5 observed days before.*at least 14"):
        A.segmented_regression(y, "2021-01-06")
    with pytest.raises(ValueError, match="needs data from day -60"):
        A.event_study(y, "2021-01-20")


def test_constant_series_short_series_and_non_daily_are_refused():
    const = pd.Series(3.0, index=DAYS)
    with pytest.raises(ValueError, match="constant"):
        A.segmented_regression(const, "2021-06-01")
    with pytest.raises(ValueError, match="not daily"):
        A.as_series(pd.Series(np.arange(10.0), pd.date_range("2021-01-04", periods=10,
                                                             freq="W-MON")))
    with pytest.raises(ValueError, match="indexed by dates"):
        A.as_series(pd.Series([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="more than once"):
        A.as_series(pd.Series([1.0, 2.0, 3.0], pd.to_datetime(["2021-01-01"] * 2
                                                                + ["2021-01-02"])))


def test_milestone_forms():
    frame = pd.DataFrame({"date": ["2022-02-24"], "title": ["Invasion"]})
    assert A.as_milestones(frame)["milestone"].tolist() == ["Invasion"]
    assert A.as_milestones({"x": "2022-02-24"})["date"].iloc[0] == pd.Timestamp("2022-02-24")
    assert A.as_milestones("2022-02-24")["milestone"].tolist() == ["2022-02-24"]
    with pytest.raises(ValueError, match="not a date"):
        A.as_milestones(["24 Feb"])


def test_bad_options_list_the_choices(demo):
    cube, totals, _ = demo
    y = noisy()
    with pytest.raises(ValueError, match="hac_lags"):
        A.segmented_regression(y, "2021-07-20", hac_lags="auto")
    with pytest.raises(ValueError, match="greater, less, two-sided"):
        A.event_study(y, "2021-07-20", alternative="bigger")
    with pytest.raises(ValueError, match="choose one of both, poisson, negbin"):
        A.count_model(cube, totals, "RUS", "KOR", "2022-02-24", family="logit")
    with pytest.raises(ValueError, match="dyads present: .*RUS→KOR"):
        A.dyad_counts(cube, totals, "RUS", "USA")
    with pytest.raises(ValueError, match="Unknown root_code"):
        A.dyad_counts(cube, totals, "RUS", "KOR", root_code="21")
    with pytest.raises(ValueError, match="trim"):
        A.break_search(y, trim=0.5)
    with pytest.raises(ValueError, match="interpolate"):
        A.stl_decompose(y, missing="drop")
    with pytest.raises(ValueError, match="choose from a, b"):
        A.granger({"a": y, "b": noisy(1)}, "a", "c")
    with pytest.raises(ValueError, match="aic, bic"):
        A.granger({"a": y, "b": noisy(1)}, "a", "b", ic="r2")


def test_count_data_missing_totals_refused_or_dropped(demo):
    cube, totals, _ = demo
    c = cube[cube["date"] < "2021-03-01"]
    t = totals[(totals["date"] < "2021-03-01") & (totals["date"] != "2021-02-10")]
    with pytest.raises(ValueError, match="1 days have no daily total.*missing='drop'"):
        A.dyad_counts(c, t, "RUS", "KOR")
    counts = A.dyad_counts(c, t, "RUS", "KOR", missing="drop")
    assert pd.Timestamp("2021-02-10") not in set(counts["date"])
    # a day with no cube rows for the dyad is a zero count, not a missing day
    c2 = c[~((c["date"] == "2021-02-11") & (c["source"] == "RUS") & (c["target"] == "KOR"))]
    counts2 = A.dyad_counts(c2, t, "RUS", "KOR", missing="drop")
    assert counts2.set_index("date").loc["2021-02-11", "events"] == 0


# ---------------------------------------------------------------- agreement with statsmodels
def test_its_without_prewhitening_equals_statsmodels_hac():
    y = noisy(shift=0.8, phi=0.5)
    res = A.segmented_regression(y, "2021-07-20", prewhiten=False)
    x = design_matrix(y.index, A.as_milestones("2021-07-20"))
    ref = sm.OLS(y.to_numpy(), x.to_numpy()).fit(
        cov_type="HAC", cov_kwds={"maxlags": nw_lags(len(y)), "use_correction": True},
        use_t=True)
    np.testing.assert_allclose(res.table["estimate"], ref.params, rtol=1e-10)
    np.testing.assert_allclose(res.table["std_err"], ref.bse, rtol=1e-8)
    np.testing.assert_allclose(res.table["p_value"], ref.pvalues, rtol=1e-6, atol=1e-12)
    ci = ref.conf_int()
    np.testing.assert_allclose(res.table[["ci_low", "ci_high"]].to_numpy(), ci, rtol=1e-8)
    assert res.info["hac_lags"] == nw_lags(400) == 5


def test_its_counterfactual_and_effects():
    y = noisy(shift=2.0)
    res = A.segmented_regression(y, {"m": "2021-07-20"})
    s = res.series
    np.testing.assert_allclose(s["fitted"] - s["counterfactual"], s["effect"])
    before = s["date"] < "2021-07-20"
    assert (s.loc[before, "effect"] == 0).all()
    lvl = res.effects().query("kind == 'level'").iloc[0]
    assert lvl["ci_low"] <= 2.0 <= lvl["ci_high"] and lvl["p_value"] < 1e-6
    assert set(res.table["kind"]) == {"const", "trend", "level", "slope", "day_of_week"}
    assert list(res.table.columns[:4]) == ["term", "kind", "milestone", "date"]


def test_poisson_and_negbin_equal_direct_statsmodels_fits(demo):
    cube, totals, _ = demo
    kw = {"root_code": "13", "start": "2025-10-01", "end": "2026-05-31", "duration": 14}
    res = A.count_model(cube, totals, "RUS", "KOR", {"w": "2026-02-21"}, cov="nonrobust", **kw)
    counts = res.counts
    idx = pd.DatetimeIndex(counts["date"])
    x = design_matrix(idx, A.as_milestones({"w": "2026-02-21"}), trend=False,
                      slope_change=False)
    x["level: w"] *= (idx < pd.Timestamp("2026-03-07")).astype(float)
    off = np.log(counts["total_events"].to_numpy(float))
    y = counts["events"].to_numpy()
    pois = sm.GLM(y, x.to_numpy(), family=sm.families.Poisson(), offset=off).fit()
    nb = NegativeBinomial(y, x.to_numpy(), offset=off).fit(disp=0, maxiter=300)
    got = res.table.set_index(["model", "term"])
    np.testing.assert_allclose(got.loc["poisson", "estimate"], pois.params, rtol=1e-6)
    np.testing.assert_allclose(got.loc["poisson", "std_err"], pois.bse, rtol=1e-6)
    np.testing.assert_allclose(got.loc["negbin", "estimate"], nb.params[:-1], rtol=1e-4)
    np.testing.assert_allclose(got.loc["negbin", "std_err"], nb.bse[:-1], rtol=1e-3)
    assert res.dispersion["nb_alpha"].iloc[0] == pytest.approx(nb.params[-1], rel=1e-3)


def test_chow_equals_statsmodels_f_test():
    y = noisy(shift=0.5)
    got = A.chow_test(y, "2021-07-20", trend=True).iloc[0]
    t = np.arange(len(y)) / 365.25
    d = (y.index >= "2021-07-20").astype(float)
    restricted = sm.OLS(y.to_numpy(), np.column_stack([np.ones(len(y)), t])).fit()
    full = sm.OLS(y.to_numpy(), np.column_stack([np.ones(len(y)), t, d, d * t])).fit()
    f, p, df = full.compare_f_test(restricted)
    assert got["f_stat"] == pytest.approx(f, rel=1e-9)
    assert got["p_value"] == pytest.approx(p, rel=1e-6)
    assert got["df_num"] == df == 2


def test_granger_equals_statsmodels_grangercausalitytests():
    rng = np.random.default_rng(5)
    x = rng.normal(size=500)
    y = np.r_[0, 0, 0.4 * x[:-2]] + rng.normal(size=500)
    days = pd.date_range("2020-01-01", periods=500)
    res = A.granger({"x": pd.Series(x, days), "y": pd.Series(y, days)}, "x", "y",
                    difference=0)
    p = int(res.table["lag_order"].iloc[0])
    ref = grangercausalitytests(np.column_stack([y, x]), [p])[p][0]
    row = res.table.query("cause == 'x'").iloc[0]
    assert row["f_stat"] == pytest.approx(ref["ssr_ftest"][0], rel=1e-6)
    assert row["p_value"] == pytest.approx(ref["ssr_ftest"][1], rel=1e-5, abs=1e-12)


def test_stl_equals_statsmodels_and_deseasonalise():
    y = noisy()
    y = y - 2.0 * (y.index.day_of_week >= 5)
    dec = A.stl_decompose(y)
    ref = STL(y, period=7, robust=True).fit()
    np.testing.assert_allclose(dec["seasonal"], ref.seasonal)
    np.testing.assert_allclose(dec["trend"] + dec["seasonal"] + dec["resid"], y)
    de = A.deseasonalise(y)
    weekend = de.index.day_of_week >= 5
    assert abs(de[weekend].mean() - de[~weekend].mean()) < 0.3
    assert abs(y[weekend].mean() - y[~weekend].mean()) > 1.5


def test_supf_critical_values_match_andrews_table():
    # Andrews (1993), 15 % trimming, 5 % level (as tabulated by Stock & Watson): 8.68, 5.86
    assert A.supf_critical_value(1, 0.15) == pytest.approx(8.68, abs=0.35)
    assert A.supf_critical_value(2, 0.15) == pytest.approx(5.86, abs=0.25)


def test_stationarity_flags_random_walk_and_granger_differences_it():
    rng = np.random.default_rng(1)
    days = pd.date_range("2020-01-01", periods=600)
    walk = pd.Series(rng.normal(size=600).cumsum(), days)
    iid = pd.Series(rng.normal(size=600), days)
    st = A.stationarity(pd.DataFrame({"walk": walk, "iid": iid}))
    assert st.set_index("series")["stationary"].to_dict() == {"walk": False, "iid": True}
    res = A.granger({"walk": walk, "iid": iid}, "walk", "iid")
    assert res.info["differences"] == {"walk": 1, "iid": 0}  # only the walk is differenced
    assert set(res.stationarity["differences"]) == {0, 1}
    assert res.table["differences"].tolist() == ["1,0", "0,1"]
    irf = A.impulse_responses(res, periods=10)
    assert list(irf.columns) == ["horizon", "impulse", "response", "estimate", "std_err",
                                 "ci_low", "ci_high"]
    assert len(irf) == 11 * 4 and (irf["ci_low"] <= irf["ci_high"]).all()


# ---------------------------------------------------------------- the planted demo effects
def test_demo_treaty_level_shift_found_by_its(demo):
    _, _, vol = demo
    rp = vol[(vol["dyad"] == "RUS→PRK") & vol["date"].between("2023-12-01", "2025-01-31")]
    res = A.segmented_regression(rp, {"treaty": "2024-06-19"})
    lvl = res.effects().query("kind == 'level'").iloc[0]
    pre = rp[rp["date"] < "2024-06-19"]["value"].mean()
    assert lvl["p_value"] < 1e-6 and lvl["estimate"] > 0.5 * pre  # ×2.5 on most events


def test_demo_warning_rate_ratio_found_by_count_model(demo):
    cube, totals, _ = demo
    res = A.count_model(cube, totals, "RUS", "KOR", {"warning": "2026-02-21"},
                        root_code="13", duration=14, start="2025-09-01", end="2026-06-30")
    nb = res.table.query("model == 'negbin' and kind == 'level'").iloc[0]
    # planted: the government's threats ×12 for 14 days, so all speakers together
    # ×(1 + share_GOV · 11), on top of a latent drift the model does not know about
    eff = next(e for e in demo_data.PLANTED_EFFECTS if e["name"] == "purl-asymmetric-warning")
    shares = dict(zip(demo_data.SPEAKER_TYPES, demo_data._TYPE_SHARES["RUS"], strict=True))
    want = 1 + shares["GOV"] / sum(shares.values()) * (eff["factor"] - 1)
    assert nb["irr_low"] < want < nb["irr_high"] and nb["p_value"] < 1e-6
    assert nb["irr_low"] > 2


def test_demo_summits_found_by_event_study(demo):
    _, _, vol = demo
    rp = vol[vol["dyad"] == "RUS→PRK"]
    res = A.event_study(rp, {"2019": "2019-04-25", "2023": "2023-09-13"}, n_placebo=500)
    assert res.summary["p_value"].iloc[0] < 0.01
    assert res.effects["significant"].all()
    path = res.path.set_index("rel_day")
    assert path.loc[0, "ci_low"] > path.loc[0, "null_high"]
    assert abs(path.loc[-5, "estimate"]) < 3  # nothing before the summits


def test_demo_invasion_break_found_by_break_search(demo):
    cube, totals, _ = demo
    counts = A.dyad_counts(cube, totals, "RUS", "KOR", root_code=list("09 10 11 12 13".split()))
    c = counts[counts["date"].between("2021-06-01", "2022-10-31")]
    share = pd.Series(1e6 * c["events"].to_numpy() / c["total_events"].to_numpy(),
                      index=pd.DatetimeIndex(c["date"]))
    res = A.break_search(share, day_of_week=True)
    brk = res.table.set_index("test").loc["sup_f"]
    assert abs((brk["break_date"] - pd.Timestamp("2022-02-24")).days) <= 7
    assert brk["p_value"] < 0.01


# ---------------------------------------------------------------- plots
def test_plots_are_figures_with_captions(demo):
    cube, totals, vol = demo
    rp = vol[(vol["dyad"] == "RUS→PRK") & vol["date"].between("2023-12-01", "2025-01-31")]
    its = A.segmented_regression(rp, {"treaty": "2024-06-19"})
    es = A.event_study(vol[vol["dyad"] == "RUS→PRK"], "2019-04-25", n_placebo=200)
    br = A.break_search(rp)
    cm = A.count_model(cube, totals, "RUS", "PRK", {"treaty": "2024-06-19"},
                       start="2024-01-01", end="2024-12-31")
    wide = vol[vol["target"].eq("KOR") & vol["date"].between("2024-01-01", "2024-12-31")]
    g = A.granger(wide, "RUS→KOR", "PRK→KOR", maxlags=7, deseasonalise=True)
    figs = [charts.plot_its(its), charts.plot_event_study(es), charts.plot_break_search(br),
            charts.plot_irr(cm.table), charts.plot_irf(A.impulse_responses(g, periods=7)),
            charts.plot_stl(A.stl_decompose(rp))]
    for fig in figs:
        assert isinstance(fig, go.Figure) and len(fig.data) >= 1
        caption = [a.text for a in fig.layout.annotations if a.name == "caption"]
        assert caption and "synthetic demo data" in caption[0], caption
    assert any(s.type == "line" for s in figs[0].layout.shapes)  # milestone line
    assert len(figs[4].data) == 2 * 4  # band + line per impulse/response pair



def test_plots_moved_to_charts_and_the_old_names_warn():
    with pytest.warns(DeprecationWarning, match=r"toolkit\.analysis\.plot_its moved to "
                                                r"toolkit\.charts; use `from toolkit\.charts"):
        old = A.plot_its
    assert old is charts.plot_its
    with pytest.warns(DeprecationWarning, match="plot_event_study moved to toolkit.charts"):
        from toolkit.analysis import plot_event_study
    assert plot_event_study is charts.plot_event_study
    with pytest.raises(AttributeError, match="'toolkit.analysis' has no attribute 'plot_map'"):
        A.plot_map  # noqa: B018
    assert not [n for n in A.__all__ if n.startswith("plot_")]


def test_importing_the_analysis_does_not_import_the_charts():
    # the flow is sources -> cube -> indices -> analysis -> charts: never upwards
    import subprocess
    import sys

    code = ("import sys, toolkit.analysis; "
            "print(sorted(m for m in sys.modules if m.startswith('toolkit.charts')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_docs_statistics_example_runs():
    from helpers import doc_blocks

    code = doc_blocks("statistics.md", lang="python")[0].code
    ns: dict = {}
    exec(compile(code, "docs/statistics.md", "exec"), ns)
    assert ns["es"].summary["p_value"].iloc[0] < 0.01
    assert ns["its"].effects().query("kind == 'level'")["p_value"].iloc[0] < 0.001
    assert not ns["cm"].dispersion.empty


def test_event_study_deseasonalised_keeps_dropped_days_out():
    y = noisy(n=500)
    y = y - 2.0 * (y.index.day_of_week >= 5)
    y = y.drop(pd.Timestamp("2021-09-02"))
    res = A.event_study(y, "2021-09-01", deseasonalise=True, missing="drop", n_placebo=200)
    path = res.path.set_index("rel_day")
    assert np.isnan(path.loc[1, "estimate"])  # the dropped day is not filled in
    assert np.isfinite(path.loc[0, "estimate"]) and res.info["n_missing"] == 1
    assert res.info["deseasonalised"] is True


@pytest.mark.parametrize("name", ["_hac", "its", "counts", "event_study", "breaks", "leadlag",
                                  "seasonal", "multiple"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    mod = importlib.import_module(f"toolkit.analysis.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0, res
