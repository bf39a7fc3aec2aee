"""Figures of the analysis results of :mod:`toolkit.analysis`, in the toolkit's theme.

No I/O: each function takes a result (interrupted time series, event study, break search,
impulse responses, STL decomposition, incidence-rate ratios) and returns a ``go.Figure`` with a
caption naming the data source, the date range, the toolkit version and the method's settings;
they share the theme of the other charts (:data:`toolkit.charts.TEMPLATE`: white, dark text,
light grid, colour-blind-safe palette), and their axes name quantities in words and units (the
index's unit from the result's ``attrs["unit"]``). They live here, not in
:mod:`toolkit.analysis`, so that the analysis layer never imports the charts.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..indices import TITLES, UNITS
from .theme import PALETTE, TEMPLATE, add_caption, caption_text, fit_legend


def _caption(info: dict, detail: str = "") -> str:
    probe = pd.DataFrame({"date": pd.to_datetime([info.get("start"), info.get("end")])})
    probe.attrs.update({k: info[k] for k in ("source", "synthetic", "note", "dataset",
                                             "date_basis") if k in info})
    text = caption_text(probe) if info.get("start") else caption_text(pd.DataFrame())
    return f"{text}<br>{detail}" if detail else text


def _finish(fig: go.Figure, info: dict, *, title: str, y_title: str, x_title: str,
            detail: str) -> go.Figure:
    prov = {k: info.get(k) for k in ("source", "synthetic", "start", "end", "method")}
    prov.update({k: info[k] for k in ("dataset", "date_basis", "note") if info.get(k)})
    fig.update_layout(title={"text": title}, template=TEMPLATE, yaxis_title=y_title,
                      xaxis_title=x_title, hovermode="x unified", meta={"provenance": prov})
    return fit_legend(add_caption(fig, _caption(info, detail)))


def _unit(info: dict) -> str:
    """The index's unit in words (``attrs["unit"]``, else from ``attrs["index"]``)."""
    return str(info.get("unit") or UNITS.get(str(info.get("index", "")), "") or "index value")


def _what(info: dict) -> str:
    """The index's name in words, e.g. "Verbal-conflict share" (empty when unknown)."""
    return TITLES.get(str(info.get("index", "")), "")


def _band(fig: go.Figure, x, low, high, *, name: str, colour: str, opacity: float = 0.2,
          showlegend: bool = True) -> None:
    x = list(x)
    fig.add_trace(go.Scatter(x=x + x[::-1], y=list(high) + list(low)[::-1], fill="toself",
                             fillcolor=colour, opacity=opacity, line={"width": 0},
                             hoverinfo="skip", name=name, showlegend=showlegend))


def plot_its(result, *, title: str = "Interrupted time series") -> go.Figure:
    """Observed series, fitted segmented regression and the no-milestone counterfactual."""
    s, info = result.series, result.info
    fig = go.Figure()
    fig.add_trace(go.Scattergl(x=s["date"], y=s["observed"], mode="markers", name="observed",
                               marker={"size": 3, "color": "#999"}))
    fig.add_trace(go.Scatter(x=s["date"], y=s["fitted"], mode="lines", name="fitted",
                             line={"color": PALETTE[0], "width": 2}))
    fig.add_trace(go.Scatter(x=s["date"], y=s["counterfactual"], mode="lines",
                             name="counterfactual (no milestone)",
                             line={"color": PALETTE[1], "width": 2, "dash": "dash"}))
    for _, row in result.effects().query("kind == 'level'").iterrows():
        fig.add_vline(x=pd.Timestamp(row["date"]), line={"color": "#555", "dash": "dot"})
        fig.add_annotation(x=pd.Timestamp(row["date"]), y=1, yref="paper", showarrow=False,
                           xanchor="left", yanchor="top", font={"size": 10},
                           text=(f"{row['milestone'][:30]}<br>level {row['estimate']:+.3g} "
                                 f"[{row['ci_low']:.3g}, {row['ci_high']:.3g}]"))
    detail = (f"OLS, Newey–West HAC SEs ({info['hac_lags']} lags"
              f"{', prewhitened' if info['prewhiten'] else ''}); "
              f"missing days: {info['n_missing']} ({info['missing']})")
    return _finish(fig, info, title=title, y_title=_unit(info), x_title="", detail=detail)


