"""Plotly figures with milestone overlays, captions that say where the data came from, and export.

Plot functions take tidy frames (from :mod:`toolkit.indices`), do no I/O, and return a
:class:`plotly.graph_objects.Figure` whose ``layout.meta["provenance"]`` records the data's
source, range and toolkit version (:func:`toolkit.show` writes it into report sidecars). Every
figure carries a caption naming the data source ("synthetic demo data" for the demo), the date
range and the toolkit version.

Theme: the ``"toolkit"`` plotly template (white background, dark text, light grid, 12 pt
sans-serif) readable on screen and in greyscale print; series use the Okabe–Ito palette
(:data:`PALETTE`), milestone categories Paul Tol's "muted" palette
(:data:`CATEGORY_COLORS`); both are colour-blind safe, and categories are also named in the
legend and hover text so colour is never the only cue.

Figures
-------
:func:`timeline`        one or more indices (stacked panels) × series, milestone overlays
:func:`small_multiples` one panel per dyad, shared axes
:func:`heatmap`         dyad × month
:func:`event_window`    ±N days around a milestone with before/after means
:func:`export_figure`   .html / .png / .svg / .pdf (+ JSON provenance sidecar)
"""

from __future__ import annotations

import json
import math
import os
import shutil
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from .. import __version__
from ..indices import DOC_UNITS, TITLES, UNITS, window_means
from ..milestones import CATEGORIES

#: Okabe–Ito colour-blind-safe palette (series / dyads).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]

#: Milestone category colours: Paul Tol's colour-blind-safe "muted" scheme.
CATEGORY_COLORS: dict[str, str] = {
    "war": "#882255", "military": "#CC6677", "military_cooperation": "#AA4499",
    "sanctions": "#332288", "diplomacy": "#117733", "policy_shift": "#44AA99",
    "statement": "#999933", "domestic": "#888888",
}
assert set(CATEGORY_COLORS) == set(CATEGORIES)

SOURCE_LABELS = {
    "demo": "synthetic demo data (not real GDELT)",
    "local": "GDELT Events (local files)",  # attrs["note"] names the product when known
    "bigquery": "GDELT 2.0 Events (Google BigQuery)",
    "doc": "GDELT DOC 2.0 API",
}

#: Captions of DOC frames (``attrs["product"] == "doc"``).
DOC_SOURCE_LABELS = {
    "demo": "synthetic demo data (not real GDELT DOC 2.0 API)",
    "cache": "GDELT DOC 2.0 API (cached responses)",
    "doc": "GDELT DOC 2.0 API",
}

#: Above this many points in one trace, ``webgl="auto"`` draws it with Scattergl.
WEBGL_THRESHOLD = 2000

_FONT = "Arial, Helvetica, 'Liberation Sans', sans-serif"
pio.templates["toolkit"] = go.layout.Template(
    layout={
        "font": {"family": _FONT, "size": 12, "color": "#222222"},
        "title": {"font": {"size": 17}, "x": 0.0, "xanchor": "left", "xref": "paper"},
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "colorway": PALETTE,
        "xaxis": {"showgrid": True, "gridcolor": "#E5E5E5", "linecolor": "#444444",
                  "showline": True, "ticks": "outside", "tickcolor": "#444444",
                  "zeroline": False, "automargin": True},
        "yaxis": {"showgrid": True, "gridcolor": "#E5E5E5", "linecolor": "#444444",
                  "showline": True, "ticks": "outside", "tickcolor": "#444444",
                  "zeroline": True, "zerolinecolor": "#BBBBBB", "automargin": True},
        "legend": {"bgcolor": "rgba(255,255,255,0.9)", "font": {"size": 11}},
        "hoverlabel": {"font": {"family": _FONT}},
    }
)
TEMPLATE = "toolkit"


# --- provenance and captions ---------------------------------------------------------------

