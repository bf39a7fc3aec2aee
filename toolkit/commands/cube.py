"""``toolkit cube``: write the dyad cube (and optionally daily totals) to a file."""

from __future__ import annotations

import argparse

from ..config import SOURCES
from . import out_path, write_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cube", help="write the dyad cube to .csv or .parquet",
                       description="Write the dyad cube for a date range to .csv or .parquet.")
    p.add_argument("--source", default="auto", choices=SOURCES,
                   help="demo (synthetic), local (fetched GDELT files), bigquery, or auto")
    p.add_argument("--start", help="first day, YYYY-MM-DD (default: all)")
    p.add_argument("--end", help="last day, YYYY-MM-DD (default: all)")
    p.add_argument("--actors", help="comma-separated CAMEO codes to keep, e.g. RUS,KOR,PRK")
    p.add_argument("--totals", action="store_true",
                   help="write the daily totals instead of the cube")
    p.add_argument("--data-dir", help="cache directory (default: TOOLKIT_DATA_DIR or data/cache)")
    p.add_argument("--out", required=True, help="output file ending in .csv or .parquet")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..cube import load_cube, load_daily_totals

    out = out_path(args.out)
    if args.totals:
        df = load_daily_totals(args.start, args.end, source=args.source, data_dir=args.data_dir)
    else:
        df = load_cube(args.start, args.end, source=args.source, actors=args.actors,
                       data_dir=args.data_dir)
    if not len(df):
        # the range is held (load_* raise a ValueError, exit 2, for days the source lacks), but
        # holds no row for this request: an empty file would pass for a result, so exit 1
        from ..errors import ToolkitError

        a = df.attrs
        raise ToolkitError(
            f"0 rows: source={a.get('source')} holds {a.get('start')}..{a.get('end')} but has "
            f"no events among actors {','.join(a.get('actors') or []) or args.actors} there; "
            f"nothing written to {out}. Widen --start/--end or --actors")
    write_table(df, out)
    note = " — SYNTHETIC demo data" if df.attrs.get("synthetic") else ""
    print(f"wrote {len(df):,} rows from source={df.attrs.get('source')}{note} to {out}")
    return 0
