"""What a user SEES in a drawn plotly chart, read from the browser's DOM (Playwright pages).

:func:`inspect_plots` returns, per drawn chart on a page, the x tick label texts (as drawn), the
x data range, the boxes of the milestone labels, of the legend and its entries, and of the
figure; :func:`problems` turns that into human-readable complaints (empty = looks right):

* every x axis that carries dates is a date axis, and its tick labels read as dates inside the
  data's range (not 1.5×10¹⁸ nanoseconds);
* milestone labels (annotations named ``milestone-label:*``) lie inside the figure and do not
  overlap each other (not piled up in a corner);
* the legend and each of its entries lie inside the figure and inside the legend box (a
  legend too tall for its figure scrolls and hides entries: clipped).

:class:`ConsoleLog` collects console messages of type error and uncaught page errors, and every
request that would leave the machine (``file:``, ``data:``, ``blob:`` and the local server are
allowed; anything else is aborted and recorded). :func:`headless_chromium` launches the
browser the pages are opened in.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from datetime import datetime, timedelta

import pandas as pd

INSPECT_JS = r"""
(scope) => {
  const roots = scope ? [...document.querySelectorAll(scope)] : [document];
  const box = el => { const r = el.getBoundingClientRect();
                      return [r.left, r.top, r.right, r.bottom]; };
  const out = [];
  for (const gd of roots.flatMap(r => [...r.querySelectorAll('.js-plotly-plot')])) {
    const fl = gd._fullLayout;
    const svg = gd.querySelector('svg.main-svg');
    if (!fl || !svg) continue;
    const area = gd.closest('.jp-OutputArea-output');
    const rec = {title: (fl.title && fl.title.text) || '', svg: box(svg), axes: [],
                 labels: [], legend: null, entries: [], area: area ? box(area) : null};
    for (const id of (fl._subplots && fl._subplots.xaxis) || ['x']) {
      const ax = fl[id === 'x' ? 'xaxis' : 'xaxis' + id.slice(1)];
      if (!ax) continue;
      const ticks = [...gd.querySelectorAll('.xaxislayer-above .' + id + 'tick text')].map(t => {
        const spans = [...t.querySelectorAll('tspan.line')];
        return (spans.length ? spans.map(s => s.textContent) : [t.textContent]).join(' ');
      }).filter(s => s.trim() !== '');
      let lo = null, hi = null, dateLike = false, n = 0;
      for (const tr of gd._fullData || []) {
        if ((tr.xaxis || 'x') !== id || !tr.x || tr.visible !== true) continue;
        if (tr.meta && tr.meta.role === 'milestones') continue;
        for (const v of tr.x) {
          if (v === null || v === undefined) continue;
          if (typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v)) dateLike = true;
          const c = ax.d2c(v);
          if (!isFinite(c)) continue;
          n += 1; lo = lo === null ? c : Math.min(lo, c); hi = hi === null ? c : Math.max(hi, c);
        }
      }
      rec.axes.push({id, type: ax.type, ticks, dateLike, n,
                     lo: lo === null ? null : (ax.type === 'date' ? ax.c2d(lo) : lo),
                     hi: hi === null ? null : (ax.type === 'date' ? ax.c2d(hi) : hi)});
    }
    for (const g of gd.querySelectorAll('g.annotation')) {
      const a = (fl.annotations || [])[+g.getAttribute('data-index')];
      if (!a || !String(a.name || '').startsWith('milestone-label:')) continue;
      if (a.visible === false) continue;
      const t = g.querySelector('.annotation-text-g') || g;
      rec.labels.push({name: a.name, text: t.textContent, box: box(t),
                       transform: (g.querySelector('[transform]') || g).getAttribute('transform')});
    }
    const lg = gd.querySelector('g.legend');
    if (lg) {
      const bg = lg.querySelector('rect.bg');
      rec.legend = box(bg || lg);
      rec.entries = [...lg.querySelectorAll('g.traces')].map(e => (
        {text: (e.querySelector('text.legendtext') || e).textContent, box: box(e)}));
    }
    out.push(rec);
  }
  return out;
}
"""

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
SLACK = timedelta(days=35)  # a tick may sit at the start of the month holding the first value


def _inside(inner, outer, tol: float = 1.5) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def _overlap(a, b, tol: float = 0.5) -> bool:
    return (min(a[2], b[2]) - max(a[0], b[0]) > tol) and (min(a[3], b[3]) - max(a[1], b[1]) > tol)


def parse_ticks(labels: list[str]) -> list[datetime] | str:
    """Read plotly date tick labels ("Jan 2026", "2026", "Mar 5 2026", "Mar 12" after a tick
    that named the year) as dates; a string explains the first label that is not a date."""
    out, year = [], None
    for raw in labels:
        text = raw.replace("\u2009", " ").strip()
        m = re.fullmatch(rf"(?:({_MONTHS})\s*(\d{{1,2}})?,?\s*)?(\d{{4}})?", text)
        if not m or not any(m.groups()):
            return f"tick label {raw!r} is not a date"
        mon, day, yr = m.groups()
        year = int(yr) if yr else year
        if year is None:
            return f"tick label {raw!r} has no year and no earlier tick names one"
        month = (_MONTHS.split("|").index(mon) + 1) if mon else 1
        out.append(datetime(year, month, int(day) if day else 1))
    return out


def problems(plots: list[dict], *, require_dates: bool = False) -> list[str]:
    """Complaints about what the charts show (see the module docstring); [] = looks right.

    ``require_dates``: every chart's x axes must carry dates (the explorer, timelines).
    """
    found = []
    for i, p in enumerate(plots):
        who = f"chart {i + 1} {p['title'][:60]!r}"
        for ax in p["axes"]:
            if ax["n"] == 0:
                continue
            wants_dates = require_dates or ax["dateLike"]
            if wants_dates and ax["type"] != "date":
                found.append(f"{who}: x axis {ax['id']} is {ax['type']!r}, not dates "
                             f"(ticks {ax['ticks'][:3]})")
                continue
            if ax["type"] != "date":
                continue
            dates = parse_ticks(ax["ticks"])
            if isinstance(dates, str):
                found.append(f"{who}: {dates}")
                continue
            if not dates:  # shared axes: only the bottom panel's axis shows labels
                if not any(a["ticks"] for a in p["axes"]):
                    found.append(f"{who}: x axis {ax['id']} shows no tick labels")
                continue
            lo, hi = pd.Timestamp(ax["lo"]), pd.Timestamp(ax["hi"])
            bad = [t for t, d in zip(ax["ticks"], dates, strict=True)
                   if not (lo - SLACK <= d <= hi + SLACK)]
            if bad:
                found.append(f"{who}: tick labels {bad[:3]} lie outside the data "
                             f"{lo:%Y-%m-%d}..{hi:%Y-%m-%d}")
        for lab in p["labels"]:
            if not _inside(lab["box"], p["svg"]):
                found.append(f"{who}: milestone label {lab['text']!r} at {lab['box']} lies "
                             f"outside the figure {p['svg']}")
        for j, a in enumerate(p["labels"]):
            for b in p["labels"][j + 1:]:
                if _overlap(a["box"], b["box"]):
                    found.append(f"{who}: milestone labels {a['text']!r} and {b['text']!r} "
                                 "overlap")
        if p.get("area") and p["svg"][2] > p["area"][2] + 1.5:
            found.append(f"{who}: the figure ({p['svg'][2] - p['svg'][0]:.0f} px) is wider "
                         f"than its output area ({p['area'][2] - p['area'][0]:.0f} px), its "
                         "right part is cut off")
        if p["legend"]:
            if not _inside(p["legend"], p["svg"]):
                found.append(f"{who}: legend {p['legend']} runs out of the figure {p['svg']}")
            hidden = [e["text"] for e in p["entries"] if not _inside(e["box"], p["legend"])]
            if hidden:
                found.append(f"{who}: legend clipped, entries {hidden[:4]} are cut off")
    return found


def inspect_plots(page, scope: str | None = None) -> list[dict]:
    """The drawn charts under ``scope`` (a CSS selector; default the whole page)."""
    return page.evaluate(INSPECT_JS, scope)


#: Debian's chromium (Playwright drives it; it downloads no browser of its own here)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def headless_chromium():
    """Headless Debian chromium driven by Playwright, closed on exit; skips the test when
    Playwright or chromium is missing."""
    import pytest

    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ConsoleLog:
    """Console errors, page errors and blocked (non-local) requests of one Playwright page."""

    def __init__(self, page, *, local: tuple[str, ...] = ()):
        self.errors: list[str] = []
        self.blocked: list[str] = []
        allowed = ("file:", "data:", "blob:", *local)
        page.on("console", lambda m: m.type == "error" and self.errors.append(
            f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

        def route(r):
            if r.request.url.startswith(allowed):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
