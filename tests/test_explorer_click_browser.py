"""Live JupyterLab: clicking a point of the explorer's chart lists that period's events.

A real JupyterLab server (tests/test_jupyter_server.py) and headless Chromium: the explorer is
run in a notebook, the mouse clicks the chart on the day of the warning's two weeks with most
threats, and the list under the chart must show that day's events (SYNTHETIC on the demo), sent
back by the kernel.
"""

from __future__ import annotations

import pytest
from test_jupyter_server import (  # noqa: F401  (fixtures)
    PLOT,
    _shut_kernels,
    explorer_notebook,
    lab,
    open_and_run,
    server,
)

pytestmark = pytest.mark.slow

NB = explorer_notebook("import toolkit\n"
                       "ex = toolkit.explore(source='demo', start='2026-02-01', "
                       "end='2026-03-31', freq='D', dyads=['RUS→KOR'], "
                       "index='threat_rate')\nex")
# screen position of the RUS→KOR point of a day ("YYYY-MM-DD")
_POINT = """([sel, day]) => {
  const gd = document.querySelector(sel);
  const t = gd.data.find(t => t.name === 'RUS→KOR');
  // x arrives as strings or as datetime64 nanoseconds, depending on the serialisation
  const ns = Date.parse(day + 'T00:00:00Z') * 1e6;
  const i = Array.from(t.x).findIndex(
    x => typeof x === 'number' ? Math.abs(x - ns) < 1e9 : String(x).startsWith(day));
  const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  return [r.left + xa.l2p(xa.d2l(t.x[i])), r.top + ya.l2p(ya.d2l(t.y[i])), xa.type, i];
}"""


def test_click_on_the_chart_lists_the_events_under_it(server, lab):  # noqa: F811
    import toolkit

    # the day of the warning's two weeks with most RUS→KOR threats in the demo
    cube = toolkit.load_cube("2026-02-21", "2026-03-06", source="demo")
    thr = cube[(cube["source"] == "RUS") & (cube["target"] == "KOR")
               & (cube["root_code"] == "13")].groupby("date")["events"].sum()
    day = f"{thr.idxmax():%Y-%m-%d}"
    server.api("PUT", "/api/contents/click.ipynb",
               json={"type": "notebook", "format": "json", "content": NB})
    page, log = open_and_run(lab, server, "click.ipynb")
    try:
        hint = page.locator(".jp-OutputArea", has_text="Click a point of the chart")
        hint.first.wait_for(timeout=60_000)
        x, y, xs, i = page.evaluate(_POINT, [PLOT, day])
        assert i >= 0, xs
        page.mouse.move(x, y)
        page.wait_for_timeout(300)
        page.mouse.click(x, y)
        listed = page.locator(".jp-OutputArea", has_text=f"Threat rate RUS→KOR, {day}")
        listed.first.wait_for(timeout=60_000)
        text = listed.first.inner_text()
    finally:
        page.close()
        _shut_kernels(server)
    assert "SYNTHETIC demo data" in text and "Threaten" in text
    assert log.errors == []
    assert log.blocked == [], f"JupyterLab tried to reach the network: {log.blocked[:3]}"
