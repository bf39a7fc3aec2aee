"""GDELT rhetoric toolkit for Russia (RUS), South Korea (KOR) and North Korea (PRK).

Load GDELT events into a tidy dyad cube, compute rhetoric-intensity indices, test what changed
at milestones with statsmodels, and chart it with plotly.

Quick start
-----------
>>> import toolkit
>>> cube = toolkit.load_cube("2022-01-01", "2022-06-30", source="demo")  # doctest: +SKIP
>>> cube.attrs["source"]  # doctest: +SKIP
'demo'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public names, resolved lazily so that `import toolkit` stays fast and optional parts
# (BigQuery, DOC) import only when used.
_EXPORTS: dict[str, str] = {
    "load_cube": "toolkit.cube",
    "load_daily_totals": "toolkit.cube",
    "parse_date": "toolkit.cube",
    "coverage": "toolkit.daily_coverage",
    "show": "toolkit.display",
    "explore": "toolkit.explorer",
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


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
