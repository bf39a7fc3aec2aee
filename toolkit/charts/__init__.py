"""Plotly figures with milestone overlays, captions that say where the data came from, and export.

Plot functions take tidy frames (from :mod:`toolkit.indices`), do no I/O, and return a
:class:`plotly.graph_objects.Figure` whose ``layout.meta["provenance"]`` records the data's
source, range and toolkit version (:func:`toolkit.show` writes it into report sidecars). Every
figure carries a caption naming the data source ("synthetic demo data" for the demo), the date
range and the toolkit version. Every name below is importable from ``toolkit.charts`` itself.

Modules
-------
:mod:`~toolkit.charts.theme`       palette, ``"toolkit"`` template, source labels,
                                   :func:`provenance`, :func:`caption_text`,
                                   :func:`add_caption`, :func:`fit_legend`, units on axes
:mod:`~toolkit.charts.overlay`     milestone lines, markers and labels:
                                   :func:`add_milestones`, :func:`layout_labels`
:mod:`~toolkit.charts.figures`     :func:`timeline` (indices × series, stacked panels),
                                   :func:`small_multiples` (one panel per dyad),
                                   :func:`heatmap` (dyad × month), :func:`event_window`
                                   (±N days around a milestone with before/after means)
:mod:`~toolkit.charts.statistics`  figures of :mod:`toolkit.analysis` results:
                                   :func:`plot_its`, :func:`plot_event_study`,
                                   :func:`plot_break_search`, :func:`plot_irf`,
                                   :func:`plot_stl`, :func:`plot_irr`
:mod:`~toolkit.charts.export`      :func:`export_figure` (.html / .png / .svg / .pdf + JSON
                                   provenance sidecar), :func:`find_browser`,
                                   :data:`CHROME_HELP`

Inside the package the theme is at the bottom: the overlay imports the theme, the figures import
the theme and the overlay, the statistics figures import the theme, the export imports
nothing of the package; nothing here is imported by the layers below (sources, cube, indices,
analysis).
"""

from .export import CHROME_HELP, export_figure, find_browser
from .export import _kaleido as _kaleido  # the started-browser flag, which tests reset
from .figures import WEBGL_THRESHOLD, event_window, heatmap, small_multiples, timeline
from .overlay import LABEL_PRIORITY, add_milestones, layout_labels
from .statistics import (
    plot_break_search,
    plot_event_study,
    plot_irf,
    plot_irr,
    plot_its,
    plot_stl,
)
from .theme import (
    CATEGORY_COLORS,
    DOC_SOURCE_LABELS,
    LEGEND_ENTRY_PX,
    LEGEND_TITLE_PX,
    PALETTE,
    SOURCE_LABELS,
    TEMPLATE,
    add_caption,
    caption_text,
    fit_legend,
    provenance,
)

__all__ = ["PALETTE", "CATEGORY_COLORS", "SOURCE_LABELS", "TEMPLATE", "provenance",
           "caption_text", "add_caption", "add_milestones", "layout_labels", "timeline",
           "small_multiples", "heatmap", "event_window", "export_figure", "find_browser",
           "CHROME_HELP", "DOC_SOURCE_LABELS", "WEBGL_THRESHOLD", "LEGEND_ENTRY_PX",
           "LEGEND_TITLE_PX", "LABEL_PRIORITY", "fit_legend", "plot_its", "plot_event_study",
           "plot_break_search", "plot_irf", "plot_stl", "plot_irr"]
