"""Google BigQuery: GDELT's full event history (``gdelt-bq.gdeltv2.events_partitioned``).

What it is: one aggregate query per range that returns the dyad cube directly, after a dry
run that prices it and a bytes ceiling that BigQuery enforces. Needs the ``bigquery`` extra
(``pip install -e '.[bigquery]'``) and Google credentials; the toolkit never runs a query
without the estimate passing ``max_gb``.

Public functions: :func:`bigquery_sql`, :func:`estimate_bigquery`, :func:`fetch_bigquery`,
:func:`check_ready`, :func:`provenance`, :func:`model_estimate` (offline cost model).

Cache: ``<data dir>/cubes/bigquery/`` (cube and totals by month, ``coverage.json``) and
``fetches.json`` with the SQL, job id and bytes of every fetch
(:mod:`toolkit.sources.bigquery.cache`).

Modules: ``sql`` (the query text), ``fetch`` (client, dry run, ceiling, run), ``cache``,
``sizes`` (bytes model from real rows).
"""

from ..._lazy import lazy_submodules

__all__, __getattr__, __dir__ = lazy_submodules(__name__, {
    "sql": (
        "bigquery_sql", "bigquery_totals_sql", "select_star_sql", "check_table", "TABLE",
        "FIRST_DAY"),
    "fetch": (
        "estimate_bigquery", "fetch_bigquery", "Estimate", "FetchReport", "BigQueryError",
        "BigQueryAuthError", "BigQueryNotInstalled", "CostLimitExceeded", "check_ready",
        "estimate_cost_usd", "fmt_bytes", "make_client", "usd_per_tib"),
    "cache": ("provenance", "fetches"),
    "sizes": ("model_estimate",),
})
