"""Figure builders: timeline, small multiples, heatmap and event window of tidy index frames.

Each takes a tidy frame (from :mod:`toolkit.indices`), does no I/O, and returns a
:class:`plotly.graph_objects.Figure` in the toolkit theme (:mod:`toolkit.charts.theme`) with the
milestone overlay (:mod:`toolkit.charts.overlay`) and a caption naming the data source
("synthetic demo data" for the demo), date range and toolkit version: :func:`timeline` (one or
more indices in stacked panels × series), :func:`small_multiples` (one panel per dyad, shared
axes), :func:`heatmap` (dyad × month) and :func:`event_window` (±N days around a milestone
with before/after means).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..indices import TITLES, window_means
from .overlay import (
    _label_margin,
    _list_unlabelled,
    _milestone_frame,
    _unlabelled_note,
    add_milestones,
)
from .theme import CATEGORY_COLORS, PALETTE, _caption_lines, _finish, _short_unit, _unit

#: Above this many points in one trace, ``webgl="auto"`` draws it with Scattergl.
WEBGL_THRESHOLD = 2000


# --- helpers -------------------------------------------------------------------------------

def _series_column(frame: pd.DataFrame, by: str | None) -> pd.Series:
    """One label per row naming the plotted series (dyad, or query · source country)."""
    if by is not None:
        if by not in frame:
            raise ValueError(f"by={by!r} is not a column; choose from {', '.join(frame.columns)}")
        return frame[by].astype(str)
    if "dyad" in frame:
        return frame["dyad"].astype(str)
    if "query" in frame:
        q = frame["query"].astype(str)
        if "source_country" in frame:
            sc = frame["source_country"].astype(str)
            return q.where(sc == "all", q + " · " + sc)
        return q
    if "series" in frame:
        return frame["series"].astype(str)
    raise ValueError("Cannot tell the series apart: the frame needs a 'dyad' or 'query' column "
                     "(or pass by=<column>)")


def _scatter(webgl: bool | str, n: int):
    if webgl == "auto":
        return go.Scattergl if n > WEBGL_THRESHOLD else go.Scatter
    if not isinstance(webgl, bool):
        raise ValueError(f"webgl={webgl!r}; choose True, False or 'auto'")
    return go.Scattergl if webgl else go.Scatter


def _check_frame(frame: pd.DataFrame) -> None:
    missing = [c for c in ("date", "value") if c not in frame]
    if missing:
        raise ValueError(f"The frame lacks column(s) {', '.join(missing)}; pass a tidy index "
                         "frame such as toolkit.compute_indices(...)")


def _add_series(fig, frame, labels, *, show_raw, webgl, row=None, col=None, colours,
                showlegend=True, line_width=1.8, partial=()):
    partial = pd.DatetimeIndex(list(partial or []))
    for label, g in frame.groupby(labels, sort=False):
        g = g.sort_values("date")
        colour = colours[label]
        kind = _scatter(webgl, len(g))
        pos = {"row": row, "col": col} if row is not None else {}
        if show_raw and "raw" in g:
            fig.add_trace(kind(x=g["date"], y=g["raw"], mode="lines", name=f"{label} (raw)",
                               line={"color": colour, "width": 0.8}, opacity=0.28,
                               legendgroup=label, showlegend=False, hoverinfo="skip"), **pos)
        fig.add_trace(kind(x=g["date"], y=g["value"], mode="lines", name=label,
                           line={"color": colour, "width": line_width}, legendgroup=label,
                           showlegend=showlegend,
                           hovertemplate=f"{label}: %{{y:.3g}}<extra></extra>"), **pos)
        cut = g[pd.DatetimeIndex(g["date"]).isin(partial) & g["value"].notna()]
        if len(cut):  # a first/last week or month the range cuts: fewer days, hollow marker
            fig.add_trace(go.Scatter(
                x=cut["date"], y=cut["value"], mode="markers", name="partial period",
                marker={"symbol": "circle-open", "size": 9, "color": colour,
                        "line": {"width": 1.8}},
                legendgroup=label, showlegend=False, meta={"role": "partial"},
                hovertemplate=f"{label}: %{{y:.3g}} (partial period: fewer days)<extra></extra>"),
                **pos)


def _partial_note(fig: go.Figure) -> str:
    """Legend entry and caption note for partial periods, when the figure marks any."""
    if not any(isinstance(t.meta, dict) and t.meta.get("role") == "partial" for t in fig.data):
        return ""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name="partial period",
                             marker={"symbol": "circle-open", "size": 9, "color": "#444444",
                                     "line": {"width": 1.8}}, legendgroup="partial",
                             hoverinfo="skip", meta={"role": "legend"}))
    return "hollow markers: first/last period cut by the date range (fewer days)"


def _colours(labels: Iterable[str]) -> dict[str, str]:
    return {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(labels)}


# --- figures -------------------------------------------------------------------------------

def timeline(frame: pd.DataFrame, milestones: pd.DataFrame | None = None, *,
             title: str = "", y_title: str = "", by: str | None = None, show_raw: bool = True,
             labels: str = "short", max_lanes: int = 5, webgl: bool | str = "auto",
             emphasis: Iterable[str] = (), height: int | None = None,
             width_hint: int = 1100) -> go.Figure:
    """Line chart of one or more indices (stacked panels, shared x), one line per series.

    Parameters
    ----------
    frame : DataFrame
        Tidy frame with ``date``, ``value`` and ``dyad`` (or ``query``/``source_country``),
        optionally ``index`` (one panel per index) and ``raw`` (drawn faint behind
        ``value`` when ``show_raw``), e.g. from :func:`toolkit.compute_indices` with
        ``rolling=7``.
    milestones : DataFrame, str or list of str, optional
        From :func:`toolkit.load_milestones`, or registry ids (``"invasion"``,
        ``["invasion", "treaty-2024"]``; an unknown id raises ``ValueError`` listing the valid
        ids); those inside the frame's date range are drawn (see :func:`add_milestones`).
    title, y_title : str
        Figure title; y axis title (default: the index's unit).
    by : str, optional
        Column naming the series (default ``dyad``, else query · source country).
    show_raw : bool
        Draw the unsmoothed series faintly behind the smoothed one when ``raw`` exists.
    labels, max_lanes, emphasis, width_hint
        Milestone labels, see :func:`add_milestones`.
    webgl : bool or "auto"
        Draw with WebGL (Scattergl); "auto" does so above :data:`WEBGL_THRESHOLD` points per
        trace (e.g. 10 years of daily values).
    height : int, optional
        Figure height in px (default 480 + 200 per extra panel).

    Returns
    -------
    Figure
        ``layout.meta`` holds ``provenance`` and the ``milestones`` label layout.

    Examples
    --------
    >>> import toolkit
    >>> c = toolkit.load_cube("2026-01-01", "2026-03-31", source="demo")
    >>> t = toolkit.load_daily_totals("2026-01-01", "2026-03-31", source="demo")
    >>> df = toolkit.compute_indices(c, t, ["threat_rate"], dyads=["RUS→KOR"], rolling=7)
    >>> fig = timeline(df, toolkit.load_milestones(), title="Threat rate")
    >>> "synthetic demo data" in fig.layout.annotations[-1].text
    True
    """
    _check_frame(frame)
    labels_col = _series_column(frame, by)
    f = frame.assign(_series=labels_col)
    indices = list(pd.unique(f["index"])) if "index" in f else [None]
    n = len(indices)
    colours = _colours(pd.unique(f["_series"]))
    if n > 1:
        fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=0.05)
    else:
        fig = go.Figure()
    for r, idx in enumerate(indices, start=1):
        part = f if idx is None else f[f["index"] == idx]
        _add_series(fig, part, "_series", show_raw=show_raw, webgl=webgl,
                    row=r if n > 1 else None, col=1 if n > 1 else None, colours=colours,
                    showlegend=r == 1, partial=frame.attrs.get("partial_periods"))
        if n > 1:
            ytitle = f"<b>{TITLES.get(idx, idx)}</b><br>{_short_unit(idx)}"
            fig.update_yaxes(title_text=ytitle, title_font={"size": 11}, row=r, col=1)
        else:
            fig.update_yaxes(title_text=y_title or _short_unit(idx), title_font={"size": 12})
    start, end = (f["date"].min(), f["date"].max()) if len(f) else (None, None)
    info = add_milestones(fig, milestones, start=start, end=end, labels=labels,
                          max_lanes=max_lanes, width_hint=width_hint, emphasis=emphasis)
    fig.update_layout(height=height or 480 + 200 * (n - 1), hovermode="x unified",
                      legend={"title": {"text": "series"}, "tracegroupgap": 6},
                      margin={"t": _label_margin(info), "l": 70, "r": 20})
    fig.update_xaxes(range=[start, end] if start is not None else None)
    notes = " · ".join(n for n in (_partial_note(fig), _unlabelled_note(info)) if n)
    return _finish(fig, frame, title, notes, {"milestones": info})


def small_multiples(frame: pd.DataFrame, milestones: pd.DataFrame | None = None, *,
                    index: str | None = None, title: str = "", y_title: str = "",
                    cols: int = 3, show_raw: bool = True, shared_y: bool = True,
                    webgl: bool | str = "auto", height: int | None = None) -> go.Figure:
    """One panel per dyad (e.g. the six directed RUS/KOR/PRK dyads) with shared axes.

    Parameters
    ----------
    frame : DataFrame
        Tidy index frame with ``dyad`` (one index, or choose it with ``index``).
    milestones : DataFrame, str or list of str, optional
        Registry rows or ids; drawn as category-coloured vertical lines in every panel
        (legend per category;
        labels and hover are on :func:`timeline`).
    index : str, optional
        Which index to draw when the frame holds several.
    cols : int
        Panels per row.
    shared_y : bool
        Same y range in every panel (compare levels); False to compare shapes.

    Returns
    -------
    Figure
    """
    _check_frame(frame)
    f = _one_index(frame, index)
    idx = f["index"].iloc[0] if "index" in f and len(f) else index
    labels_col = _series_column(f, None)
    f = f.assign(_series=labels_col)
    names = list(pd.unique(f["_series"]))
    rows = max(1, math.ceil(len(names) / cols))
    fig = make_subplots(rows=rows, cols=cols, shared_xaxes="all",
                        shared_yaxes="all" if shared_y else False, subplot_titles=names,
                        vertical_spacing=0.12, horizontal_spacing=0.04)
    colours = _colours(names)
    for i, name in enumerate(names):
        r, c = divmod(i, cols)
        _add_series(fig, f[f["_series"] == name], "_series", show_raw=show_raw, webgl=webgl,
                    row=r + 1, col=c + 1, colours=colours, showlegend=False, line_width=1.4,
                    partial=frame.attrs.get("partial_periods"))
    start, end = (f["date"].min(), f["date"].max()) if len(f) else (None, None)
    m = _milestone_frame(milestones, start, end)
    shapes = []
    for k in range(1, len(names) + 1):
        xa, ya = ("x", "y") if k == 1 else (f"x{k}", f"y{k}")
        shapes += [dict(type="line", x0=ms["date"], x1=ms["date"], xref=xa,
                        yref=f"{ya} domain", y0=0, y1=1, layer="below",
                        line={"color": CATEGORY_COLORS[ms["category"]], "width": 1,
                              "dash": "dot"}, name=f"milestone:{ms['id']}")
                   for _, ms in m.iterrows()]
    fig.update_layout(shapes=shapes)
    for cat in dict.fromkeys(m["category"]):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines",
                                 line={"color": CATEGORY_COLORS[cat], "dash": "dot"},
                                 name=cat.replace("_", " "), legendgroup="milestones",
                                 legendgrouptitle={"text": "milestones"}))
    fig.update_yaxes(title_text=y_title or _short_unit(idx), col=1, title_font={"size": 11})
    fig.update_layout(height=height or 300 * rows + 120, hovermode="x unified",
                      margin={"t": 80, "l": 70, "r": 20})
    return _finish(fig, f.drop(columns="_series"), title or TITLES.get(idx, "") or "",
                   _partial_note(fig))


def _one_index(frame: pd.DataFrame, index: str | None) -> pd.DataFrame:
    if "index" not in frame:
        return frame
    if index is not None:
        out = frame[frame["index"] == index]
        if not len(out):
            raise ValueError(f"index {index!r} is not in the frame; it holds "
                             f"{', '.join(map(str, frame['index'].unique()))}")
        return out
    present = list(dict.fromkeys(frame["index"]))
    if len(present) > 1:
        raise ValueError(f"The frame holds several indices ({', '.join(present)}); choose one "
                         "with index=...")
    return frame


def heatmap(frame: pd.DataFrame, milestones: pd.DataFrame | None = None, *,
            index: str | None = None, title: str = "", colorscale: str | None = None,
            zmid: float | None = None, height: int | None = None, labels: str = "short",
            max_lanes: int = 5, width_hint: int = 1100) -> go.Figure:
    """Dyad × month heatmap of one index (or DOC query · source country × month).

    Parameters
    ----------
    frame : DataFrame
        Tidy MONTHLY index frame (``compute_indices(..., freq="M")``, or
        ``doc_indices(..., freq="M")``): monthly values are ratios of monthly sums, which a
        chart cannot rebuild from daily ratios. Each cell spans its calendar month.
    milestones : DataFrame, str or list of str, optional
        Registry rows or ids; drawn as category-coloured vertical lines over the cells,
        labelled above the chart as in :func:`timeline`; each line has a ▼ marker with its
        title, date and category on hover, and the lines whose label does not fit are listed
        (date and label) under the caption.
    labels, max_lanes, width_hint
        Milestone labels, see :func:`add_milestones`.
    index : str, optional
        Which index to draw when the frame holds several.
    colorscale : str, optional
        Plotly colour scale; default ``Cividis`` (sequential) for counts and shares, and the
        diverging ``RdBu_r`` centred on 0 for the composite and hostility (``RdBu`` for tone,
        so that red means hostile/negative throughout). All are colour-blind safe.
    zmid : float, optional
        Centre of a diverging scale.

    Raises
    ------
    ValueError
        When the frame is not monthly.
    """
    _check_frame(frame)
    f = _one_index(frame, index)
    idx = f["index"].iloc[0] if "index" in f and len(f) else index
    freq = frame.attrs.get("freq")
    if freq not in (None, "M") or (len(f) and (pd.DatetimeIndex(f["date"]).day != 1).any()):
        raise ValueError("heatmap needs a monthly frame; compute it with "
                         "toolkit.compute_indices(cube, totals, ..., freq='M')")
    f = f.assign(_series=_series_column(f, None))
    z = f.pivot_table(index="_series", columns="date", values="value", aggfunc="first",
                      sort=False)
    diverging = {"rhetoric_intensity": "RdBu_r", "hostility": "RdBu_r", "tone": "RdBu"}
    if colorscale is None:
        colorscale = diverging.get(idx, "Cividis")
        if idx in diverging and zmid is None:
            zmid = 0.0
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(), x=list(z.columns), y=list(z.index), colorscale=colorscale, zmid=zmid,
        # each cell spans its calendar month, so a milestone line falls in its own month
        xperiod="M1", xperiodalignment="start",
        colorbar={"title": {"text": _unit(idx), "side": "right"}},
        hovertemplate="%{y} · %{x|%Y-%m}: %{z:.3g}<extra></extra>", xgap=0, ygap=2))
    start = f["date"].min() if len(f) else None
    end = f["date"].max() + pd.offsets.MonthEnd(0) if len(f) else None
    m = _milestone_frame(milestones, start, end)  # drawn, then its unlabelled lines listed
    info = add_milestones(fig, m, start=start, end=end, labels=labels,
                          max_lanes=max_lanes, width_hint=width_hint)
    # lines over the cells, not under them; ▼ markers give every line its hover text, and the
    # colour bar takes the legend's place (labels name the milestones, hover their category)
    fig.update_shapes(layer="above", selector=lambda s: (s.name or "").startswith("milestone:"))
    fig.update_traces(showlegend=False,
                      selector=lambda t: isinstance(t.meta, dict)
                      and t.meta.get("role") == "milestones")
    rows = ("dyad (source → target)" if "dyad" in f
            else "query · source country" if "source_country" in f
            else "query" if "query" in f else "series")
    fig.update_layout(yaxis={"autorange": "reversed", "showgrid": False,
                             "title": {"text": rows}})
    fig.update_xaxes(showgrid=False)
    fig.update_layout(height=height or _label_margin(info) + 110 + 45 * max(len(z), 1),
                      margin={"t": _label_margin(info), "l": 90, "r": 20})
    fig = _finish(fig, f.drop(columns="_series"), title or TITLES.get(idx, "") or "", "",
                  {"milestones": info})
    return _list_unlabelled(fig, m, info)


def event_window(frame: pd.DataFrame, milestone, *, days: int = 30,
                 milestones: pd.DataFrame | None = None, index: str | None = None,
                 title: str = "", y_title: str = "", show_raw: bool = True,
                 width_hint: int = 1100) -> go.Figure:
    """Zoom on ±``days`` around a milestone with the before/after means of each series.

    Parameters
    ----------
    frame : DataFrame
        Tidy DAILY index frame (one index, or choose it with ``index``).
    milestone : str, date or Series
        The milestone: a registry id (``"purl-asymmetric-warning"``, looked up in
        ``milestones``, else in :func:`toolkit.load_milestones`), a day (``"2026-02-21"``) or
        a row of :func:`toolkit.load_milestones`. An unknown id raises ``ValueError`` listing
        the valid ids.
    days : int
        Window half-width in days.
    milestones : DataFrame, optional
        The registry: other milestones inside the window are drawn and labelled too.

    Notes
    -----
    Means are plain means of the frame's values (see :func:`toolkit.indices.window_means`):
    *before* = the ``days`` days before the milestone, *after* = the milestone day and the
    ``days − 1`` following, of the unsmoothed values (column ``raw``) when the frame was
    computed with ``rolling``, else of ``value``. They are drawn as dashed horizontal segments
    and listed in the caption; they describe, they do not test (see :mod:`toolkit.analysis`).

    Returns
    -------
    Figure
        ``layout.meta["window_means"]`` holds the means table as records.
    """
    from ..dates import parse_date

    _check_frame(frame)
    f = _one_index(frame, index)
    idx = f["index"].iloc[0] if "index" in f and len(f) else index
    from ..milestones import load_milestones, unknown_ids_message

    if milestones is not None and not isinstance(milestones, pd.DataFrame):
        milestones = _milestone_frame(milestones)
    # ids are looked up in `milestones`, else in the registry
    registry = milestones if milestones is not None and "id" in milestones \
        else load_milestones()
    if isinstance(milestone, pd.Series):
        row = milestone
    elif isinstance(milestone, str) and (registry["id"] == milestone).any():
        row = registry[registry["id"] == milestone].iloc[0]
    else:
        try:
            d = parse_date(milestone, name="milestone")
        except ValueError:
            raise ValueError(unknown_ids_message(
                [milestone], registry["id"], lead=f"milestone {milestone!r} is neither a date "
                "nor a known id (dates are YYYY-MM-DD)")) from None
        row = pd.Series({"date": d, "title": f"{d:%Y-%m-%d}", "id": f"{d:%Y-%m-%d}"})
    d = pd.Timestamp(row["date"])
    lo, hi = d - pd.Timedelta(days=days), d + pd.Timedelta(days=days)
    w = f[(f["date"] >= lo) & (f["date"] <= hi)]
    if not len(w):
        raise ValueError(f"No data between {lo:%Y-%m-%d} and {hi:%Y-%m-%d}; load a range that "
                         "covers the window")
    w = w.assign(_series=_series_column(w, None))
    names = list(pd.unique(w["_series"]))
    colours = _colours(names)
    fig = go.Figure()
    _add_series(fig, w, "_series", show_raw=show_raw, webgl=False, colours=colours)
    # means of the UNSMOOTHED values: a trailing window would carry pre-milestone days into
    # the "after" mean
    col = "raw" if "raw" in w else "value"
    means = window_means(w, d, days, by="_series", column=col)
    for _, r in means.iterrows():
        c = colours[r["_series"]]
        for a, b, v in ((lo, d - pd.Timedelta(days=1), r["before"]),
                        (d, d + pd.Timedelta(days=days - 1), r["after"])):
            if pd.notna(v):
                fig.add_shape(type="line", x0=a, x1=b, y0=v, y1=v, xref="x", yref="y",
                              line={"color": c, "width": 2, "dash": "dash"},
                              name=f"mean:{r['_series']}")
    registry = milestones if milestones is not None else pd.DataFrame([row])
    if "id" in row and milestones is not None and not (registry["date"] == d).any():
        registry = pd.concat([registry, pd.DataFrame([row])], ignore_index=True)
    info = add_milestones(fig, registry, start=lo, end=hi, width_hint=width_hint,
                          emphasis=[str(row.get("id", "")), f"{d:%Y-%m-%d}"])
    summary = "; ".join(f"{r['_series']} {r['before']:.3g} → {r['after']:.3g}"
                        for _, r in means.iterrows())
    fig.update_yaxes(title_text=y_title or _short_unit(idx))
    fig.update_xaxes(range=[lo, hi])
    fig.update_layout(height=500, hovermode="x unified", legend={"title": {"text": "series"}},
                      margin={"t": _label_margin(info), "l": 70, "r": 20})
    title = title or (f"±{days} days around {row.get('short', row['title'])} "
                      f"({d:%Y-%m-%d})")
    meta = {"milestones": info, "window_means": means.rename(columns={"_series": "series"})
            .to_dict("records")}
    fig = _finish(fig, w.drop(columns="_series"), title, "", meta)
    what = "unsmoothed daily values" if col == "raw" else "daily values"
    lines = _caption_lines(fig)
    fig.add_annotation(text=f"dashed: mean of the {days} days before / from the milestone on "
                            f"(plain mean of {what}): {summary}",
                       xref="paper", yref="paper", x=0, y=0, yshift=-64 - 16 * lines,
                       xanchor="left", yanchor="top", showarrow=False, align="left",
                       font={"size": 11, "color": "#444444"}, name="means")
    fig.update_layout(margin={"b": 104 + 16 * lines})
    return fig


__all__ = ["WEBGL_THRESHOLD", "timeline", "small_multiples", "heatmap", "event_window"]
