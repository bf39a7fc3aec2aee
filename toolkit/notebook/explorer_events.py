"""Click a point of the explorer's chart, read that period's top events under it.

:class:`EventList` hooks ``on_click`` on the data traces of an
:class:`toolkit.notebook.explorer.Explorer` figure (a plotly ``FigureWidget``, so clicks reach
the kernel in live JupyterLab) and, for the clicked dyad and period, shows
:func:`toolkit.explain` of the explorer's current index: the most reported events with their
share of the value and their first article, plus the cached DOC articles of the period. On the
demo data the list says it is SYNTHETIC.
"""

from __future__ import annotations

import html

import pandas as pd

HINT = ("<p><i>Click a point of the chart to list the events behind it (most reported "
        "first).</i></p>")


class EventList:
    """The clickable event list of one explorer (see the module docstring).

    Parameters
    ----------
    explorer : toolkit.notebook.explorer.Explorer
    limit : int
        Events listed per click (all are in :attr:`last` ``.events``).
    data_dir : path, optional
        Cache directory for the local rows, BigQuery events and DOC articles.

    Attributes
    ----------
    widget : ipywidgets.HTML
        Shown under the chart; holds the hint, the list, or a one-line reason.
    last : toolkit.explainer.Explanation or None
        The explanation of the last click.
    """

    def __init__(self, explorer, *, limit: int = 10, data_dir=None) -> None:
        import ipywidgets as w

        self.explorer, self.limit, self.data_dir = explorer, int(limit), data_dir
        self.widget = w.HTML(value=HINT)
        self.last = None

    def attach(self) -> None:
        """Register the click handler on every data trace (call after each redraw: the
        explorer replaces its traces)."""
        for trace in self.explorer.figure.data:
            if self._dyad_of(trace) is not None:
                trace.on_click(self._on_click, append=False)

    def _dyad_of(self, trace) -> str | None:
        meta = trace.meta if isinstance(trace.meta, dict) else {}
        if meta.get("role") == "milestones":
            return None
        dyads = set(self.explorer.controls["dyads"].options)
        for cand in (trace.legendgroup, trace.name):
            if isinstance(cand, str) and cand in dyads:
                return cand
        return None

    def _on_click(self, trace, points, _state=None) -> None:
        inds = list(getattr(points, "point_inds", []) or [])
        dyad = self._dyad_of(trace)
        if not inds or dyad is None:
            return
        self.show(dyad, pd.Timestamp(trace.x[inds[0]]))

    def show(self, dyad: str, date) -> None:
        """List the events of ``dyad`` in the period labelled ``date`` for the current view."""
        from ..explainer import explain, to_html

        ex = self.explorer
        v = ex.view
        cube = ex.cube
        frame = ex.frame()
        frame.attrs.setdefault("freq", v["freq"])
        try:
            self.last = explain(frame, dyad, v["index"], pd.Timestamp(date), freq=v["freq"],
                                source=cube.attrs.get("source"), data_dir=self.data_dir,
                                limit=self.limit)
        except (ValueError, OSError) as err:
            self.last = None
            self.widget.value = (f"<p style='color:#b00'>No event list for {html.escape(dyad)} "
                                 f"{pd.Timestamp(date):%Y-%m-%d}: {html.escape(str(err))}</p>")
            return
        self.widget.value = to_html(self.last, max_rows=self.limit)