def plot_event_study(result, *, title: str = "Event study: abnormal intensity") -> go.Figure:
    """Mean abnormal intensity by day relative to the milestones, its confidence band, and the
    band of placebo average paths (what no effect looks like)."""
    p, info = result.path, result.info
    fig = go.Figure()
    _band(fig, p["rel_day"], p["null_low"], p["null_high"], name="placebo 95 % band",
          colour="#888888", opacity=0.25)
    _band(fig, p["rel_day"], p["ci_low"], p["ci_high"], name="95 % CI", colour=PALETTE[0])
    for i, (name, g) in enumerate(result.by_milestone.groupby("milestone", sort=False)):
        fig.add_trace(go.Scatter(x=g["rel_day"], y=g["abnormal"], mode="lines", name=name[:40],
                                 line={"width": 1, "color": PALETTE[(i + 1) % len(PALETTE)]},
                                 opacity=0.6, visible="legendonly" if i > 5 else True))
    fig.add_trace(go.Scatter(x=p["rel_day"], y=p["estimate"], mode="lines+markers",
                             name="mean over milestones", line={"color": PALETTE[0], "width": 3}))
    e0, e1 = info["effect"]
    fig.add_vrect(x0=e0 - 0.5, x1=e1 + 0.5, fillcolor="#E69F00", opacity=0.12, line_width=0)
    fig.add_hline(y=0, line={"color": "#333", "width": 1})
    sm = result.summary.iloc[0]
    detail = (f"{int(sm['n_milestones'])} milestone(s); effect days {e0}..{e1}: "
              f"{sm['effect']:.2f} {sm['unit']}, placebo p = {sm['p_value']:.3g} "
              f"({int(sm['n_placebo'])} sets of dates, seed {info['seed']}); baseline days "
              f"{info['baseline'][0]}..{info['baseline'][1]}")
    return _finish(fig, info, title=title, y_title=f"abnormal intensity ({sm['unit']})",
                   x_title="days relative to milestone", detail=detail)


def plot_break_search(result, *, title: str = "Break search: Chow F at every date"
                      ) -> go.Figure:
    """The F statistic over candidate dates, the estimated break and the 5 % critical value."""
    f, t = result.f_path, result.table.set_index("test")
    fig = go.Figure(go.Scatter(x=f["date"], y=f["f_stat"], mode="lines", name="F statistic",
                               line={"color": PALETTE[0]}))
    crit = float(t.loc["sup_f", "crit_5pct"])
    fig.add_hline(y=crit, line={"color": PALETTE[1], "dash": "dash"},
                  annotation_text=f"sup-F 5 % critical value {crit:.2f}")
    brk = t.loc["sup_f", "break_date"]
    fig.add_vline(x=brk, line={"color": "#333", "dash": "dot"})
    fig.add_annotation(x=brk, y=1, yref="paper", showarrow=False, xanchor="left",
                       text=f"estimated break {pd.Timestamp(brk):%Y-%m-%d}")
    detail = (f"sup-F = {t.loc['sup_f', 'statistic']:.2f} (p = {t.loc['sup_f', 'p_value']:.3g}, "
              f"trim {result.info['trim']}); CUSUM p = {t.loc['cusum', 'p_value']:.3g}; "
              "assumes uncorrelated errors")
    return _finish(fig, result.info, title=title, y_title="Chow F statistic", x_title="",
                   detail=detail)


