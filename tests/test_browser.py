"""Headless Chromium (Debian's, through Playwright) draws our HTML offline, and it looks right.

Every request that leaves the file system is blocked and recorded, so "renders" here means
"renders with no network". Checked: an exported figure, a negative control (the CDN variant must
fail offline, proving the harness can see a failure), and every page that ``make report``
writes (the executed notebooks, each figure's HTML, the index): no request leaves the machine,
no console error, and each chart reads right (:mod:`visual`: date ticks inside the data's
range, milestone labels inside the figure and apart, legends whole).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import toolkit
from toolkit import charts

from conftest import REPO

pytestmark = pytest.mark.slow
REPORT_NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9]*.ipynb"))


@pytest.fixture(scope="module")
def browser():
    from visual import headless_chromium

    with headless_chromium() as b:
        yield b


def render(browser, path: Path, *, timeout_ms: int = 60_000, plots: bool = True) -> dict:
    """Open ``path`` offline; return plots drawn, page errors, console errors, blocked URLs,
    and what the charts show (``problems``, see :func:`visual.problems`)."""
    from visual import ConsoleLog, inspect_plots, problems

    page = browser.new_page(viewport={"width": 1300, "height": 900})
    seen = {"page_errors": [], "console_errors": []}
    page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and seen["console_errors"].append(m.text))
    log = ConsoleLog(page)
    seen["blocked"] = log.blocked
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=timeout_ms)
        if plots:
            try:
                page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached",
                                       timeout=timeout_ms)
            except Exception:  # noqa: BLE001 (reported through the counts below)
                pass
        seen["plot_divs"] = page.locator(".plotly-graph-div").count()
        seen["drawn"] = page.evaluate(
            "() => [...document.querySelectorAll('.plotly-graph-div')]"
            ".filter(d => d.querySelector('svg.main-svg') && d._fullLayout).length")
        seen["text"] = page.inner_text("body")
        page.wait_for_timeout(200)  # plotly's autosize relayout after load
        seen["problems"] = problems(inspect_plots(page))
    finally:
        page.close()
    return seen


@pytest.fixture(scope="module")
def figure():
    cube = toolkit.load_cube("2025-10-01", "2026-04-30", source="demo")
    totals = toolkit.load_daily_totals("2025-10-01", "2026-04-30", source="demo")
    vol = toolkit.compute_index(cube, totals, "volume", freq="D")
    ms = toolkit.load_milestones()
    ms = ms[(ms["date"] >= "2025-10-01") & (ms["date"] <= "2026-04-30")]
    return charts.timeline(vol, ms, title="volume", y_title="events per million")


def test_exported_figure_renders_offline(browser, figure, tmp_path):
    path = charts.export_figure(figure, tmp_path / "fig.html")
    seen = render(browser, path)
    assert seen["page_errors"] == [] and seen["console_errors"] == []
    assert seen["blocked"] == []
    assert seen["plot_divs"] == seen["drawn"] == 1
    assert seen["problems"] == []
    assert "synthetic demo data" in seen["text"]


def test_cdn_variant_fails_offline_negative_control(browser, figure, tmp_path):
    # The harness must be able to see a chart NOT rendering: plotly.js from the CDN is blocked.
    path = charts.export_figure(figure, tmp_path / "cdn.html", include_plotlyjs="cdn")
    seen = render(browser, path, timeout_ms=5_000)
    assert seen["blocked"] and "cdn.plot.ly" in seen["blocked"][0]
    assert seen["drawn"] == 0
    assert any("Plotly is not defined" in e for e in seen["page_errors"])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from toolkit.notebook.report import build_report

    nbs = [REPO / "notebooks" / f"{n}.ipynb" for n in REPORT_NOTEBOOKS]
    nbs = [p for p in nbs if p.exists()]
    out = tmp_path_factory.mktemp("report")
    # The pages are what is checked here; PNGs (same figures) are checked by test_report.py
    # and test_notebooks.py, so skip kaleido to keep this test fast.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOOLKIT_FIGURES_PNG", "0")
        manifest = build_report(out, notebooks=nbs, source="demo")
    return out, manifest


@pytest.mark.parametrize("name", REPORT_NOTEBOOKS)
def test_report_notebook_html_shows_its_charts_offline(browser, report, name):
    out, manifest = report
    entry = next((n for n in manifest["notebooks"] if n["notebook"] == f"{name}.ipynb"), None)
    assert entry is not None, f"notebooks/{name}.ipynb is missing"
    assert entry["error"] is None, entry["error"]
    html_path = out / entry["html"]
    expected = html_path.read_text().count("Plotly.newPlot(")
    assert expected >= 1
    seen = render(browser, html_path)
    assert seen["page_errors"] == [] and seen["console_errors"] == []
    assert seen["blocked"] == [], "the page asks the network for " + ", ".join(seen["blocked"])
    assert seen["plot_divs"] == seen["drawn"] == expected, seen
    assert seen["problems"] == [], "\n".join(seen["problems"])
    assert "synthetic demo data" in seen["text"]


def test_report_figure_pages_render_offline_and_read_right(browser, report):
    from visual import ConsoleLog, inspect_plots, problems

    out, manifest = report
    pages = [out / f["html"] for f in manifest["figures"]]
    assert len(pages) >= 10
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    log = ConsoleLog(page)  # one tab for all (a new tab per page costs ~1.5 s each)
    bad = {}
    try:
        for path in pages:
            log.errors.clear()
            log.blocked.clear()
            page.goto(path.as_uri(), wait_until="load", timeout=60_000)
            page.wait_for_selector(".js-plotly-plot svg.main-svg", state="attached",
                                   timeout=60_000)
            page.wait_for_timeout(100)
            plots = inspect_plots(page)
            issues = log.errors + problems(plots) + [f"blocked {u}" for u in log.blocked]
            if len(plots) != 1:
                issues.append(f"{len(plots)} charts drawn")
            if issues:
                bad[path.name] = issues
    finally:
        page.close()
    assert bad == {}


def test_report_shares_one_local_plotlyjs(report):
    # One copy of plotly.js in the report folder; pages and figures load it by a relative URL.
    out, manifest = report
    big = [p.name for p in out.rglob("*") if p.is_file() and p.stat().st_size > 3_000_000]
    assert big == ["plotly.min.js"]
    page = (out / manifest["notebooks"][0]["html"]).read_text()
    assert '<script src="plotly.min.js"></script>' in page
    # no script from a CDN (require.js, MathJax, mermaid), not even one loaded on demand
    assert re.findall(r"""(?:src=|import\()\s*["']https?://[^"']+""", page) == []
    fig_page = (out / manifest["figures"][0]["html"]).read_text()
    assert '<script charset="utf-8" src="../plotly.min.js"></script>' in fig_page


def test_report_index_links_resolve(browser, report):
    out, manifest = report
    seen = render(browser, out / "index.html", plots=False)
    assert seen["page_errors"] == [] and seen["blocked"] == []
    html = (out / "index.html").read_text()
    links = re.findall(r"(?:href|src)='([^']+)'", html)
    assert links and all((out / link).exists() for link in links)
    assert len({f["figure"] for f in manifest["figures"]}) == len(manifest["figures"])
