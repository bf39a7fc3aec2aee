"""``toolkit events``: write the coded events behind the cube to a file (one row per event)."""

from __future__ import annotations

import argparse

from ..config import SOURCES
from . import int_range, out_path, positive_float, write_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "events", help="write the GDELT events behind the cube to .csv or .parquet",
        description="Write the events (one row per GDELT event, de-duplicated as the cube is, "
                    "most reported first) of a date range to .csv or .parquet. Their sums per "
                    "cube cell equal the cube.")
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--end", required=True, help="last day, YYYY-MM-DD")
    p.add_argument("--dyad", action="append", metavar="SRC→TGT",
                   help="directed dyad, e.g. RUS→KOR or RUS-KOR (repeat or comma-separate; "
                        "default: all)")
    p.add_argument("--root", action="append", metavar="CODE",
                   help="CAMEO root code, e.g. 13 for Threaten (repeat or comma-separate; "
                        "default: all)")
    p.add_argument("--source", default="auto", choices=SOURCES,
                   help="demo (synthetic), local (fetched GDELT files), bigquery (the events "
                        "cache; add --fetch to run the query), or auto")
    p.add_argument("--actors", help="comma-separated CAMEO codes to keep, e.g. RUS,KOR")
    p.add_argument("--limit", type=int_range(1), help="keep only the N most reported events")
    p.add_argument("--data-dir", help="cache directory (default: TOOLKIT_DATA_DIR or data/cache)")
    p.add_argument("--fetch", action="store_true",
                   help="with --source bigquery: dry-run, then run the query within --max-gb "
                        "and cache it (a cached query is not run again)")
    p.add_argument("--project", help="BigQuery billing project (with --fetch)")
    p.add_argument("--max-gb", type=positive_float,
                   help="BigQuery bytes ceiling in GB (with --fetch; default 50)")
    p.add_argument("--out", required=True, help="output file ending in .csv or .parquet")
    p.set_defaults(func=run)


def _joined(values: list[str] | None) -> str | None:
    return None if not values else ",".join(values)


def run(args: argparse.Namespace) -> int:
    from ..errors import ToolkitError
    from ..event_rows import fetch_bigquery_events, load_events

    out = out_path(args.out)
    if args.fetch and args.source != "bigquery":
        raise ValueError("--fetch runs the BigQuery query; use it with --source bigquery")
    dyads, roots = _joined(args.dyad), _joined(args.root)
    if args.fetch:
        fetch_bigquery_events(args.start, args.end, dyads=dyads, root_codes=roots,
                              project=args.project, max_gb=args.max_gb,
                              data_dir=args.data_dir)
    df = load_events(args.start, args.end, dyads=dyads, root_codes=roots, source=args.source,
                     actors=args.actors, data_dir=args.data_dir, limit=args.limit)
    if not len(df):
        a = df.attrs
        raise ToolkitError(
            f"0 events: source={a.get('source')} holds {a.get('start')}..{a.get('end')} but "
            f"has no event for dyads {','.join(a.get('dyads') or ['all'])} and roots "
            f"{','.join(a.get('root_codes') or ['all'])} there; nothing written to {out}. "
            "Widen --start/--end, --dyad or --root")
    write_table(df, out, for_csv=lambda d: d.assign(
        dateadded=d["dateadded"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")))
    note = " — SYNTHETIC demo data (placeholder URLs)" if df.attrs.get("synthetic") else ""
    print(f"wrote {len(df):,} events from source={df.attrs.get('source')}{note} to {out}")
    return 0
