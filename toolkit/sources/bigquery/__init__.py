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

from ..._lazy import lazy_exports

_EXPORTS = {
    "bigquery_sql": "toolkit.sources.bigquery.sql",
    "bigquery_totals_sql": "toolkit.sources.bigquery.sql",
    "select_star_sql": "toolkit.sources.bigquery.sql",
    "check_table": "toolkit.sources.bigquery.sql",
    "TABLE": "toolkit.sources.bigquery.sql",
    "FIRST_DAY": "toolkit.sources.bigquery.sql",
    "estimate_bigquery": "toolkit.sources.bigquery.fetch",
    "fetch_bigquery": "toolkit.sources.bigquery.fetch",
    "Estimate": "toolkit.sources.bigquery.fetch",
    "FetchReport": "toolkit.sources.bigquery.fetch",
    "BigQueryError": "toolkit.sources.bigquery.fetch",
    "BigQueryAuthError": "toolkit.sources.bigquery.fetch",
    "BigQueryNotInstalled": "toolkit.sources.bigquery.fetch",
    "CostLimitExceeded": "toolkit.sources.bigquery.fetch",
    "check_ready": "toolkit.sources.bigquery.fetch",
    "estimate_cost_usd": "toolkit.sources.bigquery.fetch",
    "fmt_bytes": "toolkit.sources.bigquery.fetch",
    "make_client": "toolkit.sources.bigquery.fetch",
    "usd_per_tib": "toolkit.sources.bigquery.fetch",
    "provenance": "toolkit.sources.bigquery.cache",
    "fetches": "toolkit.sources.bigquery.cache",
    "model_estimate": "toolkit.sources.bigquery.sizes",
}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
