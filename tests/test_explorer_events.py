"""Clicking a point of the explorer's chart lists that period's top events under it.

Tested at the widget level: the click is dispatched to the FigureWidget trace exactly as
plotly's front end does (``trace._dispatch_on_click``), and the HTML widget under the chart is
read back.
"""

from __future__ import annotations

import pandas as pd
import pytest
from plotly.callbacks import Points

import toolkit
from toolkit.speakers import GROUPS


@pytest.fixture
def ex():
    return toolkit.explore(source="demo", start="2026-01-01", end="2026-03-31",
                           dyads=["RUS→KOR", "KOR→RUS"], index="threat_rate", freq="D")


def _click(ex, dyad: str, day: str):
    i, trace = next((i, t) for i, t in enumerate(ex.figure.data) if t.name == dyad)
    k = [pd.Timestamp(x) for x in trace.x].index(pd.Timestamp(day))
    trace._dispatch_on_click(Points(point_inds=[k], xs=[trace.x[k]], ys=[trace.y[k]],
                                    trace_name=dyad, trace_index=i), None)
    return trace.y[k]


def test_the_list_sits_under_the_chart_with_a_hint(ex):
    kids = list(ex.widget.children)
    assert kids.index(ex.events.widget) == kids.index(ex.figure) + 1
    assert "Click a point" in ex.events.widget.value and ex.events.last is None


def _threat_day(ex) -> str:
    """The day of the warning's two weeks with most RUS→KOR threats (so it has events)."""
    f = ex.frame()
    f = f[(f["dyad"] == "RUS→KOR") & (f["date"] >= "2026-02-21") & (f["date"] <= "2026-03-06")]
    return f"{f.set_index('date')['value'].idxmax():%Y-%m-%d}"


def test_click_lists_the_events_of_that_day(ex):
    day = _threat_day(ex)
    y = _click(ex, "RUS→KOR", day)
    shown = ex.events.last
    assert shown.dyad == "RUS→KOR" and shown.period == day
    assert shown.value == pytest.approx(y, rel=1e-12) and len(shown.events) > 0
    page = ex.events.widget.value
    assert "SYNTHETIC demo data" in page and day in page
    assert shown.events["event_description"].iloc[0] in page
    assert set(shown.events["root_code"]) == {"13"}
    assert len(shown.events) <= ex.events.limit


def test_click_after_a_redraw_follows_the_new_view(ex):
    ex.set(freq="W", index="volume")
    _click(ex, "KOR→RUS", "2026-02-16")  # a Monday: the week 16..22 Feb
    shown = ex.events.last
    assert shown.index == "volume" and shown.period == "2026-02-16..2026-02-22"
    assert set(shown.events["source"]) == {"KOR"}


def test_composite_click_says_why_there_is_no_list():
    ex = toolkit.explore(source="demo", start="2017-01-01", end="2026-03-31",
                         dyads=["RUS→KOR"], index="rhetoric_intensity", freq="M")
    _click(ex, "RUS→KOR", "2026-02-01")
    assert ex.events.last is None
    assert "composite" in ex.events.widget.value and "No event list" in ex.events.widget.value


def test_milestone_markers_are_not_clickable(ex):
    marks = [t for t in ex.figure.data if isinstance(t.meta, dict)
             and t.meta.get("role") == "milestones"]
    assert marks and all(not t._click_callbacks for t in marks)


def test_click_on_an_officials_chart_lists_officials_events_and_their_value(ex):
    ex.set(speakers="official")
    day = _threat_day(ex)
    y = _click(ex, "RUS→KOR", day)
    shown = ex.events.last
    assert shown.value == pytest.approx(y, rel=1e-12) and len(shown.events) > 0
    assert shown.events["source_type"].isin(GROUPS["official"]).all()
