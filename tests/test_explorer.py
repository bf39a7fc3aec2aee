"""The explorer: widget values driven programmatically must change the FigureWidget's data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import toolkit
from toolkit.notebook.explorer import Explorer, explore

from helpers import browser_found

START, END = "2025-07-01", "2026-06-30"


@pytest.fixture(scope="module")
def data():
    cube = toolkit.load_cube(START, END, source="demo")
    totals = toolkit.load_daily_totals(START, END, source="demo")
    return cube, totals, toolkit.load_milestones()


@pytest.fixture
def ex(data, tmp_path):
    cube, totals, ms = data
    return Explorer(cube, totals, ms, freq="D", export_dir=tmp_path / "exports")


def _traces(ex):
    """The index series drawn (not the faint raw series or the milestone markers)."""
    return {t.name: t for t in ex.figure.data if "→" in t.name and "(raw)" not in t.name}


def _expected(data, dyad, freq="D", rolling=None, index="volume"):
    cube, totals, _ = data
    df = toolkit.compute_index(cube, totals, index, freq=freq, rolling=rolling)
    return df[df["dyad"] == dyad].reset_index(drop=True)


def _milestone_lines(ex):
    return [s for s in ex.figure.layout.shapes if (s.name or "").startswith("milestone:")]


def test_initial_view_draws_every_dyad_with_index_values(ex, data):
    tr = _traces(ex)
    assert isinstance(ex.figure, go.FigureWidget)
    assert sorted(tr) == ["KOR→PRK", "KOR→RUS", "PRK→KOR", "PRK→RUS", "RUS→KOR", "RUS→PRK"]
    exp = _expected(data, "RUS→KOR")
    np.testing.assert_allclose(np.asarray(tr["RUS→KOR"].y, float), exp["value"].to_numpy())
    assert pd.Timestamp(tr["RUS→KOR"].x[0]) == pd.Timestamp(START)
    caption = " ".join(a.text for a in ex.figure.layout.annotations)
    assert "synthetic demo data" in caption


def test_dyad_selection_replaces_traces(ex):
    ex.controls["dyads"].value = ("RUS→KOR", "PRK→KOR")
    assert sorted(_traces(ex)) == ["PRK→KOR", "RUS→KOR"]
    ex.controls["dyads"].value = ("KOR→RUS",)
    assert list(_traces(ex)) == ["KOR→RUS"]
    assert ex.view["dyads"] == ["KOR→RUS"]


def test_frequency_and_smoothing_change_the_series(ex, data):
    daily = np.asarray(_traces(ex)["RUS→KOR"].y, float)
    ex.controls["freq"].value = "M"
    monthly = _traces(ex)["RUS→KOR"]
    assert len(monthly.y) == 12 and len(daily) == 365
    exp = _expected(data, "RUS→KOR", freq="M")
    np.testing.assert_allclose(np.asarray(monthly.y, float), exp["value"].to_numpy())
    assert "monthly" in ex.figure.layout.title.text

    ex.controls["freq"].value = "D"
    ex.controls["rolling"].value = 7
    smooth = np.asarray(_traces(ex)["RUS→KOR"].y, float)
    exp = _expected(data, "RUS→KOR", rolling=7)
    np.testing.assert_allclose(smooth, exp["value"].to_numpy())
    assert not np.allclose(smooth, daily)
    assert "Volume by dyad (daily, trailing 7-day window)" == ex.figure.layout.title.text


def test_index_choice_changes_values_and_axis(ex, data):
    assert set(ex.controls["index"].options) == set(toolkit.indices.INDICES)
    volume = np.asarray(_traces(ex)["RUS→KOR"].y, float)
    ex.controls["index"].value = "threat_rate"
    threat = np.asarray(_traces(ex)["RUS→KOR"].y, float)
    exp = _expected(data, "RUS→KOR", index="threat_rate")
    np.testing.assert_allclose(threat, exp["value"].to_numpy())
    assert threat.sum() < volume.sum()
    assert ex.figure.layout.title.text == "Threat rate by dyad (daily)"
    assert ex.figure.layout.yaxis.title.text.startswith("Threaten (root 13) events per million")


def test_index_that_cannot_be_computed_is_reported_not_drawn(ex):
    # The composite needs its 2017-2021 baseline, which this one-year cube lacks.
    before = [t.y for t in ex.figure.data]
    ex.controls["index"].value = "rhetoric_intensity"
    assert "baseline" in ex.controls["status"].value.lower()
    assert [t.y for t in ex.figure.data] == before


def test_composite_with_a_baseline_inside_the_data(data, tmp_path):
    cube, totals, ms = data
    ex = Explorer(cube, totals, ms, index="rhetoric_intensity", freq="W",
                  baseline=("2025-07-01", "2025-12-31"))
    exp = toolkit.compute_index(cube, totals, "rhetoric_intensity", freq="W",
                                baseline=("2025-07-01", "2025-12-31"))
    exp = exp[exp["dyad"] == "PRK→KOR"]["value"].to_numpy()
    np.testing.assert_allclose(np.asarray(_traces(ex)["PRK→KOR"].y, float), exp)


def test_date_range_trims_the_view(ex):
    months = [v for _, v in ex.controls["dates"].options]
    ex.controls["dates"].value = (months[7], months[8])  # 2026-02 .. 2026-03
    x = pd.to_datetime(pd.Series(_traces(ex)["RUS→KOR"].x))
    assert x.min() == pd.Timestamp("2026-02-01") and x.max() == pd.Timestamp("2026-03-31")
    assert ex.view["start"] == "2026-02-01" and ex.view["end"] == "2026-03-31"


def test_milestone_categories_filter_the_overlay(ex, data):
    ms = data[2]
    in_range = ms[(ms["date"] >= START) & (ms["date"] <= END)]
    assert len(_milestone_lines(ex)) == len(in_range) > 0
    cat = in_range["category"].value_counts().index[0]
    ex.controls["categories"].value = (cat,)
    assert len(_milestone_lines(ex)) == int((in_range["category"] == cat).sum())
    ex.controls["categories"].value = ()
    assert _milestone_lines(ex) == []


def test_set_redraws_once_and_validates(ex):
    ex.set(dyads=["RUS→KOR"], freq="W", rolling=1, start="2026-01-15", end="2026-03-02")
    tr = _traces(ex)
    assert list(tr) == ["RUS→KOR"]
    x = pd.to_datetime(pd.Series(tr["RUS→KOR"].x))
    # weeks are labelled by their Monday: the first shown is the week holding 2026-01-01
    assert x.min() == pd.Timestamp("2025-12-29") and x.max() == pd.Timestamp("2026-03-30")
    with pytest.raises(ValueError, match="choose one of"):
        ex.set(dyads=["RUS→USA"])
    with pytest.raises(ValueError, match="choose one of"):
        ex.set(index="nonsense")
    with pytest.raises(ValueError, match="choose one of"):
        ex.set(freq="hourly")
    with pytest.raises(ValueError, match="outside the loaded range"):
        ex.set(start="2019-01-01")
    with pytest.raises(ValueError, match="after end"):
        ex.set(start="2026-05-01", end="2026-01-01")
    with pytest.raises(ValueError, match="Unknown setting"):
        ex.set(colour="red")


def test_bad_construction_arguments(data):
    cube, totals, ms = data
    with pytest.raises(ValueError, match="choose one of"):
        Explorer(cube, totals, ms, index="nonsense")
    with pytest.raises(ValueError, match="choose one of"):
        Explorer(cube, totals, ms, categories=["not-a-category"])
    with pytest.raises(ValueError, match="empty"):
        Explorer(cube.iloc[:0], totals, ms)


def test_export_button_writes_the_current_view(ex, tmp_path):
    ex.set(dyads=["RUS→KOR", "KOR→RUS"], freq="W")
    ex.controls["export_button"].click()
    out = ex.last_export
    assert out is not None and out.parent == tmp_path / "exports" and out.suffix == ".html"
    assert "exported" in ex.controls["status"].value
    html = out.read_text()
    assert "Plotly.newPlot" in html and "RUS→KOR" in html.replace("\\u2192", "→")
    side = json.loads(out.with_suffix(".html.json").read_text())
    assert side["view"]["dyads"] == ["RUS→KOR", "KOR→RUS"] and side["view"]["freq"] == "W"
    assert side["source"] == "demo" and side["synthetic"] is True

    ex.controls["export_name"].value = "my view"
    ex.controls["export_format"].value = ".svg"
    ex.controls["export_button"].click()
    if not browser_found():  # no Chrome: the panel says how to get one, nothing half-written
        assert "needs Chrome or Chromium" in ex.controls["status"].value
        assert not (tmp_path / "exports" / "my view.svg").exists()
        return
    assert ex.last_export == tmp_path / "exports" / "my view.svg", ex.controls["status"].value
    svg = ex.last_export.read_text()
    assert svg.lstrip().startswith("<svg") and "RUS→KOR" in svg


def test_export_failure_is_reported_in_the_panel(ex, tmp_path):
    ex.controls["export_name"].value = "x"
    ex.export_dir = tmp_path / "file-not-dir"
    ex.export_dir.write_text("a file where the folder should be")
    ex.controls["export_button"].click()
    assert "export failed" in ex.controls["status"].value


def test_display_bundle_has_widget_and_static_snapshot(ex):
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "Static snapshot" in bundle["text/html"] and "Plotly.newPlot" in bundle["text/html"]


def test_explore_loads_from_a_source(data):
    ex = explore(source="demo", start="2026-01-01", end="2026-03-31", dyads=["PRK→KOR"],
                 freq="W")
    assert list(_traces(ex)) == ["PRK→KOR"]
    assert ex.cube.attrs["source"] == "demo"


def test_widget_sends_dates_as_iso_strings_not_nanoseconds(ex):
    # What the FigureWidget sends to the browser: its serialiser turns datetime64 arrays into
    # integer nanoseconds (the live x axis then read 1.5e18) and timestamps into values
    # plotly.js places at NaN (labels piled up in the corner).
    from plotly.serializers import _py_to_js

    data = _py_to_js(ex.figure._data, None)
    layout = _py_to_js(ex.figure._layout, None)
    line = next(t for t in data if t.get("name") == "RUS→KOR")
    assert line["x"][0] == START and line["x"][-1] == END
    assert all(isinstance(s["x0"], str) for s in layout["shapes"])
    labels = [a for a in layout["annotations"] if a.get("name", "").startswith("milestone-label")]
    assert labels and all(isinstance(a["x"], str) for a in labels)
    assert layout["xaxis"]["range"] == [START, END]


def test_speaker_control_restricts_the_numerator_and_says_so(ex, data):
    assert ex.controls["speakers"].options[:2] == ("all", "official")
    ex.controls["index"].value = "threat_rate"
    every = np.asarray(_traces(ex)["RUS→KOR"].y, float)
    ex.controls["speakers"].value = "official"
    official = np.asarray(_traces(ex)["RUS→KOR"].y, float)
    cube, totals, _ = data
    exp = toolkit.compute_index(cube, totals, "threat_rate", speakers="official")
    exp = exp[exp["dyad"] == "RUS→KOR"]["value"].to_numpy()
    np.testing.assert_allclose(official, exp)
    assert official.sum() < every.sum()
    assert ex.figure.layout.title.text == "Threat rate by dyad (daily, official speakers)"
    caption = " ".join(a.text for a in ex.figure.layout.annotations)
    assert "official speakers" in caption
    assert ex.view["speakers"] == "official" and "official" in ex.default_name()
    ex.set(speakers="media")
    assert ex.figure.layout.title.text.endswith("media speakers)")
    with pytest.raises(ValueError, match="speakers"):
        ex.set(speakers="officials")
