"""API edges a new user meets: milestone ids everywhere, hints for the Koreas' common wrong
codes, partial first/last periods, rolling windows that wait until they are full."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import charts, indices


@pytest.fixture(scope="module")
def half_year():
    cube = toolkit.load_cube("2022-01-01", "2022-06-30", source="demo")
    totals = toolkit.load_daily_totals("2022-01-01", "2022-06-30", source="demo")
    return cube, totals


@pytest.fixture(scope="module")
def daily(half_year):
    return toolkit.compute_index(*half_year, "volume", dyads=["RUS→KOR"])


# ------------------------------------------------------------------------ milestone ids

@pytest.mark.parametrize("draw", [
    lambda df, m: charts.timeline(df, m),
    lambda df, m: charts.small_multiples(df, m),
])
def test_milestone_ids_are_accepted_wherever_milestones_are(daily, draw):
    fig = draw(daily, "invasion")
    shapes = [s.name for s in fig.layout.shapes if (s.name or "").startswith("milestone:")]
    assert set(shapes) == {"milestone:invasion"}
    fig = draw(daily, ["invasion", "rok-sanctions"])
    shapes = {s.name for s in fig.layout.shapes if (s.name or "").startswith("milestone:")}
    assert shapes == {"milestone:invasion", "milestone:rok-sanctions"}


def test_heatmap_and_event_window_take_ids_without_a_registry(half_year):
    monthly = toolkit.compute_index(*half_year, "volume", freq="M")
    fig = charts.heatmap(monthly, "invasion")
    assert fig.layout.meta["milestones"]["labelled"] == ["invasion"]
    daily = toolkit.compute_index(*half_year, "volume", dyads=["RUS→KOR"])
    fig = charts.event_window(daily, "invasion", days=20)  # no milestones= needed
    assert "Invasion of Ukraine (2022-02-24)" in fig.layout.title.text


@pytest.mark.parametrize("call", [
    lambda df: charts.timeline(df, "invasoin"),
    lambda df: charts.timeline(df, ["invasion", "invasoin"]),
    lambda df: charts.event_window(df, "invasoin"),
    lambda df: charts.event_window(df, "invasoin", milestones=toolkit.load_milestones()),
])
def test_unknown_milestone_id_lists_the_valid_ids(daily, call):
    with pytest.raises(ValueError) as err:
        call(daily)
    msg = str(err.value)
    assert "'invasoin'" in msg and "valid ids: nuclear-test-6, summit-2019, invasion," in msg
    assert all(i in msg for i in toolkit.load_milestones()["id"])
    assert "\n" not in msg


def test_docs_list_every_milestone_id():
    from helpers import doc_section

    section = doc_section("milestones.md", "## Milestone ids")
    missing = [i for i in toolkit.load_milestones()["id"] if f"`{i}`" not in section]
    assert missing == []


# ------------------------------------------------------------------------ actor hints

@pytest.mark.parametrize("code, meant", [("ROK", "KOR"), ("ROKR", "KOR"), ("SK", "KOR"),
                                         ("DPRK", "PRK"), ("NK", "PRK"), ("dprk", "PRK")])
def test_common_names_of_the_koreas_get_a_hint(code, meant, half_year):
    with pytest.raises(ValueError, match=rf"{code.upper()!r} is a common name for .*; use "
                                         rf"{meant}\."):
        toolkit.load_cube("2022-01-01", "2022-01-31", source="demo", actors=["RUS", code])
    with pytest.raises(ValueError, match=rf"use {meant}\."):
        toolkit.compute_index(*half_year, "volume", dyads=[f"RUS→{code}"])


def test_milestone_file_with_a_korea_alias_gets_the_hint():
    row = pd.DataFrame([{"date": "2022-02-24", "title": "T", "category": "war",
                         "actors": "RUS;ROK", "source_url": "https://x.org",
                         "confidence": "confirmed"}])
    with pytest.raises(ValueError, match=r"actor 'ROK'.*common name for South Korea.*use KOR"):
        toolkit.load_milestones(extra=row)


# ------------------------------------------------------------------------ partial periods

def test_weekly_series_marks_its_cut_first_and_last_weeks():
    # 2021-06-01 is a Tuesday: its week starts on Monday 2021-05-31 and holds 6 days of data;
    # 2021-06-30 is a Wednesday: the last week holds 3.
    cube = toolkit.load_cube("2021-06-01", "2021-06-30", source="demo")
    totals = toolkit.load_daily_totals("2021-06-01", "2021-06-30", source="demo")
    df = toolkit.compute_index(cube, totals, "volume", freq="W", dyads=["RUS→KOR"])
    assert df["date"].min() == pd.Timestamp("2021-05-31")
    assert df.attrs["partial_periods"] == ["2021-05-31", "2021-06-28"]
    mask = indices.partial_mask(df)
    assert df.loc[mask, "date"].dt.strftime("%F").tolist() == ["2021-05-31", "2021-06-28"]
    monthly = toolkit.compute_index(cube, totals, "volume", freq="M")
    assert monthly.attrs["partial_periods"] == []  # June 2021 is whole
    assert toolkit.compute_index(cube, totals, "volume").attrs["partial_periods"] == []


def test_partial_periods_are_drawn_with_hollow_markers():
    cube = toolkit.load_cube("2021-06-01", "2021-06-30", source="demo")
    totals = toolkit.load_daily_totals("2021-06-01", "2021-06-30", source="demo")
    df = toolkit.compute_index(cube, totals, "volume", freq="W", dyads=["RUS→KOR", "KOR→RUS"])
    fig = charts.timeline(df)
    marks = [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == "partial"]
    assert len(marks) == 2  # one per dyad, at its two cut weeks
    for t in marks:
        assert t.marker.symbol == "circle-open"
        assert [f"{pd.Timestamp(x):%F}" for x in t.x] == ["2021-05-31", "2021-06-28"]
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert "partial period" in legend
    caption = next(a.text for a in fig.layout.annotations if a.name == "caption")
    assert "hollow markers: first/last period cut by the date range" in caption.replace(
        "<br>", " ")
    whole = toolkit.compute_index(cube, totals, "volume", freq="M")
    assert not any(isinstance(t.meta, dict) and t.meta.get("role") == "partial"
                   for t in charts.timeline(whole).data)


# ------------------------------------------------------------------------ rolling windows

def test_rolling_window_is_nan_until_full(half_year):
    plain = toolkit.compute_index(*half_year, "volume", dyads=["RUS→KOR"])
    rolled = toolkit.compute_index(*half_year, "volume", dyads=["RUS→KOR"], rolling=4)
    v = rolled["value"].to_numpy()
    assert np.isnan(v[:3]).all() and not np.isnan(v[3:]).any()
    np.testing.assert_allclose(rolled["raw"], plain["value"])  # raw values are all there
    assert rolled.attrs["min_periods"] == 4
    early = toolkit.compute_index(*half_year, "volume", dyads=["RUS→KOR"], rolling=4,
                                  min_periods=1)
    assert not np.isnan(early["value"]).any()
    assert early["value"].iloc[0] == pytest.approx(plain["value"].iloc[0])
    np.testing.assert_allclose(early["value"].iloc[3:], v[3:])


def test_doc_rolling_waits_too_and_min_periods_is_checked(half_year):
    doc = toolkit.load_doc_timelines(["rus-kor"], ["timelinevolraw"], "2022-01-01",
                                     "2022-03-31", source="demo")
    r = indices.doc_indices(doc, rolling=7)
    s = r[r["index"] == "coverage_articles"]["value"].to_numpy()
    assert np.isnan(s[:6]).all() and not np.isnan(s[6:]).any()
    with pytest.raises(ValueError, match="min_periods=5; give a whole number from 1 to "
                                         "rolling=4"):
        toolkit.compute_index(*half_year, "volume", rolling=4, min_periods=5)
    with pytest.raises(ValueError, match="min_periods needs rolling"):
        toolkit.compute_index(*half_year, "volume", min_periods=2)
