"""``toolkit fetch events``: download GDELT event files into the local cube."""

from __future__ import annotations

import argparse

from . import int_range, nonneg_float, positive_float


def register_fetch(fetch_sub: argparse._SubParsersAction) -> None:
    from ..sources.events.download import MAX_FILE_BYTES, MAX_MEMBER_BYTES, RetryPolicy
    from ..sources.events.fetch import MAX_WORKERS
    from ..sources.events.index import PRODUCT_HELP

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
    p.add_argument("--workers", type=int_range(1, MAX_WORKERS), default=4,
                   help=f"parallel downloads, 1-{MAX_WORKERS} (default 4)")
    p.add_argument("--date-basis", default="sqldate", help="sqldate (event day, default) or "
                   "dateadded (publication day)")
    p.add_argument("--no-keep-files", action="store_true",
                   help="delete each zip after parsing (saves disk; new actors then re-download)")
    p.add_argument("--retry-gaps", action="store_true", help="ask again for files that were 404")
    p.add_argument("--mentions", action="store_true",
                   help="also fetch the GDELT 2.0 Mentions files (~1.7x the download) "
                        "and keep every article that mentioned a kept event")
    p.add_argument("--timeout", type=positive_float, default=30.0,
                   help="seconds to wait for the connection and for each read (default 30)")
    p.add_argument("--deadline", type=positive_float, default=None,
                   help="seconds one attempt at one file may take in all (default: the "
                        f"listed size at {RetryPolicy.min_rate / 1024:g} KiB/s, at least "
                        f"{RetryPolicy.deadline_floor:g} s)")
    p.add_argument("--attempts", type=int_range(1), default=5, help="tries per file (default 5)")
    p.add_argument("--backoff", type=nonneg_float, default=1.0,
                   help="first retry wait in seconds, doubling (default 1)")
    p.add_argument("--max-member-mb", type=positive_float, default=MAX_MEMBER_BYTES / 2**20,
                   help="largest unzipped file accepted, MiB (default "
                        f"{MAX_MEMBER_BYTES / 2**20:g}; far above any real GDELT file)")
    p.add_argument("--max-file-mb", type=positive_float, default=MAX_FILE_BYTES / 2**20,
                   help="largest download accepted when the file list gives no size (GDELT "
                        f"1.0), MiB (default {MAX_FILE_BYTES / 2**20:g})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import warnings

    from ..cli import CLIError
    from ..sources.events.download import RetryPolicy
    from ..sources.events.fetch import EventsFetchError, fetch_events

    policy = RetryPolicy(attempts=args.attempts, backoff=args.backoff, timeout=args.timeout,
                         deadline=args.deadline,
                         max_member_bytes=int(args.max_member_mb * 2**20),
                         max_file_bytes=int(args.max_file_mb * 2**20))
    try:
        with warnings.catch_warnings():
            # the summary below says it, and the exit status
            warnings.filterwarnings("ignore", message=r"(\d+ GDELT file|GDELT's file list|"
                                                      r"GDELT Mentions)")
            report = fetch_events(
                args.start, args.end, product=args.product, actors=args.actors,
                data_dir=args.data_dir, base_url=args.base_url, workers=args.workers,
                date_basis=args.date_basis, keep_files=not args.no_keep_files,
                retry_gaps=args.retry_gaps, policy=policy, progress=not args.no_progress,
                mentions=args.mentions)
    except EventsFetchError as exc:
        raise CLIError(str(exc)) from None
    print(report.summary())
    if not report.ok:
        n, u = len(report.failed), len(report.unlisted_days)
        mr = report.mentions
        mn, mu = (len(mr.failed), len(mr.unlisted_days)) if mr is not None else (0, 0)
        why = "; ".join(x for x in (
            f"{n} file(s) failed" if n else "", f"{u} day(s) not in the file list" if u else "",
            f"{mn} Mentions file(s) failed" if mn else "",
            f"{mu} day(s) not in the Mentions file list" if mu else "",
            mr.list_error if mr is not None and mr.list_error else "") if x)
        raise CLIError(f"{why}; their days are not marked complete (rerun to retry)")
    return 0
