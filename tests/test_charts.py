"""Chart structure, milestone overlays, captions, and export actually rendered by kaleido."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import toolkit
from toolkit import charts

from helpers import assert_png_not_blank, needs_browser


@pytest.fixture(scope="module")
def demo():
    cube = toolkit.load_cube(source="demo")
    totals = toolkit.load_daily_totals(source="demo")
    return cube, totals


@pytest.fixture(scope="module")
def ms():
    return toolkit.load_milestones()


def caption(fig: go.Figure) -> str:
    return next(a.text for a in fig.layout.annotations if a.name == "caption")


def milestone_shapes(fig: go.Figure) -> list[str]:
    return [s.name for s in fig.layout.shapes if (s.name or "").startswith("milestone:")]


def labels(fig: go.Figure) -> dict[str, go.layout.Annotation]:
    return {a.name.split(":", 1)[1]: a for a in fig.layout.annotations
            if (a.name or "").startswith("milestone-label:")}


def test_timeline_structure_caption_and_provenance(demo, ms):
    cube, totals = demo
    df = toolkit.compute_indices(cube, totals, ["volume", "threat_rate"], freq="W", rolling=4)
    fig = charts.timeline(df, ms, title="Weekly")
    lines = [t for t in fig.data if t.meta is None]
    # 6 dyads x 2 indices, each a smoothed line and a faint raw line
    assert len(lines) == 24
    raw = [t for t in lines if t.name.endswith("(raw)")]
    assert len(raw) == 12 and all(t.opacity < 0.5 for t in raw)
    assert {t.name for t in lines if t.showlegend is not False} == set(df["dyad"])
    assert len(milestone_shapes(fig)) == len(ms)
    cap = caption(fig)
    assert "synthetic demo data" in cap
    assert "2017-01-01 to 2026-10-31" in cap
    assert f"rhetoric toolkit {toolkit.__version__}" in cap
    assert "weekly, trailing 4-week window" in cap
    prov = fig.layout.meta["provenance"]
    assert prov["source"] == "demo" and prov["synthetic"] is True
    assert (prov["start"], prov["end"]) == ("2017-01-01", "2026-10-31")
    assert prov["freq"] == "W" and prov["rolling"] == 4
    # both panels share the x axis
    assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"


def test_milestone_hover_has_title_and_source_url(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "volume")
    fig = charts.timeline(df, ms)
    markers = [t for t in fig.data if t.meta == {"role": "milestones"}]
    assert {t.name for t in markers} == {c.replace("_", " ") for c in ms["category"]}
    hover = "\n".join(h for t in markers for h in t.hovertext)
    row = ms.set_index("id").loc["purl-asymmetric-warning"]
    assert row["title"] in hover and row["source_url"] in hover
    for t in markers:  # the category colour is the marker's colour
        cat = t.name.replace(" ", "_")
        assert t.marker.color == charts.CATEGORY_COLORS[cat]
    shape = next(s for s in fig.layout.shapes if s.name == "milestone:invasion")
    assert shape.line.color == charts.CATEGORY_COLORS["war"]


def test_close_milestones_get_separate_label_lanes(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "threat_rate", dyads=["RUS→KOR"])
    window = df[(df["date"] >= "2026-01-15") & (df["date"] <= "2026-03-31")]
    fig = charts.timeline(window, ms)
    lab = labels(fig)
    close = ["purl-consultations", "purl-asymmetric-warning", "embassy-banner"]
    assert set(close) <= set(lab)
    # one day apart: they must sit in different lanes (different vertical offsets)
    assert len({lab[i].yshift for i in close}) == 3
    assert fig.layout.meta["milestones"]["unlabelled"] == []
    # the top margin makes room for the lanes used
    assert fig.layout.margin.t >= 80 + 15 * fig.layout.meta["milestones"]["lanes"]


def test_layout_labels_never_overlap_in_a_lane():
    rng = np.random.default_rng(1)
    xs = np.sort(rng.uniform(0, 800, 60))
    widths = rng.uniform(40, 160, 60)
    places = charts.layout_labels(xs, widths, plot_width=800, max_lanes=4)
    boxes = {}
    for x, w, p in zip(xs, widths, places, strict=True):
        if p is None:
            continue
        lane, side = p
        lo, hi = (x, x + w) if side == "left" else (x - w, x)
        assert -2 <= lo and hi <= 802
        for a, b in boxes.get(lane, []):
            assert hi <= a or lo >= b, "labels overlap"
        boxes.setdefault(lane, []).append((lo, hi))
    assert sum(p is not None for p in places) >= 15
    assert charts.layout_labels([0, 1, 2], [50] * 3, plot_width=500, max_lanes=2)[2] is None


def test_dense_milestones_are_prioritised_and_counted_in_caption(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "volume", freq="M")
    fig = charts.timeline(df, ms, emphasis=["purl-asymmetric-warning"])
    info = fig.layout.meta["milestones"]
    assert "purl-asymmetric-warning" in info["labelled"]  # emphasised: labelled first
    assert "invasion" in info["labelled"]  # war: first category in the priority
    assert len(info["labelled"]) + len(info["unlabelled"]) == len(ms)
    if info["unlabelled"]:
        assert f"{len(info['unlabelled'])} milestone label(s) hidden" in caption(fig)
    strong = next(s for s in fig.layout.shapes if s.name == "milestone:purl-asymmetric-warning")
    assert strong.line.dash == "solid"


def test_webgl_for_large_series(demo):
    cube, totals = demo
    daily = toolkit.compute_index(cube, totals, "volume")
    fig = charts.timeline(daily, show_raw=False)
    assert all(isinstance(t, go.Scattergl) for t in fig.data)
    monthly = toolkit.compute_index(cube, totals, "volume", freq="M")
    assert all(isinstance(t, go.Scatter) for t in charts.timeline(monthly).data)
    assert all(isinstance(t, go.Scatter) for t in charts.timeline(daily, webgl=False).data)


def test_small_multiples_six_dyads_shared_axes(demo, ms):
    cube, totals = demo
    df = toolkit.compute_indices(cube, totals, ["volume", "tone"], freq="W", rolling=4)
    fig = charts.small_multiples(df, ms, index="tone")
    titles = [a.text for a in fig.layout.annotations if a.name != "caption"]
    assert titles == ["RUS→KOR", "RUS→PRK", "KOR→RUS", "KOR→PRK", "PRK→RUS", "PRK→KOR"]
    lines = [t for t in fig.data if t.meta is None and t.x is not None and t.x[0] is not None]
    assert len(lines) == 12
    assert {t.xaxis for t in lines} == {"x", "x2", "x3", "x4", "x5", "x6"}
    for ax in ("xaxis", "yaxis"):  # every axis matches one anchor axis: shared scales
        matches = [fig.layout[f"{ax}{k if k > 1 else ''}"].matches for k in range(1, 7)]
        assert matches.count(None) == 1 and len(set(matches) - {None}) == 1
    assert len(milestone_shapes(fig)) == 6 * len(ms)
    assert "synthetic demo data" in caption(fig)
    with pytest.raises(ValueError, match="several indices.*index="):
        charts.small_multiples(df)


def test_heatmap_dyad_by_month(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "rhetoric_intensity", freq="M")
    fig = charts.heatmap(df, ms[ms["category"] == "war"])
    hm = fig.data[0]
    assert isinstance(hm, go.Heatmap)
    assert np.asarray(hm.z).shape == (6, df["date"].nunique())
    assert list(hm.y) == ["RUS→KOR", "RUS→PRK", "KOR→RUS", "KOR→PRK", "PRK→RUS", "PRK→KOR"]
    assert hm.zmid == 0
    assert len(milestone_shapes(fig)) == (ms["category"] == "war").sum()
    assert "z-score baseline 2017-01-01..2021-12-31" in caption(fig)
    with pytest.raises(ValueError, match="monthly frame.*freq='M'"):
        charts.heatmap(toolkit.compute_index(cube, totals, "volume", freq="W"))


def test_event_window_before_after_means(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "threat_rate", dyads=["RUS→KOR", "KOR→RUS"])
    fig = charts.event_window(df, "purl-asymmetric-warning", days=30, milestones=ms)
    means = pd.DataFrame(fig.layout.meta["window_means"])
    expect = toolkit.indices.window_means(df, "2026-02-21", 30)
    assert means["after"].tolist() == pytest.approx(expect["after"].tolist())
    rk = means.set_index("series").loc["RUS→KOR"]
    assert rk["after"] > 2 * rk["before"]  # the planted GOV ×12 threat effect (≈×4 overall)
    mean_shapes = [s for s in fig.layout.shapes if (s.name or "").startswith("mean:")]
    assert len(mean_shapes) == 4
    x = pd.to_datetime([t for tr in fig.data if tr.meta is None for t in tr.x])
    assert x.min() >= pd.Timestamp("2026-01-22") and x.max() <= pd.Timestamp("2026-03-23")
    lab = labels(fig)
    assert {"purl-consultations", "purl-asymmetric-warning", "embassy-banner"} <= set(lab)
    strong = next(s for s in fig.layout.shapes if s.name == "milestone:purl-asymmetric-warning")
    assert strong.line.dash == "solid"
    assert "synthetic demo data" in caption(fig)
    with pytest.raises(ValueError, match="neither a date nor a known id"):
        charts.event_window(df, "no-such-milestone", milestones=ms)
    by_date = charts.event_window(df, "2026-02-21", days=10)
    assert by_date.layout.meta["window_means"]
    # with a trailing window, the means use the unsmoothed values (no pre-milestone carry-over)
    rolled = toolkit.compute_index(cube, totals, "threat_rate", dyads=["RUS→KOR"], rolling=7)
    fig = charts.event_window(rolled, "2026-02-21", days=30)
    got = fig.layout.meta["window_means"][0]
    raw = toolkit.indices.window_means(rolled, "2026-02-21", 30, column="raw").iloc[0]
    smooth = toolkit.indices.window_means(rolled, "2026-02-21", 30).iloc[0]
    assert (got["before"], got["after"]) == pytest.approx((raw["before"], raw["after"]))
    assert got["after"] != pytest.approx(smooth["after"])
    assert "unsmoothed daily values" in " ".join(a.text for a in fig.layout.annotations)


def test_timeline_of_doc_indices():
    d = pd.date_range("2026-02-01", periods=20)
    doc = pd.DataFrame({"date": np.repeat(d, 2), "query": ["rus-kor", "prk-kor"] * 20,
                        "mode": "timelinetone", "series": "Average Tone",
                        "value": np.linspace(-3, 1, 40), "norm": np.nan})
    doc.attrs.update(source="doc")
    doc.loc[doc["query"] == "prk-kor", "query"] = "rus-kor@russian"
    fig = charts.timeline(toolkit.indices.doc_indices(doc), title="DOC tone")
    assert {t.name for t in fig.data} == {"rus-kor", "rus-kor · russian"}
    assert "GDELT DOC 2.0 API" in caption(fig)
    demo_doc = toolkit.load_doc_timelines(["rus-kor", "rus-kor@russian"], ["timelinetone"],
                                          "2026-01-01", "2026-03-31", source="demo")
    fig = charts.timeline(toolkit.indices.doc_indices(demo_doc, freq="W"))
    assert "synthetic demo data (not real GDELT DOC" in caption(fig)


def test_caption_and_provenance_functions():
    df = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-03-01"]), "value": [1, 2]})
    df.attrs.update(source="local", freq="M", end="2024-03-20")
    assert charts.provenance(df)["end"] == "2024-03-20"
    assert charts.caption_text(df).startswith("Source: GDELT Events (local files) · "
                                              "2024-01-01 to 2024-03-20 · monthly")
    fig = charts.add_caption(go.Figure(), "x · " * 60)
    assert "<br>" in caption(fig)


# --- export ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_fig(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "threat_rate", dyads=["RUS→KOR"], rolling=7)
    window = df[(df["date"] >= "2026-01-01") & (df["date"] <= "2026-04-30")]
    return charts.timeline(window, ms, title="Threat rate RUS→KOR")


def test_export_html_self_contained_and_cdn(tmp_path, small_fig):
    full = charts.export_figure(small_fig, tmp_path / "f.html", sidecar=True)
    text = full.read_text(encoding="utf-8")
    assert full.stat().st_size > 1_000_000  # plotly.js embedded: renders offline
    assert not re.search(r"<script[^>]+src=", text)
    cdn = charts.export_figure(small_fig, tmp_path / "c.html", include_plotlyjs="cdn")
    assert cdn.stat().st_size < 200_000
    assert re.search(r'<script[^>]+src="https://cdn\.plot\.ly/', cdn.read_text(encoding="utf-8"))
    side = json.loads((tmp_path / "f.html.json").read_text())
    assert side["source"] == "demo" and side["synthetic"] is True
    assert side["toolkit_version"] == toolkit.__version__ and side["generated_at"]
    assert (side["start"], side["end"]) == ("2026-01-01", "2026-04-30")
    assert not list(tmp_path.glob("*.part"))  # atomic writes leave no temporary files


@pytest.mark.slow
@needs_browser
def test_export_png_svg_pdf_really_rendered(tmp_path, small_fig):
    png = charts.export_figure(small_fig, tmp_path / "f.png", width=800, height=450, scale=2,
                               sidecar={"notebook": "test"})
    assert assert_png_not_blank(png) == (1600, 900)
    side = json.loads((tmp_path / "f.png.json").read_text())
    assert side["notebook"] == "test" and side["width"] == 800 and side["source"] == "demo"
    svg = charts.export_figure(small_fig, tmp_path / "f.svg", width=640, height=400)
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert (root.get("width"), root.get("height")) == ("640", "400")
    text = svg.read_text(encoding="utf-8")
    assert "synthetic demo data" in text and "PURL" in text  # caption and labels are drawn
    assert text.count("<path") > 20
    pdf = charts.export_figure(small_fig, tmp_path / "f.pdf", width=640, height=400)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5_000


def test_missing_chrome_error_says_how_to_install(tmp_path, monkeypatch, small_fig):
    import choreographer.cli._cli_utils as cu

    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setattr(cu, "get_chrome_download_path", lambda **kw: None)
    assert charts.find_browser() is None
    with pytest.raises(RuntimeError) as err:
        charts.export_figure(small_fig, tmp_path / "f.png")
    msg = str(err.value)
    assert "apt-get install chromium" in msg and "plotly_get_chrome" in msg
    assert ".html works" in msg or "Exporting to .html works" in msg
    assert not (tmp_path / "f.png").exists()
    # .html needs no browser
    assert charts.export_figure(small_fig, tmp_path / "f.html").stat().st_size > 0


def test_kaleido_chrome_not_found_is_translated(tmp_path, monkeypatch, small_fig):
    import kaleido
    from choreographer.errors import ChromeNotFoundError

    def boom(**kw):
        raise ChromeNotFoundError("Kaleido v1 and later requires Chrome to be installed.")

    monkeypatch.setitem(charts.export._kaleido, "started", False)
    monkeypatch.setattr(kaleido, "start_sync_server", boom)
    # a browser that kaleido then fails to start (also on a machine without one)
    monkeypatch.setattr(charts.export, "find_browser", lambda: "/opt/chrome/chrome")
    with pytest.raises(RuntimeError, match=r"apt-get install chromium.*\.html.*kaleido: "):
        charts.export_figure(small_fig, tmp_path / "f.png")


def test_export_bad_input(tmp_path, small_fig):
    with pytest.raises(ValueError, match=r"Cannot export to '.gif'; use .html, .png"):
        charts.export_figure(small_fig, tmp_path / "f.gif")
    with pytest.raises(ValueError, match="must be positive"):
        charts.export_figure(small_fig, tmp_path / "f.png", width=0)
    with pytest.raises(ValueError, match="include_plotlyjs"):
        charts.export_figure(small_fig, tmp_path / "f.html", include_plotlyjs="inline")


@pytest.mark.slow
@needs_browser
def test_readme_figure_script_draws_a_labelled_synthetic_png(tmp_path):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "make_readme_figure.py"
    spec = importlib.util.spec_from_file_location("make_readme_figure", script)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(tmp_path / "volume-demo.png")
    assert assert_png_not_blank(out) == (1200, 720)
    assert (Path(script).parents[1] / "docs" / "figures" / "volume-demo.png").exists()


def test_legend_taller_than_the_plot_grows_the_figure_instead_of_being_clipped():
    # 6 dyads + 8 milestone categories in a 480 px figure: plotly.js would scroll the legend
    # and a static export would show only its first entries.
    from toolkit.charts import LEGEND_ENTRY_PX

    cube = toolkit.load_cube("2025-01-01", "2026-10-31", source="demo")
    totals = toolkit.load_daily_totals("2025-01-01", "2026-10-31", source="demo")
    df = toolkit.compute_index(cube, totals, "volume", freq="W")
    fig = charts.timeline(df, toolkit.load_milestones(), height=480)
    m = fig.layout.margin
    entries = sum(t.showlegend is not False for t in fig.data)
    assert entries >= 10
    assert fig.layout.height - m.t - m.b >= entries * LEGEND_ENTRY_PX
    small = charts.timeline(df[df["dyad"] == "RUS→KOR"], None, height=480)
    assert small.layout.height == 480


def test_heatmap_labels_its_milestones_and_names_its_rows(demo, ms):
    cube, totals = demo
    df = toolkit.compute_index(cube, totals, "rhetoric_intensity", freq="M")
    fig = charts.heatmap(df, ms)
    labels = [a for a in fig.layout.annotations if (a.name or "").startswith("milestone-label:")]
    info = fig.layout.meta["milestones"]
    assert len(labels) == len(info["labelled"]) >= 10
    assert "Invasion of Ukraine" in " ".join(a.text for a in labels)
    assert len(info["labelled"]) + len(info["unlabelled"]) == len(milestone_shapes(fig))
    hidden = ms[ms["id"].isin(info["unlabelled"])]
    listed = next(a.text for a in fig.layout.annotations if a.name == "unlabelled-milestones")
    assert f"Also marked ({len(hidden)} lines without a label; hover ▼):" in listed
    assert all(f"{r.date:%Y-%m-%d} {r.short}" in listed.replace("<br>", " · ")
               for r in hidden.itertuples())
    # every line has a hover marker (without a legend entry: the colour bar is there)
    markers = [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role")
               == "milestones"]
    assert sum(len(t.x) for t in markers) == len(milestone_shapes(fig))
    assert all(t.showlegend is False for t in markers)
    assert all(s.layer == "above" for s in fig.layout.shapes)
    assert fig.layout.yaxis.title.text == "dyad (source → target)"
    assert fig.data[0].xperiod == "M1"  # a cell spans its month: a line falls in its month


def test_doc_heatmap_rows_are_query_and_country_and_it_marks_milestones(ms):
    doc = toolkit.load_doc_timelines(["rus-kor", "kor-prk"], ["timelinesourcecountry"],
                                     "2025-01-01", "2026-10-31", source="demo")
    cov = toolkit.indices.doc_indices(doc, freq="M")
    fig = charts.heatmap(cov, ms, index="coverage_volume")
    assert fig.layout.yaxis.title.text == "query · source country"
    assert "rus-kor · South Korea" in list(fig.data[0].y)
    assert milestone_shapes(fig) and fig.layout.meta["milestones"]["labelled"]


def test_statistics_figures_share_the_toolkit_theme_and_name_their_axes(demo):
    # toolkit.charts.statistics: same theme as the charts; axes in words and units, not codes
    import plotly.io as pio

    from toolkit import analysis as A

    cube, totals = demo
    vol = toolkit.compute_index(cube, totals, "volume")
    rp = vol[(vol["dyad"] == "RUS→PRK") & vol["date"].between("2023-12-01", "2025-01-31")]
    its = charts.plot_its(A.segmented_regression(rp, {"treaty": "2024-06-19"}))
    stl = charts.plot_stl(A.stl_decompose(rp))
    wide = vol[vol["target"].eq("KOR") & vol["date"].between("2024-01-01", "2024-12-31")]
    g = A.granger(wide, "RUS→KOR", "PRK→KOR", maxlags=7, deseasonalise=True)
    irf = charts.plot_irf(A.impulse_responses(g, periods=7))
    theme = pio.templates[charts.TEMPLATE].layout
    for fig in (its, stl, irf):
        assert fig.layout.template.layout.font == theme.font
        assert fig.layout.template.layout.colorway == theme.colorway
    assert its.layout.yaxis.title.text == "events per million GDELT events"
    assert [a.text for a in stl.layout.annotations][:4] == [
        "observed", "trend", "seasonal (7-day pattern)", "remainder"]
    assert "every panel in events per million GDELT events" in caption(stl)
    titles = [a.text for a in irf.layout.annotations if a.name != "caption"]
    assert "response of PRK→KOR to a shock in RUS→KOR" in titles
    assert irf.layout.yaxis.title.text == "response (index units)"
    assert irf.layout.xaxis3.title.text == "days after the shock"


def test_charts_modules_import_only_the_modules_below_them():
    # theme at the bottom; overlay on the theme; figures on both; export alone; nothing above
    # the charts in the flow (the notebook layer, the CLI) is imported
    import ast

    from conftest import REPO

    below = {"theme": set(), "overlay": {"theme"}, "figures": {"theme", "overlay"},
             "statistics": {"theme", "overlay"}, "export": {"theme"}}
    outside = {None, "_version", "dates", "indices", "milestones", "cube", "store"}
    for name, allowed in below.items():
        tree = ast.parse((REPO / "toolkit" / "charts" / f"{name}.py").read_text())
        relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level]
        inside = {n.module.split(".")[0] for n in relative if n.level == 1}
        above = {n.module for n in relative if n.level == 2}
        assert inside <= allowed, (name, inside - allowed)
        assert above <= outside, (name, above - outside)
        assert not [n for n in relative if n.level > 2], name
    assert charts.timeline.__module__ == "toolkit.charts.figures"
    assert charts.export_figure is toolkit.export_figure


@pytest.mark.parametrize("name", ["theme", "overlay", "figures"])
def test_docstring_examples_of_the_charts_modules_run(name):
    import doctest
    import importlib

    mod = importlib.import_module(f"toolkit.charts.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0, res
