"""``toolkit bigquery sql|estimate`` and ``toolkit fetch bigquery``: the cube on Google BigQuery.

* ``toolkit bigquery sql --start --end [--actors] [--date-basis] [--totals|--select-star]``
  prints the query (no account needed).
* ``toolkit bigquery estimate --start --end [--project] [--max-gb]`` dry-runs the cube and
  totals queries and SELECT * for comparison (free; needs credentials).
* ``toolkit fetch bigquery --project P --start --end [--max-gb N]`` dry-runs, refuses above the
  ceiling, runs, and caches the cube for ``load_cube(source="bigquery")``.
"""

from __future__ import annotations

import argparse

from ..aggregate import DATE_BASES, DEFAULT_PAD_DAYS
from . import int_range, positive_float


def _range_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--actors", help="comma-separated CAMEO actor codes (default RUS,KOR,PRK)")
    p.add_argument("--date-basis", default="sqldate", choices=DATE_BASES,
                   help="date events by SQLDATE (when they happened, default) or DATEADDED "
                        "(when GDELT published them)")
    p.add_argument("--pad-days", type=int_range(0, 60), default=DEFAULT_PAD_DAYS,
                   help=f"partition days scanned after --end for late reports (default "
                        f"{DEFAULT_PAD_DAYS}; sqldate only)")


def _cost_args(p: argparse.ArgumentParser) -> None:
    from ..sources.bigquery.fetch import DEFAULT_MAX_GB

    p.add_argument("--project", help="Google Cloud billing project (default: TOOLKIT_BQ_PROJECT, "
                                     "GOOGLE_CLOUD_PROJECT, or the ADC default project)")
    p.add_argument("--max-gb", type=positive_float, default=None,
                   help=f"ceiling on bytes processed, in GB = 10^9 bytes (default "
                        f"{DEFAULT_MAX_GB:g}); a fetch above it is refused")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bigquery", help="print or dry-run the cube's BigQuery SQL",
                       description="The dyad cube on Google BigQuery "
                                   "(gdelt-bq.gdeltv2.events_partitioned).")
    bq = p.add_subparsers(dest="bq_command", metavar="ACTION")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    s = bq.add_parser("sql", help="print the query (no account needed)",
                      description="Print the BigQuery SQL of the cube (or the totals).")
    _range_args(s)
    what = s.add_mutually_exclusive_group()
    what.add_argument("--totals", action="store_true", help="print the daily-totals query")
    what.add_argument("--select-star", action="store_true",
                      help="print SELECT * over the same partitions (comparison only)")
    s.set_defaults(func=run_sql)

    e = bq.add_parser("estimate", help="dry-run: bytes processed and estimated cost (free)",
                      description="Dry-run the cube and totals queries (and SELECT * for "
                                  "comparison): bytes processed and estimated on-demand cost. "
                                  "Dry runs are free but need Google credentials.")
    _range_args(e)
    _cost_args(e)
    e.add_argument("--no-compare", action="store_true",
                   help="skip the SELECT * comparison dry run")
    e.set_defaults(func=run_estimate)


def register_fetch(fetch_sub: argparse._SubParsersAction) -> None:
    p = fetch_sub.add_parser(
        "bigquery", help="run the cube on Google BigQuery and cache it",
        description="Run the cube and daily-totals queries on BigQuery after a dry run, within "
                    "a bytes ceiling, and cache the results for load_cube(source='bigquery').")
    _range_args(p)
    _cost_args(p)
    p.add_argument("--data-dir", help="cache directory (default: TOOLKIT_DATA_DIR or data/cache)")
    p.add_argument("--refresh", action="store_true",
                   help="run again even if the cache already holds the range (billed again)")
    p.set_defaults(func=run_fetch)


def _cli_error(exc: Exception):
    from ..cli import CLIError

    return CLIError(str(exc))


def run_sql(args: argparse.Namespace) -> int:
    from ..sources.bigquery import fetch as B

    if args.totals:
        sql = B.bigquery_totals_sql(args.start, args.end, date_basis=args.date_basis,
                                    pad_days=args.pad_days)
    elif args.select_star:
        sql = B.select_star_sql(args.start, args.end, date_basis=args.date_basis,
                                pad_days=args.pad_days)
    else:
        sql = B.bigquery_sql(args.start, args.end, actors=args.actors,
                             date_basis=args.date_basis, pad_days=args.pad_days)
    print(sql)
    return 0


def run_estimate(args: argparse.Namespace) -> int:
    from ..sources.bigquery import fetch as B

    try:
        est = B.estimate_bigquery(args.start, args.end, project=args.project, actors=args.actors,
                                  date_basis=args.date_basis, pad_days=args.pad_days,
                                  max_gb=args.max_gb, compare_select_star=not args.no_compare)
    except (B.BigQueryError, B.BigQueryNotInstalled) as exc:
        raise _cli_error(exc) from None
    print(est.summary())
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from ..sources.bigquery import fetch as B

    try:
        report = B.fetch_bigquery(args.start, args.end, project=args.project,
                                  actors=args.actors, date_basis=args.date_basis,
                                  max_gb=args.max_gb, pad_days=args.pad_days,
                                  data_dir=args.data_dir, refresh=args.refresh)
    except (B.BigQueryError, B.BigQueryNotInstalled) as exc:
        raise _cli_error(exc) from None
    print(report.summary())
    return 0
