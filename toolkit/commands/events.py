"""``toolkit fetch events``: download GDELT event files into the local cube."""

from __future__ import annotations

import argparse


def register_fetch(fetch_sub: argparse._SubParsersAction) -> None:
    from ..sources.events_index import PRODUCT_HELP

    p = fetch_sub.add_parser(
        "events", help="GDELT Events files (2.0 15-minute or 1.0 daily) -> local cube",
        description="Download, verify and parse GDELT event files for a range of days into "
        "the local dyad cube (then `toolkit cube --source local` or load_cube(source='local')).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="products:\n" + "\n".join(f"  {k:7s} {v}" for k, v in PRODUCT_HELP.items()))
    p.add_argument("--start", required=True, help="first day, YYYY-MM-DD (UTC)")
    p.add_argument("--end", required=True, help="last day, YYYY-MM-DD (UTC, inclusive)")
    p.add_argument("--product", default="v2", help="v2 (default), v2-all or v1")
    p.add_argument("--actors", help="comma-separated CAMEO actor country codes "
                   "(default RUS,KOR,PRK); both actors of an event must be in the set")
    p.add_argument("--base-url", help="GDELT file server (default: GDELT_BASE_URL or "
                   "http://data.gdeltproject.org)")
    p.add_argument("--data-dir", help="cache directory (default: TOOLKIT_DATA_DIR or data/cache)")
    p.add_argument("--workers", type=int, default=4, help="parallel downloads (default 4)")
    p.add_argument("--date-basis", default="sqldate", help="sqldate (event day, default) or "
                   "dateadded (publication day)")
    p.add_argument("--no-keep-files", action="store_true",
                   help="delete each zip after parsing (saves disk; new actors then re-download)")
    p.add_argument("--retry-gaps", action="store_true", help="ask again for files that were 404")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    p.add_argument("--attempts", type=int, default=5, help="tries per file (default 5)")
    p.add_argument("--backoff", type=float, default=1.0,
                   help="first retry wait in seconds, doubling (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..cli import CLIError
    from ..sources.events import EventsFetchError, fetch_events
    from ..sources.events_download import RetryPolicy

    if args.attempts < 1 or args.timeout <= 0 or args.backoff < 0:
        raise ValueError("--attempts must be >= 1, --timeout > 0 and --backoff >= 0")
    policy = RetryPolicy(attempts=args.attempts, backoff=args.backoff, timeout=args.timeout)
    try:
        report = fetch_events(
            args.start, args.end, product=args.product, actors=args.actors,
            data_dir=args.data_dir, base_url=args.base_url, workers=args.workers,
            date_basis=args.date_basis, keep_files=not args.no_keep_files,
            retry_gaps=args.retry_gaps, policy=policy, progress=not args.no_progress)
    except EventsFetchError as exc:
        raise CLIError(str(exc)) from None
    print(report.summary())
    return 0
