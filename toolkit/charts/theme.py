"""Theme and captions of the toolkit's figures: palette, plotly template, source labels, provenance.

The ``"toolkit"`` plotly template (white background, dark text, light grid, 12 pt
sans-serif) reads on screen and in greyscale print; series use the Okabe–Ito palette
(:data:`PALETTE`), milestone categories Paul Tol's "muted" palette (:data:`CATEGORY_COLORS`);
both are colour-blind safe, and categories are also named in the legend and hover text so
colour is never the only cue. :func:`provenance` records a frame's source, date range and
toolkit version (``layout.meta["provenance"]``, report sidecars), :func:`caption_text` and
:func:`add_caption` put it under every figure, :func:`fit_legend` grows a figure so that its
legend is never cut off, and ``_unit``/``_short_unit`` name an index's unit on axes.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .._version import __version__
from ..indices import DOC_UNITS, UNITS
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


def _caption_lines(fig: go.Figure) -> int:
    """Lines the caption of :func:`add_caption` takes (notes under it are shifted by them)."""
    return 1 + next(a.text for a in fig.layout.annotations if a.name == "caption").count("<br>")


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


__all__ = ["PALETTE", "CATEGORY_COLORS", "SOURCE_LABELS", "DOC_SOURCE_LABELS", "TEMPLATE",
           "LEGEND_ENTRY_PX", "LEGEND_TITLE_PX", "provenance", "caption_text", "add_caption",
           "fit_legend"]
