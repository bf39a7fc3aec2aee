"""Showing figures in notebooks so they survive every way a notebook is viewed.

:func:`show` displays a plotly figure with two representations at once: plotly's own JSON
mimetype (what JupyterLab draws, interactively) and self-contained HTML (what nbconvert puts
into the executed-notebook HTML of ``make report``; plotly's default renderer emits only the
JSON mimetype, which nbconvert cannot draw). plotly.js is embedded once per kernel, so the
HTML works offline; under ``make report`` (``TOOLKIT_PLOTLYJS`` = the report's shared
``plotly.min.js``) the page and every saved figure load that one local copy instead. When
``TOOLKIT_FIGURES_DIR`` is set (``make report`` sets it), the figure is also exported there
as ``<name>.html`` and ``<name>.png``. ``TOOLKIT_FIGURES_PNG=0`` skips the PNG (checks that
only need the HTML); ``TOOLKIT_FIGURES_PNG=defer`` (what ``make report`` sets) writes the
figure as ``<name>.png.pending.json`` for the report process to render.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import plotly.graph_objects as go

_state = {"plotlyjs_sent": False, "counter": 0}
#: Suffix of a figure whose PNG is left for the caller to render (``TOOLKIT_FIGURES_PNG=defer``).
PENDING_SUFFIX = ".png.pending.json"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "figure"


def figure_html(fig: go.Figure) -> str:
    """HTML fragment drawing ``fig``; embeds plotly.js the first time in this kernel.

    Later fragments rely on the copy already on the page, so keep outputs in order (an
    executed notebook does). With ``TOOLKIT_PLOTLYJS`` set (``make report``) nothing is
    embedded: the report's page loads its shared copy. Used by :func:`show` and by the
    explorer's static snapshot.
    """
    embed = not _state["plotlyjs_sent"] and not os.environ.get("TOOLKIT_PLOTLYJS")
    html = fig.to_html(include_plotlyjs=embed, full_html=False,
                       config={"displaylogo": False})
    _state["plotlyjs_sent"] = True
    return html


def show(fig: go.Figure, name: str | None = None, *, png: bool = True) -> Path | None:
    """Display ``fig`` in the notebook and, under ``make report``, save it as .html and .png.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    name : str, optional
        File stem for the saved figure (default: from the title, else a counter).
    png : bool
        Also save a static PNG (needs Chromium for kaleido) when saving.

    Returns
    -------
    Path or None
        The saved .html path when ``TOOLKIT_FIGURES_DIR`` is set, else None.
    """
    from IPython.display import display

    _state["counter"] += 1
    html = figure_html(fig)
    display({"application/vnd.plotly.v1+json": json.loads(fig.to_json()), "text/html": html,
             "text/plain": f"<plotly figure: {fig.layout.title.text or 'untitled'}>"},
            raw=True)
    out_dir = os.environ.get("TOOLKIT_FIGURES_DIR")
    if not out_dir:
        return None
    from ..charts import export_figure

    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    stem = name or _slug(re.sub(r"<[^>]+>", " ", title)) or f"figure-{_state['counter']}"
    prefix = os.environ.get("TOOLKIT_NOTEBOOK", "")
    if prefix:
        stem = f"{prefix}--{stem}"
    html_path = Path(out_dir) / f"{stem}.html"
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    sidecar = {"notebook": os.environ.get("TOOLKIT_NOTEBOOK", ""), "title": title,
               **meta.get("provenance", {})}
    shared = os.environ.get("TOOLKIT_PLOTLYJS")
    js = Path(os.path.relpath(shared, html_path.parent)).as_posix() if shared else True
    export_figure(fig, html_path, sidecar=sidecar, include_plotlyjs=js)
    mode = os.environ.get("TOOLKIT_FIGURES_PNG", "1")
    if png and mode == "defer":
        # `make report` renders every deferred PNG in its own process with ONE headless browser
        # (toolkit.notebook.report.render_pending) instead of starting one per notebook kernel.
        from ..store import write_bytes_atomic

        write_bytes_atomic(html_path.with_suffix(PENDING_SUFFIX), fig.to_json().encode())
    elif png and mode != "0":
        export_figure(fig, html_path.with_suffix(".png"))
    return html_path