def plot_irf(irf: pd.DataFrame, *, title: str = "Impulse responses") -> go.Figure:
    """Impulse responses (one panel per impulse → response pair) with confidence bands."""
    from plotly.subplots import make_subplots

    names = list(dict.fromkeys(irf["impulse"]))
    fig = make_subplots(rows=len(names), cols=len(names), shared_xaxes=True,
                        subplot_titles=[f"response of {r} to a shock in {i}"
                                        for r in names for i in names])
    for ri, resp in enumerate(names):
        for ci, imp in enumerate(names):
            g = irf[(irf["impulse"] == imp) & (irf["response"] == resp)]
            x = g["horizon"].tolist()
            fig.add_trace(go.Scatter(x=x + x[::-1], y=g["ci_high"].tolist()
                                     + g["ci_low"].tolist()[::-1], fill="toself",
                                     fillcolor=PALETTE[0], opacity=0.2, line={"width": 0},
                                     showlegend=False, hoverinfo="skip"), row=ri + 1, col=ci + 1)
            fig.add_trace(go.Scatter(x=x, y=g["estimate"], mode="lines", showlegend=False,
                                     line={"color": PALETTE[0]}, name=f"{imp} → {resp}"),
                          row=ri + 1, col=ci + 1)
            fig.add_hline(y=0, line={"color": "#333", "width": 1}, row=ri + 1, col=ci + 1)
    info = dict(irf.attrs)
    diffs = info.get("differences") or {}
    diff_text = (", ".join(f"{k} Δ{v}" for k, v in diffs.items() if v) or "none")
    detail = (f"VAR({info.get('lag_order', '?')}); differenced: {diff_text}; "
              f"{'orthogonalised' if info.get('orthogonalised') else 'unit'} shocks; 95 % bands")
    fig.update_xaxes(title_text="days after the shock", row=len(names))
    fig = _finish(fig, info, title=title, y_title="", x_title="", detail=detail)
    what = _what(info).lower()
    ytitle = f"change in {what}" if what else "response (index units)"
    for r in range(1, len(names) + 1):
        fig.update_yaxes(title_text=ytitle, title_font={"size": 11}, row=r, col=1)
    return fig


def plot_stl(decomposition: pd.DataFrame, *, title: str = "STL decomposition (weekly)"
             ) -> go.Figure:
    """Observed, trend, seasonal and remainder panels of :func:`stl_decompose`."""
    from plotly.subplots import make_subplots

    parts = ["observed", "trend", "seasonal", "resid"]
    info = dict(decomposition.attrs)
    period = info.get("period")
    names = ["observed", "trend", f"seasonal ({period}-day pattern)" if period else "seasonal",
             "remainder"]
    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=names)
    for i, part in enumerate(parts):
        fig.add_trace(go.Scattergl(x=decomposition["date"], y=decomposition[part], mode="lines",
                                   name=part, line={"color": PALETTE[i], "width": 1}),
                      row=i + 1, col=1)
    detail = (f"STL period {period} days, robust={info.get('robust')}; every panel in "
              f"{_unit(info)}")
    fig.update_layout(showlegend=False, height=720)
    return _finish(fig, info, title=title, y_title="", x_title="", detail=detail)


def plot_irr(table: pd.DataFrame, *, kind: str = "level",
             title: str = "Incidence-rate ratios") -> go.Figure:
    """Forest plot of IRRs with confidence intervals from :func:`count_model` (log x axis)."""
    t = table[table["kind"] == kind]
    fig = go.Figure()
    for i, (model, g) in enumerate(t.groupby("model", sort=False)):
        fig.add_trace(go.Scatter(
            x=g["irr"], y=g["term"].str.replace(f"{kind}: ", "", regex=False), mode="markers",
            name=model, marker={"size": 9, "color": PALETTE[i]},
            error_x={"type": "data", "symmetric": False,
                     "array": (g["irr_high"] - g["irr"]).to_numpy(),
                     "arrayminus": (g["irr"] - g["irr_low"]).to_numpy()}))
    fig.add_vline(x=1, line={"color": "#333", "dash": "dot"})
    fig.update_xaxes(type="log")
    info = dict(table.attrs)
    what = f"root {info['root_code']}" if info.get("root_code") else "all events"
    if info.get("speaker_codes"):
        what += f" by {info['speakers']}"
    detail = (f"{info.get('dyad', '')} {what}; offset log(total GDELT events); "
              f"{info.get('cov', '')} SEs")
    fig = _finish(fig, info, title=title, y_title="",
                  x_title="incidence-rate ratio (log scale; 1 = no change)", detail=detail)
    fig.update_layout(hovermode="closest")
    return fig


__all__ = ["plot_its", "plot_event_study", "plot_break_search", "plot_irf", "plot_stl",
           "plot_irr"]
