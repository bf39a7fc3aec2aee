"""Indices and charts on the full demo range (10 years daily × 6 dyads): ratios, same process.

1. ``compute_indices`` (all six indices, daily, 7-day window) versus loading the cube it reads
   (``load_cube``): how much the indices add to the unavoidable I/O.
2. A naive index computation (pandas ``groupby().apply`` per dyad and day) versus the
   vectorised one, for ``volume`` and ``tone`` on one year of the cube.
3. ``timeline`` of 2 indices × 6 dyads daily (+ faint raw lines, 40 milestones): build time in
   Python, and the time headless Chromium takes to draw it (``Plotly.newPlot``) and to redraw a
   zoom (``Plotly.relayout``), with WebGL traces (Scattergl, ``webgl="auto"``) versus SVG
   traces (``webgl=False``). The browser part needs Debian's ``chromium`` and the playwright
   package (no downloaded browser); without them it is reported as skipped.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import toolkit
from benchmarks import best_of
from toolkit import charts


def _naive(cube: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    tot = totals.set_index("date")["total_events"]

    def per_day(g: pd.DataFrame) -> pd.Series:
        return pd.Series({"volume": 1e6 * g["events"].sum() / tot[g.name[2]],
                          "tone": g["tone_x_articles"].sum() / g["articles"].sum()
                          if g["articles"].sum() else np.nan})

    return cube.groupby(["source", "target", "date"]).apply(per_day, include_groups=False)


_DRAW_JS = """async () => {
  const gd = document.querySelector('.plotly-graph-div');
  const data = JSON.parse(JSON.stringify(gd.data)), layout = gd.layout;
  const out = {draw: [], zoom: []};
  for (let i = 0; i < 2; i++) {
    Plotly.purge(gd);
    let t0 = performance.now();
    await Plotly.newPlot(gd, data, layout);
    out.draw.push(performance.now() - t0);
    t0 = performance.now();
    await Plotly.relayout(gd, {'xaxis.range': ['2022-01-01', '2023-06-30']});
    out.zoom.push(performance.now() - t0);
    await Plotly.relayout(gd, {'xaxis.autorange': true});
  }
  return {draw: Math.min(...out.draw), zoom: Math.min(...out.zoom)};
}"""


def _browser_times(figs: dict) -> dict:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"browser": "skipped: playwright not installed"}
    if not Path(chromium).exists():
        return {"browser": "skipped: Debian chromium not installed"}
    out = {}
    args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=args)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        for name, fig in figs.items():
            path = charts.export_figure(fig, Path(tmp) / f"{name}.html")
            page.goto(path.as_uri(), wait_until="load", timeout=300_000)
            page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached",
                                   timeout=300_000)
            page.set_default_timeout(600_000)
            t = page.evaluate(_DRAW_JS)
            out[f"browser_draw_ms_{name}"] = round(t["draw"], 1)
            out[f"browser_zoom_ms_{name}"] = round(t["zoom"], 1)
        browser.close()
    out["browser_draw_svg_over_webgl_ratio"] = round(
        out["browser_draw_ms_svg"] / out["browser_draw_ms_webgl"], 2)
    out["browser_zoom_svg_over_webgl_ratio"] = round(
        out["browser_zoom_ms_svg"] / out["browser_zoom_ms_webgl"], 2)
    return out


def main() -> dict:
    t_load = best_of(lambda: toolkit.load_cube(source="demo"), 2)
    cube = toolkit.load_cube(source="demo")
    totals = toolkit.load_daily_totals(source="demo")
    t_idx = best_of(lambda: toolkit.compute_indices(cube, totals, freq="D", rolling=7))
    year_c = cube[cube["date"].dt.year == 2024]
    year_t = totals[totals["date"].dt.year == 2024]
    t_vt = best_of(lambda: toolkit.compute_indices(year_c, year_t, ["volume", "tone"]))
    t_naive = best_of(lambda: _naive(year_c, year_t), 1)

    frame = toolkit.compute_indices(cube, totals, ["volume", "rhetoric_intensity"], rolling=7)
    ms = toolkit.load_milestones()
    t_gl = best_of(lambda: charts.timeline(frame, ms, webgl="auto"))
    t_svg = best_of(lambda: charts.timeline(frame, ms, webgl=False))
    fig_gl = charts.timeline(frame, ms, webgl="auto")
    fig_svg = charts.timeline(frame, ms, webgl=False)
    browser = _browser_times({"webgl": fig_gl, "svg": fig_svg})
    return {
        "rows_cube": len(cube),
        "points_per_trace": int(frame.groupby(["index", "dyad"]).size().max()),
        "load_cube_s": round(t_load, 3),
        "compute_all_indices_s": round(t_idx, 3),
        "indices_over_load_ratio": round(t_idx / t_load, 2),
        "volume_tone_1year_vectorised_s": round(t_vt, 3),
        "volume_tone_1year_naive_groupby_apply_s": round(t_naive, 3),
        "naive_over_vectorised_ratio": round(t_naive / t_vt, 1),
        "timeline_build_webgl_s": round(t_gl, 3),
        "timeline_build_svg_traces_s": round(t_svg, 3),
        "timeline_json_mb": round(len(fig_gl.to_json()) / 1e6, 2),
        "trace_types_auto": sorted({type(t).__name__ for t in fig_gl.data}),
        **browser,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
