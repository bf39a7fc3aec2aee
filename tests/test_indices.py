"""Known answers for every index on tiny hand-built cubes, roll-up consistency, DOC indices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import indices as I
from toolkit import schema as S


def cube_of(rows: list[tuple]) -> pd.DataFrame:
    """rows: (date, source, target, root, quad, events, articles, goldstein_x_art, tone_x_art)."""
    recs = [{"date": d, "source": s, "source_type": "", "target": t, "root_code": r,
             "quad_class": q,
             "events": e, "root_events": e, "articles": a, "mentions": a, "sources": a,
             "goldstein_sum": 0.0, "goldstein_x_articles": gx, "tone_x_articles": tx}
            for d, s, t, r, q, e, a, gx, tx in rows]
    df = pd.DataFrame(recs, columns=S.CUBE.names) if recs else S.CUBE.empty()
    return S.coerce(df, S.CUBE)


def totals_of(days: dict[str, int]) -> pd.DataFrame:
    df = pd.DataFrame({"date": list(days), "total_events": list(days.values()),
                       "total_articles": [10 * v for v in days.values()]})
    return S.coerce(df, S.DAILY_TOTALS)


# Two days of RUS→KOR, nothing on day 3; one KOR→RUS event on day 1.
CUBE = cube_of([
    # date          src    tgt   root q  ev art  gold×art  tone×art
    ("2026-02-20", "RUS", "KOR", "04", 1, 3, 10, 10.0, -20.0),   # consult (verbal coop)
    ("2026-02-20", "RUS", "KOR", "13", 3, 2, 6, -36.0, -30.0),   # threaten (verbal conflict)
    ("2026-02-20", "RUS", "KOR", "19", 4, 1, 4, -40.0, -40.0),   # fight (material conflict)
    ("2026-02-21", "RUS", "KOR", "11", 3, 4, 5, -10.0, -5.0),    # disapprove
    ("2026-02-20", "KOR", "RUS", "04", 1, 1, 2, 2.0, 1.0),
])
TOTALS = totals_of({"2026-02-20": 2_000_000, "2026-02-21": 1_000_000, "2026-02-22": 500_000})


def values(df: pd.DataFrame, index: str, dyad: str = "RUS→KOR") -> list[float]:
    part = df[(df["index"] == index) & (df["dyad"] == dyad)].sort_values("date")
    return part["value"].tolist()


def test_known_answers_daily():
    df = toolkit.compute_indices(CUBE, TOTALS, ["volume", "verbal_conflict_share",
                                                "threat_rate", "hostility", "tone"])
    assert list(df.columns) == ["date", "source", "target", "dyad", "index", "value"]
    # volume: 1e6 * events / total_events
    assert values(df, "volume") == pytest.approx([1e6 * 6 / 2e6, 1e6 * 4 / 1e6, 0.0])
    # verbal-conflict share: QuadClass-3 events / all events
    vcs = values(df, "verbal_conflict_share")
    assert vcs[:2] == pytest.approx([2 / 6, 4 / 4])
    # threat rate: root-13 events per million
    assert values(df, "threat_rate") == pytest.approx([1e6 * 2 / 2e6, 0.0, 0.0])
    # hostility: minus article-weighted Goldstein of QuadClass 1 and 3 only (root 19 excluded)
    host = values(df, "hostility")
    assert host[:2] == pytest.approx([-(10.0 - 36.0) / (10 + 6), 10.0 / 5])
    # tone: article-weighted AvgTone over all events
    tone = values(df, "tone")
    assert tone[:2] == pytest.approx([(-20 - 30 - 40) / (10 + 6 + 4), -5 / 5])
    # a day without events: volume and threat rate are 0, shares and means undefined (NaN)
    assert np.isnan(vcs[2]) and np.isnan(host[2]) and np.isnan(tone[2])
    assert values(df, "volume", "KOR→RUS") == pytest.approx([0.5, 0.0, 0.0])


def test_known_answers_weekly_are_ratios_of_sums():
    df = toolkit.compute_indices(CUBE, TOTALS, ["volume", "verbal_conflict_share",
                                                "hostility", "tone"], freq="W")
    # 2026-02-20..22 is Fri..Sun, all in the week of Monday 2026-02-16
    assert df["date"].unique().tolist() == [pd.Timestamp("2026-02-16")]
    assert values(df, "volume") == pytest.approx([1e6 * 10 / 3.5e6])
    assert values(df, "verbal_conflict_share") == pytest.approx([6 / 10])
    assert values(df, "hostility") == pytest.approx([-(10 - 36 - 10) / (10 + 6 + 5)])
    assert values(df, "tone") == pytest.approx([(-20 - 30 - 40 - 5) / 25])
    # not the mean of the daily ratios
    assert values(df, "volume")[0] != pytest.approx(np.mean([3.0, 4.0, 0.0]))
    assert df.attrs["freq"] == "W" and df.attrs["units"]["volume"].startswith("events per")


def test_missing_totals_day_is_nan_and_missing_totals_for_events_is_an_error():
    gap = totals_of({"2026-02-20": 2_000_000, "2026-02-22": 500_000})
    quiet = CUBE[CUBE["date"] == "2026-02-20"].reset_index(drop=True)
    df = toolkit.compute_index(quiet, gap, "volume")
    assert df["date"].nunique() == 3  # the grid is continuous
    v = values(df, "volume")
    assert v[0] == pytest.approx(3.0) and np.isnan(v[1]) and v[2] == 0.0
    with pytest.raises(ValueError, match=r"totals lack 1 day.*2026-02-21.*load_daily_totals"):
        toolkit.compute_index(CUBE, gap, "volume")


def test_rolling_is_the_index_of_window_sums_and_keeps_raw():
    df = toolkit.compute_indices(CUBE, TOTALS, ["volume", "tone"], rolling=2,
                                 min_periods=1)
    assert list(df.columns) == ["date", "source", "target", "dyad", "index", "value", "raw"]
    assert values(df, "volume") == pytest.approx([3.0, 1e6 * 10 / 3e6, 1e6 * 4 / 1.5e6])
    assert values(df, "tone") == pytest.approx([-90 / 20, -95 / 25, -5 / 5])
    raw = df[(df["index"] == "volume") & (df["dyad"] == "RUS→KOR")]["raw"].tolist()
    assert raw == pytest.approx([3.0, 4.0, 0.0])
    assert df.attrs["rolling"] == 2


def test_composite_known_answer():
    # threat events 1, 2, 3, 6 on days with 1e6 total events -> threat_rate 1, 2, 3, 6;
    # baseline = first three days: mean 2, sd 1 -> z = -1, 0, 1, 4
    days = ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"]
    cube = cube_of([(d, "RUS", "KOR", "13", 3, e, e, -6.0 * e, -2.0 * e)
                    for d, e in zip(days, [1, 2, 3, 6], strict=True)])
    tot = totals_of(dict.fromkeys(days, 1_000_000))
    df = toolkit.compute_indices(cube, tot, ["rhetoric_intensity"],
                                 baseline=("2026-01-05", "2026-01-07"),
                                 components={"threat_rate": 1.0})
    assert values(df, "rhetoric_intensity") == pytest.approx([-1, 0, 1, 4])
    assert df.attrs["baseline"] == ("2026-01-05", "2026-01-07")
    assert df.attrs["baseline_stats"]["RUS→KOR"]["threat_rate"] == pytest.approx([2.0, 1.0])
    # weight sign flips the orientation; weights normalise by Σ|w|
    df2 = toolkit.compute_indices(cube, tot, ["rhetoric_intensity"],
                                  baseline=("2026-01-05", "2026-01-07"),
                                  components={"threat_rate": -2.0})
    assert values(df2, "rhetoric_intensity") == pytest.approx([1, 0, -1, -4])


def test_composite_equals_mean_of_component_z_scores_on_demo():
    c = toolkit.load_cube("2021-07-01", "2022-06-30", source="demo")
    t = toolkit.load_daily_totals("2021-07-01", "2022-06-30", source="demo")
    base = ("2021-07-01", "2021-12-31")
    df = toolkit.compute_indices(c, t, freq="W", baseline=base)
    wide = df.pivot_table(index=["dyad", "date"], columns="index", values="value")
    in_base = (wide.index.get_level_values("date") <= pd.Timestamp(base[1]))
    expected = 0
    for comp, sign in I.DEFAULT_COMPONENTS.items():
        z = wide[comp].copy()
        for dyad in wide.index.get_level_values("dyad").unique():
            sel = wide.index.get_level_values("dyad") == dyad
            b = wide.loc[sel & in_base, comp]
            z[sel] = sign * (wide.loc[sel, comp] - b.mean()) / b.std(ddof=1)
        expected = expected + z / len(I.DEFAULT_COMPONENTS)
    assert wide["rhetoric_intensity"].to_numpy() == pytest.approx(expected.to_numpy(),
                                                                  nan_ok=True)


def test_composite_sd_zero_warns_and_baseline_outside_data_errors():
    days = ["2026-01-05", "2026-01-06", "2026-01-07"]
    cube = cube_of([(d, "RUS", "KOR", "13", 3, 1, 1, -6.0, -2.0) for d in days])
    tot = totals_of(dict.fromkeys(days, 1_000_000))
    with pytest.warns(UserWarning, match="threat_rate of RUS→KOR has no spread"):
        df = toolkit.compute_indices(cube, tot, ["rhetoric_intensity"], baseline="all",
                                     components={"threat_rate": 1})
    assert df["value"].isna().all()
    with pytest.raises(ValueError, match="baseline 2017-01-01..2021-12-31 lies outside"):
        toolkit.compute_indices(cube, tot, ["rhetoric_intensity"])


@pytest.mark.parametrize("freq", ["W", "M"])
def test_rolled_up_values_equal_recomputation_from_summed_daily_cube(freq):
    c = toolkit.load_cube("2023-11-15", "2024-03-10", source="demo")
    t = toolkit.load_daily_totals("2023-11-15", "2024-03-10", source="demo")
    rolled = toolkit.compute_indices(c, t, [i for i in I.INDICES if i != "rhetoric_intensity"],
                                     freq=freq)
    # sum the daily cube into periods by hand, then compute the DAILY index on it
    ps = I.period_start(c["date"], freq)
    summed = (c.assign(date=ps).groupby(list(S.CUBE.key), as_index=False)
              [[n for n in S.CUBE.names if n not in S.CUBE.key]].sum())
    tsum = (t.assign(date=I.period_start(t["date"], freq)).groupby("date", as_index=False)
            [["total_events", "total_articles"]].sum())
    again = toolkit.compute_indices(S.coerce(summed, S.CUBE), S.coerce(tsum, S.DAILY_TOTALS),
                                    [i for i in I.INDICES if i != "rhetoric_intensity"])
    again = again[again["date"].isin(tsum["date"])]
    key = ["index", "dyad", "date"]
    a = rolled.sort_values(key)["value"].to_numpy()
    b = again.sort_values(key)["value"].to_numpy()
    assert len(a) == len(b) == (len(I.INDICES) - 1) * 6 * tsum["date"].nunique()
    np.testing.assert_allclose(a, b, rtol=1e-12)
    # and volume by plain numpy
    rk = c[(c["source"] == "RUS") & (c["target"] == "KOR")]
    num = rk.groupby(I.period_start(rk["date"], freq))["events"].sum()
    den = t.groupby(I.period_start(t["date"], freq))["total_events"].sum()
    mine = rolled[(rolled["index"] == "volume") & (rolled["dyad"] == "RUS→KOR")]
    np.testing.assert_allclose(mine["value"].to_numpy(), (1e6 * num / den).to_numpy())


def test_week_and_month_labels():
    d = pd.DatetimeIndex(["2026-02-16", "2026-02-22", "2026-02-23", "2026-03-01"])
    assert I.period_start(d, "W").strftime("%F").tolist() == [
        "2026-02-16", "2026-02-16", "2026-02-23", "2026-02-23"]
    assert I.period_start(d, "M").strftime("%F").tolist() == [
        "2026-02-01", "2026-02-01", "2026-02-01", "2026-03-01"]


def test_dyad_selection_and_requested_dyad_without_events():
    df = toolkit.compute_indices(CUBE, TOTALS, ["volume", "tone"],
                                 dyads=["RUS-KOR", ("PRK", "KOR")])
    assert df["dyad"].unique().tolist() == ["RUS→KOR", "PRK→KOR"]
    assert values(df, "volume", "PRK→KOR") == [0.0, 0.0, 0.0]
    assert np.isnan(values(df, "tone", "PRK→KOR")).all()


def test_attrs_carry_source_and_settings():
    c = toolkit.load_cube("2026-02-01", "2026-02-28", source="demo")
    t = toolkit.load_daily_totals("2026-02-01", "2026-02-28", source="demo")
    df = toolkit.compute_index(c, t, "threat_rate", freq="W", rolling=2)
    assert df.attrs["source"] == "demo" and df.attrs["synthetic"] is True
    assert df.attrs["freq"] == "W" and df.attrs["rolling"] == 2
    assert df.attrs["unit"] == I.UNITS["threat_rate"]
    assert (df.attrs["start"], df.attrs["end"]) == ("2026-02-01", "2026-02-28")


def test_demo_planted_threat_effect_is_visible():
    c = toolkit.load_cube("2026-01-01", "2026-03-31", source="demo")
    t = toolkit.load_daily_totals("2026-01-01", "2026-03-31", source="demo")
    df = toolkit.compute_index(c, t, "threat_rate", dyads=["RUS→KOR"])
    m = I.window_means(df, "2026-02-21", 14)
    assert m.loc[0, "after"] > 3 * m.loc[0, "before"]


def test_bad_input_errors():
    with pytest.raises(ValueError, match="Unknown index 'anger'; choose from volume"):
        toolkit.compute_indices(CUBE, TOTALS, ["anger"])
    with pytest.raises(ValueError, match="Unknown index 'anger'; choose one of volume"):
        toolkit.compute_index(CUBE, TOTALS, "anger")
    with pytest.raises(ValueError, match="Unknown frequency 'Q'; choose one of D"):
        toolkit.compute_index(CUBE, TOTALS, "volume", freq="Q")
    with pytest.raises(ValueError, match="'RS' is the FIPS geo code of RUS"):
        toolkit.compute_index(CUBE, TOTALS, "volume", dyads=["RS-KOR"])
    with pytest.raises(ValueError, match="same source and target"):
        toolkit.compute_index(CUBE, TOTALS, "volume", dyads=["RUS-RUS"])
    with pytest.raises(ValueError, match="rolling=0"):
        toolkit.compute_index(CUBE, TOTALS, "volume", rolling=0)
    with pytest.raises(ValueError, match="components must be among"):
        toolkit.compute_indices(CUBE, TOTALS, components={"volume2": 1})
    with pytest.raises(S.SchemaError, match="missing column"):
        toolkit.compute_index(CUBE.drop(columns="events"), TOTALS, "volume")


def test_empty_inputs_give_empty_frame_with_columns():
    df = toolkit.compute_index(S.CUBE.empty(), S.DAILY_TOTALS.empty(), "volume")
    assert list(df.columns) == I.COLUMNS and len(df) == 0


def test_window_means_known_answer():
    frame = pd.DataFrame({"date": pd.date_range("2026-02-18", periods=6), "dyad": "A",
                          "value": [1.0, 2.0, 3.0, 10.0, 20.0, np.nan]})
    m = I.window_means(frame, "2026-02-21", 3)
    assert m.loc[0, ["before", "after", "change"]].tolist() == [2.0, 15.0, 13.0]
    assert m.loc[0, ["n_before", "n_after"]].tolist() == [3, 2]


# --- DOC timelines (frame shape of toolkit.sources.doc: date, query, mode, series, value, norm)

def doc_frame() -> pd.DataFrame:
    d = pd.to_datetime(["2026-02-20", "2026-02-21", "2026-02-22"])
    rows = []
    for day, count, norm, tone, vol in zip(d, [30, 10, 0], [1000, 500, 400],
                                           [-4.0, -1.0, np.nan], [3.0, 2.0, 0.0], strict=True):
        rows += [(day, "rus-kor", "timelinevolraw", "Article Count", count, norm),
                 (day, "rus-kor", "timelinetone", "Average Tone", tone, np.nan),
                 (day, "rus-kor", "timelinevol", "Volume Intensity", vol, np.nan),
                 (day, "prk-kor", "timelinevol", "Volume Intensity", vol / 2, np.nan),
                 (day, "prk-kor", "timelinetone", "Average Tone", tone, np.nan),
                 (day, "rus-kor", "timelinesourcecountry", "Russia Volume Intensity", vol, np.nan),
                 (day, "rus-kor", "timelinesourcecountry", "South Korea Volume Intensity",
                  2 * vol, np.nan),
                 (day, "rus-kor", "timelinelang", "English Volume Intensity", 9.9, np.nan),
                 (day, "rus-kor@russian", "timelinetone", "Average Tone", tone - 1, np.nan)]
    df = pd.DataFrame(rows, columns=["date", "query", "mode", "series", "value", "norm"])
    df.attrs.update(source="demo", synthetic=True)
    return df


def doc_value(df, index, query, country="all"):
    sel = (df["index"] == index) & (df["query"] == query) & (df["source_country"] == country)
    return df[sel].sort_values("date")["value"].tolist()


def test_doc_indices_daily_known_answers():
    df = I.doc_indices(doc_frame())
    assert list(df.columns) == I.DOC_COLUMNS
    # volraw wins over timelinevol for the same query: 100 * count / norm
    assert doc_value(df, "coverage_volume", "rus-kor") == pytest.approx([3.0, 2.0, 0.0])
    assert doc_value(df, "coverage_articles", "rus-kor") == [30.0, 10.0, 0.0]
    assert doc_value(df, "coverage_volume", "prk-kor") == pytest.approx([1.5, 1.0, 0.0])
    tone = doc_value(df, "coverage_tone", "rus-kor")
    assert tone[:2] == [-4.0, -1.0] and np.isnan(tone[2])
    assert doc_value(df, "coverage_volume", "rus-kor", "Russia") == [3.0, 2.0, 0.0]
    assert doc_value(df, "coverage_volume", "rus-kor", "South Korea") == [6.0, 4.0, 0.0]
    # NAME@MEDIA queries: query NAME, source_country MEDIA
    assert doc_value(df, "coverage_tone", "rus-kor", "russian")[:2] == [-5.0, -2.0]
    assert df.attrs["product"] == "doc"
    assert df.attrs["source"] == "demo" and df.attrs["synthetic"] is True


def test_doc_indices_weekly():
    df = I.doc_indices(doc_frame(), freq="W")
    assert doc_value(df, "coverage_volume", "rus-kor") == pytest.approx([100 * 40 / 1900])
    assert doc_value(df, "coverage_articles", "rus-kor") == [40.0]
    # tone weighted by the query's article counts where volraw gives them
    assert doc_value(df, "coverage_tone", "rus-kor") == pytest.approx([(-4 * 30 - 1 * 10) / 40])
    # without volraw: plain means
    assert doc_value(df, "coverage_tone", "prk-kor") == pytest.approx([-2.5])
    assert doc_value(df, "coverage_volume", "prk-kor") == pytest.approx([(1.5 + 1 + 0) / 3])
    r = I.doc_indices(doc_frame(), rolling=2, min_periods=1)
    assert doc_value(r, "coverage_articles", "rus-kor") == [30.0, 20.0, 5.0]


def test_doc_indices_bad_and_empty_input():
    with pytest.raises(ValueError, match="missing column.*series"):
        I.doc_indices(pd.DataFrame({"date": [], "query": [], "mode": [], "value": []}))
    empty = I.doc_indices(doc_frame().iloc[0:0])
    assert list(empty.columns) == I.DOC_COLUMNS and len(empty) == 0


def test_docs_indices_page_matches_the_code():
    from helpers import doc_blocks, doc_text

    section = doc_text("indices.md")
    for name in I.INDICES:
        assert f"| `{name}` |" in section
    from toolkit.milestones import CATEGORIES

    assert all(f"`{c}`" in doc_text("milestones.md") for c in CATEGORIES)
    for page, figure in (("charts.md", "(figures/volume-demo.png)"),
                         ("README.md", "(docs/figures/volume-demo.png)")):
        assert figure in doc_text(page) and "synthetic demo data" in doc_text(page), page
    # the example runs as written
    code = doc_blocks("indices.md", lang="python")[0].code
    ns: dict = {}
    exec(code, ns)  # noqa: S102 - our own docs
    df = ns["df"]
    assert list(df.columns) == ["date", "source", "target", "dyad", "index", "value", "raw"]
    assert df.attrs["baseline"] == ("2017-01-01", "2021-12-31")
