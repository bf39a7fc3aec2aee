"""An interactive explorer for JupyterLab: ipywidgets controls driving a plotly ``FigureWidget``.

The control panel picks directed dyads, the index, the frequency, the smoothing, the date range
and the milestone categories to overlay; the chart (a :class:`plotly.graph_objects.FigureWidget`)
is redrawn in place on every change, and an "Export this view" button writes the current view
with :func:`toolkit.charts.export_figure` (.html, .png or .svg, with a provenance sidecar).

Index values are computed by :func:`toolkit.indices.compute_index` (on the full loaded range, so
that a rolling mean is warmed up before the first day shown) and cached per
(index, frequency, smoothing); the date range only trims what is drawn.

Examples
--------
>>> import toolkit
>>> ex = toolkit.explore(source="demo", start="2025-01-01", end="2026-10-31")  # doctest: +SKIP
>>> ex  # in JupyterLab: the control panel above the chart  # doctest: +SKIP
>>> ex.set(dyads=["RUS→KOR"], index="volume", freq="W")  # doctest: +SKIP
>>> ex.export("figures/rus-kor-weekly.html")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import charts, indices
from ..actors import dyad_label
from ..speakers import GROUPS

#: Speaker selections offered by the explorer: every speaker, or one group of
#: :mod:`toolkit.speakers` (the numerators count only its events).
SPEAKER_CHOICES = ("all", *GROUPS)

#: Frequencies offered by the explorer: label -> code understood by ``compute_index``.
FREQ_CHOICES: dict[str, str] = {"day": "D", "week": "W", "month": "M"}
#: Export formats offered by the button (anything :func:`charts.export_figure` writes).
EXPORT_FORMATS = (".html", ".png", ".svg")
_FREQ_NAMES = {v: k for k, v in FREQ_CHOICES.items()}


def _month_starts(dates: pd.Series) -> list[pd.Timestamp]:
    lo, hi = pd.Timestamp(dates.min()), pd.Timestamp(dates.max())
    return list(pd.date_range(lo.to_period("M").to_timestamp(), hi, freq="MS"))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "view"


class Explorer:
    """Control panel + live chart over one loaded cube (see the module docstring).

    Parameters
    ----------
    cube, totals : DataFrame
        From :func:`toolkit.load_cube` and :func:`toolkit.load_daily_totals` (their ``attrs``
        carry the data source into the caption).
    milestones : DataFrame, optional
        From :func:`toolkit.load_milestones`; needs ``date, title, category``.
    dyads : sequence of str, optional
        Initially selected dyad labels such as ``"RUS→KOR"`` (default: all in the cube).
    index : str
        Initial index, one of ``index_choices`` (default ``"volume"``).
    freq : {"D", "W", "M"}
        Initial frequency.
    rolling : int
        Initial trailing rolling mean in periods (1 = no smoothing).
    categories : sequence of str, optional
        Milestone categories initially overlaid (default: all).
    index_choices : sequence of str, optional
        Indices offered (default: :data:`toolkit.indices.INDICES`).
    baseline : (start, end) or "all", optional
        Baseline period of the composite ``rhetoric_intensity`` (see
        :func:`toolkit.compute_indices`); when the loaded range does not cover the default
        baseline, choosing that index shows the error in the panel instead of drawing.
    speakers : str
        Initial speaker selection, one of :data:`SPEAKER_CHOICES` (default ``"all"``): the
        index counts only that group's events in its numerator (see :mod:`toolkit.speakers`).
    export_dir : path, optional
        Folder the export button writes to (default: ``$TOOLKIT_FIGURES_DIR`` or ``figures``).
    width : int
        Chart width in px (the milestone labels are laid out for it).

    Attributes
    ----------
    figure : plotly.graph_objects.FigureWidget
        The live chart; its traces are replaced in place on every control change.
    controls : dict of str -> ipywidgets.Widget
        ``dyads, index, speakers, freq, rolling, dates, categories, export_name,
        export_format, export_button, status``. Setting a control's ``value`` redraws the chart.
    widget : ipywidgets.VBox
        Controls and chart together (what a notebook cell displays).
    events : toolkit.notebook.explorer_events.EventList
        The list under the chart (in ``widget``): clicking a point shows that period's top
        events (:func:`toolkit.explain`); ``events.show(dyad, date)`` does the same from code.
    """

    def __init__(self, cube: pd.DataFrame, totals: pd.DataFrame,
                 milestones: pd.DataFrame | None = None, *, dyads: Sequence[str] | None = None,
                 index: str = "volume", freq: str = "W", rolling: int = 1,
                 categories: Sequence[str] | None = None,
                 index_choices: Sequence[str] | None = None, baseline=None,
                 export_dir: str | os.PathLike | None = None, width: int = 940,
                 speakers: str = "all") -> None:
        import ipywidgets as w

        if cube.empty:
            raise ValueError("The cube is empty: load a date range that holds data "
                             "(e.g. toolkit.load_cube(source='demo')).")
        self.cube, self.totals = cube, totals
        self.milestones = milestones
        self.baseline = baseline
        self.export_dir = Path(export_dir or os.environ.get("TOOLKIT_FIGURES_DIR") or "figures")
        self._cache: dict[tuple[str, str, int, str], pd.DataFrame] = {}
        self.width = int(width)
        self.last_export: Path | None = None

        pairs = cube[["source", "target"]].drop_duplicates().sort_values(["source", "target"])
        all_dyads = [dyad_label(s, t) for s, t in pairs.itertuples(index=False)]
        choices = list(index_choices) if index_choices is not None else list(indices.INDICES)
        _check_choice("index", index, choices)
        _check_choice("speakers", speakers, SPEAKER_CHOICES)
        _check_choice("freq", freq, list(FREQ_CHOICES.values()))
        for d in dyads or ():
            _check_choice("dyad", d, all_dyads)
        months = _month_starts(cube["date"])
        cats = (sorted(milestones["category"].dropna().unique())
                if milestones is not None and "category" in milestones else [])
        for c in categories or ():
            _check_choice("milestone category", c, cats)

        style = {"description_width": "initial"}
        self.controls: dict[str, w.Widget] = {
            "dyads": w.SelectMultiple(options=all_dyads, value=tuple(dyads or all_dyads),
                                      rows=min(6, len(all_dyads)), description="dyads",
                                      style=style),
            "index": w.Dropdown(options=choices, value=index, description="index", style=style),
            "speakers": w.Dropdown(options=SPEAKER_CHOICES, value=speakers,
                                   description="speakers", style=style),
            "freq": w.ToggleButtons(options=list(FREQ_CHOICES.items()), value=freq,
                                    description="frequency", style=style),
            "rolling": w.IntSlider(value=max(1, int(rolling)), min=1, max=30,
                                   description="smoothing (periods)", style=style,
                                   continuous_update=False),
            "dates": w.SelectionRangeSlider(options=[(f"{m:%Y-%m}", m) for m in months],
                                            index=(0, len(months) - 1), description="months",
                                            style=style, continuous_update=False,
                                            layout=w.Layout(width="600px")),
            "categories": w.SelectMultiple(options=cats,
                                           value=tuple(cats if categories is None
                                                       else categories),
                                           rows=min(8, max(1, len(cats))),
                                           description="milestones", style=style),
            "export_name": w.Text(value="", placeholder="file name (default: from the view)",
                                  description="export as", style=style),
            "export_format": w.Dropdown(options=EXPORT_FORMATS, value=".html",
                                        layout=w.Layout(width="90px")),
            "export_button": w.Button(description="Export this view", icon="download",
                                      button_style="primary"),
            "status": w.HTML(value=""),
        }
        self.figure = go.FigureWidget()
        for key in ("dyads", "index", "speakers", "freq", "rolling", "dates", "categories"):
            self.controls[key].observe(self._on_change, names="value")
        self.controls["export_button"].on_click(self._on_export)
        from .explorer_events import EventList

        self.events = EventList(self)  # clicking a point lists that period's events
        c = self.controls
        self.widget = w.VBox([
            w.HBox([c["dyads"], w.VBox([c["index"], c["speakers"], c["freq"], c["rolling"]]),
                    c["categories"]]),
            c["dates"], self.figure, self.events.widget,
            w.HBox([c["export_name"], c["export_format"], c["export_button"]]), c["status"],
        ])
        self.update()

    # -- state -------------------------------------------------------------------------------
    @property
    def view(self) -> dict:
        """The current settings (dyads, index, speakers, freq, rolling, start, end,
        categories)."""
        c = self.controls
        lo, hi = c["dates"].value
        return {"dyads": list(c["dyads"].value), "index": c["index"].value,
                "speakers": c["speakers"].value,
                "freq": c["freq"].value, "rolling": int(c["rolling"].value),
                "start": f"{lo:%Y-%m-%d}",
                "end": f"{(hi + pd.offsets.MonthEnd(0)):%Y-%m-%d}",
                "categories": list(c["categories"].value)}

    def set(self, **values) -> Explorer:
        """Set several controls at once and redraw once, e.g. ``set(index="volume", freq="M")``.

        ``start``/``end`` (dates) move the month range slider to the months containing them.
        """
        c = self.controls
        unknown = set(values) - {"dyads", "index", "speakers", "freq", "rolling", "categories",
                                 "start", "end"}
        if unknown:
            raise ValueError(f"Unknown setting(s) {sorted(unknown)}; choose from dyads, index, "
                             "speakers, freq, rolling, categories, start, end")
        for key in ("dyads", "categories"):
            for item in values.get(key, ()):
                _check_choice(key[:-1] if key == "dyads" else "milestone category", item,
                              c[key].options)
        for key in ("index", "speakers", "freq"):
            if key in values:
                _check_choice(key, values[key], [o[1] if isinstance(o, tuple) else o
                                                 for o in c[key].options])
        self._muted = True
        try:
            for key in ("dyads", "categories"):
                if key in values:
                    c[key].value = tuple(values[key])
            for key in ("index", "speakers", "freq", "rolling"):
                if key in values:
                    c[key].value = values[key]
            if "start" in values or "end" in values:
                months = [v for _, v in c["dates"].options]
                lo, hi = c["dates"].value
                if values.get("start") is not None:
                    lo = _month_of(values["start"], months)
                if values.get("end") is not None:
                    hi = _month_of(values["end"], months)
                if lo > hi:
                    raise ValueError(f"start {values.get('start')} is after end "
                                     f"{values.get('end')}")
                c["dates"].value = (lo, hi)
        finally:
            self._muted = False
        self.update()
        return self

    # -- drawing -----------------------------------------------------------------------------
    def frame(self) -> pd.DataFrame:
        """The tidy index frame currently drawn (selected dyads, trimmed to the date range)."""
        v = self.view
        key = (v["index"], v["freq"], v["rolling"], v["speakers"])
        if key not in self._cache:
            self._cache[key] = indices.compute_index(
                self.cube, self.totals, v["index"], freq=v["freq"],
                rolling=v["rolling"] if v["rolling"] > 1 else None, baseline=self.baseline,
                speakers=None if v["speakers"] == "all" else v["speakers"])
        full = self._cache[key]
        # periods are labelled by their first day: keep a week that starts before the range
        lo = pd.Timestamp(v["start"]) - pd.Timedelta(days=6 if v["freq"] == "W" else 0)
        keep = (full["dyad"].isin(v["dyads"]) & (full["date"] >= lo)
                & (full["date"] <= pd.Timestamp(v["end"])))
        out = full.loc[keep].reset_index(drop=True)
        out.attrs = dict(full.attrs)
        return out

    def build_figure(self) -> go.Figure:
        """A plain :class:`~plotly.graph_objects.Figure` of the current view."""
        v = self.view
        df = self.frame()
        ms = None
        if self.milestones is not None and v["categories"]:
            m = self.milestones
            ms = m[m["category"].isin(v["categories"])
                   & (m["date"] >= pd.Timestamp(v["start"]))
                   & (m["date"] <= pd.Timestamp(v["end"]))]
        unit = _FREQ_NAMES[v["freq"]]
        smooth = f", trailing {v['rolling']}-{unit} window" if v["rolling"] > 1 else ""
        name = indices.TITLES.get(v["index"], v["index"])
        adverb = {"D": "daily", "W": "weekly", "M": "monthly"}[v["freq"]]
        who = "" if v["speakers"] == "all" else f", {v['speakers']} speakers"
        title = f"{name} by dyad ({adverb}{smooth}{who})"
        fig = charts.timeline(df, ms, title=title, width_hint=self.width,
                              y_title=df.attrs.get("unit", v["index"]))
        # a fixed width: the milestone labels are laid out for it (an autosized widget is
        # narrower in JupyterLab's output area and the labels would collide)
        return fig.update_layout(width=self.width)

    def update(self, *_) -> None:
        """Redraw the chart from the controls (called on every control change)."""
        if getattr(self, "_muted", False):
            return
        try:
            new = self.build_figure()
        except ValueError as err:  # e.g. an index that cannot be computed from this cube
            self.controls["status"].value = f"<span style='color:#b00'>{err}</span>"
            return
        # The widget's serialiser sends datetime64 arrays as integer nanoseconds and timestamps
        # in a form plotly.js cannot place (x axis 1.5e18, labels at NaN): send ISO strings.
        # (the traces as given, not to_plotly_json(): that base64-encodes numeric arrays)
        traces = [_plain_dates(dict(t._props)) | {"type": t.type} for t in new.data]
        with self.figure.batch_update():
            self.figure.data = ()
            self.figure.add_traces(traces)
            self.figure.layout = _plain_dates(dict(new.layout._props))
        self.events.attach()
        self.controls["status"].value = ""

    def _on_change(self, change) -> None:
        self.update()

    # -- export ------------------------------------------------------------------------------
    def default_name(self) -> str:
        """File stem for the current view, e.g. ``explorer-volume-W-RUS-KOR-2017-01-2026-10``."""
        v = self.view
        dy = "all" if len(v["dyads"]) == len(self.controls["dyads"].options) else "_".join(
            v["dyads"])
        who = "" if v["speakers"] == "all" else f" {v['speakers']}"
        return _slug(f"explorer {v['index']}{who} {v['freq']} {dy} {v['start'][:7]} "
                     f"{v['end'][:7]}").replace("→", "-")

    def export(self, path: str | os.PathLike | None = None) -> Path:
        """Write the current view with :func:`toolkit.charts.export_figure`.

        Parameters
        ----------
        path : path, optional
            Target file; its suffix chooses the format. Default: ``export_dir`` / the name and
            format chosen in the panel.

        Returns
        -------
        Path
            The written file (a ``<file>.json`` provenance sidecar sits beside it).
        """
        if path is None:
            name = self.controls["export_name"].value.strip() or self.default_name()
            path = self.export_dir / f"{Path(name).stem}{self.controls['export_format'].value}"
        fig = go.Figure(self.figure)
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        sidecar = {**meta.get("provenance", {}), "view": self.view, "notebook":
                   os.environ.get("TOOLKIT_NOTEBOOK", ""), "title": fig.layout.title.text}
        self.last_export = charts.export_figure(fig, path, sidecar=sidecar)
        return self.last_export

    def _on_export(self, _button) -> None:
        status = self.controls["status"]
        status.value = "exporting…"
        try:
            p = self.export()
        except (RuntimeError, ValueError, OSError) as err:
            status.value = f"<span style='color:#b00'>export failed: {err}</span>"
        else:
            status.value = f"exported <code>{p}</code>"

    # -- display -----------------------------------------------------------------------------
    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # The widget for JupyterLab, plus a static snapshot of the current view as HTML for
        # places without a live kernel (the executed-notebook HTML of `make report`).
        from .display import figure_html

        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        note = ("<p><i>Static snapshot of the explorer's view when the notebook ran; the "
                "controls need a live kernel (open the notebook in JupyterLab).</i></p>")
        bundle["text/html"] = note + figure_html(go.Figure(self.figure))
        return bundle


def _iso(value) -> str:
    ts = pd.Timestamp(value)
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else ts.isoformat()


def _plain_dates(obj):
    """``obj`` (a trace's or layout's properties) with every date as an ISO string.

    Examples
    --------
    >>> _plain_dates({"x": np.array(["2026-01-05"], dtype="datetime64[ns]"),
    ...               "range": [pd.Timestamp("2026-01-05 12:00")]})
    {'x': ['2026-01-05'], 'range': ['2026-01-05T12:00:00']}
    """
    if isinstance(obj, dict):
        return {k: _plain_dates(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "M":
            return [None if pd.isna(v) else _iso(v) for v in obj]
        if obj.dtype == object:
            return [_plain_dates(v) for v in obj]
        return obj
    if isinstance(obj, list | tuple):
        return [_plain_dates(v) for v in obj]
    if isinstance(obj, datetime | date | np.datetime64):
        return None if pd.isna(obj) else _iso(obj)
    return obj


def _check_choice(what: str, value, choices: Iterable) -> None:
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"Unknown {what} {value!r}; choose one of {', '.join(map(str, choices))}")


def _month_of(value, months: list[pd.Timestamp]) -> pd.Timestamp:
    from ..dates import parse_date

    ts = parse_date(value)
    m = ts.to_period("M").to_timestamp()
    if m < months[0] or m > months[-1]:
        raise ValueError(f"{value} is outside the loaded range {months[0]:%Y-%m} to "
                         f"{months[-1]:%Y-%m}; load a wider cube")
    return m


def explore(cube: pd.DataFrame | None = None, totals: pd.DataFrame | None = None,
            milestones: pd.DataFrame | None = None, *, source: str = "auto", start=None,
            end=None, actors=None, **options) -> Explorer:
    """Open the explorer on a cube (loaded here from ``source`` when not given).

    Parameters
    ----------
    cube, totals : DataFrame, optional
        Already loaded data; otherwise loaded with :func:`toolkit.load_cube` /
        :func:`toolkit.load_daily_totals` for ``start``..``end`` from ``source``.
    milestones : DataFrame, optional
        Default: :func:`toolkit.load_milestones`.
    source : {"auto", "demo", "local", "bigquery"}
    start, end : str, optional
        ``YYYY-MM-DD``.
    actors : list of str, optional
        CAMEO country codes (default RUS, KOR, PRK).
    **options
        Passed to :class:`Explorer` (``dyads``, ``index``, ``speakers``, ``freq``,
        ``rolling``, ``categories``, ``index_choices``, ``export_dir``).

    Returns
    -------
    Explorer
        Display it (last expression of a cell) to get the control panel and chart.
    """
    from ..cube import load_cube, load_daily_totals
    from ..milestones import load_milestones

    if cube is None:
        cube = load_cube(start, end, source=source, actors=actors)
    if totals is None:
        totals = load_daily_totals(start, end, source=cube.attrs.get("source", source))
    if milestones is None:
        milestones = load_milestones()
    return Explorer(cube, totals, milestones, **options)
