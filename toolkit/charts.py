"""Plotly figures with milestone overlays, captions that say where the data came from, and export.

Plot functions take tidy frames, do no I/O, and return :class:`plotly.graph_objects.Figure`.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from . import __version__

#: Okabe–Ito colour-blind-safe palette.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]

SOURCE_LABELS = {
    "demo": "synthetic demo data (not real GDELT)",
    "local": "GDELT 2.0 Events (local files)",
    "bigquery": "GDELT 2.0 Events (Google BigQuery)",
    "doc": "GDELT DOC 2.0 API",
}


def provenance(df: pd.DataFrame) -> dict:
    """Source, date range and toolkit version of a tidy frame (for captions and sidecars)."""
    out = {"source": df.attrs.get("source", "unknown"),
           "synthetic": bool(df.attrs.get("synthetic", False)),
           "toolkit_version": __version__}
    if "date" in df and len(df):
        out["start"] = f"{pd.Timestamp(df['date'].min()):%Y-%m-%d}"
        out["end"] = f"{pd.Timestamp(df['date'].max()):%Y-%m-%d}"
    return out


def caption_text(df: pd.DataFrame) -> str:
    """Caption naming the data source, date range and toolkit version of a tidy frame."""
    p = provenance(df)
    src = SOURCE_LABELS.get(p["source"], str(p["source"]))
    rng = f"{p['start']} to {p['end']}" if "start" in p else "no data"
    return f"Source: {src} · {rng} · rhetoric toolkit {__version__}"


def add_caption(fig: go.Figure, text: str) -> go.Figure:
    """Put ``text`` under the plot area as a caption (and widen the bottom margin)."""
    fig.add_annotation(text=text, xref="paper", yref="paper", x=0, y=-0.18, xanchor="left",
                       yanchor="top", showarrow=False, font={"size": 11, "color": "#444"},
                       name="caption")
    fig.update_layout(margin={"b": 110})
    return fig


def timeline(frame: pd.DataFrame, milestones: pd.DataFrame | None = None, *,
             title: str = "", y_title: str = "") -> go.Figure:
    """Line chart of a tidy index frame, one line per dyad, with milestone lines.

    Parameters
    ----------
    frame : DataFrame
        Columns ``date, dyad, value`` (e.g. from :func:`toolkit.indices.compute_index`).
    milestones : DataFrame, optional
        Columns ``date, title`` (e.g. from :func:`toolkit.load_milestones`).
    """
    fig = go.Figure()
    for i, (dyad, g) in enumerate(frame.groupby("dyad", sort=True)):
        fig.add_trace(go.Scatter(x=g["date"], y=g["value"], mode="lines", name=dyad,
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 1.6}))
    if milestones is not None:
        for _, m in milestones.iterrows():
            fig.add_vline(x=m["date"], line={"color": "#555", "dash": "dot", "width": 1})
            fig.add_annotation(x=m["date"], y=1.0, yref="paper", text=m["title"][:40],
                               textangle=-90, xanchor="right", yanchor="top", showarrow=False,
                               font={"size": 10, "color": "#333"}, name="milestone")
    fig.update_layout(title=title, template="plotly_white", yaxis_title=y_title,
                      legend_title_text="dyad", hovermode="x unified",
                      meta={"provenance": provenance(frame)})
    return add_caption(fig, caption_text(frame))


def export_figure(fig: go.Figure, path: str | os.PathLike, *, width: int = 1200,
                  height: int = 650, scale: float = 2.0, include_plotlyjs: bool | str = True,
                  sidecar: dict | None = None) -> Path:
    """Write ``fig`` to .html, .png, .svg or .pdf (by the file suffix).

    Parameters
    ----------
    fig : Figure
    path : path
        Target file; its suffix chooses the format.
    width, height : int
        Image size in CSS pixels (static formats).
    scale : float
        Pixel density multiplier for .png (2 gives a 2400×1300 PNG at the default size).
    include_plotlyjs : bool or "cdn"
        For .html: True embeds plotly.js (works offline, ~4.8 MB); "cdn" is small but needs
        the internet to render.
    sidecar : dict, optional
        Provenance written beside the figure as ``<path>.json``.

    Raises
    ------
    RuntimeError
        For static formats when no Chrome/Chromium is installed (kaleido needs one);
        the message says how to install it and that .html export works without it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".html":
        fig.write_html(path, include_plotlyjs=include_plotlyjs, full_html=True)
    elif suffix in (".png", ".svg", ".pdf", ".jpg", ".jpeg", ".webp"):
        _check_chrome()
        _start_kaleido()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            fig.write_image(path, width=width, height=height,
                            scale=scale if suffix == ".png" else 1)
    else:
        raise ValueError(f"Cannot export to {suffix!r}; use .html, .png, .svg or .pdf")
    if sidecar is not None:
        meta = {"figure": path.name, "generated_at": datetime.now(UTC).isoformat(),
                "toolkit_version": __version__, **sidecar}
        path.with_suffix(path.suffix + ".json").write_text(json.dumps(meta, indent=2,
                                                                      default=str))
    return path


_kaleido = {"started": False}


def _start_kaleido() -> None:
    # One persistent headless browser per process: ~0.8 s per image instead of ~5 s.
    if not _kaleido["started"]:
        import kaleido

        kaleido.start_sync_server(silence_warnings=True)
        _kaleido["started"] = True


def _check_chrome() -> None:
    if os.environ.get("BROWSER_PATH") or any(
        shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome", "chrome")
    ):
        return
    raise RuntimeError(
        "Static image export (.png/.svg/.pdf) needs Chrome or Chromium for kaleido, and none "
        "was found. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), or run "
        "`plotly_get_chrome` (downloads Chrome; needs the internet), or set BROWSER_PATH to a "
        "Chrome binary. Exporting to .html works without it."
    )
