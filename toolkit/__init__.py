"""GDELT rhetoric toolkit for Russia (RUS), South Korea (KOR) and North Korea (PRK).

Load GDELT events into a tidy dyad cube, compute rhetoric-intensity indices, test what changed
at milestones with statsmodels, and chart it with plotly.

Quick start
-----------
>>> import toolkit
>>> cube = toolkit.load_cube("2022-01-01", "2022-06-30", source="demo")  # doctest: +SKIP
>>> cube.attrs["source"]  # doctest: +SKIP
'demo'

Package map
-----------
The core library flows one way; each layer imports only the layers below it (checked by
``tests/test_layout.py``)::

    vocabulary   dates, schema, actors, cameo, speakers, config, errors   (imports nothing above)
    storage      store                      atomic files, locks, the cube months on disk
    definition   aggregate                  the ONE SQL definition of the cube
    sources      sources/{demo,events,doc,bigquery}/   one subpackage per data source
    cube         cube                       load_cube / load_daily_totals: picks a source
    derived      indices, milestones, daily_coverage, event_rows
    analysis     analysis/, explainer       statsmodels methods; the events behind a value
    charts       charts/                    theme, milestone overlay, figures, export

On top of the core: ``notebook/`` (the JupyterLab layer: helpers, display, explorer, report)
and ``cli`` with ``commands/`` (``python -m toolkit``). The public names below are the API;
module paths under them may move.
"""

from __future__ import annotations

from ._lazy import lazy_exports
from ._version import __version__

# Public names, resolved lazily so that `import toolkit` stays fast and optional parts
# (BigQuery, DOC) import only when used.
_EXPORTS: dict[str, str] = {
    "load_cube": "toolkit.cube",
    "load_daily_totals": "toolkit.cube",
    "parse_date": "toolkit.dates",
    "coverage": "toolkit.daily_coverage",
    "show": "toolkit.notebook.display",
    "explore": "toolkit.notebook.explorer",
    "fetch_events": "toolkit.sources.events",
    "doc_timeline": "toolkit.sources.doc",
    "doc_articles": "toolkit.sources.doc",
    "load_doc_timelines": "toolkit.sources.doc",
    "load_milestones": "toolkit.milestones",
    "compute_index": "toolkit.indices",
    "compute_indices": "toolkit.indices",
    "export_figure": "toolkit.charts",
    "bigquery_sql": "toolkit.sources.bigquery",
    "segmented_regression": "toolkit.analysis",
    "count_model": "toolkit.analysis",
    "event_study": "toolkit.analysis",
    "chow_test": "toolkit.analysis",
    "break_search": "toolkit.analysis",
    "granger": "toolkit.analysis",
    "stl_decompose": "toolkit.analysis",
    "estimate_bigquery": "toolkit.sources.bigquery",
    "fetch_bigquery": "toolkit.sources.bigquery",
    "load_events": "toolkit.event_rows",
    "fetch_bigquery_events": "toolkit.event_rows",
    "explain": "toolkit.explainer",
}

__all__ = ["__version__", *_EXPORTS]


__getattr__ = lazy_exports(__name__, _EXPORTS)[0]


def __dir__() -> list[str]:
    # the public API only, not the submodules imported so far
    return sorted(__all__)