def provenance(df: pd.DataFrame) -> dict:
    """Source, date range, frequency and toolkit version of a tidy frame (captions, sidecars)."""
    out = {"source": df.attrs.get("source") or "unknown",
           "synthetic": bool(df.attrs.get("synthetic", False)),
           "toolkit_version": __version__}
    if "date" in df and len(df):
        start, end = _date_range(df)
        out["start"], out["end"] = f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"
    for key in ("dataset", "date_basis", "product", "freq", "rolling", "baseline", "note",
                "speakers"):
        if df.attrs.get(key) is not None:
            v = df.attrs[key]
            out[key] = list(v) if isinstance(v, tuple) else v
    if "index" in df and len(df):
        out["indices"] = sorted(map(str, df["index"].unique()))
    if "dyad" in df and len(df):
        out["dyads"] = sorted(map(str, df["dyad"].unique()))
    if "query" in df and len(df):
        out["queries"] = sorted(map(str, df["query"].unique()))
    return out


def _date_range(df: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last DAY the frame's periods cover (periods are labelled by their start),
    clipped to the data range recorded in ``attrs["start"]``/``attrs["end"]``."""
    start, last = pd.Timestamp(df["date"].min()), pd.Timestamp(df["date"].max())
    freq = df.attrs.get("freq")
    end = (last + pd.Timedelta(days=6) if freq == "W"
           else last + pd.offsets.MonthEnd(0) if freq == "M" else last)
    try:
        if df.attrs.get("start"):
            start = max(start, pd.Timestamp(df.attrs["start"]))
        if df.attrs.get("end"):
            end = max(last, min(end, pd.Timestamp(df.attrs["end"])))
    except (TypeError, ValueError):
        pass
    return start, end


def caption_text(df: pd.DataFrame) -> str:
    """Caption naming the data source, date range, smoothing and toolkit version of a frame.

    Examples
    --------
    >>> df = pd.DataFrame({"date": pd.to_datetime(["2022-01-01", "2022-12-31"])})
    >>> df.attrs.update(source="demo", synthetic=True)
    >>> caption_text(df).split(" · ")[:2]
    ['Source: synthetic demo data (not real GDELT)', '2022-01-01 to 2022-12-31']
    """
    p = provenance(df)
    labels = DOC_SOURCE_LABELS if df.attrs.get("product") == "doc" else SOURCE_LABELS
    src = labels.get(p["source"], SOURCE_LABELS.get(p["source"], str(p["source"])))
    if p["source"] in ("local", "bigquery") and p.get("note") and p.get("product") != "doc":
        src = p["note"]  # the product actually used and its date basis (from load_cube)
    if p["synthetic"] and "synthetic" not in src:
        src += " (synthetic demo data)"
    parts = [f"Source: {src}", f"{p['start']} to {p['end']}" if "start" in p else "no data"]
    freq = {"D": "daily", "W": "weekly", "M": "monthly"}.get(p.get("freq", ""), "")
    if freq and p.get("rolling"):
        unit = {"D": "day", "W": "week", "M": "month"}[p["freq"]]
        parts.append(f"{freq}, trailing {p['rolling']}-{unit} window")
    elif freq and freq != "daily":
        parts.append(freq)
    if p.get("speakers") and p["speakers"] != "all speakers":
        parts.append(p["speakers"])  # whose events the numerators count (toolkit.speakers)
    if p.get("baseline") and "rhetoric_intensity" in p.get("indices", []):
        parts.append(f"z-score baseline {p['baseline'][0]}..{p['baseline'][1]}")
    parts.append(f"rhetoric toolkit {__version__}")
    return " · ".join(parts)


def add_caption(fig: go.Figure, text: str) -> go.Figure:
    """Put ``text`` under the plot area as a caption (and widen the bottom margin).

    Captions longer than ~150 characters wrap at a `` · `` separator.
    """
    if len(text) > 150 and "<br>" not in text:
        parts, lines = text.split(" · "), [""]
        for part in parts:
            cand = f"{lines[-1]} · {part}" if lines[-1] else part
            if len(cand) > 150 and lines[-1]:
                lines.append(part)
            else:
                lines[-1] = cand
        text = "<br>".join(lines)
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=0, yshift=-62,
                       xanchor="left", yanchor="top", showarrow=False, align="left",
                       font={"size": 11, "color": "#444444"}, name="caption")
    fig.update_layout(margin={"b": 100 + 16 * text.count("<br>")})
    return fig


def _finish(fig: go.Figure, frame: pd.DataFrame, title: str, extra_caption: str = "",
            meta: dict | None = None) -> go.Figure:
    caption = caption_text(frame) + (f" · {extra_caption}" if extra_caption else "")
    fig.update_layout(template=TEMPLATE, title={"text": title},
                      meta={"provenance": provenance(frame), **(meta or {})})
    return fit_legend(add_caption(fig, caption))


#: Height (px) of one legend entry and of a legend (group) title at the theme's 11 pt font.
LEGEND_ENTRY_PX, LEGEND_TITLE_PX = 20, 24


def fit_legend(fig: go.Figure) -> go.Figure:
    """Make a figure tall enough for its vertical legend, so that no entry is cut off.

    plotly.js clips a legend taller than the plot area (it scrolls, and a static export shows
    only the first entries); this raises ``layout.height`` to fit every entry, group title and
    group gap, estimated at :data:`LEGEND_ENTRY_PX` / :data:`LEGEND_TITLE_PX`.
    """
    lg = fig.layout.legend
    if lg.orientation == "h" or fig.layout.showlegend is False:
        return fig
    entries = sum(1 for t in fig.data if t.showlegend is not False)
    groups = {t.legendgroup for t in fig.data if t.showlegend is not False}
    titles = len({t.legendgrouptitle.text for t in fig.data
                  if t.showlegend is not False and t.legendgrouptitle.text})
    titles += 1 if lg.title.text else 0
    need = (entries * LEGEND_ENTRY_PX + titles * LEGEND_TITLE_PX
            + (lg.tracegroupgap if lg.tracegroupgap is not None else 10) * len(groups) + 10)
    m = fig.layout.margin
    height = fig.layout.height or 450
    plot = height - (m.t if m.t is not None else 100) - (m.b if m.b is not None else 80)
    if need > plot:
        fig.update_layout(height=int(height + need - plot))
    return fig


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


def _unit(index: str | None) -> str:
    if index is None:
        return ""
    return UNITS.get(index) or DOC_UNITS.get(index, "")


def _short_unit(index: str | None) -> str:
    return {"volume": "events per million", "threat_rate": "root-13 events per million",
            "verbal_conflict_share": "share of events (0–1)",
            "hostility": "−Goldstein (art.-weighted)", "tone": "AvgTone (art.-weighted)",
            "rhetoric_intensity": "z-score vs baseline",
            "coverage_volume": "% of monitored articles", "coverage_tone": "average tone",
            "coverage_articles": "articles"}.get(index or "", _unit(index))


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


def _milestone_frame(milestones, start=None, end=None) -> pd.DataFrame:
    # ids ("invasion" or a list of them) and single rows are accepted wherever milestones are
    if isinstance(milestones, str) or (isinstance(milestones, list | tuple) and milestones
                                       and all(isinstance(x, str) for x in milestones)):
        from ..milestones import lookup_milestones

        milestones = lookup_milestones(milestones)
    elif isinstance(milestones, pd.Series):
        milestones = pd.DataFrame([milestones])
    elif isinstance(milestones, list | tuple) and not milestones:
        milestones = None
    if milestones is None or not len(milestones):
        return pd.DataFrame(columns=["date", "id", "short", "title", "category", "actors",
                                     "source_url"])
    if "date" not in milestones or "title" not in milestones:
        raise ValueError("milestones need columns date and title (use toolkit.load_milestones)")
    m = milestones.copy()
    m["date"] = pd.to_datetime(m["date"])
    for col, default in (("category", "statement"), ("actors", ""), ("source_url", ""),
                         ("id", None), ("short", None)):
        if col not in m:
            m[col] = default
    m["short"] = m["short"].fillna(m["title"].str.slice(0, 32))
    m["id"] = m["id"].fillna(m["date"].dt.strftime("%Y-%m-%d"))
    m["category"] = m["category"].where(m["category"].isin(list(CATEGORY_COLORS)), "statement")
    if start is not None:
        m = m[m["date"] >= pd.Timestamp(start)]
    if end is not None:
        m = m[m["date"] <= pd.Timestamp(end)]
    return m.sort_values("date", kind="stable").reset_index(drop=True)


def _hover(m: pd.Series) -> str:
    url = str(m.get("source_url") or "")
    link = f"<br>source: {url}" if url else ""
    return (f"<b>{m['title']}</b><br>{m['date']:%Y-%m-%d} · {m['category'].replace('_', ' ')}"
            f" · {m['actors'] or ''}{link}")


#: Label priority of milestone categories (earlier = labelled first when space is short).
LABEL_PRIORITY = ("war", "military_cooperation", "statement", "sanctions", "policy_shift",
                  "diplomacy", "military", "domestic")


def layout_labels(xs: Iterable[float], widths: Iterable[float], *, plot_width: float,
                  max_lanes: int = 4, gap: float = 6.0,
                  order: Iterable[int] | None = None) -> list[tuple[int, str] | None]:
    """Place horizontal labels in stacked lanes so that none overlaps another.

    Parameters
    ----------
    xs : list of float
        Anchor of each label in pixels from the plot's left edge.
    widths : list of float
        Estimated width of each label in pixels.
    plot_width : float
        Width of the plot area in pixels (a label may not run past it).
    max_lanes : int
        Rows of labels available.
    gap : float
        Minimum horizontal gap between labels in one lane (pixels).
    order : list of int, optional
        Order in which labels claim space (priority); default left to right.

    Returns
    -------
    list
        Per label ``(lane, "left"|"right")`` (the label starts or ends at its anchor), or None
        when it does not fit in any lane.

    Examples
    --------
    >>> layout_labels([100, 101, 102], [80, 80, 80], plot_width=1000)
    [(0, 'left'), (1, 'left'), (2, 'left')]
    """
    xs, widths = list(xs), list(widths)
    lanes: list[list[tuple[float, float]]] = [[] for _ in range(max_lanes)]
    out: list[tuple[int, str] | None] = [None] * len(xs)
    for i in (range(len(xs)) if order is None else order):
        x, w = xs[i], widths[i]
        for side in ("left", "right"):
            lo, hi = (x, x + w) if side == "left" else (x - w, x)
            if lo < -2 or hi > plot_width + 2:
                continue
            lane = next((k for k, busy in enumerate(lanes)
                         if all(hi + gap <= a or lo >= b + gap for a, b in busy)), None)
            if lane is not None:
                lanes[lane].append((lo, hi))
                out[i] = (lane, side)
                break
    return out


def add_milestones(fig: go.Figure, milestones: pd.DataFrame | None, *, start=None, end=None,
                   labels: str = "short", max_lanes: int = 5, width_hint: int = 1100,
                   markers: bool = True, lane_height: int = 15,
                   emphasis: Iterable[str] = ()) -> dict:
    """Overlay milestones: category-coloured vertical lines, hover markers, stacked labels.

    Labels sit in up to ``max_lanes`` rows above the plot so that milestones a day apart
    (2026-02-20/21/22) stack instead of piling up. When space runs out, emphasised milestones
    are labelled first, then by category (:data:`LABEL_PRIORITY`), then by date; the others
    keep their line and hover marker and are counted in the caption.

    Parameters
    ----------
    fig : Figure
        A figure whose first x axis is dates (all rows share it).
    milestones : DataFrame, str or list of str
        From :func:`toolkit.load_milestones` (``date``, ``title``, ``category``, ``short``,
        ``actors``, ``source_url``), or registry ids such as ``"invasion"``.
    start, end : date-like
        Only milestones inside this range are drawn.
    labels : {"short", "title", "none"}
        Text of the labels above the plot (``short`` is the registry's chart label).
    max_lanes : int
        Rows of labels.
    width_hint : int
        Figure width (px) the labels are laid out for (exports default to 1200).
    markers : bool
        Draw a ▼ marker per milestone at the top of the plot with hover text (title, date,
        category, actors, source URL) and a legend entry per category.
    lane_height : int
        Vertical distance between label rows (px).
    emphasis : list of str
        Milestone ids (or dates ``YYYY-MM-DD``) drawn solid and thicker, labelled first.

    Returns
    -------
    dict
        ``{"labelled": [ids], "unlabelled": [ids], "lanes": n}``.
    """
    if labels not in ("short", "title", "none"):
        raise ValueError(f"labels={labels!r}; choose 'short', 'title' or 'none'")
    m = _milestone_frame(milestones, start, end)
    info: dict = {"labelled": [], "unlabelled": [], "lanes": 0}
    if not len(m):
        return info
    emph = set(emphasis)
    strong = [r["id"] in emph or f"{r['date']:%Y-%m-%d}" in emph for _, r in m.iterrows()]
    # shapes and annotations are added in one layout update: add_shape() per milestone is
    # quadratic in plotly (each call re-validates every existing shape)
    shapes = [dict(type="line", x0=r["date"], x1=r["date"], xref="x", yref="paper", y0=0,
                   y1=1, layer="above" if st else "below",
                   line={"color": CATEGORY_COLORS[r["category"]], "width": 2.2 if st else 1.2,
                         "dash": "solid" if st else "dot"},
                   name=f"milestone:{r['id']}")
              for (_, r), st in zip(m.iterrows(), strong, strict=True)]
    if markers:
        axis = _overlay_axis(fig)
        for cat, g in m.groupby("category", sort=False):
            fig.add_trace(go.Scatter(
                x=g["date"], y=[1.0] * len(g), yaxis=axis, mode="markers",
                marker={"symbol": "triangle-down", "size": 9,
                        "color": CATEGORY_COLORS[cat], "line": {"width": 0.5, "color": "#222"}},
                name=cat.replace("_", " "), legendgroup="milestones",
                legendgrouptitle={"text": "milestones"},
                hovertext=[_hover(r) for _, r in g.iterrows()], hoverinfo="text",
                meta={"role": "milestones"}, cliponaxis=False))
    notes = []
    if labels == "none":
        info["unlabelled"] = m["id"].tolist()
    else:
        x0 = pd.Timestamp(start) if start is not None else m["date"].min()
        x1 = pd.Timestamp(end) if end is not None else m["date"].max()
        span = max((x1 - x0).total_seconds(), 86400.0)
        # plot area: figure width minus margins (~90) and the legend (~160)
        plot_w = max(width_hint - 240, 200)
        texts = (m["short"] if labels == "short" else m["title"]).astype(str).tolist()
        xs = [(d - x0).total_seconds() / span * plot_w for d in m["date"]]
        widths = [len(t) * 5.6 + 14 for t in texts]
        rank = {c: i for i, c in enumerate(LABEL_PRIORITY)}
        order = sorted(range(len(m)), key=lambda i: (not strong[i],
                                                     rank.get(m["category"].iat[i], 99), i))
        places = layout_labels(xs, widths, plot_width=plot_w, max_lanes=max_lanes, order=order)
        for (_, r), text, place in zip(m.iterrows(), texts, places, strict=True):
            if place is None:
                info["unlabelled"].append(r["id"])
                continue
            lane, side = place
            info["labelled"].append(r["id"])
            info["lanes"] = max(info["lanes"], lane + 1)
            colour = CATEGORY_COLORS[r["category"]]
            notes.append(dict(
                x=r["date"], xref="x", y=1, yref="paper", yanchor="bottom", xanchor=side,
                yshift=8 + lane * lane_height, showarrow=False,
                text=f"<span style='color:{colour}'>■</span> {text}",
                font={"size": 10, "color": "#222222"}, name=f"milestone-label:{r['id']}",
                hovertext=_hover(r)))
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes],
                      annotations=[*fig.layout.annotations, *notes])
    return info


def _overlay_axis(fig: go.Figure) -> str:
    """A hidden y axis over the top panel with range [0, 1] for milestone markers."""
    used = [k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")]
    n = max([int(k[5:] or 1) for k in used] + [1]) + 1
    fig.update_layout({f"yaxis{n}": {"overlaying": "y", "range": [0, 1], "visible": False,
                                     "fixedrange": True, "showgrid": False}})
    return f"y{n}"


def _label_margin(info: dict, base_top: int = 80) -> int:
    return base_top + info.get("lanes", 0) * 15 + (8 if info.get("lanes") else 0)


def _unlabelled_note(info: dict) -> str:
    n = len(info.get("unlabelled", []))
    if n and info.get("labelled"):
        return f"{n} milestone label(s) hidden for space (hover ▼ for details)"
    return ""


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
    info = add_milestones(fig, milestones, start=start, end=end, labels=labels,
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
    return _list_unlabelled(fig, _milestone_frame(milestones, start, end), info)


def _list_unlabelled(fig: go.Figure, m: pd.DataFrame, info: dict) -> go.Figure:
    """List the milestones whose lines carry no label under the caption (date and label)."""
    hidden = m[m["id"].isin(info.get("unlabelled", []))]
    if not len(hidden):
        return fig
    items = [f"{r['date']:%Y-%m-%d} {r['short']}" for _, r in hidden.iterrows()]
    lines = [f"Also marked ({len(items)} lines without a label; hover ▼):"]
    for item in items:
        cand = f"{lines[-1]} · {item}" if not lines[-1].endswith(":") else f"{lines[-1]} {item}"
        if len(cand) > 160:
            lines.append(item)
        else:
            lines[-1] = cand
    above = 1 + next(a.text for a in fig.layout.annotations if a.name == "caption").count("<br>")
    fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=0, y=0,
                       yshift=-64 - 16 * above, xanchor="left", yanchor="top",
                       showarrow=False, align="left", font={"size": 10, "color": "#444444"},
                       name="unlabelled-milestones")
    extra = 16 * len(lines) + 4
    fig.update_layout(margin={"b": fig.layout.margin.b + extra},
                      height=fig.layout.height + extra)
    return fig


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
    from ..cube import parse_date

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
    lines = 1 + next(a.text for a in fig.layout.annotations if a.name == "caption").count("<br>")
    fig.add_annotation(text=f"dashed: mean of the {days} days before / from the milestone on "
                            f"(plain mean of {what}): {summary}",
                       xref="paper", yref="paper", x=0, y=0, yshift=-64 - 16 * lines,
                       xanchor="left", yanchor="top", showarrow=False, align="left",
                       font={"size": 11, "color": "#444444"}, name="means")
    fig.update_layout(margin={"b": 104 + 16 * lines})
    return fig


# --- export --------------------------------------------------------------------------------

def export_figure(fig: go.Figure, path: str | os.PathLike, *, width: int = 1200,
                  height: int | None = None, scale: float = 2.0,
                  include_plotlyjs: bool | str = True,
                  sidecar: dict | bool | None = None) -> Path:
    """Write ``fig`` to .html, .png, .svg or .pdf (chosen by the file suffix), atomically.

    Parameters
    ----------
    fig : Figure
    path : path
        Target file; its suffix chooses the format.
    width, height : int
        Image size in CSS pixels for static formats (height defaults to the figure's own
        ``layout.height`` or 650).
    scale : float
        Pixel density multiplier for .png (2 gives a 2400 × 1300 PNG at 1200 × 650).
    include_plotlyjs : bool, "cdn" or str
        For .html: True embeds plotly.js (self-contained, works offline, ~4.8 MB: the file to
        e-mail); a path ending in ``.js`` (e.g. ``"../plotly.min.js"``) loads a local copy
        shared by several files, relative to the file (what ``make report`` does); "cdn" gives
        a small file that needs the internet to render.
    sidecar : dict or bool, optional
        Write provenance beside the figure as ``<path>.json``: the figure's
        ``layout.meta["provenance"]`` (source, range, toolkit version) plus ``figure``,
        ``format``, ``generated_at`` (UTC) and whatever the dict adds. True = just that.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    RuntimeError
        For static formats when no Chrome/Chromium is installed (kaleido needs one); the
        message says how to install it and that .html export works without it.
    ValueError
        For an unsupported suffix or a non-positive size.

    Examples
    --------
    >>> export_figure(fig, "figures/volume.html", sidecar=True)  # doctest: +SKIP
    >>> export_figure(fig, "figures/volume.png", width=1600, height=900, scale=1)  # doctest: +SKIP
    """
    path = Path(path)
    suffix = path.suffix.lower()
    static = (".png", ".svg", ".pdf", ".jpg", ".jpeg", ".webp")
    if suffix not in (".html", *static):
        raise ValueError(f"Cannot export to {suffix or 'a file without suffix'!r}; use .html, "
                         ".png, .svg or .pdf")
    if height is None:
        height = int(fig.layout.height) if fig.layout.height else 650
    if width <= 0 or height <= 0 or scale <= 0:
        raise ValueError(f"width, height and scale must be positive (got {width}, {height}, "
                         f"{scale})")
    shared = isinstance(include_plotlyjs, str) and include_plotlyjs.endswith(".js")
    if include_plotlyjs not in (True, False, "cdn") and not shared:
        raise ValueError(f"include_plotlyjs={include_plotlyjs!r}; choose True (embed), a local "
                         "'path/plotly.min.js' relative to the file, or 'cdn'")
    from ..store import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".html":
        with atomic_path(path) as tmp:
            fig.write_html(tmp, include_plotlyjs=include_plotlyjs, full_html=True,
                           config={"displaylogo": False})
    else:
        _check_chrome()
        data = _render(fig, suffix[1:], width, height, scale if suffix != ".svg" else 1)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    if sidecar:
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        info = {"figure": path.name, "format": suffix[1:],
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "toolkit_version": __version__, **meta.get("provenance", {}),
                **(sidecar if isinstance(sidecar, dict) else {})}
        if suffix != ".html":
            info.update({"width": width, "height": height, "scale": scale})
        with atomic_path(path.with_suffix(path.suffix + ".json")) as tmp:
            tmp.write_text(json.dumps(info, indent=2, default=str), encoding="utf-8")
    return path


_kaleido = {"started": False}

#: Message when no browser is available for static export.
CHROME_HELP = (
    "Static image export (.png/.svg/.pdf) needs Chrome or Chromium for kaleido, and none was "
    "found. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), `brew install "
    "--cask chromium` (macOS), or run `plotly_get_chrome` (downloads Chrome; needs the "
    "internet); or set BROWSER_PATH to a Chrome/Chromium binary. Exporting to .html works "
    "without it: export_figure(fig, 'figure.html')."
)

_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome", "msedge")


def find_browser() -> str | None:
    """Path of the Chrome/Chromium kaleido will use, or None (BROWSER_PATH, PATH, kaleido's own)."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    try:  # a Chrome downloaded by plotly_get_chrome / kaleido_get_chrome
        from choreographer.cli._cli_utils import get_chrome_download_path

        p = get_chrome_download_path(mkdir=False)
        if p is not None and Path(p).exists():
            return str(p)
    except Exception:  # noqa: BLE001 - best effort; kaleido's own error is translated below
        pass
    return None


def _check_chrome() -> None:
    if find_browser() is None:
        raise RuntimeError(CHROME_HELP)


def _render(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    import kaleido
    from choreographer.errors import ChromeNotFoundError

    try:
        if not _kaleido["started"]:
            # one persistent headless browser per process: ~0.5 s per image instead of ~5 s
            kaleido.start_sync_server(silence_warnings=True)
            _kaleido["started"] = True
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return fig.to_image(format=fmt, width=width, height=height, scale=scale)
    except ChromeNotFoundError as exc:
        raise RuntimeError(f"{CHROME_HELP} (kaleido: {exc})") from None


__all__ = ["PALETTE", "CATEGORY_COLORS", "SOURCE_LABELS", "TEMPLATE", "provenance",
           "caption_text", "add_caption", "add_milestones", "layout_labels", "timeline",
           "small_multiples", "heatmap", "event_window", "export_figure", "find_browser",
           "CHROME_HELP"]
