"""Milestone overlay: category-coloured lines, hover markers and labels stacked so none overlaps.

:func:`add_milestones` draws the milestones of :func:`toolkit.load_milestones` (or registry
ids) inside a date range onto any figure whose first x axis is dates; :func:`layout_labels`
places the labels in lanes above the plot (emphasised milestones first, then by category,
:data:`LABEL_PRIORITY`, then by date) and the figure builders list the ones that did not fit
under the caption.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go

from .theme import CATEGORY_COLORS, _caption_lines


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
    above = _caption_lines(fig)
    fig.add_annotation(text="<br>".join(lines), xref="paper", yref="paper", x=0, y=0,
                       yshift=-64 - 16 * above, xanchor="left", yanchor="top",
                       showarrow=False, align="left", font={"size": 10, "color": "#444444"},
                       name="unlabelled-milestones")
    extra = 16 * len(lines) + 4
    fig.update_layout(margin={"b": fig.layout.margin.b + extra},
                      height=fig.layout.height + extra)
    return fig


__all__ = ["LABEL_PRIORITY", "layout_labels", "add_milestones"]
